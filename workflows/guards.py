"""Named guards, conditions, requirements and effects that profiles refer to.

A guard returns None when its rule holds, else a sentence saying what is missing.
A condition chooses between transitions of one trigger (e.g. complex or ordinary pact).
A requirement validates one piece of data the person gives. An effect changes the proposal
(or related rows) as part of the transition and may add to the audit event's payload.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from workflows.clocks import add_months, deadline_after, months_between
from workflows.i18n import _, day


@dataclass
class Context:
    """What guards and effects see of one firing."""

    proposal: Any
    actor: Any
    values: dict
    now: datetime
    profile: Any
    session: Any
    settings: dict
    payload: dict = field(default_factory=dict)
    # The proposal's signatures by role, read once per firing: the condition that picks the
    # transition, the guard and the effect must agree on who signs next (a double click once
    # recorded the citizen as the city's signer because they read it at different moments).
    signatures: dict | None = None
    # Transitions of other proposals that this one makes due, as (proposal, trigger): fire()
    # fires them for the clock right after this one (e.g. the old pact of a renewal hands over
    # when its successor's last signature lands after its end date).
    follow_ups: list = field(default_factory=list)

    @property
    def today(self) -> date:
        from zoneinfo import ZoneInfo

        return self.now.astimezone(ZoneInfo(self.timezone)).date()

    @property
    def timezone(self) -> str:
        """The city's time zone name: deadlines end at the end of a day there."""
        return self.settings.get("timezone", "UTC")

    def deadline(self, days: int) -> datetime:
        """The end of the day ``days`` days from now, in the city's time zone."""
        return deadline_after(self.now, days, self.timezone)

    @property
    def clocks(self) -> dict:
        return self.profile.clocks


GUARDS: dict[str, Callable[[Context], str | None]] = {}
CONDITIONS: dict[str, Callable[[Context], bool]] = {}
EFFECTS: dict[str, Callable[[Context], None]] = {}
REQUIREMENTS: dict[str, Callable[[Any], Any]] = {}


def guard(fn):
    GUARDS[fn.__name__] = fn
    return fn


def condition(fn):
    CONDITIONS[fn.__name__] = fn
    return fn


def effect(fn):
    EFFECTS[fn.__name__] = fn
    return fn


# --- requirements: each returns the clean value or raises ValueError(message) --------------


def _text(max_length: int):
    def check(value):
        text = (value or "").strip() if isinstance(value, str) else ""
        if not text:
            raise ValueError(_("required"))
        if len(text) > max_length:
            raise ValueError(_("at most %(n)d characters", n=max_length))
        return text

    return check


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(_("a date as YYYY-MM-DD")) from None


def _past_date(value):
    day = _date(value)
    if day > date.today() + timedelta(days=1):
        raise ValueError(_("cannot be in the future"))
    return day


def _consent(value):
    if value in (True, "y", "yes", "on", "true", "1", 1):
        return True
    raise ValueError(_("explicit consent is required"))


def _grounds(value):
    if value in ("breach", "public_interest", "safety"):
        return value
    raise ValueError(_("choose one of the grounds listed"))


for _name, _check in {
    "message": _text(5000),
    "answer": _text(10000),
    "reasons": _text(5000),
    "report_text": _text(20000),
    "act_number": _text(50),
    "deliberation_number": _text(50),
    "act_date": _past_date,
    "deliberation_date": _past_date,
    "new_end_date": _date,
    "full_name": _text(200),
    "consent": _consent,
    "password": _text(1000),
    "grounds": _grounds,
}.items():
    REQUIREMENTS[_name] = _check


