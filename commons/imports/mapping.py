"""The mapping file of an import: which column holds which field, what the city's words mean.

``load_mapping`` reads the TOML file and checks all of it before any row is read: an unknown
table or key, a state the lifecycle lacks, a kind that does not exist each become a problem
naming the key and what is known, listed together in one :class:`ImportProblem`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from commons.groups.models import GroupKind
from commons.proposals.models import PactType
from commons.registry.models import CommonsKind

FIELDS = (
    "id",
    "title",
    "latitude",
    "longitude",
    "address",
    "commons_name",
    "neighbourhood",
    "district",
    "action_area",
    "proponent_type",
    "representative",
    "status",
    "acts_notes",
    "pdf_url",
    "signed_on",
    "start_date",
    "end_date",
    "duration_months",
    "act_number",
    "act_date",
    "notes",
)
REQUIRED_COLUMNS = ("id", "title", "status")
TABLES = {
    "csv": ("delimiter", "encoding"),
    "spreadsheet": ("sheet",),
    "columns": FIELDS,
    "status": None,  # the city's words: any key
    "status_rules": None,  # an array of tables, checked below
    "proponent_types": None,
    "commons_merge": None,
    "defaults": (
        "pact_type",
        "commons_kind",
        "proponent_type",
        "unnamed_proponent",
        "imported_by",
        "date_format",
    ),
}
RULE_KEYS = ("word", "column", "value", "contains", "state")
DATE_FORMATS = ("dd/mm/yyyy", "mm/dd/yyyy", "yyyy-mm-dd")


class ImportProblem(Exception):
    """The mapping or the file cannot be used at all; the message says why."""


def norm(text: str | None) -> str:
    """Compare words ignoring case and runs of spaces."""
    return " ".join((text or "").split()).casefold()


def fold(text: str | None) -> str:
    """A place's key: ignoring case, accents, spaces and punctuation ("Piazza  Borsà" ==
    "piazza borsa" == "PiazzaBorsa")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", bare.casefold())


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


@dataclass(frozen=True)
class StatusRule:
    """``word`` means ``state`` when the cell of ``column`` equals ``value`` (or contains
    ``contains``), compared ignoring case and spaces."""

    word: str
    column: str
    state: str
    value: str | None = None
    contains: str | None = None

    def matches(self, cell: str) -> bool:
        if self.value is not None:
            return norm(cell) == norm(self.value)
        return norm(self.contains) in norm(cell)


@dataclass
class Mapping:
    columns: dict[str, str]
    status: dict[str, str]
    proponent_types: dict[str, str]
    status_rules: list[StatusRule] = field(default_factory=list)
    commons_merge: dict[str, str] = field(default_factory=dict)  # fold(spelling) -> spelling
    delimiter: str | None = None
    encoding: str = "utf-8-sig"
    sheet: str | None = None
    pact_type: str = PactType.ORDINARY.value
    commons_kind: str = CommonsKind.OTHER.value
    proponent_type: str | None = None
    unnamed_proponent: str = "Unnamed proponent"
    imported_by: str = ""
    date_format: str = "dd/mm/yyyy"

    def rule_words(self) -> set[str]:
        return {norm(rule.word) for rule in self.status_rules}


def _unknown_keys(data: dict, problems: list[str]) -> None:
    for name, value in data.items():
        if name not in TABLES:
            problems.append(f"[{name}]: unknown table (known: {', '.join(TABLES)})")
            continue
        known = TABLES[name]
        if known is None or not isinstance(value, dict):
            continue
        for key in value:
            if key not in known:
                problems.append(f"[{name}] {key}: unknown key (known: {', '.join(known)})")


