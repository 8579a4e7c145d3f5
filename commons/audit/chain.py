"""The pure hashing rules of the audit chain: no Flask, no database.

Shared by the registry (commons.audit.operations) and the offline bundle verifier
(commons.audit.bundle), so an exported bundle is checked with exactly the rules that built it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

GENESIS_HASH = "0" * 64


def canonical_json(data: dict) -> bytes:
    """Serialise with sorted keys and no spaces, so the same event always hashes the same."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


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
    """The fields an event's hash covers, in canonical form."""
    return {
        "seq": seq,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "proposal_id": proposal_id,
        "trigger": trigger,
        "from_state": from_state,
        "to_state": to_state,
        "payload": payload,
        "public": public,
        "prev_hash": prev_hash,
    }


def event_hash(fields: dict) -> str:
    return hashlib.sha256(canonical_json(fields)).hexdigest()


# The same canonical JSON, written directly: the 11 keys above in sorted order, for verifying
# or exporting many events without building a dict per event (tests prove it equal).
_encode_str = json.encoder.encode_basestring
_dumps_sorted = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
).encode


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
