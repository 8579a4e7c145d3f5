"""Open data: the rows of pacts.csv and pacts.json, read with the database driver's cursor.

The fields are ``commons.public.opendata.PACT_FIELDS``; :func:`pact_records` gives their values
in that order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

import workflows
from commons.documents.models import Document
from commons.lifecycle.states import ended_after_signing, initial_states
from commons.proposals.labels import STATE_LABELS
from workflows.engine import ProfileError


def _english_state_labels() -> dict[str, str]:
    with force_locale("en"):
        return {state: str(label) for state, label in STATE_LABELS.items()}


def _profile(name: str):
    try:
        return workflows.get_profile(name)
    except ProfileError:
        return workflows.get_profile(None)


def _all_in_force() -> set[str]:
    states: set[str] = set()
    for name in workflows.profile_names():
        states |= workflows.get_profile(name).in_force
    return states


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
        states |= profile.terminal - ended_after_signing(profile)
    return states


def pact_context() -> dict:
    """What the pact rows need of the request: English labels and the PDF address pattern."""
    return {
        "labels": _english_state_labels(),
        "pdf_url": url_for("documents.download", sha256=_SHA, _external=True),
        "publish_representatives": bool(current_app.config.get("PUBLISH_REPRESENTATIVES", True)),
    }


_SHA = "SHA256"


# The proposals that left draft with their representative's name and group kind, in id order;
# the optional cells as text ("" when empty; the last, an imported pact's signed document),
# dates as YYYY-MM-DD written by the database; for a proposal in a terminal state not reached
# from states in force alone (_states_to_probe), whether its audit trail shows it entering a
# state in force (a probe of its events, only for those).
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
       coalesce(s.times, ''), coalesce(s.support, ''), coalesce(ip.signed_document_url, '')
FROM proposals AS p
JOIN users AS u ON u.id = p.representative_id
LEFT JOIN proponent_groups AS g ON g.id = p.group_id
LEFT JOIN imported_pacts AS ip ON ip.proposal_id = p.id
LEFT JOIN public_summaries AS s
    ON s.proposal_id = p.id AND s.language = '' AND s.published_at IS NOT NULL
LEFT JOIN proposal_commons AS pc ON pc.proposal_id = p.id
LEFT JOIN commons AS c ON c.id = pc.commons_id
WHERE p.status NOT IN (SELECT value FROM json_each(:initial))
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
       coalesce(s.times, ''), coalesce(s.support, ''), coalesce(ip.signed_document_url, '')
FROM proposals AS p
JOIN users AS u ON u.id = p.representative_id
LEFT JOIN proponent_groups AS g ON g.id = p.group_id
LEFT JOIN imported_pacts AS ip ON ip.proposal_id = p.id
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
WHERE p.status <> ALL(%(initial)s)
ORDER BY p.id
"""
FETCH = 2_000


def _sqlite_pacts(
    dbapi, probe: list[str], in_force: list[str], initial: list[str]
) -> Iterator[tuple]:
    """The PACTS_SQLITE rows folded into one per proposal, as PACTS_POSTGRESQL gives them."""
    cursor = dbapi.cursor()
    try:
        cursor.execute(
            PACTS_SQLITE,
            {
                "probe": json.dumps(probe),
                "in_force": json.dumps(in_force),
                "initial": json.dumps(initial),
            },
        )
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


def _postgresql_pacts(
    dbapi, probe: list[str], in_force: list[str], initial: list[str]
) -> Iterator[tuple]:
    # A server-side cursor: rows arrive in batches, memory stays flat.
    with dbapi.cursor() as settings:
        # The planner's cost estimate is high enough to JIT-compile the query, which then takes
        # longer than running it; the links' sort fits in memory with a little more than the
        # default (settings for this transaction only, the stream's own).
        settings.execute("SET LOCAL jit = off")
        settings.execute("SET LOCAL work_mem = '16MB'")
    with dbapi.cursor(name="open_data_pacts") as cursor:
        cursor.execute(PACTS_POSTGRESQL, {"probe": probe, "in_force": in_force, "initial": initial})
        while batch := cursor.fetchmany(FETCH):
            yield from batch


def _signature_levels(session: Session, signed: dict[int, str]) -> dict[int, str]:
    """The weakest signature level of each pact whose signed PDF is issued."""
    from commons.documents.models import Signature
    from commons.documents.qualified import LEVELS

    found: dict[int, str] = {}
    rows = session.execute(
        select(Signature.proposal_id, Signature.level).where(
            Signature.proposal_id.in_(select(Document.proposal_id).where(Document.kind == "signed"))
        )
    )
    for proposal_id, level in rows:
        if proposal_id not in signed or level not in LEVELS:
            continue
        known = found.get(proposal_id)
        if known is None or LEVELS.index(level) < LEVELS.index(known):
            found[proposal_id] = level
    return found


def pact_records(session: Session, context: dict) -> Iterator[tuple]:
    """One tuple per proposal that left draft, in id order: the PACT_FIELDS' values.

    Plain tuples read with the database driver's own cursor, without SQLAlchemy's or the ORM's
    per-row processing: the database writes dates, empty cells and (on PostgreSQL) each
    proposal's commons and districts; Python adds the English state label and what depends on
    the workflow profiles (whether the pact was signed). Memory stays flat whatever the number
    of proposals.
    """
    labels, pdf_url = context["labels"], context["pdf_url"]
    publish = context.get("publish_representatives", True)
    signed_docs = _signed_documents(session)
    levels = _signature_levels(session, signed_docs)
    profiles: dict[str, tuple] = {}
    connection = session.connection()
    dbapi = connection.connection.driver_connection
    probe, in_force_states = sorted(_states_to_probe()), sorted(_all_in_force())
    read = _postgresql_pacts if connection.dialect.name == "postgresql" else _sqlite_pacts
    # The proponents' drafts are left out: the initial state of every profile, bound.
    rows = read(dbapi, probe, in_force_states, sorted(initial_states()))
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
        kept_url,  # the signed document an imported pact's city keeps (commons.imports)
    ) in rows:
        known = profiles.get(profile_name)
        if known is None:
            profile = _profile(profile_name)
            known = profiles[profile_name] = (
                profile.in_force,
                profile.terminal,
                ended_after_signing(profile),
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
            representative if signed and publish else "",
            pdf_url.replace(_SHA, sha) if sha else kept_url,
            levels.get(proposal_id, ""),
            group_kind,
            *summary,
        )
