"""The terms of a pact as data: when it runs, what it covers, who the parties are, the support.

A pact version keeps its terms in ``content["terms"]``, so the version's content hash covers
them and approval freezes them with the clauses::

    {"start_date": "2026-09-01" | None,          # None: from the day of the last signature
     "end_date": "2028-02-29" | None,            # an end date or a duration, never both
     "duration_months": 18 | None,
     "commons": [{"id": 3, "name": "Garden 3", "part": "the north flower beds"}],
     "parties": {"group": {"id": 1, "name": "..."}, "representative": {"id": 2, "name": "..."}},
     "support": {"forms": ["materials", "insurance"], "notes": "...", "amount": "1500.00" | None},
     "report_interval_months": 6}

The clauses that print the term, the support and the report interval are written from these
terms when a version is saved (commons.documents.clauses.apply_terms), so prose and data agree.
Approval copies the approved start and end dates to the proposal's columns, which every page,
export and clock reads; the last signature fixes the dates the pact is actually in force
(``Terms.period``).

Versions saved before terms existed have none: ``terms_of`` then derives them from the
proposal's application (``from_application``), marked ``derived``; for those frozen before the
change the proposal's columns remain the record (their hash is bound to signed PDFs).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

import workflows
from commons.lifecycle.states import before_approval, profile_named, reached_unapproved
from workflows.clocks import add_months, months_between

SUPPORT_CODES = (
    "materials",
    "tools",
    "training",
    "insurance",
    "fee_exemption",
    "use_of_spaces",
)


@dataclass(frozen=True)
class CoveredCommons:
    """A commons the pact covers, and which part of it (free text, empty for all of it)."""

    id: int | None
    name: str
    part: str = ""


@dataclass(frozen=True)
class Party:
    id: int | None
    name: str


@dataclass(frozen=True)
class Terms:
    """What a pact version agrees on, as data."""

    start_date: date | None = None
    end_date: date | None = None
    duration_months: int | None = None
    commons: tuple[CoveredCommons, ...] = ()
    group: Party | None = None
    representative: Party | None = None
    support: tuple[str, ...] = ()
    support_notes: str = ""
    support_amount: Decimal | None = None
    report_interval_months: int = 6
    # True when read from the application because the version holds no terms (legacy).
    derived: bool = field(default=False, compare=False)

    def end_for(self, start: date | None) -> date | None:
        """The last day in force for a pact starting on ``start``."""
        if self.end_date is not None:
            return self.end_date
        if start is not None and self.duration_months:
            return add_months(start, self.duration_months)
        return None

    @property
    def planned_end(self) -> date | None:
        """The end the terms fix before the signature (None if it depends on the signature)."""
        return self.end_for(self.start_date)

    def period(self, signed_on: date) -> tuple[date, date | None]:
        """The days in force for a pact whose last signature lands on ``signed_on``.

        From the agreed start date, or from the signature if there is none or it comes later;
        until the agreed end date, or the start plus the agreed duration.
        """
        start = self.start_date if self.start_date and self.start_date >= signed_on else signed_on
        return start, self.end_for(start)

    def to_dict(self) -> dict:
        """The JSON form kept in ``content["terms"]``."""
        return {
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "duration_months": self.duration_months,
            "commons": [{"id": c.id, "name": c.name, "part": c.part} for c in self.commons],
            "parties": {
                "group": _party_dict(self.group),
                "representative": _party_dict(self.representative),
            },
            "support": {
                "forms": list(self.support),
                "notes": self.support_notes,
                "amount": str(self.support_amount) if self.support_amount is not None else None,
            },
            "report_interval_months": self.report_interval_months,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Terms:
        """Terms from their JSON form (as stored; values already checked when saved)."""
        parties = data.get("parties") or {}
        support = data.get("support") or {}
        amount = support.get("amount")
        return cls(
            start_date=_iso(data.get("start_date")),
            end_date=_iso(data.get("end_date")),
            duration_months=data.get("duration_months"),
            commons=tuple(
                CoveredCommons(c.get("id"), c.get("name") or "", c.get("part") or "")
                for c in data.get("commons") or []
            ),
            group=_party(parties.get("group")),
            representative=_party(parties.get("representative")),
            support=tuple(support.get("forms") or ()),
            support_notes=support.get("notes") or "",
            support_amount=Decimal(amount) if amount not in (None, "") else None,
            report_interval_months=int(data.get("report_interval_months") or 6),
        )


def _party_dict(party: Party | None) -> dict | None:
    return {"id": party.id, "name": party.name} if party else None


def _party(data) -> Party | None:
    return Party(data.get("id"), data.get("name") or "") if data else None


def _iso(value) -> date | None:
    return date.fromisoformat(value) if value else None


def _profile_clock(proposal, key: str, default: int) -> int:
    profile = workflows.get_profile(getattr(proposal, "profile", None))
    try:
        return int(profile.clocks.get(key, default))
    except (TypeError, ValueError):
        return default


def max_term_months(proposal) -> int:
    """The longest term the proposal's regulation profile allows."""
    return _profile_clock(proposal, "max_term_months", 48)


