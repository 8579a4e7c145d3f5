"""The lifecycle's effects that write the application's rows and documents.

They are filed with the engine by name (``register_effect``) when this module is imported; the
profiles name them as before. An effect changes the proposal (or related rows) as part of the
transition and may add to the audit event's payload.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from commons.auth import reauth
from commons.documents.models import PactVersion, Signature
from commons.documents.operations import (
    issue_document,
    latest_document,
    signature_rows,
    with_terms_written,
)
from commons.documents.terms import terms_of
from commons.impact.framework import DEFAULT, clean_report
from commons.lifecycle import signed_files
from commons.lifecycle.guards import _next_signer, _signatures, latest_version
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import Proposal, ProtocolCounter, proposal_commons
from commons.registry.models import Availability
from workflows.clocks import add_months, months_between
from workflows.errors import GuardRefused
from workflows.guards import (
    Context,
    _due_follow_up,
    content_hash,
    register_effect,
    register_optional,
)
from workflows.i18n import _

IMPACT = "impact"
LEGACY_FIGURES = ("participants", "volunteer_hours", "events_held")


@register_effect
def assign_protocol_number(ctx: Context) -> None:
    if ctx.proposal.protocol_number:
        return
    year = ctx.today.year
    table = ProtocolCounter.__table__
    # One row per year, created if missing (a concurrent creator wins harmlessly), then
    # incremented atomically: concurrent submissions get distinct numbers.
    dialect = ctx.session.get_bind().dialect.name
    insert_fn = {"postgresql": pg_insert, "sqlite": sqlite_insert}.get(dialect)
    if insert_fn is not None:
        ctx.session.execute(
            insert_fn(table)
            .values(year=year, last_number=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
    elif ctx.session.get(ProtocolCounter, year) is None:
        ctx.session.execute(insert(table).values(year=year, last_number=0))
    result = ctx.session.execute(
        update(table)
        .where(table.c.year == year)
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    ).scalar_one()
    ctx.proposal.protocol_number = f"{year}/{result:06d}"
    ctx.proposal.submitted_at = ctx.now
    ctx.payload["protocol_number"] = ctx.proposal.protocol_number


@register_effect
def freeze_pact_version(ctx: Context) -> None:
    """Freeze the last version, and with it its terms.

    The proposal's start_date and end_date become a cache of the approved terms (empty when
    the pact runs from the last signature: start_pact fills them then). A version without
    terms (saved before they existed) keeps the proposal's dates as the record.
    """
    version = latest_version(ctx)
    version.frozen_at = ctx.now
    ctx.payload["pact_version"] = version.number
    ctx.payload["pact_version_hash"] = version.content_hash
    p = ctx.proposal
    terms = terms_of(version)
    if terms.derived:
        if p.start_date and not p.end_date and p.requested_duration_months:
            p.end_date = add_months(p.start_date, p.requested_duration_months)
        return
    p.start_date, p.end_date = terms.start_date, terms.planned_end
    if terms.start_date:
        ctx.payload["term_start"] = terms.start_date.isoformat()
    if terms.planned_end:
        ctx.payload["term_end"] = terms.planned_end.isoformat()
    elif terms.duration_months:
        ctx.payload["term_months"] = terms.duration_months


def signed_document_hash(ctx: Context) -> str:
    """The hash a signature binds to: the final PDF's, else the frozen version's."""
    final = latest_document(ctx.proposal, "final")
    if final is not None:
        return final.sha256
    version = _frozen_version(ctx)
    return version.content_hash if version else ""


@register_effect
def record_signature(ctx: Context) -> None:
    """The signature of the next signer: typed (simple), or the signed file they uploaded,
    verified by the guard ``signed_file_verified`` (advanced or qualified)."""
    role = _next_signer(ctx)
    provider, level = reauth.signing_identity(ctx.actor)
    signature = Signature(
        proposal_id=ctx.proposal.id,
        signer_id=ctx.actor.id,
        signer_role=role,
        typed_name=ctx.values["full_name"],
        signed_at=ctx.now,
        document_hash=signed_document_hash(ctx),
        identity_provider=provider,
        assurance_level=level,
        level="simple",
    )
    recorded = {
        "role": role,
        "document_hash": signature.document_hash,
        "level": "simple",
        "identity_provider": provider,
        "assurance_level": level,
    }
    if signed_files.SIGNED_FILE in ctx.values:
        verdict = getattr(ctx, "signed_file_verdict", None)
        final = signed_files.final_document(ctx.proposal, ctx.session)
        if verdict is None or final is None:
            # A profile whose sign transition lacks the guard: never record an unchecked file.
            raise GuardRefused(
                _("Signed files cannot be checked under this regulation: sign with your password."),
                rule="signed_file_verified",
            )
        signed_files.store_signed_file(ctx, final)
        signature.level = verdict.level
        signature.certificate_subject = verdict.subject
        signature.fiscal_number = verdict.fiscal_number
        signature.signed_file_sha256 = verdict.sha256
        # The certificate's name and fiscal number stay on the signature's row: personal data
        # kept out of the hashed event (commons.audit.personal erases only top-level values).
        recorded.update(
            level=verdict.level,
            format=verdict.format,
            signed_file_sha256=verdict.sha256,
        )
    ctx.session.add(signature)
    _signatures(ctx)[role] = signature  # who signs next, from now on in this firing
    ctx.payload["signature"] = recorded


@register_effect
def start_pact(ctx: Context) -> None:
    """At the last signature: the days in force, from the approved terms.

    From the approved start date, or from the signature day if there is none or it is later;
    until the approved end date, or the start plus the approved duration.
    """

    p = ctx.proposal
    version = _frozen_version(ctx)
    terms = terms_of(version) if version is not None else None
    if terms is not None and not terms.derived:
        p.start_date, p.end_date = terms.period(ctx.today)
        if p.end_date is None:  # cannot happen with checked terms; keep a bounded pact
            p.end_date = add_months(p.start_date, int(p.requested_duration_months or 12))
    elif p.start_date is None or p.start_date < ctx.today:
        months = p.requested_duration_months
        if p.start_date and p.end_date and not months:
            months = round(months_between(p.start_date, p.end_date))
        p.start_date = ctx.today
        if months:
            p.end_date = add_months(p.start_date, months)
    if p.end_date is None:
        p.end_date = add_months(p.start_date, int(p.requested_duration_months or 12))
    for commons in p.commons:
        commons.availability = Availability.IN_PACT.value
    ctx.payload["in_force"] = {"from": p.start_date.isoformat(), "to": p.end_date.isoformat()}


def report_interval_months(ctx: Context) -> int:
    """How often reports are due: the approved terms' interval, else the profile's."""
    version = _frozen_version(ctx)
    if version is not None:
        terms = terms_of(version)
        if not terms.derived:
            return terms.report_interval_months
    return int(ctx.clocks["report_interval_months"])


@register_effect
def start_report_clock(ctx: Context) -> None:
    # Reports fall due counting from the start of the term (or today, once it has begun).
    start = max(ctx.today, ctx.proposal.start_date or ctx.today)
    ctx.proposal.next_report_due_on = add_months(start, report_interval_months(ctx))


@register_effect
def reset_report_clock(ctx: Context) -> None:
    start_report_clock(ctx)


# The indicator values of a report, with the framework and version they were filled with.
register_optional(IMPACT, clean_report)


@register_effect
def record_report(ctx: Context) -> None:
    impact = ctx.values.get(IMPACT)
    if impact is None:
        # The three figures a report could carry before indicators became data (the API
        # still sends them): the default framework's first version.
        impact = {
            "framework": DEFAULT,
            "version": 1,
            "values": {k: ctx.values[k] for k in LEGACY_FIGURES if k in ctx.values},
            "breakdowns": {},
        }
    indicators = impact["values"]
    report = MonitoringReport(
        framework_id=impact["framework"],
        framework_version=impact["version"],
        breakdowns=impact["breakdowns"] or None,
        proposal_id=ctx.proposal.id,
        author_id=ctx.actor.id,
        filed_at=ctx.now,
        text=ctx.values["report_text"],
        indicators=indicators,
        final=bool(ctx.values.get("final")),
        photos_public=bool(ctx.values.get("publish_photos")),
    )
    ctx.session.add(report)
    ctx.session.flush()
    ctx.payload["report_id"] = report.id
    ctx.payload["final"] = report.final


@register_effect
def release_commons(ctx: Context) -> None:
    """Commons of an ended pact become available again unless another pact is in force."""

    for commons in ctx.proposal.commons:
        others = ctx.session.scalar(
            select(func.count())
            .select_from(proposal_commons)
            .join(Proposal, Proposal.id == proposal_commons.c.proposal_id)
            .where(
                proposal_commons.c.commons_id == commons.id,
                Proposal.id != ctx.proposal.id,
                Proposal.status.in_(sorted(ctx.profile.in_force)),
            )
        )
        if not others and commons.availability == Availability.IN_PACT.value:
            commons.availability = Availability.AVAILABLE.value


@register_effect
def create_successor(ctx: Context) -> None:
    """A new proposal in co-design (the profile's ``co_design`` state), pre-filled from this
    pact, linked both ways."""
    old = ctx.proposal
    reports = ctx.session.scalars(
        select(MonitoringReport)
        .where(MonitoringReport.proposal_id == old.id)
        .order_by(MonitoringReport.filed_at)
    ).all()
    summary = "\n\n".join(f"[{r.filed_at.date().isoformat()}] {r.text}" for r in reports)
    successor = Proposal(
        title=old.title,
        pact_type=old.pact_type,
        group_id=old.group_id,
        representative_id=old.representative_id,
        objectives=old.objectives,
        activities=old.activities,
        support_requested=list(old.support_requested or []),
        support_notes=old.support_notes,
        requested_duration_months=old.requested_duration_months,
        start_date=old.end_date + timedelta(days=1) if old.end_date else None,
        status=ctx.profile.state("co_design"),
        profile=old.profile,
        predecessor_id=old.id,
        case_officer_id=old.case_officer_id,
        commons=list(old.commons),
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    if successor.start_date and successor.requested_duration_months:
        successor.end_date = add_months(successor.start_date, successor.requested_duration_months)
    ctx.session.add(successor)
    ctx.session.flush()
    # The successor is a proposal of its own from the start: numbered as a submission is.
    numbering = Context(
        proposal=successor,
        actor=ctx.actor,
        values={},
        now=ctx.now,
        profile=ctx.profile,
        session=ctx.session,
        settings=ctx.settings,
    )
    assign_protocol_number(numbering)
    ctx.payload["successor_protocol_number"] = successor.protocol_number
    last = latest_version(ctx)
    if last is not None:
        content = json.loads(json.dumps(last.content))
        content["monitoring_results"] = summary
        if isinstance(content.get("terms"), dict) and successor.start_date:
            # The renewed pact's term: as long as the old one, from the day after it ends;
            # its generated articles are written again from these terms.
            months = (
                round(months_between(old.start_date, old.end_date))
                if old.start_date and old.end_date
                else int(old.requested_duration_months or 12)
            )
            successor.end_date = add_months(successor.start_date, months)
            content["terms"] = {
                **content["terms"],
                "start_date": successor.start_date.isoformat(),
                "end_date": successor.end_date.isoformat(),
                "duration_months": None,
            }
            content = with_terms_written(successor, content)
        ctx.session.add(
            PactVersion(
                proposal_id=successor.id,
                number=1,
                content=content,
                content_hash=content_hash(content),
                author_id=ctx.actor.id,
                comment=f"Renewal of {old.protocol_number}",
                created_at=ctx.now,
            )
        )
    ctx.payload["successor_id"] = successor.id
    ctx.successor = successor


def _predecessor(ctx: Context):
    if not ctx.proposal.predecessor_id:
        return None
    return ctx.session.get(Proposal, ctx.proposal.predecessor_id)


@register_effect
def continue_predecessor_term(ctx: Context) -> None:
    """A renewal's term starts the day after the old pact's end, never earlier or later.

    Signed before the old end: it starts later ("signed, starts on"); the old pact hands over
    at its end (the clock). Signed after the old end, which kept the old pact in force until
    now: it starts the day after that end, and the old pact hands over at once.
    """
    old = _predecessor(ctx)
    if old is None or old.end_date is None:
        return
    p = ctx.proposal
    start = old.end_date + timedelta(days=1)
    frozen = _frozen_version(ctx)
    agreed = (frozen.content or {}).get("terms") if frozen is not None else None
    if isinstance(agreed, dict) and agreed.get("end_date"):
        # The approved terms say when the renewed pact ends: that day, whenever it was signed.
        p.end_date = date.fromisoformat(agreed["end_date"])
    elif isinstance(agreed, dict) and agreed.get("duration_months"):
        p.end_date = add_months(start, int(agreed["duration_months"]))
    elif p.start_date is not None and p.end_date is not None and p.start_date != start:
        months = round(months_between(p.start_date, p.end_date))
        if months and add_months(p.start_date, months) == p.end_date:
            p.end_date = add_months(start, months)
        else:
            p.end_date = p.end_date + (start - p.start_date)
    elif p.end_date is None or p.end_date < start:
        p.end_date = add_months(start, int(p.requested_duration_months or 12))
    p.start_date = start
    if start > ctx.today:  # the first report is due an interval after the term begins
        p.next_report_due_on = add_months(start, int(ctx.clocks["report_interval_months"]))
    ctx.payload["in_force"] = {"from": p.start_date.isoformat(), "to": p.end_date.isoformat()}
    ctx.payload["renews"] = old.protocol_number
    if ctx.today > old.end_date:
        _due_follow_up(ctx, old, "complete_renewal")


@register_effect
def release_predecessor(ctx: Context) -> None:
    """A renewal that fails (rejected, withdrawn) lets the old pact expire at its end, or at
    once when the end has passed while the renewal was pending."""
    old = _predecessor(ctx)
    if old is not None and old.end_date is not None and ctx.today > old.end_date:
        _due_follow_up(ctx, old, "expire")


def _frozen_version(ctx: Context):
    return PactVersion.latest_for(ctx.proposal, frozen=True, session=ctx.session)


@register_effect
def issue_final_document(ctx: Context) -> None:
    """Render the frozen text as the final PDF; its hash goes into the approval event."""
    document = issue_document(ctx.proposal, _frozen_version(ctx), "final", issued_at=ctx.now)
    ctx.payload["final_pdf_sha256"] = document.sha256


@register_effect
def issue_signed_document(ctx: Context) -> None:
    """With the last signature, the signed PDF: the final document plus the signature page."""
    ctx.session.flush()
    document = issue_document(
        ctx.proposal,
        _frozen_version(ctx),
        "signed",
        issued_at=ctx.now,
        signatures=signature_rows(ctx.proposal),
    )
    ctx.payload["signed_pdf_sha256"] = document.sha256
