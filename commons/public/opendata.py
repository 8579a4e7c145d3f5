"""Open data: the public register as CSV, JSON and GeoJSON files, with a Frictionless package.

Every file's fields are defined once, in ``DATASETS``: the open-data page draws its data
dictionary from it and ``datapackage()`` builds the Frictionless schemas from it.

Only public data leaves here (DOMAIN.md, "The public register"): of the people behind a pact,
only the representative's name, and only once the pact is signed. No reasons, messages or
other free text of the audit trail, no actor names or ids.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from commons.audit.models import AuditEvent
from commons.documents.models import Document
from commons.extensions import db
from commons.proposals.labels import STATE_LABELS
from commons.proposals.models import Proposal
from commons.registry.models import Commons
from commons.tables import TRIGGERS, neutralise
from workflows.engine import ProfileError

BATCH = 500


@dataclass(frozen=True)
class Field:
    """One column of a file: its name, its Frictionless type and what it means."""

    name: str
    type: str
    description: object  # a lazy string, translated where it is shown


@dataclass(frozen=True)
class Dataset:
    """One file of the open data."""

    name: str
    path: str
    format: str
    mediatype: str
    title: object
    description: object
    fields: tuple[Field, ...]
    tabular: bool = True


PACT_FIELDS = (
    Field("id", "integer", _l("Identifier of the proposal in the register.")),
    Field("protocol_number", "string", _l("Protocol number given when it was submitted.")),
    Field("title", "string", _l("Title of the proposal.")),
    Field("pact_type", "string", _l("Type of pact: ordinary or complex.")),
    Field("status", "string", _l("Stage of the lifecycle, as a code (e.g. co_design, active).")),
    Field("status_label", "string", _l("Stage of the lifecycle, in English words.")),
    Field("districts", "string", _l("Districts of the commons concerned, separated by “;”.")),
    Field("commons_ids", "string", _l("Identifiers of the commons concerned, separated by “;”.")),
    Field(
        "start_date",
        "date",
        _l(
            "Date the pact starts (YYYY-MM-DD): from its approved terms once approved; before "
            "that, the start requested in the application, if any."
        ),
    ),
    Field(
        "end_date",
        "date",
        _l(
            "Date the pact ends (YYYY-MM-DD), on the same basis as start_date; an extension "
            "act moves it."
        ),
    ),
    Field("decision_number", "string", _l("Number of the act approving the pact.")),
    Field("decision_date", "date", _l("Date of the act approving the pact.")),
    Field("deliberation_number", "string", _l("Number of the council deliberation, if any.")),
    Field("deliberation_date", "date", _l("Date of the council deliberation, if any.")),
    Field(
        "representative",
        "string",
        _l("Name of the proponents' representative; only for signed pacts, empty otherwise."),
    ),
    Field("signed_pdf_url", "string", _l("Address of the signed pact PDF, when there is one.")),
    Field(
        "proponent_type",
        "string",
        _l("Kind of proponent (e.g. individual, informal_group, association)."),
    ),
    # The public summary, as published with the notice (its original text); empty before.
    Field(
        "summary_objectives",
        "string",
        _l("Public summary: the objectives; published at admission, empty before."),
    ),
    Field("summary_activities", "string", _l("Public summary: the activities.")),
    Field("summary_places", "string", _l("Public summary: the places (commons, where on them).")),
    Field("summary_times", "string", _l("Public summary: when and how often activities happen.")),
    Field("summary_support", "string", _l("Public summary: the support asked of the city.")),
)

EVENT_FIELDS = (
    Field("seq", "integer", _l("Position of the event in the audit chain.")),
    Field("occurred_at", "datetime", _l("When it happened, in UTC (ISO 8601).")),
    Field("proposal_id", "integer", _l("Identifier of the proposal (see pacts.csv).")),
    Field("protocol_number", "string", _l("Protocol number of the proposal.")),
    Field("trigger", "string", _l("The action recorded, as a code (e.g. admit, approve, sign).")),
    Field("actor_role", "string", _l("Role in which the action was taken (no names).")),
    Field("from_state", "string", _l("Stage before the action, as a code.")),
    Field("to_state", "string", _l("Stage after the action, as a code.")),
    Field("act_number", "string", _l("Number of the act the action recorded, if any.")),
    Field("act_date", "date", _l("Date of that act, if any.")),
    Field("deliberation_number", "string", _l("Number of the council deliberation, if any.")),
    Field("deliberation_date", "date", _l("Date of the council deliberation, if any.")),
)

COMMONS_FIELDS = (
    Field("id", "integer", _l("Identifier of the commons in the register.")),
    Field("name", "string", _l("Name of the commons.")),
    Field("kind", "string", _l("Kind of commons (e.g. park, garden, square, building).")),
    Field("address", "string", _l("Address of the commons.")),
    Field("district", "string", _l("District.")),
    Field("neighbourhood", "string", _l("Neighbourhood.")),
    Field("availability", "string", _l("Whether it is available, in a pact or unavailable.")),
    Field("cadastral_reference", "string", _l("Cadastral reference, if known.")),
)

CHECKPOINT_FIELDS = (
    Field("seq", "integer", _l("The audit chain's length when the checkpoint was made.")),
    Field("hash", "string", _l("Hash of that event (the chain head), SHA-256 in hexadecimal.")),
    Field("made_at", "datetime", _l("When the checkpoint was made, in UTC (ISO 8601).")),
    Field(
        "signature",
        "string",
        _l(
            "The city's seal over the canonical JSON of hash, made_at and seq, in base64; "
            "empty when no seal key was configured (an unsigned checkpoint)."
        ),
    ),
    Field("algorithm", "string", _l("Signature algorithm (rsa-pkcs1v15-sha256, ecdsa-sha256).")),
    Field(
        "certificate_sha256",
        "string",
        _l("SHA-256 of the seal certificate (checkpoint-certificates.pem) that verifies it."),
    ),
)

DATASETS = (
    Dataset(
        name="pacts",
        path="pacts.csv",
        format="csv",
        mediatype="text/csv",
        title=_l("Pacts"),
        description=_l("Every proposal that left draft, one row each, with its acts."),
        fields=PACT_FIELDS,
    ),
    Dataset(
        name="pacts-json",
        path="pacts.json",
        format="json",
        mediatype="application/json",
        title=_l("Pacts (JSON)"),
        description=_l("The same rows as pacts.csv, as a JSON array of objects."),
        fields=PACT_FIELDS,
    ),
    Dataset(
        name="commons",
        path="commons.geojson",
        format="geojson",
        mediatype="application/geo+json",
        title=_l("Commons on the map"),
        description=_l(
            "A GeoJSON FeatureCollection of the commons with a position; "
            "the fields below are each feature's properties."
        ),
        fields=COMMONS_FIELDS,
        tabular=False,
    ),
    Dataset(
        name="events",
        path="events.csv",
        format="csv",
        mediatype="text/csv",
        title=_l("Events"),
        description=_l(
            "The public events of the proposals' audit trail, with the acts they record."
        ),
        fields=EVENT_FIELDS,
    ),
    Dataset(
        name="checkpoints",
        path="checkpoints.csv",
        format="csv",
        mediatype="text/csv",
        title=_l("Checkpoints of the audit chain"),
        description=_l(
            "An append-only list: the audit chain's head at moments (each run of the tick job, "
            "each export), sealed by the city. Keep a copy: a later rewrite of the chain "
            "contradicts it (commons audit verify --checkpoints)."
        ),
        fields=CHECKPOINT_FIELDS,
    ),
)

DATASET_BY_PATH = {dataset.path: dataset for dataset in DATASETS}

# Act references an event may carry in its payload; nothing else of the payload is published.
EVENT_PAYLOAD_KEYS = ("act_number", "act_date", "deliberation_number", "deliberation_date")


# --- helpers ------------------------------------------------------------------------------


def _iso_date(value) -> str:
    """A date as YYYY-MM-DD, or "" when it is missing or not a date."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        return ""


