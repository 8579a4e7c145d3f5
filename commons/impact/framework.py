"""Impact frameworks: the indicators a monitoring report records, as data.

Each ``commons/impact/frameworks/*.toml`` file is one version of one framework (``id`` and
``version``); a report keeps the id and version it was filled with, so changing a framework
(a new file with a higher version) leaves older reports readable with their own labels. The
loader refuses a bad file with a message naming the file and the key, like the regulation
profiles (workflows/profile.py).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

FRAMEWORKS_DIR = Path(__file__).parent / "frameworks"
DEFAULT = "default"
LANGUAGES = ("en", "it")
TYPES = ("count", "hours", "area", "money", "percentage", "choice", "text")
# The types whose values are figures: they may be summed and broken down.
NUMERIC = ("count", "hours", "area", "money", "percentage")
BREAKDOWNS = ("age_band", "gender", "newcomers", "disadvantaged", "district")
PACT_TYPES = ("ordinary", "complex")
TEXT_MAX = 2000


class FrameworkError(ValueError):
    """A framework file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Choice:
    id: str
    labels: dict[str, str]

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Breakdown:
    """A dimension a figure may be broken down by; ``from_register`` takes the districts of
    the register's commons as categories."""

    id: str
    labels: dict[str, str]
    categories: tuple[Choice, ...] = ()
    from_register: bool = False

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Indicator:
    id: str
    type: str
    labels: dict[str, str]
    units: dict[str, str]
    required: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[Choice, ...] = ()
    breakdowns: tuple[str, ...] = ()
    pact_types: tuple[str, ...] = PACT_TYPES
    states: tuple[str, ...] = ()  # empty: every state a report may be filed in

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]

    def unit(self, lang: str) -> str:
        return self.units.get(lang) or self.units.get("en", "")

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC

    def applies_to(self, pact_type: str, state: str) -> bool:
        return pact_type in self.pact_types and (not self.states or state in self.states)


@dataclass(frozen=True)
class Framework:
    id: str
    version: int
    labels: dict[str, str]
    indicators: tuple[Indicator, ...]
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    path: Path | None = None

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def for_pact(self, pact_type: str, state: str) -> tuple[Indicator, ...]:
        """The indicators a report on a pact of ``pact_type`` in ``state`` collects."""
        return tuple(i for i in self.indicators if i.applies_to(pact_type, state))


def _fail(path: Path, key: str, message: str):
    raise FrameworkError(f"{path.name}: {key}: {message}")


def _labels(path: Path, raw, key: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) and v.strip() for v in raw.values()):
        _fail(path, key, f"must be a table of labels per language ({', '.join(LANGUAGES)})")
    missing = [lang for lang in LANGUAGES if lang not in raw]
    if missing:
        _fail(path, key, f"no label in {', '.join(missing)}")
    return dict(raw)


def _names(path: Path, raw, key: str, known) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        _fail(path, key, "must be a list of names")
    for name in raw:
        if name not in known:
            _fail(path, key, f"unknown name {name!r}; known: {', '.join(sorted(known))}")
    return tuple(raw)


def _choices(path: Path, raw, key: str) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(c, dict) for c in raw):
        _fail(path, key, "must be a non-empty list of { id = ..., labels = { ... } } tables")
    seen: set[str] = set()
    out = []
    for i, item in enumerate(raw):
        cid = item.get("id")
        if not isinstance(cid, str) or not cid.isidentifier():
            _fail(path, f"{key}[{i}].id", "missing or not a name (letters, digits, _)")
        if cid in seen:
            _fail(path, f"{key}[{i}].id", f"{cid!r} is listed twice")
        seen.add(cid)
        out.append(Choice(cid, _labels(path, item.get("labels"), f"{key}[{i}].labels")))
    return tuple(out)