def _support_order(forms) -> tuple[str, ...]:
    seen = []
    for item in forms or ():
        if item and item not in seen:
            seen.append(item)
    return tuple(sorted(seen, key=lambda s: SUPPORT_CODES.index(s) if s in SUPPORT_CODES else 99))


def from_application(proposal, *, derived: bool = False) -> Terms:
    """The terms the application asks for: the first draft's terms, and the legacy fallback."""
    start, end = proposal.start_date, proposal.end_date
    months = proposal.requested_duration_months
    if not (start and end):
        end = None
    if end is not None:
        months = None
    group, representative = proposal.group, proposal.representative
    return Terms(
        start_date=start,
        end_date=end,
        duration_months=months,
        commons=tuple(CoveredCommons(c.id, c.name, "") for c in proposal.commons or ()),
        group=Party(group.id, group.name) if group else None,
        representative=Party(representative.id, representative.full_name)
        if representative
        else None,
        support=_support_order(proposal.support_requested),
        support_notes=(proposal.support_notes or "").strip(),
        report_interval_months=_profile_clock(proposal, "report_interval_months", 6),
        derived=derived,
    )


def terms_of(version) -> Terms:
    """A version's terms; for a version saved before terms existed, the application's."""
    data = (version.content or {}).get("terms")
    if data:
        return Terms.from_dict(data)
    return from_application(version.proposal, derived=True)


def approved_terms(proposal) -> Terms | None:
    """The terms of the approved (frozen) version, or None before approval."""
    from commons.documents.models import PactVersion

    version = PactVersion.latest_for(proposal, frozen=True)
    return terms_of(version) if version is not None else None


def is_approved(proposal) -> bool:
    """Whether the proposal's term is the approved one (its columns are then its cache)."""
    profile = profile_named(proposal.profile)
    if proposal.status in before_approval(profile):
        return False
    if proposal.status in reached_unapproved(profile):
        # Reached before or after an approval (a withdrawal): the record tells.
        return bool(proposal.decision_number)
    return True


# --- checking ------------------------------------------------------------------------------


def problems(terms: Terms, *, max_months: int, commons_required: bool = False) -> dict[str, str]:
    """What is wrong with the terms, by field (empty when they are fine), in the user's language."""
    errors: dict[str, str] = {}
    if terms.end_date and terms.duration_months:
        errors["end_date"] = _("Give either an end date or a duration, not both.")
    elif not terms.end_date and not terms.duration_months:
        errors["duration_months"] = _("Give an end date or a duration in months.")
    if terms.duration_months is not None:
        if terms.duration_months < 1:
            errors["duration_months"] = _("At least one month.")
        elif terms.duration_months > max_months:
            errors["duration_months"] = _(
                "At most %(n)d months: the regulation's maximum term.", n=max_months
            )
    if terms.start_date and terms.end_date:
        if terms.end_date <= terms.start_date:
            errors["end_date"] = _("The end date must come after the start date.")
        elif months_between(terms.start_date, terms.end_date) > max_months:
            errors["end_date"] = _(
                "From the start date to the end date is longer than the maximum term of "
                "%(n)d months.",
                n=max_months,
            )
    if terms.report_interval_months < 1:
        errors["report_interval_months"] = _("At least one month.")
    unknown = [s for s in terms.support if s not in SUPPORT_CODES]
    if unknown:
        errors["support"] = _("Choose among the forms of support listed.")
    if terms.support_amount is not None and terms.support_amount < 0:
        errors["support_amount"] = _("The amount cannot be negative.")
    if commons_required and not terms.commons:
        errors["commons"] = _("Choose at least one commons the pact covers.")
    return errors


def check(terms: Terms, proposal) -> dict[str, str]:
    """``problems`` with the proposal's limits (its profile's maximum term, its commons)."""
    return problems(
        terms, max_months=max_term_months(proposal), commons_required=bool(proposal.commons)
    )