def _iso_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value) -> str:
    return "" if value is None else str(value)


def _english_state_labels() -> dict[str, str]:
    with force_locale("en"):
        return {state: str(label) for state, label in STATE_LABELS.items()}


def _profile(name: str):
    try:
        return workflows.get_profile(name)
    except ProfileError:
        return workflows.get_profile(None)


def _states_after_signing(profile) -> frozenset[str]:
    """Terminal states reached only from states in force: a pact there was signed."""
    sources: dict[str, set[str]] = {}
    for spec in profile.transitions:
        sources.setdefault(spec.target, set()).update(spec.sources)
    return frozenset(
        state
        for state in profile.terminal
        if sources.get(state) and sources[state] <= set(profile.in_force)
    )


def _all_in_force() -> set[str]:
    states: set[str] = set()
    for name in workflows.profile_names():
        states |= workflows.get_profile(name).in_force
    return states


# --- pacts --------------------------------------------------------------------------------


def _signed_documents(session: Session) -> dict[int, str]:
    """The SHA-256 of each proposal's latest signed PDF."""
    rows = session.execute(
        select(Document.proposal_id, Document.sha256)
        .where(Document.kind == "signed")
        .order_by(Document.id)
    )
    return {proposal_id: sha for proposal_id, sha in rows}


