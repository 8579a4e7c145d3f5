"""What an evidence bundle says about itself: its README.txt and its datapackage.json.

Written into every bundle by :func:`commons.audit.exports.write_zip`; the files, columns and
hashing rules they describe are those of :mod:`commons.audit.bundle`.
"""

from __future__ import annotations

from commons.audit.bundle import (
    CALL_SCORE_COLUMNS,
    CHECKPOINT_COLUMNS,
    EVENT_COLUMNS,
    PACT_COLUMNS,
)

# Frictionless field types of the CSV files the datapackage describes.
EVENT_TYPES = {
    "seq": "integer",
    "occurred_at": "datetime",
    "proposal_id": "integer",
    "actor_id": "integer",
    "payload": "object",
    "public": "boolean",
}
PACT_TYPES = {
    "id": "integer",
    "group_id": "integer",
    "representative_id": "integer",
    "case_officer_id": "integer",
    "start_date": "date",
    "end_date": "date",
    "submitted_at": "datetime",
    "decision_date": "date",
    "deliberation_date": "date",
    "predecessor_id": "integer",
    "created_at": "datetime",
}
CHECKPOINT_TYPES = {"seq": "integer", "made_at": "datetime"}
CALL_SCORE_TYPES = {
    "proposal_id": "integer",
    "call_id": "integer",
    "evaluator_id": "integer",
    "points": "integer",
    "max_points": "integer",
    "weight": "number",
    "submitted_at": "datetime",
    "total": "number",
    "rank": "integer",
    "act_date": "date",
}


def datapackage(name: str) -> dict:
    """A Frictionless Data Package descriptor for pacts.csv, events.csv, checkpoints.csv and
    call_scores.csv."""

    def schema(columns, types):
        return {
            "fields": [{"name": c, "type": types.get(c, "string")} for c in columns],
            "missingValues": [""],
        }

    def resource(res_name, columns, types):
        return {
            "name": res_name,
            "path": f"{res_name}.csv",
            "description": TABLES_NOTE,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"'},
            "schema": schema(columns, types),
        }

    return {
        "profile": "tabular-data-package",
        "name": name,
        "resources": [
            resource("pacts", PACT_COLUMNS, PACT_TYPES),
            resource("events", EVENT_COLUMNS, EVENT_TYPES),
            resource("checkpoints", CHECKPOINT_COLUMNS, CHECKPOINT_TYPES),
            resource("call_scores", CALL_SCORE_COLUMNS, CALL_SCORE_TYPES),
        ],
    }


TABLES_NOTE = (
    "Text cells starting with =, +, -, @, a tab or a carriage return, or with one or more ' "
    "followed by one of those, are written with a ' in front so that no spreadsheet runs them "
    "as formulas; to read a cell back as stored, remove the first ' of such a cell. Numbers "
    "and dates are never changed."
)

