"""The facts the pact's clauses print, read once from the proposal and the city's settings.

Text is kept as typed, without control characters, so that nothing a person typed can start
an article of its own (:mod:`commons.documents.clauses`, "the clause templates").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import workflows
from commons.documents.clause_words import (
    COMMONS_KINDS,
    DEFAULT_REGULATION,
    SECTION_TITLES,
    SUPPORT_WORDS,
)


@dataclass(frozen=True)
class _Asset:
    name: str
    kind: str
    address: str
    area: str
    cadastral: str
    coordinates: str
    part: str = ""
    id: int | None = None


@dataclass(frozen=True)
class _Opinion:
    department: str
    positive: bool | None
    given_on: date | None
    requested_on: date | None


@dataclass(frozen=True)
class _Facts:
    lang: str
    sections: tuple[str, ...]
    city: str
    office: str
    city_address: str
    city_tax_code: str
    signatory: str
    signatory_title: str
    signatory_power: str
    regulation: str
    regulation_article: str
    title: str
    complex: bool
    protocol: str
    submitted_on: date | None
    group_name: str
    group_kind: str
    group_tax_code: str
    group_address: str
    representative: str
    members: tuple[str, ...]
    commons: tuple[_Asset, ...]
    objectives: str
    activities: str
    support: tuple[str, ...]
    support_notes: str
    months: int | None
    start: date | None
    end: date | None
    opinions: tuple[_Opinion, ...]
    meetings: tuple[date, ...]
    deliberation_number: str
    deliberation_date: date | None
    case_officer: str
    predecessor_protocol: str
    report_months: int
    withdrawal_days: int
    suspension_hours: int
    max_term_months: int
    renewal_window_days: int
    support_amount: str = ""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value) -> str:
    """Plain text: no None, no control characters, newlines normalised, blank runs collapsed."""
    if value is None:
        return ""
    text = _CONTROL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _line(value) -> str:
    """A one-line value (a name, an address): inner whitespace collapsed."""
    return " ".join(_text(value).split())


def _setting(settings: dict, key: str, lang: str) -> str:
    return _line(settings.get(f"{key}_{lang}") or settings.get(key))


def _local_date(value, zone: ZoneInfo) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.date()
    return value


def _number(value) -> str:
    """A coordinate as written: 44.49, not 44.490000."""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _clock(clocks: dict, key: str, default: int) -> int:
    try:
        return int(clocks.get(key, default))
    except (TypeError, ValueError):
        return default


def _facts(proposal, settings: dict, lang: str) -> _Facts:
    profile = workflows.get_profile(getattr(proposal, "profile", None))
    clocks = dict(profile.clocks)
    zone = ZoneInfo(_line(settings.get("timezone")) or "Europe/Rome")
    group = getattr(proposal, "group", None)
    representative = getattr(proposal, "representative", None) or getattr(
        group, "representative", None
    )
    rep_name = _line(getattr(representative, "full_name", ""))
    members: list[str] = []
    for member in getattr(group, "members", None) or []:
        name = _line(getattr(member, "full_name", ""))
        if name and name != rep_name and name not in members:
            members.append(name)
    kinds = COMMONS_KINDS[lang]
    commons = []
    for asset in getattr(proposal, "commons", None) or []:
        lat, lon = getattr(asset, "latitude", None), getattr(asset, "longitude", None)
        area = ", ".join(
            _line(v)
            for v in (getattr(asset, "neighbourhood", None), getattr(asset, "district", None))
            if _line(v)
        )
        commons.append(
            _Asset(
                name=_line(asset.name),
                kind=kinds.get(getattr(asset, "kind", "") or "", "") or "",
                address=_line(getattr(asset, "address", "")),
                area=area,
                cadastral=_line(getattr(asset, "cadastral_reference", "")),
                coordinates=(
                    f"{_number(lat)}, {_number(lon)}" if lat is not None and lon is not None else ""
                ),
                id=getattr(asset, "id", None),
            )
        )
    opinions = tuple(
        _Opinion(
            department=_line(o.department),
            positive=o.positive,
            given_on=_local_date(o.given_at, zone),
            requested_on=_local_date(o.requested_at, zone),
        )
        for o in getattr(proposal, "opinions", None) or []
        if _line(getattr(o, "department", ""))
    )
    meetings = tuple(
        sorted({m.held_on for m in getattr(proposal, "meetings", None) or [] if m.held_on})
    )
    predecessor = getattr(proposal, "predecessor", None)
    officer = getattr(proposal, "case_officer", None)
    support = []
    for item in getattr(proposal, "support_requested", None) or []:
        item = _line(item)
        if item and item not in support:
            support.append(item)
    # Known forms in the regulation's order, then any a profile added, as given.
    order = list(SUPPORT_WORDS["en"])
    support.sort(key=lambda s: order.index(s) if s in order else len(order))
    return _Facts(
        lang=lang,
        sections=tuple(profile.sections) or tuple(SECTION_TITLES["en"]),
        city=_setting(settings, "city_name", lang),
        office=_setting(settings, "city_office", lang),
        city_address=_setting(settings, "city_address", lang),
        city_tax_code=_setting(settings, "city_tax_code", lang),
        signatory=_setting(settings, "signatory", lang),
        signatory_title=_setting(settings, "signatory_title", lang),
        signatory_power=_setting(settings, "signatory_power", lang),
        regulation=_setting(settings, "regulation", lang) or DEFAULT_REGULATION[lang],
        regulation_article=_setting(settings, "regulation_article", lang),
        title=_line(getattr(proposal, "title", "")),
        complex=getattr(proposal, "pact_type", "ordinary") == "complex",
        protocol=_line(getattr(proposal, "protocol_number", "")),
        submitted_on=_local_date(getattr(proposal, "submitted_at", None), zone),
        group_name=_line(getattr(group, "name", "")),
        group_kind=_line(getattr(group, "kind", "")),
        group_tax_code=_line(getattr(group, "tax_code", "")),
        group_address=_line(getattr(group, "address", "")),
        representative=rep_name,
        members=tuple(members),
        commons=tuple(commons),
        objectives=_text(getattr(proposal, "objectives", "")),
        activities=_text(getattr(proposal, "activities", "")),
        support=tuple(support),
        support_notes=_text(getattr(proposal, "support_notes", "")),
        months=getattr(proposal, "requested_duration_months", None),
        start=getattr(proposal, "start_date", None),
        end=getattr(proposal, "end_date", None),
        opinions=opinions,
        meetings=meetings,
        deliberation_number=_line(getattr(proposal, "deliberation_number", "")),
        deliberation_date=getattr(proposal, "deliberation_date", None),
        case_officer=_line(getattr(officer, "full_name", "")),
        predecessor_protocol=_line(getattr(predecessor, "protocol_number", "")),
        report_months=_clock(clocks, "report_interval_months", 6),
        withdrawal_days=_clock(clocks, "withdrawal_notice_days", 30),
        suspension_hours=_clock(clocks, "suspension_notice_hours", 48),
        max_term_months=_clock(clocks, "max_term_months", 48),
        renewal_window_days=_clock(clocks, "renewal_window_days", 60),
    )
