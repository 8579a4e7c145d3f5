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
