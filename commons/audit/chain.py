"""The pure hashing rules of the audit chain: no Flask, no database.

Shared by the registry (commons.audit.operations) and the offline bundle verifier
(commons.audit.bundle), so an exported bundle is checked with exactly the rules that built it.
The canonical JSON is ``workflows/canonical.py``'s (the one the pact versions are hashed in).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime

if __package__:
    from workflows import canonical
else:  # loaded by bundle.py run as a script: load ../../workflows/canonical.py by its path
    import importlib.util
    from pathlib import Path

    _spec = importlib.util.spec_from_file_location(
        "canonical", Path(__file__).resolve().parents[2] / "workflows" / "canonical.py"
    )
    canonical = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(canonical)

GENESIS_HASH = "0" * 64

# The fields an event's hash covers, in the order of ``event_fields``' parameters: the names of
# the audit_events columns they come from (every column but ``hash``).
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_role",
    "proposal_id",
    "trigger",
    "from_state",
    "to_state",
    "payload",
    "public",
    "prev_hash",
)

# Canonical JSON; a value JSON cannot hold (a date in a payload) is written as its str().
_dumps_sorted = canonical.encoder(default=str).encode


def canonical_json(data: dict) -> bytes:
    """Serialise with sorted keys and no spaces, so the same event always hashes the same."""
    return _dumps_sorted(data).encode()


def event_fields(
    seq: int,
    occurred_at: datetime,
    actor_id,
    actor_role,
    proposal_id,
    trigger,
    from_state,
    to_state,
    payload: dict,
    public: bool,
    prev_hash: str,
) -> dict:
    """The fields an event's hash covers (:data:`HASHED_FIELDS`), in canonical form."""
    values = (seq, occurred_at.isoformat(timespec="microseconds"), actor_id, actor_role)
    values += (proposal_id, trigger, from_state, to_state, payload, public, prev_hash)
    return dict(zip(HASHED_FIELDS, values, strict=True))


def event_hash(fields: dict) -> str:
    """SHA-256 (hex) of the canonical JSON of an event's fields (see :func:`event_fields`)."""
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def hash_of(event) -> str:
    """The hash of an audit event: ``event`` holds the :data:`HASHED_FIELDS` as Python values
    (``occurred_at`` a datetime, ``payload`` a dict), as attributes (an ``AuditEvent``, a row
    of the table) or as keys (a mapping)."""
    if isinstance(event, Mapping):
        values = [event[name] for name in HASHED_FIELDS]
    else:
        values = [getattr(event, name) for name in HASHED_FIELDS]
    return event_hash(event_fields(*values))


# The same canonical JSON, written directly: the 11 keys above in sorted order, for verifying
# or exporting many events without building a dict per event (tests prove it equal).
_encode_str = json.encoder.encode_basestring


def json_value(value) -> str:
    """One value as ``canonical_json`` writes it inside an object."""
    if value.__class__ is str:
        return _encode_str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value.__class__ is int:
        return int.__repr__(value)
    return _dumps_sorted(value)


def payload_json(raw: str | None) -> str:
    """The canonical JSON of a payload from its stored JSON text (``None``: SQL NULL)."""
    return "null" if raw is None else _dumps_sorted(json.loads(raw))


def event_hash_of(
    seq,
    occurred_at_iso: str,
    actor_id,
    actor_role,
    proposal_id,
    trigger,
    from_state,
    to_state,
    payload_canonical: str,
    public,
    prev_hash,
) -> str:
    """``event_hash(event_fields(...))`` from the timestamp's ISO text and the payload's
    canonical JSON (see :func:`payload_json`)."""
    j = json_value
    text = (
        f'{{"actor_id":{j(actor_id)},"actor_role":{j(actor_role)},"from_state":{j(from_state)},'
        f'"occurred_at":{_encode_str(occurred_at_iso)},"payload":{payload_canonical},'
        f'"prev_hash":{j(prev_hash)},"proposal_id":{j(proposal_id)},"public":{j(public)},'
        f'"seq":{j(seq)},"to_state":{j(to_state)},"trigger":{j(trigger)}}}'
    )
    return hashlib.sha256(text.encode()).hexdigest()