def _optional_datetime(value):
    """An aware datetime; a date or a naive time is taken as UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(_("a date and time as YYYY-MM-DDTHH:MM")) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _optional_int(value):
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(_("a whole number, such as 12")) from None
    if number < 0:
        raise ValueError(_("cannot be negative"))
    return number


def _file_names(value):
    """Names of the files sent with a transition (stored by the app), for the record."""
    names = [value] if isinstance(value, str) else list(value or ())
    return [str(name)[:200] for name in names][:50]


# Data a person may add to any transition; checked when present.
OPTIONAL: dict[str, Callable[[Any], Any]] = {
    "files": _file_names,
    "comment": lambda v: (v or "").strip()[:5000],
    "effective_from": _optional_datetime,
    "final": lambda v: v in (True, "y", "yes", "on", "true", "1", 1),
    "participants": _optional_int,
    "volunteer_hours": _optional_int,
    "events_held": _optional_int,
}

# --- conditions -----------------------------------------------------------------------------


@condition
def is_complex(ctx: Context) -> bool:
    return ctx.proposal.pact_type == "complex"


@condition
def is_ordinary(ctx: Context) -> bool:
    return ctx.proposal.pact_type != "complex"


@condition
def has_notice_period(ctx: Context) -> bool:
    return ctx.profile.notice_days(ctx.proposal.pact_type) > 0


@condition
def no_notice_period(ctx: Context) -> bool:
    return not has_notice_period(ctx)


def _signatures(ctx: Context) -> dict[str, Any]:
    from commons.documents.models import Signature

    if ctx.signatures is None:
        rows = ctx.session.scalars(
            select(Signature).where(Signature.proposal_id == ctx.proposal.id)
        )
        ctx.signatures = {row.signer_role: row for row in rows}
    return ctx.signatures


def _next_signer(ctx: Context) -> str | None:
    signed = _signatures(ctx)
    return next((role for role in ctx.profile.signers if role not in signed), None)


@condition
def is_last_signature(ctx: Context) -> bool:
    signed = _signatures(ctx)
    return len([r for r in ctx.profile.signers if r not in signed]) == 1


@condition
def more_signatures_needed(ctx: Context) -> bool:
    return not is_last_signature(ctx)


# --- guards ---------------------------------------------------------------------------------


@guard
def required_fields_complete(ctx: Context) -> str | None:
    p = ctx.proposal
    missing = [
        label
        for label, ok in (
            (_("title"), bool((p.title or "").strip())),
            (_("objectives"), bool((p.objectives or "").strip())),
            (_("activities"), bool((p.activities or "").strip())),
            (
                _("requested duration"),
                bool(p.requested_duration_months or (p.start_date and p.end_date)),
            ),
        )
        if not ok
    ]
    if not missing:
        return None
    return _("Required fields are missing: %(fields)s.", fields=", ".join(missing))


@guard
def has_commons(ctx: Context) -> str | None:
    # A place not yet in the register, proposed by address, counts as the commons.
    if ctx.proposal.commons or getattr(ctx.proposal, "new_place_address", None):
        return None
    return _("Choose at least one commons.")


def _max_months(ctx: Context) -> int:
    return int(ctx.clocks["max_term_months"])


@guard
def duration_within_max_term(ctx: Context) -> str | None:
    p, limit = ctx.proposal, _max_months(ctx)
    if p.requested_duration_months and p.requested_duration_months > limit:
        return _("The requested duration exceeds the maximum term of %(n)d months.", n=limit)
    if p.start_date and p.end_date and months_between(p.start_date, p.end_date) > limit:
        return _("The dates exceed the maximum term of %(n)d months.", n=limit)
    return None


@guard
def end_date_within_max_term(ctx: Context) -> str | None:
    """The terms of the version being approved are sound and within the maximum term.

    A version saved before terms existed has none: the proposal's dates are checked instead.
    """
    from commons.documents.terms import problems_at_approval, terms_of

    version = latest_version(ctx)
    terms = terms_of(version) if version is not None else None
    if terms is not None and not terms.derived:
        return problems_at_approval(terms, ctx.proposal, ctx.today)
    p, limit = ctx.proposal, _max_months(ctx)
    if p.start_date and p.end_date and p.end_date > add_months(p.start_date, limit):
        return _("The end date is beyond the maximum term of %(n)d months.", n=limit)
    if not p.end_date and (p.requested_duration_months or 0) > limit:
        return _("The requested duration exceeds the maximum term of %(n)d months.", n=limit)
    return None


@guard
def new_end_date_within_max_term(ctx: Context) -> str | None:
    p, new_end = ctx.proposal, ctx.values["new_end_date"]
    if p.end_date and new_end <= p.end_date:
        return _("The new end date must be later than the current end date.")
    start = p.start_date or ctx.today
    if new_end > add_months(start, _max_months(ctx)):
        return _("The new end date is beyond the maximum term of %(n)d months.", n=_max_months(ctx))
    return None


@guard
def integration_deadline_passed(ctx: Context) -> str | None:
    due = ctx.proposal.integration_due_at
    if due is None or ctx.now <= due:
        return _("The deadline for the integration reply has not passed yet.")
    return None


@guard
def notice_window_ended(ctx: Context) -> str | None:
    ends = ctx.proposal.notice_ends_at
    if ends is not None and ctx.now <= ends:
        return _("The public notice window has not ended yet.")
    return None


def latest_version(ctx: Context):
    from commons.documents.models import PactVersion

    return ctx.session.scalar(
        select(PactVersion)
        .where(PactVersion.proposal_id == ctx.proposal.id)
        .order_by(PactVersion.number.desc())
        .limit(1)
    )


@guard
def pact_version_exists(ctx: Context) -> str | None:
    return None if latest_version(ctx) is not None else _("There is no draft of the pact yet.")


@guard
def co_design_meeting_with_minutes(ctx: Context) -> str | None:
    meetings = ctx.proposal.meetings
    # Minutes written on the page, or a minutes file (a scan, a PDF) attached to a meeting.
    if any((m.minutes or "").strip() for m in meetings) or (
        meetings and getattr(ctx.proposal, "minutes_files", None)
    ):
        return None
    return _("A complex pact needs at least one co-design meeting with minutes.")


@guard
def technical_opinions_recorded(ctx: Context) -> str | None:
    pending = [o.department for o in ctx.proposal.opinions if o.given_at is None]
    if pending:
        return _(
            "Technical opinions still awaited from: %(departments)s.",
            departments=", ".join(pending),
        )
    return None


@guard
def mandatory_clauses_present(ctx: Context) -> str | None:
    version = latest_version(ctx)
    if version is None:
        return _("There is no draft of the pact yet.")
    filled = {
        s.get("key")
        for s in version.content.get("sections", [])
        if any((a.get("text") or "").strip() for a in s.get("articles", []))
        or (s.get("text") or "").strip()
    }
    missing = [key for key in ctx.profile.mandatory_sections if key not in filled]
    if not missing:
        return None
    return _("Mandatory clauses are missing: %(sections)s.", sections=", ".join(missing))


def actor_capacity(ctx: Context) -> set[str]:
    """In which capacities the actor may sign or act: representative, legal, officer, system."""
    from workflows.engine import capacities

    return capacities(ctx.actor, ctx.proposal)


@guard
def signer_in_order(ctx: Context) -> str | None:
    expected = _next_signer(ctx)
    if expected is None:
        return _("Every party has signed already.")
    if expected not in actor_capacity(ctx):
        if expected == "representative":
            return _("It is not your turn to sign: the proponents' representative signs next.")
        return _("It is not your turn to sign: the legal officer for the city signs next.")
    return None


@guard
def fresh_login(ctx: Context) -> str | None:
    from commons.auth.passwords import verify_password

    if verify_password(ctx.actor.password_hash, ctx.values.get("password", "")):
        return None
    return _("Your password is needed again to sign, and it was not right.")


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


@guard
def typed_name_matches(ctx: Context) -> str | None:
    if _fold(ctx.values.get("full_name", "")) == _fold(ctx.actor.full_name):
        return None
    return _("Type your full name exactly as in your account to sign.")


@guard
def suspension_notice_respected(ctx: Context) -> str | None:
    if ctx.values.get("grounds") != "public_interest":
        return None
    hours = int(ctx.clocks["suspension_notice_hours"])
    start = ctx.values.get("effective_from")
    if start is None or start < ctx.now + timedelta(hours=hours):
        return _(
            "A suspension for public interest needs at least %(n)d hours' notice: give an "
            "effective time far enough ahead.",
            n=hours,
        )
    return None


def renewal_opens_on(proposal, profile) -> date | None:
    """The first day renewal may be asked: the profile's window before the end date."""
    if proposal.end_date is None:
        return None
    return proposal.end_date - timedelta(days=int(profile.clocks["renewal_window_days"]))