def problems_at_approval(terms: Terms, proposal, today: date) -> str | None:
    """Why the terms of the version being approved cannot be approved today, if they cannot."""
    found = check(terms, proposal)
    if found:
        return next(iter(found.values()))
    limit = max_term_months(proposal)
    start, end = terms.period(today)
    if end is not None and end < today:
        return _("The end date of the pact has already passed.")
    if end is not None and end > add_months(start, limit):
        return _("The end date is beyond the maximum term of %(n)d months.", n=limit)
    return None


# --- the editor ----------------------------------------------------------------------------


def _parse_date(text: str, errors: dict, key: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[key] = _("A date as YYYY-MM-DD, such as 2026-09-01.")
        return None


def _parse_int(text: str, errors: dict, key: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors[key] = _("A whole number of months, such as 18.")
        return None


def _parse_amount(text: str, errors: dict) -> Decimal | None:
    text = (text or "").strip().replace(" ", "")
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        errors["support_amount"] = _("An amount in euros, such as 1500 or 1500.50.")
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or amount >= Decimal(10) ** 9:
        errors["support_amount"] = _("An amount in euros, such as 1500 or 1500.50.")
        return None
    return amount.quantize(Decimal("0.01"))


def from_form(form, base: Terms, proposal) -> tuple[Terms, dict[str, str]]:
    """The terms the editor sent (``terms_*`` fields), and what is wrong with them by field.

    The parties are the proposal's and are not edited here; the commons are chosen among the
    proposal's, each with the part covered.
    """
    errors: dict[str, str] = {}
    start = _parse_date(form.get("terms_start_date"), errors, "start_date")
    end = _parse_date(form.get("terms_end_date"), errors, "end_date")
    months = _parse_int(form.get("terms_duration_months"), errors, "duration_months")
    interval = _parse_int(
        form.get("terms_report_interval_months"), errors, "report_interval_months"
    )
    if interval is None and "report_interval_months" not in errors:
        errors["report_interval_months"] = _("Give how often, in months, reports are due.")
    amount = _parse_amount(form.get("terms_support_amount"), errors)
    covered = []
    for commons in proposal.commons or ():
        if form.get(f"terms_commons-{commons.id}"):
            part = " ".join((form.get(f"terms_part-{commons.id}") or "").split())[:300]
            covered.append(CoveredCommons(commons.id, commons.name, part))
    terms = replace(
        base,
        start_date=start,
        end_date=end,
        duration_months=months,
        commons=tuple(covered),
        group=Party(proposal.group.id, proposal.group.name),
        representative=Party(proposal.representative.id, proposal.representative.full_name),
        support=_support_order(form.getlist("terms_support")),
        support_notes=(form.get("terms_support_notes") or "").strip()[:5000],
        support_amount=amount,
        report_interval_months=interval if interval is not None else base.report_interval_months,
        derived=False,
    )
    for key, message in check(terms, proposal).items():
        errors.setdefault(key, message)  # a field that could not be read keeps that message
    return terms, errors


def form_values(terms: Terms) -> dict:
    """The editor's ``terms_*`` fields filled from the terms (first display)."""
    return {
        "terms_start_date": terms.start_date.isoformat() if terms.start_date else "",
        "terms_end_date": terms.end_date.isoformat() if terms.end_date else "",
        "terms_duration_months": str(terms.duration_months or ""),
        "terms_support": list(terms.support),
        "terms_support_notes": terms.support_notes,
        "terms_support_amount": str(terms.support_amount)
        if terms.support_amount is not None
        else "",
        "terms_report_interval_months": str(terms.report_interval_months),
    }


# --- showing a term ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownTerm:
    """A term as a page shows it, with what it is: approved, proposed in a draft, requested."""

    basis: str  # "approved", "draft" or "requested"
    start: date | None
    end: date | None
    months: int | None
    version: int | None = None


def shown_term(proposal, *, private: bool = False) -> ShownTerm:
    """The term to show for a proposal.

    Approved: the proposal's columns (set at approval and at the last signature, moved by an
    extension). Before approval: to those who may see the drafts, the latest draft's terms;
    to everyone else, what the application requested.
    """
    if is_approved(proposal):
        months = None
        if proposal.start_date is None and proposal.end_date is None:
            terms = approved_terms(proposal)
            months = terms.duration_months if terms else None
        return ShownTerm("approved", proposal.start_date, proposal.end_date, months)
    if private:
        from commons.documents.models import PactVersion

        version = PactVersion.latest_for(proposal)
        if version is not None:
            terms = terms_of(version)
            return ShownTerm(
                "draft",
                terms.start_date,
                terms.planned_end,
                terms.duration_months,
                version.number,
            )
    terms = from_application(proposal)
    return ShownTerm("requested", terms.start_date, terms.planned_end, terms.duration_months)
