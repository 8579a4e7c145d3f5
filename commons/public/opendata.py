"""Open data: the public register as CSV, JSON and GeoJSON files, with a Frictionless package.

Every file's fields are defined once, in ``DATASETS``: the open-data page draws its data
dictionary from it and ``datapackage()`` builds the Frictionless schemas from it.

Only public data leaves here (DOMAIN.md, "The public register"): of the people behind a pact,
only the representative's name, and only once the pact is signed. No reasons, messages or
other free text of the audit trail, no actor names or ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from commons.audit.models import AuditEvent
from commons.calls.opendata import CALL_FIELDS, OFFER_FIELDS, SCORE_FIELDS
from commons.extensions import db
from commons.offers.opendata import POST_FIELDS
from commons.proposals.models import Proposal
from commons.public.opendata_formats import (
    Field,
    csv_lines,
    csv_records,
    geojson_collection,
    json_array,
)
from commons.public.opendata_pacts import pact_records
from commons.registry.models import Commons
from commons.registry.opendata import VACANT_FIELDS

BATCH = 500


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
        "signature_level",
        "string",
        _l(
            "Level of the pact's signatures, its weakest one's: simple, advanced or qualified "
            "(electronic signature); empty until every party has signed."
        ),
    ),
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
        name="calls",
        path="calls.csv",
        format="csv",
        mediatype="text/csv",
        title=_l("Calls for proposals"),
        description=_l("The city's calls on listed commons, with their deadlines and acts."),
        fields=CALL_FIELDS,
    ),
    Dataset(
        name="call-commons",
        path="call-commons.csv",
        format="csv",
        mediatype="text/csv",
        title=_l("Commons offered by calls"),
        description=_l("Each commons a call offers, with its information sheet."),
        fields=OFFER_FIELDS,
    ),
    Dataset(
        name="call-scores",
        path="call-scores.csv",
        format="csv",
        mediatype="text/csv",
        title=_l("Scores of calls"),
        description=_l(
            "The panel's consensus score of each proposal on each criterion, with the reason, "
            "the total and the outcome; only for calls whose admitting act is recorded."
        ),
        fields=SCORE_FIELDS,
    ),
    Dataset(
        name="offers",
        path="offers.csv",
        format="csv",
        mediatype="text/csv",
        title=_l("Offers and needs"),
        description=_l(
            "The offers and needs published now on commons and pacts in force (volunteers, "
            "skills, materials, spaces, small funds); without who posted or answered them."
        ),
        fields=POST_FIELDS,
    ),
    Dataset(
        name="vacant-places",
        path="vacant-places.csv",
        format="csv",
        mediatype="text/csv",
        title=_l("Vacant places"),
        description=_l(
            "The commons whose place is vacant, with the public part of their asset dossier "
            "(size, age, condition, utilities, safety limits, constraints, uses, owner); "
            "never the owner's contact, access notes or cadastral detail."
        ),
        fields=VACANT_FIELDS,
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


# Licences a city is likely to choose, by SPDX id: their title and text's address.
LICENSES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": ("CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "IODL-2.0": ("Italian Open Data License 2.0", "https://www.dati.gov.it/iodl/2.0/"),
    "ODbL-1.0": (
        "Open Data Commons Open Database License",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
}


def license_of(spdx_id: str) -> dict:
    """The Data Package licence of the setting ``COMMONS_OPEN_DATA_LICENSE``."""
    title, path = LICENSES.get(spdx_id, (spdx_id, f"https://spdx.org/licenses/{spdx_id}.html"))
    return {"name": spdx_id, "title": title, "path": path}


def datapackage(
    title: str, *, license_id: str = "CC-BY-4.0", publisher: str = "", contact: str = ""
) -> dict:
    """The Frictionless Data Package descriptor of the files, with relative paths."""
    licenses = [license_of(license_id)]
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
            "licenses": licenses,
        }
        if dataset.format == "csv":
            resource["description"] += " " + str(SAFE_TABLES)
        if dataset.tabular:
            resource["profile"] = "tabular-data-resource"
            resource["schema"] = _schema(dataset.fields)
        else:
            resource["profile"] = "data-resource"
        resources.append(resource)
    publisher_entry = {"title": publisher, "role": "publisher"}
    if contact:
        publisher_entry["email"] = contact
    return {
        "name": "commons-register",
        "title": title,
        "licenses": licenses,
        "contributors": [publisher_entry],
        "resources": resources,
    }