@guard
def renewal_window_open(ctx: Context) -> str | None:
    # The regulation (and the pact's own article) opens renewal only in the window before the
    # end, for the representative as for the clock.
    opens = renewal_opens_on(ctx.proposal, ctx.profile)
    if opens is None:
        return _("The pact has no end date, so there is no renewal window.")
    if ctx.today < opens:
        return _(
            "Renewal can be asked from %(date)s, %(n)d days before the pact ends.",
            date=day(opens),
            n=int(ctx.clocks["renewal_window_days"]),
        )
    return None


@guard
def final_report_filed(ctx: Context) -> str | None:
    from commons.monitoring.models import MonitoringReport

    found = ctx.session.scalar(
        select(func.count())
        .select_from(MonitoringReport)
        .where(MonitoringReport.proposal_id == ctx.proposal.id, MonitoringReport.final.is_(True))
    )
    return None if found else _("A final monitoring report is required before renewal.")


@guard
def end_date_passed(ctx: Context) -> str | None:
    end = ctx.proposal.end_date
    if end is None or ctx.today <= end:
        return _("The pact has not reached its end date.")
    return None


def successors_of(ctx: Context) -> list:
    """The proposals created by renewing this pact, oldest first."""
    from commons.proposals.models import Proposal

    return list(
        ctx.session.scalars(
            select(Proposal).where(Proposal.predecessor_id == ctx.proposal.id).order_by(Proposal.id)
        )
    )