def _states_to_probe() -> set[str]:
    """Terminal states in which only the audit trail tells whether the pact was signed: those
    that are not reached from states in force alone (in any profile)."""
    states: set[str] = set()
    for name in workflows.profile_names():
        profile = workflows.get_profile(name)
        states |= profile.terminal - _states_after_signing(profile)
    return states


def pact_context() -> dict:
    """What the pact rows need of the request: English labels and the PDF address pattern."""
    return {
        "labels": _english_state_labels(),
        "pdf_url": url_for("documents.download", sha256=_SHA, _external=True),
    }


_SHA = "SHA256"


# The proposals that left draft with their representative's name and group kind, in id order;
# the optional cells as text ("" when empty), dates as YYYY-MM-DD written by the database; for
# a proposal in a terminal state not reached from states in force alone (_states_to_probe),
# whether its audit trail shows it entering a state in force (a probe of its events, only for
# those).
# SQLite: dates are stored as that text already; one row per commons of the proposal (or one
# with NULLs when it has none), driven by the proposals' primary key so that nothing is sorted.
PACTS_SQLITE = """
SELECT p.id, coalesce(p.protocol_number, ''), p.title, p.pact_type, p.status, p.profile,
       coalesce(p.start_date, ''), coalesce(p.end_date, ''), coalesce(p.decision_number, ''),
       coalesce(p.decision_date, ''), coalesce(p.deliberation_number, ''),
       coalesce(p.deliberation_date, ''), u.full_name, coalesce(g.kind, ''),
       CASE WHEN p.status IN (SELECT value FROM json_each(:probe)) THEN EXISTS (
           SELECT 1 FROM audit_events AS e WHERE e.proposal_id = p.id
           AND e.to_state IN (SELECT value FROM json_each(:in_force))
       ) END,
       c.id, c.name, c.district,
       coalesce(s.objectives, ''), coalesce(s.activities, ''), coalesce(s.places, ''),
       coalesce(s.times, ''), coalesce(s.support, '')
FROM proposals AS p
JOIN users AS u ON u.id = p.representative_id
LEFT JOIN proponent_groups AS g ON g.id = p.group_id
LEFT JOIN public_summaries AS s
    ON s.proposal_id = p.id AND s.language = '' AND s.published_at IS NOT NULL
LEFT JOIN proposal_commons AS pc ON pc.proposal_id = p.id
LEFT JOIN commons AS c ON c.id = pc.commons_id
WHERE p.status <> 'draft'
ORDER BY p.id
"""
# PostgreSQL: one row per proposal, its commons' ids (in the order of Proposal.commons, by name
# then id) and districts (distinct, in code-point order as Python's sorted(): COLLATE "C")
# aggregated by the server.
PACTS_POSTGRESQL = """
SELECT p.id, coalesce(p.protocol_number, ''), p.title, p.pact_type, p.status, p.profile,
       coalesce(to_char(p.start_date, 'YYYY-MM-DD'), ''),
       coalesce(to_char(p.end_date, 'YYYY-MM-DD'), ''), coalesce(p.decision_number, ''),
       coalesce(to_char(p.decision_date, 'YYYY-MM-DD'), ''), coalesce(p.deliberation_number, ''),
       coalesce(to_char(p.deliberation_date, 'YYYY-MM-DD'), ''), u.full_name,
       coalesce(g.kind, ''),
       CASE WHEN p.status = ANY(%(probe)s) THEN EXISTS (
           SELECT 1 FROM audit_events AS e WHERE e.proposal_id = p.id
           AND e.to_state = ANY(%(in_force)s)
       ) END,
       coalesce(l.ids, ''), coalesce(l.districts, ''),
       coalesce(s.objectives, ''), coalesce(s.activities, ''), coalesce(s.places, ''),
       coalesce(s.times, ''), coalesce(s.support, '')
FROM proposals AS p
JOIN users AS u ON u.id = p.representative_id
LEFT JOIN proponent_groups AS g ON g.id = p.group_id
LEFT JOIN public_summaries AS s
    ON s.proposal_id = p.id AND s.language = '' AND s.published_at IS NOT NULL
LEFT JOIN (
    SELECT pc.proposal_id,
           string_agg(c.id::text, ';' ORDER BY c.name, c.id) AS ids,
           string_agg(DISTINCT c.district_c, ';' ORDER BY c.district_c)
               FILTER (WHERE c.district_c <> '') AS districts
    FROM proposal_commons AS pc
    JOIN (SELECT id, name, district COLLATE "C" AS district_c FROM commons) AS c
        ON c.id = pc.commons_id
    GROUP BY pc.proposal_id
) AS l ON l.proposal_id = p.id
WHERE p.status <> 'draft'
ORDER BY p.id
"""
FETCH = 2_000


