"""Checking every row of a register before anything is written: ``plan_import``.

It collects every error (row, column, reason), the status words no mapping entry or rule
covers (with how many rows use each), and the commons whose names are so alike that they may
be one place spelled twice (merged by ``[commons_merge]`` in the mapping).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from commons.extensions import db
from commons.imports.mapping import Mapping, fold, norm
from commons.imports.reading import Register
from commons.inputs import BIDI_CONTROLS
from commons.lifecycle.states import ended_after_signing
from commons.proposals.models import Proposal
from commons.registry.forms import parse_coordinate

MARKER = "IMP/"
MAX_ID_LENGTH = 20 - len(MARKER)  # protocol_number is VARCHAR(20)
DATE_FIELDS = ("signed_on", "start_date", "end_date", "act_date")
_DATE_PATTERNS = {
    "dd/mm/yyyy": re.compile(r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$"),
    "mm/dd/yyyy": re.compile(r"(?P<m>\d{1,2})[/.\-](?P<d>\d{1,2})[/.\-](?P<y>\d{4})$"),
    "yyyy-mm-dd": re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
}
_ISO = _DATE_PATTERNS["yyyy-mm-dd"]


def parse_date(text: str, date_format: str) -> date | None:
    """A date as the city writes it (or ``yyyy-mm-dd``, as a spreadsheet's date cell reads)."""
    text = text.strip().split(" ")[0]
    if not text:
        return None
    found = _ISO.match(text) or _DATE_PATTERNS[date_format].match(text)
    if not found:
        raise ValueError(f"write it as {date_format}")
    return date(int(found["y"]), int(found["m"]), int(found["d"]))


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, column {self.column!r}" if self.column else f"row {self.row}"
        return f"{where}: {self.reason}"


@dataclass
class PlannedRow:
    row: int
    source_id: str
    title: str
    state: str
    commons_name: str
    commons_key: str  # fold(name) + fold(address): one commons per key
    address: str
    district: str | None
    neighbourhood: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    action_area: str
    group_name: str
    group_kind: str
    named_representative: bool
    acts_notes: str
    pdf_url: str
    source: dict[str, str]
    signed_on: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    duration_months: int | None = None
    act_number: str = ""
    act_date: date | None = None
    notes: str = ""
    outcome: str = ""  # filled by apply_plan


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    already_imported: list[tuple[int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    invalid_rows: set[int] = field(default_factory=set)
    blank_lines: int = 0
    unmapped_words: Counter = field(default_factory=Counter)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)


def existing_keys() -> set[str]:
    """Protocol numbers of proposals imported before."""
    stmt = select(Proposal.protocol_number).where(Proposal.protocol_number.like(f"{MARKER}%"))
    return set(db.session.scalars(stmt))


def _state_of(record, mapping: Mapping, error) -> str:
    word = record.values.get("status", "")
    if not word:
        error("status", "the status is required")
        return ""
    for rule in mapping.status_rules:
        if norm(rule.word) == norm(word) and rule.matches(_cell(record, rule.column)):
            return rule.state
    if norm(word) in mapping.status:
        return mapping.status[norm(word)]
    if norm(word) in mapping.rule_words():
        error("status", f"no [[status_rules]] entry for {word!r} matches this row, nor [status]")
    else:
        error("status", f"unknown status word {word!r}: add it to [status] in the mapping")
    return ""


def _cell(record, header: str) -> str:
    for name, value in record.source.items():
        if norm(name) == norm(header):
            return value
    return ""


def near_duplicates(names: dict[str, str], *, ratio: float = 0.85) -> list[tuple[str, str]]:
    """Pairs of commons names (key -> name as written) alike enough to be one place.

    Names are compared within blocks of the same house numbers, so a large register is not
    compared pair by pair (``Via Roma 1`` and ``Via Roma 12`` never pair)."""
    blocks: dict[tuple[str, ...], list[str]] = {}
    for key in names:
        blocks.setdefault(tuple(re.findall(r"\d+", key)), []).append(key)
    pairs = []
    for keys in blocks.values():
        if len(keys) > 300:
            continue  # too common a number to tell anything
        keys.sort()
        for i, first in enumerate(keys):
            for second in keys[i + 1 :]:
                short, long = sorted((first, second), key=len)
                alike = (long.startswith(short) or long.endswith(short) or short in long) and len(
                    short
                ) >= 8
                if alike or difflib.SequenceMatcher(None, first, second).ratio() >= ratio:
                    pairs.append((names[first], names[second]))
    return pairs


def plan_import(register: Register, mapping: Mapping, profile, existing: set[str]) -> Plan:
    """Check every row; return the rows to import, those already imported and every error."""
    plan = Plan(blank_lines=register.blank_lines)
    names = register.column_names
    # States reached only after the pact was signed, besides the profile's in-force states.
    signed = set(profile.in_force) | ended_after_signing(profile)
    seen: dict[str, int] = {}
    spelled: dict[str, str] = {}  # commons key -> the first spelling
    for record in register.records:
        errors: list[RowError] = []

        def error(key: str, reason: str, record=record, errors=errors) -> None:
            errors.append(RowError(record.row, names.get(key, ""), reason))

        v = record.values
        source_id = v.get("id", "")
        if record.extra_cells:
            error("", "the row has more cells than the header has columns")
        if not source_id:
            error("id", "the id is required")
        elif source_id in seen:
            error("id", f"duplicate id {source_id!r} (already on row {seen[source_id]})")
        else:
            seen[source_id] = record.row
            if len(source_id) > MAX_ID_LENGTH:
                error("id", f"the id is longer than {MAX_ID_LENGTH} characters")
            elif MARKER + source_id in existing and not errors:
                plan.already_imported.append((record.row, source_id))
                continue

        title = v.get("title", "")
        if not title:
            error("title", "the title is required")
        elif len(title) > 200:
            error("title", "the title is longer than 200 characters")

        state = _state_of(record, mapping, error)
        if not state and v.get("status") and norm(v["status"]) not in mapping.rule_words():
            plan.unmapped_words[norm(v["status"])] += 1

        coordinates: dict[str, Decimal | None] = {}
        for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
            try:
                coordinates[key] = parse_coordinate(v.get(key), low, high)
            except ValueError as problem:
                error(key, f"{v.get(key)!r} is not a coordinate: {problem}")
                coordinates[key] = None
        lat_text, lon_text = v.get("latitude", ""), v.get("longitude", "")
        if bool(lat_text) != bool(lon_text):
            error("longitude" if lat_text else "latitude", "give both coordinates, or neither")

        address = " ".join(v.get("address", "").split())
        commons_name = " ".join(v.get("commons_name", "").split()) or address
        merged = mapping.commons_merge.get(fold(commons_name))
        if merged is not None:
            commons_name = merged
            if not v.get("commons_name"):
                address = merged
        if not address:
            error("address", "the address is required")
        elif len(address) > 300:
            error("address", "the address is longer than 300 characters")
        if len(commons_name) > 200:
            error("commons_name", "the commons' name is longer than 200 characters")

        kind_word = v.get("proponent_type", "")
        group_kind = ""
        if not kind_word:
            if mapping.proponent_type:
                group_kind = mapping.proponent_type
            else:
                error("proponent_type", "the proponent type is required")
        elif norm(kind_word) not in mapping.proponent_types:
            error(
                "proponent_type",
                f"unknown proponent type {kind_word!r}: add it to [proponent_types] in the mapping",
            )
        else:
            group_kind = mapping.proponent_types[norm(kind_word)]

        representative = " ".join(v.get("representative", "").split())
        if not representative and state in signed:
            error(
                "representative",
                f"the representative's name is required for a signed pact (state {state})",
            )
        elif len(representative) > 200:
            error("representative", "the name is longer than 200 characters")
        # Names are refused with a bidi control, as in the forms (commons.inputs).
        for key, name in (("commons_name", commons_name), ("representative", representative)):
            found = BIDI_CONTROLS.search(name)
            if found:
                error(
                    "address" if key == "commons_name" and not v.get("commons_name") else key,
                    f"the name holds a bidi control character (U+{ord(found.group()):04X}), "
                    "which makes it read in another order than written: remove it",
                )

        dates: dict[str, date | None] = {}
        for key in DATE_FIELDS:
            try:
                dates[key] = parse_date(v.get(key, ""), mapping.date_format)
            except ValueError as problem:
                error(key, f"{v.get(key)!r} is not a date: {problem}")
                dates[key] = None
        duration = None
        if v.get("duration_months"):
            try:
                duration = int(v["duration_months"])
                if not 1 <= duration <= 240:
                    raise ValueError
            except ValueError:
                error("duration_months", f"{v['duration_months']!r} is not a number of months")
        if dates["start_date"] and dates["end_date"] and dates["end_date"] < dates["start_date"]:
            error("end_date", "the end of the term is before its start")
        url = v.get("pdf_url", "")
        if url and (not url.startswith(("https://", "http://")) or len(url) > 500):
            error("pdf_url", f"{url[:80]!r} is not a web address (http:// or https://)")
        act_number = v.get("act_number", "")
        if len(act_number) > 50:
            error("act_number", "the act's number is longer than 50 characters")

        if errors:
            plan.errors.extend(errors)
            plan.invalid_rows.add(record.row)
            continue
        key = fold(commons_name) + "|" + fold(address)
        spelled.setdefault(key, commons_name)
        plan.rows.append(
            PlannedRow(
                row=record.row,
                source_id=source_id,
                title=title,
                state=state,
                commons_name=commons_name,
                commons_key=key,
                address=address,
                district=v.get("district") or None,
                neighbourhood=v.get("neighbourhood") or None,
                latitude=coordinates["latitude"],
                longitude=coordinates["longitude"],
                action_area=v.get("action_area", ""),
                group_name=representative or f"{mapping.unnamed_proponent} {source_id}",
                group_kind=group_kind,
                named_representative=bool(representative),
                acts_notes=v.get("acts_notes", ""),
                pdf_url=url,
                source=record.source,
                signed_on=dates["signed_on"],
                start_date=dates["start_date"],
                end_date=dates["end_date"],
                duration_months=duration,
                act_number=act_number,
                act_date=dates["act_date"],
                notes=v.get("notes", ""),
            )
        )
    plan.near_duplicates = near_duplicates({fold(n): n for n in spelled.values()})
    return plan