def load_mapping(path: str | Path, states: Iterable[str]) -> Mapping:
    """Read and check a mapping file; raise ImportProblem listing every mistake in it."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as error:
        raise ImportProblem(f"cannot read the mapping {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ImportProblem(f"the mapping {path} is not valid TOML: {error}") from None
    states = set(states)
    known_states = ", ".join(sorted(states))
    problems: list[str] = []
    _unknown_keys(data, problems)

    def table(name: str) -> dict:
        value = data.get(name, {})
        if not isinstance(value, dict):
            problems.append(f"[{name}] must be a table")
            return {}
        return value

    columns_raw = table("columns")
    columns: dict[str, str] = {}
    for key, header in columns_raw.items():
        if key not in FIELDS:
            continue  # reported by _unknown_keys
        if not isinstance(header, str) or not header.strip():
            problems.append(f"[columns] {key}: give the column's header as text")
        else:
            columns[key] = header.strip()
    for key in REQUIRED_COLUMNS:
        if key not in columns_raw:
            problems.append(f"[columns] {key}: required, name the column that holds it")

    status: dict[str, str] = {}
    for word, state in table("status").items():
        if state not in states:
            problems.append(f"[status] {word!r} = {state!r}: unknown state (known: {known_states})")
        else:
            status[norm(word)] = state

    rules: list[StatusRule] = []
    raw_rules = data.get("status_rules", [])
    if not isinstance(raw_rules, list):
        problems.append("[[status_rules]] must be an array of tables ([[status_rules]] each)")
        raw_rules = []
    for number, raw in enumerate(raw_rules, start=1):
        where = f"[[status_rules]] #{number}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a table")
            continue
        for key in raw:
            if key not in RULE_KEYS:
                problems.append(f"{where} {key}: unknown key (known: {', '.join(RULE_KEYS)})")
        missing = [k for k in ("word", "column", "state") if not str(raw.get(k, "")).strip()]
        if missing:
            problems.append(f"{where}: give {', '.join(missing)}")
            continue
        if ("value" in raw) == ("contains" in raw):
            problems.append(f"{where}: give either value or contains")
            continue
        if raw["state"] not in states:
            problems.append(
                f"{where} state {raw['state']!r}: unknown state (known: {known_states})"
            )
            continue
        rules.append(
            StatusRule(
                word=str(raw["word"]),
                column=str(raw["column"]),
                state=raw["state"],
                value=str(raw["value"]) if "value" in raw else None,
                contains=str(raw["contains"]) if "contains" in raw else None,
            )
        )
    if "status" not in data and not rules:
        problems.append("[status] is missing: map the file's status words to states")
    elif not status and not rules:
        problems.append("[status] is empty: map at least one status word to a state")

    kinds = [k.value for k in GroupKind]
    proponent_types: dict[str, str] = {}
    for word, kind in table("proponent_types").items():
        if kind not in kinds:
            problems.append(
                f"[proponent_types] {word!r} = {kind!r}: unknown kind (known: {', '.join(kinds)})"
            )
        else:
            proponent_types[norm(word)] = kind

    merge: dict[str, str] = {}
    for spelling, into in table("commons_merge").items():
        if not isinstance(into, str) or not into.strip():
            problems.append(f"[commons_merge] {spelling!r}: give the spelling to merge it into")
        else:
            merge[fold(spelling)] = into.strip()

    csv_table = table("csv")
    delimiter = csv_table.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        problems.append('[csv] delimiter: give one character, such as ";" or ","')
    encoding = csv_table.get("encoding", "utf-8-sig")
    try:
        "".encode(encoding)
    except (LookupError, TypeError):
        problems.append(f"[csv] encoding: unknown encoding {encoding!r}")
    sheet = table("spreadsheet").get("sheet")
    if sheet is not None and (not isinstance(sheet, str) or not sheet.strip()):
        problems.append("[spreadsheet] sheet: give the sheet's name as text")

    defaults = table("defaults")
    pact_type = defaults.get("pact_type", PactType.ORDINARY.value)
    if pact_type not in [p.value for p in PactType]:
        problems.append(f"[defaults] pact_type: {pact_type!r} is not ordinary or complex")
    commons_kind = defaults.get("commons_kind", CommonsKind.OTHER.value)
    if commons_kind not in [k.value for k in CommonsKind]:
        problems.append(f"[defaults] commons_kind: unknown kind {commons_kind!r}")
    default_type = defaults.get("proponent_type")
    if default_type is not None and default_type not in kinds:
        problems.append(f"[defaults] proponent_type: unknown kind {default_type!r}")
    date_format = defaults.get("date_format", "dd/mm/yyyy")
    if date_format not in DATE_FORMATS:
        problems.append(
            f"[defaults] date_format: {date_format!r} (known: {', '.join(DATE_FORMATS)})"
        )

    if problems:
        raise ImportProblem(
            f"the mapping {path} has {len(problems)} problem(s):\n  " + "\n  ".join(problems)
        )
    return Mapping(
        columns=columns,
        status=status,
        proponent_types=proponent_types,
        status_rules=rules,
        commons_merge=merge,
        delimiter=delimiter,
        encoding=encoding,
        sheet=sheet,
        pact_type=pact_type,
        commons_kind=commons_kind,
        proponent_type=default_type,
        unnamed_proponent=str(defaults.get("unnamed_proponent", "Unnamed proponent")),
        imported_by=str(defaults.get("imported_by", "")),
        date_format=date_format,
    )