def _sqlite_pacts(dbapi, probe: list[str], in_force: list[str]) -> Iterator[tuple]:
    """The PACTS_SQLITE rows folded into one per proposal, as PACTS_POSTGRESQL gives them."""
    cursor = dbapi.cursor()
    try:
        cursor.execute(PACTS_SQLITE, {"probe": json.dumps(probe), "in_force": json.dumps(in_force)})
        current = None
        commons: list[tuple] = []
        while batch := cursor.fetchmany(FETCH):
            for row in batch:
                if current is None or row[0] != current[0]:
                    if current is not None:
                        yield _folded(current, commons)
                    current, commons = row, []
                if row[15] is not None:
                    commons.append((row[16], row[15], row[17]))
        if current is not None:
            yield _folded(current, commons)
    finally:
        cursor.close()


def _folded(row: tuple, commons: list[tuple]) -> tuple:
    summary = row[18:]  # the public summary's texts, after the commons' columns
    if len(commons) == 1:  # most pacts: nothing to sort
        _, commons_id, district = commons[0]
        return (*row[:15], str(commons_id), district or "", *summary)
    # SQLite compares text by its bytes, which for UTF-8 is Python's code-point order: the same
    # order as the (name, id) ORDER BY of Proposal.commons.
    commons.sort()
    return (
        *row[:15],
        ";".join([str(commons_id) for _, commons_id, _ in commons]),
        ";".join(sorted({district for _, _, district in commons if district})),
        *summary,
    )


def _postgresql_pacts(dbapi, probe: list[str], in_force: list[str]) -> Iterator[tuple]:
    # A server-side cursor: rows arrive in batches, memory stays flat.
    with dbapi.cursor() as settings:
        # The planner's cost estimate is high enough to JIT-compile the query, which then takes
        # longer than running it; the links' sort fits in memory with a little more than the
        # default (settings for this transaction only, the stream's own).
        settings.execute("SET LOCAL jit = off")
        settings.execute("SET LOCAL work_mem = '16MB'")
    with dbapi.cursor(name="open_data_pacts") as cursor:
        cursor.execute(PACTS_POSTGRESQL, {"probe": probe, "in_force": in_force})
        while batch := cursor.fetchmany(FETCH):
            yield from batch