@guard
def successor_signed(ctx: Context) -> str | None:
    if any(s.status in ctx.profile.in_force for s in successors_of(ctx)):
        return None
    return _("The pact that renews this one is not signed yet.")


@guard
def no_renewal_pending(ctx: Context) -> str | None:
    # A pact whose successor is still being designed or signed stays in force: expiring it
    # would leave the commons without a pact until the successor starts.
    pending = [s for s in successors_of(ctx) if s.status not in ctx.profile.terminal]
    if not pending:
        return None
    return _(
        "The renewal of this pact (%(protocol)s) is under way: the pact stays in force until "
        "the new one is signed.",
        protocol=pending[0].protocol_number or f"#{pending[0].id}",
    )


@guard
def no_withdrawal_pending(ctx: Context) -> str | None:
    due = ctx.proposal.withdrawal_effective_on
    if not due:
        return None
    return _("A withdrawal is already pending, effective on %(date)s.", date=day(due))


@guard
def withdrawal_notice_elapsed(ctx: Context) -> str | None:
    due = ctx.proposal.withdrawal_effective_on
    if due is None or ctx.today < due:
        return _("No withdrawal has reached the end of its notice period.")
    return None


# --- effects --------------------------------------------------------------------------------


@effect
def assign_protocol_number(ctx: Context) -> None:
    from commons.proposals.models import ProtocolCounter

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


@effect
def start_review_clock(ctx: Context) -> None:
    p = ctx.proposal
    p.review_started_at, p.review_paused_at = ctx.now, None
    p.review_paused_seconds, p.review_stopped_at = 0, None


@effect
def pause_review_clock(ctx: Context) -> None:
    if ctx.proposal.review_paused_at is None:
        ctx.proposal.review_paused_at = ctx.now


@effect
def resume_review_clock(ctx: Context) -> None:
    p = ctx.proposal
    if p.review_paused_at is not None:
        p.review_paused_seconds = int(p.review_paused_seconds or 0) + int(
            (ctx.now - p.review_paused_at).total_seconds()
        )
        p.review_paused_at = None


