"""Named guards, conditions, requirements and effects that profiles refer to.

A guard returns None when its rule holds, else a sentence saying what is missing.
A condition chooses between transitions of one trigger (e.g. complex or ordinary pact).
A requirement validates one piece of data the person gives. An effect changes the proposal
(or related rows) as part of the transition and may add to the audit event's payload.

The ones here only read and set the proposal's own attributes, the profile and the clock.
Those that need the application (its database rows, documents, passwords) are the
application's: it registers them by name with ``register_guard``, ``register_condition``,
``register_effect`` and ``register_requirement`` (``commons.lifecycle`` does).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from workflows.canonical import canonical_json
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
    # The store's handle for the proposal (``store.session_of``; the application's database
    # session, None for plain objects): the engine only passes it on.
    session: Any
    settings: dict
    payload: dict = field(default_factory=dict)
    # The profile's transition being fired (a ``TransitionSpec``; None before one is chosen).
    spec: Any = None
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
# Guards that judge data the person types with the action (a password, a date):
# ``allowed_triggers`` cannot evaluate them before the form is sent.
INPUT_GUARDS: set[str] = set()
# The ids of the notification messages a profile's ``notify`` may name (the application's).
MESSAGES: set[str] = set()


def _registrar(table: dict):
    def register(name_or_fn=None):
        """``@register`` or ``@register("name")``: file the function under its name."""

        def add(fn, name=None):
            table[name or fn.__name__] = fn
            return fn

        if callable(name_or_fn):
            return add(name_or_fn)
        return lambda fn: add(fn, name_or_fn)

    return register


_register_guard = _registrar(GUARDS)


def register_guard(name_or_fn=None, *, judges_input: bool = False):
    """``@register_guard``, ``@register_guard("name")``; ``judges_input=True`` for a guard that
    reads data typed with the action (not checked before the form is sent)."""

    def note(fn):
        INPUT_GUARDS.add(name_or_fn if isinstance(name_or_fn, str) else fn.__name__)
        return fn

    if callable(name_or_fn):
        if judges_input:
            note(name_or_fn)
        return _register_guard(name_or_fn)
    registered = _register_guard(name_or_fn)
    return (lambda fn: registered(note(fn))) if judges_input else registered


def register_messages(names) -> None:
    """Declare the notification message ids that profiles may name in ``notify``."""
    MESSAGES.update(names)


guard = register_guard
register_condition = condition = _registrar(CONDITIONS)
register_effect = effect = _registrar(EFFECTS)
register_requirement = _registrar(REQUIREMENTS)
# Data given with an action that the audit event does not keep (a password; a file, which the
# application stores itself and records by its hash).
UNRECORDED: set[str] = {"password"}


def register_optional(name: str, check: Callable[[Any], Any], *, recorded: bool = True):
    """Accept ``name`` as data any transition may carry, checked by ``check`` when given
    (``check(raw) -> clean value``, or ValueError); ``recorded=False`` keeps it out of the
    event's payload (an effect may record what it makes of it)."""
    OPTIONAL[name] = check
    if not recorded:
        UNRECORDED.add(name)
    return check


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
    # The representative's consent to show a report's photos on the public results page.
    "publish_photos": lambda v: v in (True, "y", "yes", "on", "true", "1", 1),
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


@guard(judges_input=True)
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


def actor_capacity(ctx: Context) -> set[str]:
    """In which capacities the actor may sign or act: representative, legal, officer, system."""
    from workflows.engine import capacities

    return capacities(ctx.actor, ctx.proposal)


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


@guard(judges_input=True)
def typed_name_matches(ctx: Context) -> str | None:
    if _fold(ctx.values.get("full_name", "")) == _fold(ctx.actor.full_name):
        return None
    return _("Type your full name exactly as in your account to sign.")


@guard(judges_input=True)
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
def end_date_passed(ctx: Context) -> str | None:
    end = ctx.proposal.end_date
    if end is None or ctx.today <= end:
        return _("The pact has not reached its end date.")
    return None


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
    return hashlib.sha256(canonical_json(content)).hexdigest()


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


def _due_follow_up(ctx: Context, proposal, trigger: str) -> None:
    if ctx.profile.specs_for(trigger, proposal.status):
        ctx.follow_ups.append((proposal, trigger))