def pact_records(session: Session, context: dict) -> Iterator[tuple]:
    """One tuple per proposal that left draft, in id order: the PACT_FIELDS' values.

    Plain tuples read with the database driver's own cursor, without SQLAlchemy's or the ORM's
    per-row processing: the database writes dates, empty cells and (on PostgreSQL) each
    proposal's commons and districts; Python adds the English state label and what depends on
    the workflow profiles (whether the pact was signed). Memory stays flat whatever the number
    of proposals.
    """
    labels, pdf_url = context["labels"], context["pdf_url"]
    signed_docs = _signed_documents(session)
    profiles: dict[str, tuple] = {}
    connection = session.connection()
    dbapi = connection.connection.driver_connection
    probe, in_force_states = sorted(_states_to_probe()), sorted(_all_in_force())
    read = _postgresql_pacts if connection.dialect.name == "postgresql" else _sqlite_pacts
    rows = read(dbapi, probe, in_force_states)
    for (
        proposal_id,
        protocol_number,
        title,
        pact_type,
        status,
        profile_name,
        start_date,
        end_date,
        decision_number,
        decision_date,
        deliberation_number,
        deliberation_date,
        representative,
        group_kind,
        once_in_force,
        commons_ids,
        districts,
        *summary,
    ) in rows:
        known = profiles.get(profile_name)
        if known is None:
            profile = _profile(profile_name)
            known = profiles[profile_name] = (
                profile.in_force,
                profile.terminal,
                _states_after_signing(profile),
            )
        in_force, terminal, after_signing = known
        sha = signed_docs.get(proposal_id)
        signed = (
            sha is not None
            or status in in_force
            or (status in terminal and (status in after_signing or once_in_force))
        )
        yield (
            proposal_id,
            protocol_number,
            title,
            pact_type,
            status,
            labels.get(status) or status.replace("_", " "),
            districts,
            commons_ids,
            start_date,
            end_date,
            decision_number,
            decision_date,
            deliberation_number,
            deliberation_date,
            representative if signed else "",
            pdf_url.replace(_SHA, sha) if sha else "",
            group_kind,
            *summary,
        )


PACT_NAMES = tuple(field.name for field in PACT_FIELDS)


def pact_rows(session: Session, context: dict) -> Iterator[dict]:
    """The pact records as dicts keyed by field name (pacts.json)."""
    for record in pact_records(session, context):
        yield dict(zip(PACT_NAMES, record, strict=True))


# --- events -------------------------------------------------------------------------------


def event_rows(session: Session) -> Iterator[dict]:
    """The public events of proposals that left draft, in chain order, read in batches."""
    query = (
        select(AuditEvent, Proposal.protocol_number)
        .join(Proposal, Proposal.id == AuditEvent.proposal_id)
        .where(AuditEvent.public.is_(True), Proposal.is_public)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=BATCH)
    )
    for event, protocol_number in session.execute(query):
        payload = event.payload if isinstance(event.payload, dict) else {}
        row = {
            "seq": event.seq,
            "occurred_at": _iso_datetime(event.occurred_at),
            "proposal_id": event.proposal_id,
            "protocol_number": _text(protocol_number or payload.get("protocol_number")),
            "trigger": event.trigger,
            "actor_role": _text(event.actor_role),
            "from_state": _text(event.from_state),
            "to_state": _text(event.to_state),
        }
        for key in EVENT_PAYLOAD_KEYS:
            value = payload.get(key)
            if key.endswith("_date"):
                row[key] = _iso_date(value)
            else:
                row[key] = value if isinstance(value, str | int) else ""
        yield row


# --- commons ------------------------------------------------------------------------------


def _geometry(commons: Commons) -> dict | None:
    stored = commons.geometry
    if (
        isinstance(stored, dict)
        and stored.get("type")
        and ("coordinates" in stored or "geometries" in stored)
    ):
        return stored
    if commons.latitude is not None and commons.longitude is not None:
        return {"type": "Point", "coordinates": [float(commons.longitude), float(commons.latitude)]}
    return None


def commons_features(session: Session) -> Iterator[dict]:
    query = select(Commons).order_by(Commons.id).execution_options(yield_per=BATCH)
    for commons in session.scalars(query):
        geometry = _geometry(commons)
        if geometry is None:
            continue
        yield {
            "type": "Feature",
            "id": commons.id,
            "geometry": geometry,
            "properties": {field.name: getattr(commons, field.name) for field in COMMONS_FIELDS},
        }


# --- streaming --------------------------------------------------------------------------


def stream(make_chunks: Callable[[Session], Iterator[str]]) -> Iterator[str]:
    """Chunks read in a session of their own while they are sent.

    The session is opened on the app's engine, taken now: the chunks need no application or
    request context, which a response body streamed by the server no longer has.
    """
    engine = db.engine

    def generate() -> Iterator[str]:
        with Session(engine) as session:
            yield from make_chunks(session)

    return generate()