@effect
def stop_review_clock(ctx: Context) -> None:
    p = ctx.proposal
    if p.review_started_at is None or p.review_stopped_at is not None:
        return
    resume_review_clock(ctx)
    p.review_stopped_at = ctx.now


@effect
def assign_case_officer(ctx: Context) -> None:
    ctx.proposal.case_officer_id = ctx.actor.id
    ctx.payload["case_officer_id"] = ctx.actor.id


@effect
def set_integration_deadline(ctx: Context) -> None:
    due = ctx.deadline(int(ctx.clocks["integration_reply_days"]))
    ctx.proposal.integration_due_at = due
    ctx.payload["reply_due"] = due.isoformat()


@effect
def clear_integration_deadline(ctx: Context) -> None:
    ctx.proposal.integration_due_at = None


@effect
def open_notice_window(ctx: Context) -> None:
    # Open until the end of its last day in the city, not a number of hours from now.
    ends = ctx.deadline(ctx.profile.notice_days(ctx.proposal.pact_type))
    ctx.proposal.notice_ends_at = ends
    ctx.payload["notice_ends"] = ends.isoformat()


@effect
def close_notice_window(ctx: Context) -> None:
    ctx.payload["notice_closed"] = ctx.now.isoformat()


@effect
def start_deliberation_clock(ctx: Context) -> None:
    due = ctx.deadline(int(ctx.clocks["deliberation_days"]))
    ctx.proposal.deliberation_due_at = due
    ctx.payload["deliberation_due"] = due.isoformat()


@effect
def stop_deliberation_clock(ctx: Context) -> None:
    ctx.proposal.deliberation_due_at = None


@effect
def record_deliberation_act(ctx: Context) -> None:
    ctx.proposal.deliberation_number = ctx.values["deliberation_number"]
    ctx.proposal.deliberation_date = ctx.values["deliberation_date"]


@effect
def record_decision_act(ctx: Context) -> None:
    ctx.proposal.decision_number = ctx.values["act_number"]
    ctx.proposal.decision_date = ctx.values["act_date"]


def content_hash(content: dict) -> str:
    """SHA-256 of a pact version's canonical JSON."""
    raw = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


@effect
def freeze_pact_version(ctx: Context) -> None:
    """Freeze the last version, and with it its terms.

    The proposal's start_date and end_date become a cache of the approved terms (empty when
    the pact runs from the last signature: start_pact fills them then). A version without
    terms (saved before they existed) keeps the proposal's dates as the record.
    """
    from commons.documents.terms import terms_of

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
    from commons.documents.operations import latest_document

    final = latest_document(ctx.proposal, "final")
    if final is not None:
        return final.sha256
    version = _frozen_version(ctx)
    return version.content_hash if version else ""


@effect
def record_signature(ctx: Context) -> None:
    from commons.documents.models import Signature

    role = _next_signer(ctx)
    signature = Signature(
        proposal_id=ctx.proposal.id,
        signer_id=ctx.actor.id,
        signer_role=role,
        typed_name=ctx.values["full_name"],
        signed_at=ctx.now,
        document_hash=signed_document_hash(ctx),
    )
    ctx.session.add(signature)
    _signatures(ctx)[role] = signature  # who signs next, from now on in this firing
    ctx.payload["signature"] = {"role": role, "document_hash": signature.document_hash}


@effect
def start_pact(ctx: Context) -> None:
    """At the last signature: the days in force, from the approved terms.

    From the approved start date, or from the signature day if there is none or it is later;
    until the approved end date, or the start plus the approved duration.
    """
    from commons.documents.terms import terms_of
    from commons.registry.models import Availability

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
    from commons.documents.terms import terms_of

    version = _frozen_version(ctx)
    if version is not None:
        terms = terms_of(version)
        if not terms.derived:
            return terms.report_interval_months
    return int(ctx.clocks["report_interval_months"])


