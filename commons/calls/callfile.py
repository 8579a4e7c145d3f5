"""A call as a data file (TOML, like the regulation profiles): read and checked with messages
that name the key, and written back so a call can be copied for the next one
(``commons call load FILE``, ``commons call export ID``; docs/officers.md, "Running a call")."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from commons.groups.models import GroupKind
from workflows.clocks import add_months


class CallFileError(Exception):
    """The call file is invalid; ``problems`` lists each problem with its key."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class CallData:
    """What a call file says, checked."""

    reference: str
    title: str
    text: str = ""
    act_kind: str = ""
    threshold: Decimal = Decimal(0)
    chair: str | None = None
    evaluators: list[str] = field(default_factory=list)
    themes: list[dict] = field(default_factory=list)
    proponent_kinds: list[str] = field(default_factory=list)
    min_groups: int = 1
    no_advantage_required: bool = False
    commons: list[dict] = field(default_factory=list)
    batches: list[dict] = field(default_factory=list)
    criteria: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)
    faq: list[dict] = field(default_factory=list)


KNOWN = {
    "reference", "title", "text", "act_kind", "threshold", "chair", "evaluators", "themes",
    "eligibility", "commons", "batches", "rolling", "criteria", "questions", "faq",
}  # fmt: skip


def _moment(value) -> datetime | None:
    """A TOML date or date-time as an aware UTC time (a date: its end, 23:59 UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59), tzinfo=UTC)
    return None


def _text(raw: dict, key: str, where: str, problems: list[str], required: bool = False) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        problems.append(f"{where}{key}: must be text")
        return ""
    if required and not value.strip():
        problems.append(f"{where}{key}: is required")
    return value.strip()


def _keys(items: list, where: str, problems: list[str]) -> list[dict]:
    rows = []
    if not isinstance(items, list):
        problems.append(f"{where}: must be a list of tables ([[{where}]])")
        return rows
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(f"{where}[{n}]: must be a table")
            continue
        key = item.get("key")
        if not isinstance(key, str) or not key.strip():
            problems.append(f"{where}[{n}].key: is required")
        elif key in seen:
            problems.append(f"{where}[{n}].key: {key!r} is used twice")
        else:
            seen.add(key)
        rows.append(item)
    return rows


def parse(text: str, name: str = "call file") -> CallData:
    """Read a call file; raise CallFileError naming every problem found."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CallFileError([f"{name}: not valid TOML: {error}"]) from None
    return parse_data(raw, name)