def pacts_csv(session: Session, context: dict) -> Iterator[str]:
    return csv_records(PACT_FIELDS, pact_records(session, context))


def pacts_json(session: Session, context: dict) -> Iterator[str]:
    return json_array(PACT_FIELDS, pact_rows(session, context))


def events_csv(session: Session) -> Iterator[str]:
    return csv_lines(EVENT_FIELDS, event_rows(session))


def checkpoints_csv(session: Session) -> Iterator[str]:
    from commons.audit.checkpoints import published_csv

    yield published_csv(session)


def commons_geojson(session: Session) -> Iterator[str]:
    return geojson_collection(commons_features(session))


# --- serialisation ------------------------------------------------------------------------


def csv_lines(fields: tuple[Field, ...], rows: Iterator[dict]) -> Iterator[str]:
    """A CSV file from rows keyed by field name (csv_records of their values)."""
    names = [field.name for field in fields]
    return csv_records(fields, ([row[name] for name in names] for row in rows))


def _safe_records(fields: tuple[Field, ...], records: Iterator[Sequence]) -> Iterator[Sequence]:
    """The records with their text cells neutralised against spreadsheet formulas
    (commons.tables: a ``'`` before text that starts with = + - @, a tab or a CR). Only the
    cells of "string" fields that hold text: numbers and dates are never changed."""
    texts = [i for i, field in enumerate(fields) if field.type == "string"]
    starts = frozenset(TRIGGERS + "'")
    for record in records:
        if any((v := record[i]).__class__ is str and v[:1] in starts for i in texts):
            record = list(record)
            for i in texts:
                if record[i].__class__ is str:
                    record[i] = neutralise(record[i])
        yield record


def csv_records(fields: tuple[Field, ...], records: Iterator[Sequence]) -> Iterator[str]:
    """A CSV file, a header then one line per record (values in the fields' order), produced
    as it is read, in chunks of about 64 KiB; text neutralised (:func:`_safe_records`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.name for field in fields])
    batch: list[Sequence] = []
    for record in _safe_records(fields, records):
        batch.append(record)
        if len(batch) == 500:
            writer.writerows(batch)
            batch.clear()
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue()


def _json_value(field: Field, value):
    # In JSON an empty cell is null, so that typed fields (dates) stay valid.
    return None if value == "" else value


def json_array(fields: tuple[Field, ...], rows: Iterator[dict]) -> Iterator[str]:
    """A JSON array of objects, one per row, produced as it is read."""
    yield "["
    first = True
    for row in rows:
        item = {field.name: _json_value(field, row[field.name]) for field in fields}
        yield ("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n]\n"


def geojson_collection(features: Iterator[dict]) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for feature in features:
        yield ("\n" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def _schema(fields: tuple[Field, ...]) -> dict:
    return {
        "fields": [
            {"name": field.name, "type": field.type, "description": str(field.description)}
            for field in fields
        ]
    }


# How formula-like text is written in the CSV files (commons.tables), for readers.
SAFE_TABLES = _l(
    "In the CSV files a text that starts with =, +, -, @, a tab or a carriage return is written"
    " with a ' in front, so that no spreadsheet program runs it as a formula (a text that "
    "starts with quotes before one of those gets one more). To read it back as typed, remove "
    "that first '. Numbers and dates are never changed; the JSON files hold the text as typed."
)


def datapackage(title: str) -> dict:
    """The Frictionless Data Package descriptor of the files, with relative paths."""
    resources = []
    for dataset in DATASETS:
        resource = {
            "name": dataset.name,
            "path": dataset.path,
            "title": str(dataset.title),
            "description": str(dataset.description),
            "format": dataset.format,
            "mediatype": dataset.mediatype,
            "encoding": "utf-8",
        }
        if dataset.format == "csv":
            resource["description"] += " " + str(SAFE_TABLES)
        if dataset.tabular:
            resource["profile"] = "tabular-data-resource"
            resource["schema"] = _schema(dataset.fields)
        else:
            resource["profile"] = "data-resource"
        resources.append(resource)
    return {
        "name": "commons-register",
        "title": title,
        "resources": resources,
    }