@effect
def start_report_clock(ctx: Context) -> None:
    # Reports fall due counting from the start of the term (or today, once it has begun).
    start = max(ctx.today, ctx.proposal.start_date or ctx.today)
    ctx.proposal.next_report_due_on = add_months(start, report_interval_months(ctx))


@effect
def reset_report_clock(ctx: Context) -> None:
    start_report_clock(ctx)


@effect
def record_report(ctx: Context) -> None:
    from commons.monitoring.models import MonitoringReport

    indicators = {
        k: ctx.values[k]
        for k in ("participants", "volunteer_hours", "events_held")
        if k in ctx.values
    }
    report = MonitoringReport(
        proposal_id=ctx.proposal.id,
        author_id=ctx.actor.id,
        filed_at=ctx.now,
        text=ctx.values["report_text"],
        indicators=indicators,
        final=bool(ctx.values.get("final")),
    )
    ctx.session.add(report)
    ctx.session.flush()
    ctx.payload["report_id"] = report.id
    ctx.payload["final"] = report.final


@effect
def set_new_end_date(ctx: Context) -> None:
    ctx.payload["previous_end_date"] = (
        ctx.proposal.end_date.isoformat() if ctx.proposal.end_date else None
    )
    ctx.proposal.end_date = ctx.values["new_end_date"]


@effect
def schedule_withdrawal(ctx: Context) -> None:
    due = ctx.today + timedelta(days=int(ctx.clocks["withdrawal_notice_days"]))
    ctx.proposal.withdrawal_effective_on = due
    ctx.payload["effective_on"] = due.isoformat()


@effect
def release_commons(ctx: Context) -> None:
    """Commons of an ended pact become available again unless another pact is in force."""
    from commons.proposals.models import Proposal, proposal_commons
    from commons.registry.models import Availability

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


@effect
def create_successor(ctx: Context) -> None:
    """A new proposal in co-design, pre-filled from this pact, linked both ways."""
    from commons.documents.models import PactVersion
    from commons.monitoring.models import MonitoringReport
    from commons.proposals.models import Proposal

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
        status="co_design",
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
            from commons.documents.operations import with_terms_written

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
    from commons.proposals.models import Proposal

    if not ctx.proposal.predecessor_id:
        return None
    return ctx.session.get(Proposal, ctx.proposal.predecessor_id)


def _due_follow_up(ctx: Context, proposal, trigger: str) -> None:
    if ctx.profile.specs_for(trigger, proposal.status):
        ctx.follow_ups.append((proposal, trigger))


@effect
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


@effect
def release_predecessor(ctx: Context) -> None:
    """A renewal that fails (rejected, withdrawn) lets the old pact expire at its end, or at
    once when the end has passed while the renewal was pending."""
    old = _predecessor(ctx)
    if old is not None and old.end_date is not None and ctx.today > old.end_date:
        _due_follow_up(ctx, old, "expire")


def _frozen_version(ctx: Context):
    from commons.documents.models import PactVersion

    return ctx.session.scalar(
        select(PactVersion)
        .where(PactVersion.proposal_id == ctx.proposal.id, PactVersion.frozen_at.is_not(None))
        .order_by(PactVersion.number.desc())
        .limit(1)
    )


@effect
def issue_final_document(ctx: Context) -> None:
    """Render the frozen text as the final PDF; its hash goes into the approval event."""
    from commons.documents.operations import issue_document

    document = issue_document(ctx.proposal, _frozen_version(ctx), "final", issued_at=ctx.now)
    ctx.payload["final_pdf_sha256"] = document.sha256


@effect
def issue_signed_document(ctx: Context) -> None:
    """With the last signature, the signed PDF: the final document plus the signature page."""
    from commons.documents.operations import issue_document, signature_rows

    ctx.session.flush()
    document = issue_document(
        ctx.proposal,
        _frozen_version(ctx),
        "signed",
        issued_at=ctx.now,
        signatures=signature_rows(ctx.proposal),
    )
    ctx.payload["signed_pdf_sha256"] = document.sha256