def parse_data(raw: dict, name: str = "call file") -> CallData:
    """Check a call file's content already read (the demo city builds one)."""
    problems: list[str] = []
    for key in sorted(set(raw) - KNOWN):
        problems.append(f"{key}: unknown key (known: {', '.join(sorted(KNOWN))})")
    data = CallData(
        reference=_text(raw, "reference", "", problems, required=True),
        title=_text(raw, "title", "", problems, required=True),
        text=_text(raw, "text", "", problems),
        act_kind=_text(raw, "act_kind", "", problems),
    )
    try:
        data.threshold = Decimal(str(raw.get("threshold", 0)))
        if data.threshold < 0:
            problems.append("threshold: must not be negative")
    except InvalidOperation:
        problems.append("threshold: must be a number")
    chair = raw.get("chair")
    data.chair = chair if isinstance(chair, str) and chair.strip() else None
    evaluators = raw.get("evaluators", [])
    if not isinstance(evaluators, list) or not all(isinstance(e, str) for e in evaluators):
        problems.append("evaluators: must be a list of e-mail addresses")
    else:
        data.evaluators = [e.strip().lower() for e in evaluators]

    for n, theme in enumerate(_keys(raw.get("themes", []), "themes", problems), 1):
        data.themes.append(
            {
                "key": theme.get("key"),
                "title": _text(theme, "title", f"themes[{n}].", problems, required=True),
            }
        )
    if not data.themes:
        problems.append("themes: at least one theme ([[themes]] with key and title)")
    theme_keys = {t["key"] for t in data.themes}

    def _themes(item: dict, where: str) -> list[str]:
        listed = item.get("themes", [])
        if not isinstance(listed, list):
            problems.append(f"{where}themes: must be a list of theme keys")
            return []
        for key in listed:
            if key not in theme_keys:
                problems.append(f"{where}themes: {key!r} is not a theme of the call")
        return [k for k in listed if k in theme_keys]

    eligibility = raw.get("eligibility", {})
    kinds = eligibility.get("proponent_kinds", [])
    known_kinds = [k.value for k in GroupKind]
    for kind in kinds:
        if kind not in known_kinds:
            problems.append(
                f"eligibility.proponent_kinds: {kind!r} is not a kind of proponent "
                f"(known: {', '.join(known_kinds)})"
            )
    data.proponent_kinds = [k for k in kinds if k in known_kinds]
    min_groups = eligibility.get("min_groups", 1)
    if not isinstance(min_groups, int) or isinstance(min_groups, bool) or min_groups < 1:
        problems.append("eligibility.min_groups: must be a whole number, at least 1")
    else:
        data.min_groups = min_groups
    data.no_advantage_required = bool(eligibility.get("no_economic_advantage", False))

    offers = raw.get("commons", [])
    if not isinstance(offers, list) or not offers:
        problems.append("commons: at least one commons offered ([[commons]] with id)")
        offers = []
    for n, offer in enumerate(offers, 1):
        where = f"commons[{n}]."
        if not isinstance(offer.get("id"), int):
            problems.append(f"{where}id: the id of a commons in the register is required")
            continue
        area = offer.get("floor_area_m2")
        if area is not None and (not isinstance(area, int | float) or area < 0):
            problems.append(f"{where}floor_area_m2: must be a number of square metres")
            area = None
        slots = offer.get("visiting_slots", [])
        data.commons.append(
            {
                "id": offer["id"],
                "floor_area_m2": Decimal(str(area)) if area is not None else None,
                "condition": _text(offer, "condition", where, problems),
                "constraints": _text(offer, "constraints", where, problems),
                "plans": _text(offer, "plans", where, problems),
                "visiting_slots": [str(s) for s in slots] if isinstance(slots, list) else [],
                "themes": _themes(offer, where),
            }
        )

    for n, batch in enumerate(raw.get("batches", []), 1):
        where = f"batches[{n}]."
        deadline = _moment(batch.get("deadline"))
        if deadline is None:
            problems.append(f"{where}deadline: a date or date-time is required (2026-03-31)")
            continue
        data.batches.append(
            {
                "label": _text(batch, "label", where, problems) or f"#{n}",
                "deadline": deadline,
                "themes": _themes(batch, where),
            }
        )
    rolling = raw.get("rolling")
    if rolling is not None:
        first = _moment(rolling.get("first_deadline"))
        every, count = rolling.get("every_months"), rolling.get("count")
        if first is None:
            problems.append("rolling.first_deadline: a date or date-time is required")
        if not isinstance(every, int) or every < 1:
            problems.append("rolling.every_months: must be a whole number, at least 1")
        if not isinstance(count, int) or not 1 <= count <= 60:
            problems.append("rolling.count: must be a whole number from 1 to 60")
        valid = first is not None and isinstance(every, int) and every >= 1
        if valid and isinstance(count, int) and 1 <= count <= 60:
            label = _text(rolling, "label", "rolling.", problems) or "Round"
            themes = _themes(rolling, "rolling.")
            for i in range(count):
                when = datetime.combine(
                    add_months(first.date(), i * every), first.timetz(), tzinfo=first.tzinfo
                )
                data.batches.append(
                    {"label": f"{label} {i + 1}", "deadline": when, "themes": themes}
                )
    if not data.batches:
        problems.append("batches: at least one deadline ([[batches]] or [rolling])")
    data.batches.sort(key=lambda b: b["deadline"])

    grid_problems = len(problems)
    for n, item in enumerate(_keys(raw.get("criteria", []), "criteria", problems), 1):
        where = f"criteria[{n}]."
        weight, points = item.get("weight", 1), item.get("max_points")
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            problems.append(f"{where}weight: must be a number above 0")
            weight = 1
        if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
            problems.append(f"{where}max_points: a whole number above 0 is required")
            points = 1
        data.criteria.append(
            {
                "key": item.get("key"),
                "title": _text(item, "title", where, problems, required=True),
                "description": _text(item, "description", where, problems),
                "weight": Decimal(str(weight)),
                "max_points": points,
            }
        )
    if not data.criteria:
        problems.append("criteria: the evaluation grid needs at least one criterion")
    elif len(problems) == grid_problems and data.threshold > sum(
        c["weight"] * c["max_points"] for c in data.criteria
    ):
        problems.append("threshold: is above the highest weighted total the grid allows")

    for n, item in enumerate(_keys(raw.get("questions", []), "questions", problems), 1):
        data.questions.append(
            {
                "key": item.get("key"),
                "text": _text(item, "text", f"questions[{n}].", problems, required=True),
                "required": bool(item.get("required", False)),
            }
        )
    for n, item in enumerate(raw.get("faq", []), 1):
        where = f"faq[{n}]."
        data.faq.append(
            {
                "question": _text(item, "question", where, problems, required=True),
                "answer": _text(item, "answer", where, problems, required=True),
            }
        )
    if problems:
        raise CallFileError([f"{name}: {p}" for p in problems])
    return data


