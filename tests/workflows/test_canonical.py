"""The one canonical JSON that pact versions and audit events are hashed in."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from commons.audit import chain
from commons.documents import rendering
from workflows.canonical import canonical_json
from workflows.guards import content_hash

SAMPLE = {"z": [1, 2.5, True, None], "a": {"città": "Bologna", "b": "«x»\n"}, "m": "ü"}


def test_keys_are_sorted_without_spaces_and_text_is_utf8():
    assert canonical_json(SAMPLE) == (
        '{"a":{"b":"«x»\\n","città":"Bologna"},"m":"ü","z":[1,2.5,true,null]}'.encode()
    )


def test_the_pact_hash_the_pdf_attachment_and_the_audit_chain_share_it():
    digest = hashlib.sha256(canonical_json(SAMPLE)).hexdigest()
    assert content_hash(SAMPLE) == rendering.content_sha256(SAMPLE) == digest
    assert (
        rendering.canonical_json(SAMPLE) == chain.canonical_json(SAMPLE) == canonical_json(SAMPLE)
    )


def test_only_the_audit_chain_writes_what_json_cannot_hold_as_text():
    payload = {"due": date(2026, 3, 1)}
    assert chain.canonical_json(payload) == b'{"due":"2026-03-01"}'
    with pytest.raises(TypeError):
        canonical_json(payload)