README = """\
Evidence bundle of the Commons registry of collaboration pacts
==============================================================

What is inside
--------------
manifest.json    every file with its SHA-256 and size; the filters; who exported it and when;
                 the audit chain's head hash and length at export time; the first and last
                 seq of the exported events. Its "digest" is the SHA-256 of the canonical JSON
                 (see below) of the manifest without the "digest" key.
pacts.csv        the selected pacts (one row each).
events.csv       every audit event of the selected pacts, in seq order; actor_name, beside
                 actor_id, is the person's name at export time ("system" for events without
                 an actor): it is not part of the hash.
chain.csv        seq, prev_hash and hash of EVERY event of the whole chain up to the head, so
                 the links can be checked even though the selected events are not contiguous.
versions.csv     the pact text versions; versions/<protocol>-v<n>.json holds each one.
documents.csv    the issued PDFs, and the final PDF as each party signed it with their own
                 tool (kind signed_upload); documents/<sha256>.pdf (a CAdES upload:
                 .p7m) holds each one.
signatures.csv   who signed, in which capacity, when, and the hash of what they signed; the
                 level (simple, advanced, qualified) and, for a file signed with the
                 signer's own tool, the certificate's subject and fiscal number and the
                 SHA-256 of the file as uploaded.
personal_values.csv
                 the personal values (names, e-mail addresses, tax codes, a citizen's
                 answers) that the events' payloads hold only as {"erasable": ref,
                 "digest": ...}: ref, field, value, salt, erased_at. The digest is
                 HMAC-SHA256 keyed with the salt (hex) over the value (UTF-8). After a
                 person's erasure value and salt are empty: the event, and its hash, are
                 unchanged; the value is gone.
call_scores.csv  for the selected pacts that came from a call for proposals: each evaluator's
                 points and reason per criterion, once submitted (scored_by "evaluator"; a
                 recusal: one row "recused" with its reason), then the panel's consensus
                 ("consensus", by its chair), each row with the call, the batch (deadline),
                 the pact's weighted total, ranking position (in its batch) and outcome, and
                 the act that admitted the batch (empty until it is recorded).
checkpoints.csv  the checkpoints of the chain head the registry had made up to this export,
                 the last one made by the export itself: seq, hash of that event, when, and
                 the city's seal signature (empty when no seal key was configured).
checkpoint-certificates.pem
                 the seal certificate(s) those signatures verify with.
datapackage.json a Frictionless Data Package descriptor of pacts.csv, events.csv,
                 checkpoints.csv and call_scores.csv.

CSV files are RFC 4180 (comma, double quotes, CRLF), UTF-8; an empty cell means null.

Safe tables: a text cell that a spreadsheet would run as a formula (one starting with =, +, -,
@, a tab or a carriage return) is written with a single quote ' in front; a text starting with
one or more quotes followed by one of those characters gets one more quote. To read a cell
back as stored, remove the first ' of a cell that starts with one or more ' followed by one of
those characters; leave any other cell as it is. Numbers, dates and times are never changed.
Hashes are computed over the text as stored, read back so.

How to verify
-------------
With the registry's code (no database needed):
    commons audit verify-bundle THIS_FILE.zip
or, with Python alone, from a copy of the registry's source:
    python commons/audit/bundle.py THIS_FILE.zip
It prints "OK: ..." or the first failure, naming the file, row and seq. To check the
chain against the checkpoints the registry publishes (open data, checkpoints.csv) too:
    commons audit verify-bundle THIS_FILE.zip --checkpoints checkpoints.csv
    python commons/audit/bundle.py THIS_FILE.zip checkpoints.csv

To check the bundle against the live registry, an operator runs `commons audit verify` (the
chain recomputes) and checks that the event with seq = manifest "chain.count" has the hash
"chain.head_hash", and that an "exported" audit event records this ZIP file's SHA-256
(sha256sum THIS_FILE.zip).

The hashing rules
-----------------
Canonical JSON: keys sorted, no spaces (separators "," and ":"), UTF-8 without \\u escapes.

An event's hash is the SHA-256 (hex) of the canonical JSON of the object with the keys
seq, occurred_at, actor_id, actor_role, proposal_id, trigger, from_state, to_state, payload,
public and prev_hash, where occurred_at is ISO 8601 with microseconds and its UTC offset
(as in events.csv), payload is the JSON object of the payload column, public is a JSON boolean,
empty cells are null, ids are integers and text is read back as stored (see "Safe tables");
actor_name is not part of it.

prev_hash is the hash of the event before in the chain (seq - 1); the first event's prev_hash
is 64 zeros. So changing, removing or reordering any event breaks every later link.

A checkpoint says "the chain had event seq with this hash": the chain in chain.csv must have
that hash at that seq, and at least that many events. Its signature (base64) is over the
canonical JSON of {"hash", "made_at", "seq"}, with the algorithm named (RSA PKCS#1 v1.5 or
ECDSA, SHA-256) and the certificate named by the SHA-256 of its DER bytes. Compare that
fingerprint with the one the city publishes.

A pact version's content hash is the SHA-256 of its canonical JSON: the bytes of its file
under versions/. A document's name is the SHA-256 of its bytes.
"""