# --- writing --------------------------------------------------------------------------------


def _v(value) -> str:
    """A TOML value (TOML's basic strings take JSON's escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral() else str(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list):
        return "[" + ", ".join(_v(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def dump(call) -> str:
    """The call's file: load it again (after changing the reference and the deadlines) to
    run the next call with the same grid, sheets and questions."""
    out = [
        f"# Call {call.reference}, exported from the registry. Change the reference and the",
        "# deadlines, then `commons call load` this file to start the next call.",
        f"reference = {_v(call.reference)}",
        f"title = {_v(call.title)}",
        f"text = {_v(call.text)}",
        f"act_kind = {_v(call.act_kind)}",
        f"threshold = {_v(call.threshold)}",
    ]
    if call.chair is not None:
        out.append(f"chair = {_v(call.chair.email)}")
    out.append(f"evaluators = {_v([e.user.email for e in call.evaluators])}")
    out += [
        "",
        "[eligibility]",
        f"proponent_kinds = {_v(list(call.proponent_kinds))}",
        f"min_groups = {call.min_groups}",
        f"no_economic_advantage = {_v(call.no_advantage_required)}",
    ]
    for theme in call.themes:
        out += ["", "[[themes]]", f"key = {_v(theme['key'])}", f"title = {_v(theme['title'])}"]
    for offer in call.offers:
        out += ["", "[[commons]]", f"id = {offer.commons_id}  # {offer.commons.name}"]
        if offer.floor_area_m2 is not None:
            out.append(f"floor_area_m2 = {_v(offer.floor_area_m2)}")
        for key in ("condition", "constraints", "plans", "visiting_slots", "themes"):
            out.append(f"{key} = {_v(getattr(offer, key))}")
    for batch in call.batches:
        out += [
            "",
            "[[batches]]",
            f"label = {_v(batch.label)}",
            f"deadline = {_v(batch.deadline)}",
            f"themes = {_v(batch.themes)}",
        ]
    for item in call.criteria:
        out += ["", "[[criteria]]"]
        for key in ("key", "title", "description", "weight", "max_points"):
            out.append(f"{key} = {_v(getattr(item, key))}")
    for item in call.questions:
        out += ["", "[[questions]]"]
        out += [f"{key} = {_v(item[key])}" for key in ("key", "text", "required")]
    for item in call.faq:
        out += [
            "",
            "[[faq]]",
            f"question = {_v(item['question'])}",
            f"answer = {_v(item['answer'])}",
        ]
    return "\n".join(out) + "\n"
