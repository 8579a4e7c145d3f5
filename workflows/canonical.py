"""Canonical JSON: the one serialisation that pact versions and audit events are hashed in.

Keys sorted, no spaces (separators ``,`` and ``:``), UTF-8 text without ``\\u`` escapes. The
engine hashes a pact version's content with it (``workflows.guards.content_hash``), the
application attaches the same bytes to the pact's PDF (``commons.documents.rendering``) and
hashes audit events with it (``commons.audit.chain``).

It lives here because ``workflows`` may not import ``commons`` while ``commons`` may import
``workflows``. Standard library only, and nothing else of ``workflows``: the offline bundle
verifier (``python commons/audit/bundle.py FILE.zip``) loads this file by its path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def encoder(default: Callable[[Any], Any] | None = None) -> json.JSONEncoder:
    """A reusable encoder writing canonical JSON text; ``default`` converts a value JSON cannot
    hold (``None``: such a value is a ``TypeError``)."""
    return json.JSONEncoder(
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default
    )


_encode = encoder().encode


def canonical_json(data: Any) -> bytes:
    """``data`` as canonical JSON, UTF-8 encoded."""
    return _encode(data).encode()
