"""Import a city's existing register of pacts (a CSV file) into commons, groups and proposals.

A mapping file (TOML, see docs/import.md and docs/import-mapping-it.toml) says which column
holds which field and which lifecycle state each of the city's status words means.

The import has two phases. ``read_register`` and ``plan_import`` read and check every row
without writing anything and collect every error (row, column, reason). ``apply_plan`` then
creates the commons, proponent groups and proposals of the valid rows in the current
transaction; the caller commits once, or rolls back for a dry run.

Each imported proposal is created directly in its mapped state: an import records history, it
does not live it, so this is the one place besides ``workflows.fire`` that writes ``status``.
Its natural key is the protocol number ``IMP/<source id>``; a row whose key exists already is
reported as already imported and left unchanged, so importing the same file twice is harmless.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from commons.audit.operations import append_event
from commons.auth.models import Role, User, UserRole
from commons.auth.operations import create_group, find_user_by_email
from commons.extensions import db
from commons.groups.models import GroupKind, ProponentGroup
from commons.inputs import BIDI_CONTROLS
from commons.lifecycle.states import ended_after_signing
from commons.proposals.models import PactType, Proposal
from commons.registry.forms import parse_coordinate
from commons.registry.models import Availability, Commons, CommonsKind
from commons.registry.operations import create_commons, update_commons

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
)
REQUIRED_COLUMNS = ("id", "title", "status")
MARKER = "IMP/"
MAX_ID_LENGTH = 20 - len(MARKER)  # protocol_number is VARCHAR(20)
TRIGGER = "imported"


class ImportProblem(Exception):
    """The mapping or the file cannot be used at all; the message says why."""


def norm(text: str | None) -> str:
    """Compare words ignoring case and runs of spaces."""
    return " ".join((text or "").split()).casefold()


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


@dataclass
class Mapping:
    columns: dict[str, str]
    status: dict[str, str]
    proponent_types: dict[str, str]
    delimiter: str | None = None
    encoding: str = "utf-8-sig"
    pact_type: str = PactType.ORDINARY.value
    commons_kind: str = CommonsKind.OTHER.value
    proponent_type: str | None = None
    unnamed_proponent: str = "Unnamed proponent"
    imported_by: str = ""


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
    problems: list[str] = []

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
            problems.append(f"[columns] {key}: unknown field (known: {', '.join(FIELDS)})")
        elif not isinstance(header, str) or not header.strip():
            problems.append(f"[columns] {key}: give the column's header as text")
        else:
            columns[key] = header.strip()
    for key in REQUIRED_COLUMNS:
        if key not in columns_raw:
            problems.append(f"[columns] {key}: required, name the column that holds it")

    status: dict[str, str] = {}
    for word, state in table("status").items():
        if state not in states:
            problems.append(
                f"[status] {word!r} = {state!r}: unknown state (known: {', '.join(sorted(states))})"
            )
        else:
            status[norm(word)] = state
    if not status and "status" in data:
        problems.append("[status] is empty: map at least one status word to a state")
    elif "status" not in data:
        problems.append("[status] is missing: map the file's status words to states")

    kinds = [k.value for k in GroupKind]
    proponent_types: dict[str, str] = {}
    for word, kind in table("proponent_types").items():
        if kind not in kinds:
            problems.append(
                f"[proponent_types] {word!r} = {kind!r}: unknown kind (known: {', '.join(kinds)})"
            )
        else:
            proponent_types[norm(word)] = kind

    csv_table = table("csv")
    delimiter = csv_table.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        problems.append('[csv] delimiter: give one character, such as ";" or ","')
    encoding = csv_table.get("encoding", "utf-8-sig")
    try:
        "".encode(encoding)
    except (LookupError, TypeError):
        problems.append(f"[csv] encoding: unknown encoding {encoding!r}")

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

    if problems:
        raise ImportProblem(
            f"the mapping {path} has {len(problems)} problem(s):\n  " + "\n  ".join(problems)
        )
    return Mapping(
        columns=columns,
        status=status,
        proponent_types=proponent_types,
        delimiter=delimiter,
        encoding=encoding,
        pact_type=pact_type,
        commons_kind=commons_kind,
        proponent_type=default_type,
        unnamed_proponent=str(defaults.get("unnamed_proponent", "Unnamed proponent")),
        imported_by=str(defaults.get("imported_by", "")),
    )


@dataclass
class Record:
    """One non-blank line of the file: its line number, our fields and the row as written."""

    row: int
    values: dict[str, str]
    source: dict[str, str]
    extra_cells: bool = False


@dataclass
class Register:
    path: Path
    headers: list[str]
    records: list[Record]
    blank_lines: int
    # our field -> the header as written in the file, for error messages
    column_names: dict[str, str]


def _detect_delimiter(first_line: str) -> str:
    try:
        return csv.Sniffer().sniff(first_line, delimiters=";,").delimiter
    except csv.Error:
        return ";" if first_line.count(";") >= first_line.count(",") else ","


def read_register(path: str | Path, mapping: Mapping) -> Register:
    """Read the file; raise ImportProblem if it cannot be read or lacks a mapped column."""
    path = Path(path)
    try:
        text = path.read_bytes().decode(mapping.encoding)
    except OSError as error:
        raise ImportProblem(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ImportProblem(
            f"{path} is not in the encoding {mapping.encoding} (byte {error.start}); "
            'set [csv] encoding in the mapping, e.g. "cp1252"'
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise ImportProblem(f"{path} is empty")
    delimiter = mapping.delimiter or _detect_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    records: list[Record] = []
    blank = 0
    index: dict[str, int] = {}
    column_names: dict[str, str] = {}
    for cells in reader:
        cells = [c.strip() for c in cells]
        if not any(cells):
            if headers is not None:
                blank += 1
            continue
        if headers is None:
            headers = cells
            by_norm = {norm(h): i for i, h in enumerate(headers) if h}
            missing = []
            for key, header in mapping.columns.items():
                if norm(header) in by_norm:
                    index[key] = by_norm[norm(header)]
                    column_names[key] = headers[index[key]]
                else:
                    missing.append(f"{key} = {header!r}")
            if missing:
                raise ImportProblem(
                    f"the file's header lacks columns named in [columns]: {', '.join(missing)}. "
                    f"The file's columns are: {', '.join(repr(h) for h in headers if h)} "
                    f"(delimiter {delimiter!r})"
                )
            continue
        values = {key: (cells[i] if i < len(cells) else "") for key, i in index.items()}
        source = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h}
        extra = any(cells[len(headers) :])
        records.append(Record(reader.line_num, values, source, extra))
    if headers is None:
        raise ImportProblem(f"{path} has no header line")
    return Register(path, headers, records, blank, column_names)


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
    outcome: str = ""  # filled by apply_plan


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    already_imported: list[tuple[int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    invalid_rows: set[int] = field(default_factory=set)
    blank_lines: int = 0


def existing_keys() -> set[str]:
    """Protocol numbers of proposals imported before."""
    stmt = select(Proposal.protocol_number).where(Proposal.protocol_number.like(f"{MARKER}%"))
    return set(db.session.scalars(stmt))


def plan_import(register: Register, mapping: Mapping, profile, existing: set[str]) -> Plan:
    """Check every row; return the rows to import, those already imported and every error."""
    plan = Plan(blank_lines=register.blank_lines)
    names = register.column_names
    # States reached only after the pact was signed, besides the profile's in-force states.
    signed = set(profile.in_force) | ended_after_signing(profile)
    seen: dict[str, int] = {}
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

        state = ""
        word = v.get("status", "")
        if not word:
            error("status", "the status is required")
        elif norm(word) not in mapping.status:
            error("status", f"unknown status word {word!r}: add it to [status] in the mapping")
        else:
            state = mapping.status[norm(word)]

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

        address = v.get("address", "")
        commons_name = v.get("commons_name", "") or address
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

        representative = v.get("representative", "")
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

        if errors:
            plan.errors.extend(errors)
            plan.invalid_rows.add(record.row)
            continue
        plan.rows.append(
            PlannedRow(
                row=record.row,
                source_id=source_id,
                title=title,
                state=state,
                commons_name=commons_name,
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
                pdf_url=v.get("pdf_url", ""),
                source=record.source,
            )
        )
    return plan


@dataclass
class Counts:
    commons_created: int = 0
    commons_reused: int = 0
    groups_created: int = 0
    groups_reused: int = 0
    proposals_created: int = 0


def _imported_representative(name: str, kind: str) -> tuple[User, bool]:
    """The account standing for an imported representative: it can never log in.

    Its e-mail is under the reserved ``.invalid`` domain, its password hash matches no password
    (it is not an argon2 hash) and it is deactivated.
    """
    email = f"imported+{slug(name)[:200]}-{kind}@invalid"
    user = find_user_by_email(email)
    if user is not None:
        return user, False
    user = User(
        email=email,
        full_name=name,
        password_hash="!imported:" + secrets.token_hex(16),
        active=False,
    )
    user.role_rows = [UserRole(role=Role.CITIZEN.value)]
    db.session.add(user)
    db.session.flush()
    append_event(
        "user_created",
        actor_role="import",
        payload={"user_id": user.id, "roles": [Role.CITIZEN.value], "imported": True},
        public=False,
    )
    return user, True


def _group_for(row: PlannedRow, cache: dict, counts: Counts) -> tuple[ProponentGroup, str]:
    key = (row.group_name, row.group_kind)
    if key in cache:
        counts.groups_reused += 1
        return cache[key], "same as above"
    user, new_user = _imported_representative(row.group_name, row.group_kind)
    group = None
    if not new_user:
        group = db.session.scalar(
            select(ProponentGroup)
            .where(ProponentGroup.representative_id == user.id)
            .where(ProponentGroup.kind == row.group_kind)
            .order_by(ProponentGroup.id)
            .limit(1)
        )
    if group is None:
        group = create_group(name=row.group_name, kind=row.group_kind, representative=user)
        counts.groups_created += 1
        how = "new"
    else:
        counts.groups_reused += 1
        how = "existing"
    cache[key] = group
    return group, how


def _commons_for(
    row: PlannedRow, mapping: Mapping, in_force: bool, cache: dict, counts: Counts
) -> tuple[Commons, str]:
    key = (row.commons_name, row.address)
    commons = cache.get(key)
    how = "same as above"
    if commons is None:
        commons = db.session.scalar(
            select(Commons)
            .where(Commons.name == row.commons_name)
            .where(Commons.address == row.address)
            .order_by(Commons.id)
            .limit(1)
        )
        how = "existing"
    if commons is None:
        commons = create_commons(
            name=row.commons_name,
            kind=mapping.commons_kind,
            address=row.address,
            district=row.district,
            neighbourhood=row.neighbourhood,
            latitude=row.latitude,
            longitude=row.longitude,
            availability=(Availability.IN_PACT if in_force else Availability.AVAILABLE).value,
        )
        counts.commons_created += 1
        how = "new"
    else:
        counts.commons_reused += 1
        if in_force and commons.availability != Availability.IN_PACT.value:
            # Not an edit from a page: the import marks what the pact in force implies.
            update_commons(commons, base_version=None, availability=Availability.IN_PACT.value)
    cache[key] = commons
    return commons, how


def apply_plan(
    plan: Plan,
    mapping: Mapping,
    profile,
    *,
    filename: str,
    on_row: Callable[[], None] | None = None,
) -> Counts:
    """Create the planned rows in the current transaction (flushes, never commits)."""
    counts = Counts()
    commons_cache: dict = {}
    group_cache: dict = {}
    for row in plan.rows:
        in_force = row.state in profile.in_force
        commons, commons_how = _commons_for(row, mapping, in_force, commons_cache, counts)
        group, group_how = _group_for(row, group_cache, counts)
        proposal = Proposal(
            title=row.title,
            pact_type=mapping.pact_type,
            group=group,
            representative=group.representative,
            commons=[commons],
            objectives="",
            activities=row.action_area,
            support_requested=[],
            support_notes="",
            status=row.state,
            protocol_number=MARKER + row.source_id,
            profile=profile.name,
        )
        db.session.add(proposal)
        db.session.flush()
        append_event(
            TRIGGER,
            actor_role="import",
            proposal=proposal,
            from_state=None,
            to_state=row.state,
            payload={
                "source_row": row.source,
                "source_id": row.source_id,
                "file": filename,
                "row": row.row,
                "acts_notes": row.acts_notes,
                "pdf_url": row.pdf_url,
                "imported_by": mapping.imported_by,
            },
            public=True,
        )
        counts.proposals_created += 1
        row.outcome = (
            f"commons {row.commons_name!r} ({commons_how}), "
            f"group {row.group_name!r} {row.group_kind} ({group_how})"
        )
        if on_row is not None:
            on_row()
    return counts