def _number(path: Path, raw, key: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        _fail(path, key, "must be a number")
    return raw


def _state_names() -> set[str]:
    import workflows

    names: set[str] = set()
    for profile in workflows.profile_names():
        names |= set(workflows.get_profile(profile).states)
    return names


def parse(path: Path, states: set[str] | None = None) -> Framework:
    """Read and validate one framework file; :class:`FrameworkError` names file and key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise FrameworkError(f"{path.name}: not valid TOML: {error}") from None
    fid = data.get("id")
    if not isinstance(fid, str) or not fid.isidentifier():
        _fail(path, "id", "missing or not a name (letters, digits, _)")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        _fail(path, "version", "must be a whole number, 1 or more")
    labels = _labels(path, data.get("labels"), "labels")

    breakdowns: dict[str, Breakdown] = {}
    raw_breakdowns = data.get("breakdowns", {})
    if not isinstance(raw_breakdowns, dict):
        _fail(path, "breakdowns", "must be a table of breakdowns")
    for bid, raw in raw_breakdowns.items():
        key = f"breakdowns.{bid}"
        if bid not in BREAKDOWNS:
            _fail(path, key, f"unknown breakdown {bid!r}; known: {', '.join(BREAKDOWNS)}")
        if not isinstance(raw, dict):
            _fail(path, key, "must be a table")
        from_register = raw.get("from_register", False) is True
        if from_register and bid != "district":
            _fail(path, f"{key}.from_register", "only the district breakdown can take them")
        categories = (
            () if from_register else _choices(path, raw.get("categories"), f"{key}.categories")
        )
        breakdowns[bid] = Breakdown(
            bid, _labels(path, raw.get("labels"), f"{key}.labels"), categories, from_register
        )

    states = _state_names() if states is None else states
    raw_indicators = data.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        _fail(path, "indicators", "at least one [[indicators]] table is needed")
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_indicators):
        key = f"indicators[{n}]"
        iid = raw.get("id")
        if not isinstance(iid, str) or not iid.isidentifier():
            _fail(path, f"{key}.id", "missing or not a name (letters, digits, _)")
        key = f"indicators.{iid}"
        if iid in seen:
            _fail(path, f"{key}.id", "listed twice")
        seen.add(iid)
        kind = raw.get("type")
        if kind not in TYPES:
            _fail(path, f"{key}.type", f"unknown type {kind!r}; known: {', '.join(TYPES)}")
        units = raw.get("unit", {})
        if units:
            units = _labels(path, units, f"{key}.unit")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            _fail(path, f"{key}.required", "must be true or false")
        low = _number(path, raw.get("min"), f"{key}.min")
        high = _number(path, raw.get("max"), f"{key}.max")
        if kind in NUMERIC:
            low = 0 if low is None else low
            if low < 0:
                _fail(path, f"{key}.min", "figures cannot be negative")
            if kind == "percentage":
                high = 100 if high is None else high
                if high > 100:
                    _fail(path, f"{key}.max", "a percentage is at most 100")
            if high is not None and high < low:
                _fail(path, f"{key}.max", "is below min")
        elif low is not None or high is not None:
            _fail(path, f"{key}.min", f"bounds apply only to figures ({', '.join(NUMERIC)})")
        choices = ()
        if kind == "choice":
            choices = _choices(path, raw.get("choices"), f"{key}.choices")
        elif "choices" in raw:
            _fail(path, f"{key}.choices", "only an indicator of type choice has choices")
        dims = _names(path, raw.get("breakdowns", []), f"{key}.breakdowns", BREAKDOWNS)
        if dims and kind not in NUMERIC:
            _fail(path, f"{key}.breakdowns", "only figures can be broken down")
        for dim in dims:
            if dim not in breakdowns:
                _fail(path, f"{key}.breakdowns", f"{dim!r} is not defined under [breakdowns]")
        pact_types = _names(
            path, raw.get("pact_types", list(PACT_TYPES)), f"{key}.pact_types", PACT_TYPES
        )
        indicators.append(
            Indicator(
                id=iid,
                type=kind,
                labels=_labels(path, raw.get("labels"), f"{key}.labels"),
                units=units,
                required=required,
                min=low,
                max=high,
                choices=choices,
                breakdowns=dims,
                pact_types=pact_types,
                states=_names(path, raw.get("states", []), f"{key}.states", states),
            )
        )
    return Framework(fid, version, labels, tuple(indicators), breakdowns, path)


def load_dir(directory: Path) -> dict[tuple[str, int], Framework]:
    """Every framework file of ``directory``, by (id, version); two files with the same id
    and version are refused."""
    found: dict[tuple[str, int], Framework] = {}
    for path in sorted(directory.glob("*.toml")):
        framework = parse(path)
        key = (framework.id, framework.version)
        if key in found:
            _fail(
                path,
                "version",
                f"{framework.id} version {framework.version} is also in {found[key].path.name}",
            )
        found[key] = framework
    return found


@cache
def _loaded(directory: Path) -> dict[tuple[str, int], Framework]:
    return load_dir(directory)


def frameworks() -> dict[tuple[str, int], Framework]:
    """The frameworks shipped with the application, by (id, version)."""
    return _loaded(FRAMEWORKS_DIR)


def get(framework_id: str, version: int) -> Framework | None:
    """One version of a framework, or None when no file holds it any more."""
    return frameworks().get((framework_id, version))


def current(framework_id: str = DEFAULT) -> Framework:
    """The highest version of a framework: the one new reports are filled with."""
    versions = [f for (fid, _v), f in frameworks().items() if fid == framework_id]
    if not versions:
        raise FrameworkError(f"no framework {framework_id!r} in {FRAMEWORKS_DIR}")
    return max(versions, key=lambda f: f.version)


def _problem(message: str):
    raise ValueError(message)


def clean_report(raw) -> dict:
    """Check the indicator values given with a report against the framework they name:
    ``{"framework": id, "version": n, "values": {...}, "breakdowns": {...}}``. Returns it
    cleaned, or raises ValueError saying what is wrong (the form checks the same earlier,
    field by field)."""
    from flask_babel import gettext as _

    if not isinstance(raw, dict):
        _problem(_("not a set of indicator values"))
    framework = get(str(raw.get("framework")), raw.get("version"))
    if framework is None:
        _problem(_("unknown impact framework or version"))
    values = raw.get("values") or {}
    breakdowns = raw.get("breakdowns") or {}
    if not isinstance(values, dict) or not isinstance(breakdowns, dict):
        _problem(_("not a set of indicator values"))
    clean: dict = {}
    for iid, value in values.items():
        indicator = framework.indicator(iid)
        if indicator is None:
            _problem(_("unknown indicator %(id)s", id=iid))
        clean[iid] = _clean_value(indicator, value)
    clean_breakdowns: dict = {}
    for iid, dims in breakdowns.items():
        indicator = framework.indicator(iid)
        if indicator is None or not isinstance(dims, dict):
            _problem(_("unknown indicator %(id)s", id=iid))
        for dim, categories in dims.items():
            if dim not in indicator.breakdowns or not isinstance(categories, dict):
                _problem(_("%(id)s has no breakdown %(dim)s", id=iid, dim=dim))
            known = {c.id for c in framework.breakdowns[dim].categories}
            for category, value in categories.items():
                if not framework.breakdowns[dim].from_register and category not in known:
                    _problem(_("%(id)s has no breakdown %(dim)s", id=iid, dim=dim))
                figure = _clean_value(indicator, value)
                if iid not in clean or figure > clean[iid]:
                    _problem(_("a breakdown of %(id)s is above its total", id=iid))
                clean_breakdowns.setdefault(iid, {}).setdefault(dim, {})[category] = figure
    return {
        "framework": framework.id,
        "version": framework.version,
        "values": clean,
        "breakdowns": clean_breakdowns,
    }


def _clean_value(indicator: Indicator, value):
    from flask_babel import gettext as _

    if indicator.numeric:
        whole = indicator.type == "count"
        if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
            _problem(_("%(id)s must be a number", id=indicator.id))
        if value < (indicator.min or 0) or (indicator.max is not None and value > indicator.max):
            _problem(_("%(id)s is out of bounds", id=indicator.id))
        return value
    if indicator.type == "choice":
        if value not in {c.id for c in indicator.choices}:
            _problem(_("%(id)s is not one of its choices", id=indicator.id))
        return value
    if not isinstance(value, str) or len(value) > TEXT_MAX:
        _problem(
            _("%(id)s must be a text of at most %(n)d characters", id=indicator.id, n=TEXT_MAX)
        )
    return value


def filled(values: dict, breakdowns: dict | None = None, framework_id: str = DEFAULT) -> dict:
    """Indicator values as a report carries them (the ``impact`` datum of ``file_report``),
    for the current version of ``framework_id``; checked as the engine will check them."""
    framework = current(framework_id)
    return clean_report(
        {
            "framework": framework.id,
            "version": framework.version,
            "values": values,
            "breakdowns": breakdowns or {},
        }
    )
