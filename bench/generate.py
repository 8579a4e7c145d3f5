"""Fill a database with a large, realistic data set for the benchmarks.

    python -m bench.generate --commons 100000 --proposals 100000 --events 1000000 \\
        [--users N] [--groups N] [--database-url URL] [--seed S] [--batch 5000]

Works on any SQLAlchemy URL the app supports (SQLite, ``postgresql+psycopg://...``); creates
the schema when the tables are missing and otherwise appends: ids continue after the highest
one, protocol numbers embed the id, and the audit chain continues from its head.

What it writes, Bologna-like:
- users: citizens mostly, a few officers, legal officers, auditors and one admin per run;
  all share the password "commons-bench-password" (one argon2id hash, computed once);
- proponent groups of every kind, each with a representative and members;
- commons spread over six districts and their neighbourhoods, with Italian names and addresses;
- proposals spread over every state of the "labsus" lifecycle, 1-3 commons each, with dates,
  protocol numbers, case officers consistent with the state they reached;
- audit events: each proposal's history (created, submit, take_in_charge ... sign, file_report,
  expire ...) along its lifecycle path, in time order, hash-chained like ``append_event`` does.
  The number of events is exact: monitoring reports absorb the difference between the natural
  histories and ``--events``; when fewer events are asked than the histories need, some
  proposals get no history at all (as if migrated from a spreadsheet).

Rows go in with SQLAlchemy Core ``insert()`` executemany, one transaction per batch.
Same seed and same starting database give the same data. Meant for a database nobody else is
writing to while it runs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date

from argon2 import PasswordHasher
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Engine, make_url

from bench.city import (
    ACTIVITIES,
    DESCRIPTIONS,
    DISTRICTS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    KIND_WEIGHTS,
    OWNER_OFFICES,
    STATUS_WEIGHTS,
    SURNAMES,
    TERM_MONTHS,
    _commons_name,
    _group_name,
    _slug,
    _tax_code,
    _weighted,
)
from bench.common import bulk_engine
from bench.history import History, _Plan
from bench.lifecycle import (
    DAY,
    IN_PACT,
    PROFILE_NAME,
    TERMINAL,
    _add_days,
    _day_date,
    _dt,
    _Path,
    _us,
    build_path,
)
from commons.audit.chain import GENESIS_HASH
from commons.audit.models import AuditChainHead, AuditEvent
from commons.auth.models import Role, User, UserRole
from commons.db import Base, import_all_models
from commons.groups.models import GroupKind, GroupMember, ProponentGroup
from commons.proposals.models import PactType, Proposal, Support, proposal_commons
from commons.registry.models import Availability, Commons, CommonsKind

# Core tables only: the generator never configures the ORM mappers, so it is not affected by
# relationships elsewhere in the models.
USERS = User.__table__
ROLES = UserRole.__table__
GROUPS = ProponentGroup.__table__
MEMBERS = GroupMember.__table__
COMMONS = Commons.__table__
PROPOSALS = Proposal.__table__
EVENTS = AuditEvent.__table__
HEAD = AuditChainHead.__table__

PASSWORD = "commons-bench-password"  # noqa: S105 - shared by generated test users
PROFILE = PROFILE_NAME
# Bologna adopted its regulation in 2014; a first run covers 2015 to the end of 2025, later
# runs take the same length of time starting after the data already there.
BASE_START_DAY = (date(2015, 1, 1) - date(1970, 1, 1)).days
SPAN_DAYS = (date(2026, 1, 1) - date(2015, 1, 1)).days


# --------------------------------------------------------------------------------------------
# The generator


class Generator(History):
    """Writes the data set; see the module docstring."""

    def __init__(self, engine: Engine, *, seed: int = 1, batch: int = 5000, out=sys.stdout):
        self.engine = engine
        self.rng = random.Random(seed)
        self.seed = seed
        self.batch = max(1, batch)
        self.out = out
        self.stats: dict[str, tuple[int, float]] = {}
        self.no_history = 0
        self.standalone_events = 0

    # output ------------------------------------------------------------------------------
    def say(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def _progress(self, label: str, done: int, started: float, final: bool) -> None:
        seconds = max(time.perf_counter() - started, 1e-9)
        line = f"{label:<16} {done:>11,} rows {seconds:8.1f} s {done / seconds:>11,.0f} rows/s"
        if final:
            if sys.stderr.isatty():
                print("\r" + " " * len(line) + "\r", end="", file=sys.stderr, flush=True)
            self.say(line)
        elif sys.stderr.isatty():
            print("\r" + line, end="", file=sys.stderr, flush=True)

    # writing -----------------------------------------------------------------------------
    def write(self, label: str, table, rows: Iterable[dict], *, uneven: bool = False) -> int:
        """Insert rows in executemany batches, one transaction each; return how many."""
        started = time.perf_counter()
        done = 0
        batch: list[dict] = []
        statement = insert(table)

        def flush() -> None:
            with self.engine.begin() as conn:
                if uneven:  # rows leaving a column out (SQL NULL) go in their own statement
                    shapes: dict[tuple, list[dict]] = {}
                    for row in batch:
                        shapes.setdefault(tuple(row), []).append(row)
                    for same in shapes.values():
                        conn.execute(statement, same)
                else:
                    conn.execute(statement, batch)

        for row in rows:
            batch.append(row)
            if len(batch) >= self.batch:
                flush()
                done += len(batch)
                batch = []
                self._progress(label, done, started, final=False)
        if batch:
            flush()
            done += len(batch)
        self._progress(label, done, started, final=True)
        previous = self.stats.get(label, (0, 0.0))
        self.stats[label] = (previous[0] + done, previous[1] + time.perf_counter() - started)
        return done

    # state already in the database -------------------------------------------------------
    def load_state(self) -> None:
        with self.engine.connect() as conn:
            self.max_ids = {
                name: conn.scalar(select(func.max(model.c.id))) or 0
                for name, model in (
                    ("users", USERS),
                    ("groups", GROUPS),
                    ("members", MEMBERS),
                    ("commons", COMMONS),
                    ("proposals", PROPOSALS),
                )
            }
            head = conn.execute(
                select(EVENTS.c.seq, EVENTS.c.hash, EVENTS.c.occurred_at)
                .order_by(EVENTS.c.seq.desc())
                .limit(1)
            ).first()
            self.head_seq, self.head_hash = (head[0], head[1]) if head else (0, GENESIS_HASH)
            latest = [BASE_START_DAY * DAY]
            if head:
                latest.append(_us(head[2]) + 1)
            last_proposal = conn.scalar(select(func.max(PROPOSALS.c.created_at)))
            if last_proposal is not None:
                latest.append(_us(last_proposal) + 1)
            self.citizens: list[tuple[int, str, str]] = []
            self.officers: list[int] = []
            self.legal: list[int] = []
            for uid, name, email, role in conn.execute(
                select(USERS.c.id, USERS.c.full_name, USERS.c.email, ROLES.c.role)
                .join(ROLES, ROLES.c.user_id == USERS.c.id)
                .order_by(USERS.c.id)
            ):
                if role == Role.CITIZEN:
                    self.citizens.append((uid, name, email))
                elif role == Role.OFFICER:
                    self.officers.append(uid)
                elif role == Role.LEGAL:
                    self.legal.append(uid)
            self.groups: list[tuple[int, int]] = [
                (gid, rep)
                for gid, rep in conn.execute(
                    select(GROUPS.c.id, GROUPS.c.representative_id).order_by(GROUPS.c.id)
                )
            ]
            self.commons: list[tuple[int, str]] = [
                tuple(row)
                for row in conn.execute(select(COMMONS.c.id, COMMONS.c.name).order_by(COMMONS.c.id))
            ]
        # Days are whole: a run starts on the first day after everything already there.
        self.start_day = -(-max(latest) // DAY)
        self.now_day = self.start_day + SPAN_DAYS

    def _registered_at(self, before_days: int) -> int:
        """A moment in the ``before_days`` days before the run's window opens."""
        return (self.start_day - self.rng.randint(1, before_days)) * DAY + self.rng.randrange(DAY)

    # users -------------------------------------------------------------------------------
    def users(self, count: int) -> None:
        if not count:
            return
        rng = self.rng
        password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(
            PASSWORD, salt=rng.randbytes(16)
        )
        staff = (
            ["admin"]
            + ["auditor"] * max(1, count // 5000)
            + ["legal"] * max(1, count // 1000)
            + ["officer"] * max(1, count // 200)
        )[: count // 2]
        first_id = self.max_ids["users"] + 1
        roles: list[dict] = []

        def rows() -> Iterator[dict]:
            for i in range(count):
                uid = first_id + i
                female = rng.random() < 0.5
                first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
                last = rng.choice(SURNAMES)
                role = staff[i] if i < len(staff) else Role.CITIZEN.value
                domain = "example.org" if role == "citizen" else "comune.bologna.example"
                email = f"{_slug(first)}.{_slug(last)}.{uid}@{domain}"
                full_name = f"{first} {last}"
                created = self._registered_at(365)
                roles.append({"user_id": uid, "role": role})
                if role == Role.CITIZEN:
                    self.citizens.append((uid, full_name, email))
                elif role == Role.OFFICER:
                    self.officers.append(uid)
                elif role == Role.LEGAL:
                    self.legal.append(uid)
                last_login = None
                if rng.random() < 0.7:
                    last_login = _dt(rng.randint(created, self.now_day * DAY))
                # Once the random session token: drawn still, so every later draw is unchanged.
                rng.getrandbits(192)
                yield {
                    "id": uid,
                    "email": email,
                    "full_name": full_name,
                    "tax_code": _tax_code(rng, first, last, female),
                    "password_hash": password_hash,
                    "session_generation": 0,
                    "active": rng.random() > 0.01,
                    "locale": rng.choices(["it", "en", None], [80, 10, 10])[0],
                    "last_login_at": last_login,
                    "created_at": _dt(created),
                    "updated_at": _dt(created),
                }

        self.write("users", USERS, rows())
        self.write("user_roles", ROLES, roles)

    # groups ------------------------------------------------------------------------------
    def proponent_groups(self, count: int) -> None:
        if not count:
            return
        if not self.citizens:
            raise SystemExit("no citizens to represent proponent groups: add --users")
        rng = self.rng
        kinds, cum = _weighted(
            {
                GroupKind.INDIVIDUAL: 35,
                GroupKind.INFORMAL_GROUP: 25,
                GroupKind.ASSOCIATION: 25,
                GroupKind.SCHOOL: 8,
                GroupKind.COMPANY: 7,
            }
        )
        sizes = {
            GroupKind.INDIVIDUAL: (0, 0),
            GroupKind.INFORMAL_GROUP: (2, 6),
            GroupKind.ASSOCIATION: (1, 5),
            GroupKind.SCHOOL: (1, 3),
            GroupKind.COMPANY: (0, 2),
        }
        first_id = self.max_ids["groups"] + 1
        member_id = self.max_ids["members"]
        members: list[dict] = []
        districts = list(DISTRICTS)

        def rows() -> Iterator[dict]:
            nonlocal member_id
            for i in range(count):
                gid = first_id + i
                kind = rng.choices(kinds, cum_weights=cum)[0]
                rep_id, rep_name, rep_email = rng.choice(self.citizens)
                street = rng.choice(DISTRICTS[rng.choice(districts)][2])
                surname = rep_name.rsplit(" ", 1)[-1]
                name, tax_code = _group_name(rng, kind, rep_name, surname, street)
                created = self._registered_at(300)
                self.groups.append((gid, rep_id))
                low, high = sizes[kind]
                chosen = {rep_id}
                for k in range(rng.randint(low, high)):
                    member_id += 1
                    user = rng.choice(self.citizens)
                    if rng.random() < 0.15 or user[0] in chosen:  # invited by e-mail only
                        first = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)
                        last = rng.choice(SURNAMES)
                        uid, full_name = None, f"{first} {last}"
                        email = f"{_slug(first)}.{_slug(last)}.g{gid}m{k}@example.net"
                        joined = None
                    else:
                        uid, full_name, email = user
                        joined = _dt(created + rng.randint(1, 30) * DAY)
                        chosen.add(uid)
                    members.append(
                        {
                            "id": member_id,
                            "group_id": gid,
                            "user_id": uid,
                            "full_name": full_name,
                            "email": email,
                            "tax_code": None,
                            "address": None,
                            "joined_at": joined,
                            "created_at": _dt(created),
                            "updated_at": _dt(created),
                        }
                    )
                yield {
                    "id": gid,
                    "name": name,
                    "kind": kind.value,
                    "tax_code": tax_code,
                    "address": None
                    if kind == GroupKind.INDIVIDUAL
                    else f"{street} {rng.randint(1, 180)}, 40100 Bologna",
                    "email": rep_email
                    if kind == GroupKind.INDIVIDUAL
                    else f"{_slug(name)[:24]}.{gid}@example.org",
                    "phone": f"+39 051 {rng.randint(200000, 6999999)}",
                    "representative_id": rep_id,
                    "created_at": _dt(created),
                    "updated_at": _dt(created),
                }

        self.write("proponent_groups", GROUPS, rows())
        self.write("group_members", MEMBERS, members)

    # commons -----------------------------------------------------------------------------
    def commons_rows(self, count: int) -> None:
        if not count:
            return
        rng = self.rng
        kinds, kind_cum = _weighted(KIND_WEIGHTS)
        districts, district_cum = _weighted({d: v[0] for d, v in DISTRICTS.items()})
        first_id = self.max_ids["commons"] + 1
        hood_names = {d: list(v[1]) for d, v in DISTRICTS.items()}

        def rows() -> Iterator[dict]:
            for i in range(count):
                cid = first_id + i
                kind = rng.choices(kinds, cum_weights=kind_cum)[0]
                district = rng.choices(districts, cum_weights=district_cum)[0]
                _, hoods, streets = DISTRICTS[district]
                hood = rng.choice(hood_names[district])
                lat0, lon0 = hoods[hood]
                lat = round(rng.gauss(lat0, 0.0035), 6)
                lon = round(rng.gauss(lon0, 0.005), 6)
                street = rng.choice(streets)
                number = rng.randint(1, 200)
                suffix = rng.choice(["", "", "", "", "/2", "/A", "/B"])
                name = _commons_name(rng, kind, street)
                self.commons.append((cid, name))
                created = _dt(self._registered_at(730))
                row = {
                    "id": cid,
                    "name": name,
                    "kind": kind.value,
                    "description": f"{DESCRIPTIONS[kind]}, zona {hood}.",
                    "address": f"{street} {number}{suffix}",
                    "district": district,
                    "neighbourhood": hood,
                    "latitude": lat,
                    "longitude": lon,
                    "cadastral_reference": None
                    if kind in (CommonsKind.STREET, CommonsKind.SQUARE)
                    else f"Foglio {rng.randint(1, 320)}, Mappale {rng.randint(1, 2400)}",
                    "owner_office": OWNER_OFFICES.get(kind, f"Quartiere {district}"),
                    "availability": (
                        Availability.UNAVAILABLE if rng.random() < 0.06 else Availability.AVAILABLE
                    ).value,
                    "created_at": created,
                    "updated_at": created,
                }
                if (
                    kind
                    in (
                        CommonsKind.PARK,
                        CommonsKind.GARDEN,
                        CommonsKind.GREEN_AREA,
                        CommonsKind.SQUARE,
                    )
                    and rng.random() < 0.4
                ):
                    w, h = rng.uniform(0.0002, 0.0012), rng.uniform(0.0002, 0.0009)
                    ring = [
                        [round(lon - w, 6), round(lat - h, 6)],
                        [round(lon + w, 6), round(lat - h, 6)],
                        [round(lon + w, 6), round(lat + h, 6)],
                        [round(lon - w, 6), round(lat + h, 6)],
                        [round(lon - w, 6), round(lat - h, 6)],
                    ]
                    row["geometry"] = {"type": "Polygon", "coordinates": [ring]}
                yield row

        self.write("commons", COMMONS, rows(), uneven=True)

    # proposals ---------------------------------------------------------------------------
    def plan_proposals(self, count: int) -> list[_Plan]:
        if not count:
            return []
        if not self.groups:
            raise SystemExit("no proponent groups to make proposals: add --groups/--users")
        if not self.commons:
            raise SystemExit("no commons to make proposals about: add --commons")
        rng = self.rng
        statuses, status_cum = _weighted(STATUS_WEIGHTS)
        everyone = [c[0] for c in self.citizens]
        officers = self.officers or everyone
        legal = self.legal or officers
        plans = []
        for _ in range(count):
            status = rng.choices(statuses, cum_weights=status_cum)[0]
            complex_ = status == "political_approval" or rng.random() < 0.15
            term = rng.choice(TERM_MONTHS[complex_])
            gid, rep = rng.choice(self.groups)
            picks = rng.choices([1, 2, 3], [70, 22, 8])[0]
            chosen = list(dict.fromkeys(rng.choice(self.commons) for _ in range(picks)))
            fitting = [a for a in ACTIVITIES if a[3] or not complex_]
            plan = _Plan(
                seed=rng.getrandbits(63),
                status=status,
                complex=complex_,
                term=term,
                group=gid,
                rep=rep,
                officer=rng.choice(officers),
                legal=rng.choice(legal),
                commons=[c[0] for c in chosen],
                activity=rng.choice(fitting),
                reports=0,
            )
            plan.title = f"{plan.activity[0]} — {chosen[0][1]}"[:200]
            path = build_path(plan.seed, status, complex_, term * 365 // 12)
            plan.created_tod = path.created_tod
            if status == "draft":
                plan.created_day = rng.randint(self.start_day, self.now_day - 1)
            elif status in TERMINAL:
                latest = max(self.start_day, self.now_day - path.day - 1)
                plan.created_day = rng.randint(self.start_day, latest)
            else:  # still under way: its last move happened ``idle`` days ago
                plan.created_day = max(self.start_day, self.now_day - path.day - path.idle)
            self._dates(plan, path)
            plan.base_steps = len(path.steps)
            plan.natural = path.natural_reports
            plan.window = (path.report_to - path.report_from) if path.report_index else 0
            plans.append(plan)
        plans.sort(key=lambda p: (p.created_day, p.created_tod))
        return plans

    def _dates(self, plan: _Plan, path: _Path) -> None:
        """Submission, last change, start and end of a planned proposal, from its path."""
        base = plan.created_day * DAY
        plan.submitted = plan.updated = None
        plan.in_charge = False
        for day, tod, trigger, *_ in path.steps:
            if trigger == "submit":
                plan.submitted = base + day * DAY + tod
            elif trigger == "take_in_charge":
                plan.in_charge = True
        last = path.steps[-1]
        plan.updated = base + last[0] * DAY + last[1]
        if path.active_day is not None:  # a pact runs from its last signature
            start = _day_date(plan.created_day + path.active_day)
        elif plan.status == "draft" and self.rng.random() < 0.4:
            start = None
        else:  # the start the proponent asked for
            start = _day_date(plan.created_day + path.planned_start)
        plan.start_date = start
        plan.end_date = _add_days(start, plan.term * 365 // 12) if start else None

    def proposals(self, plans: list[_Plan]) -> None:
        if not plans:
            return
        rng = self.rng
        supports = [s.value for s in Support]
        first_id = self.max_ids["proposals"] + 1
        links: list[dict] = []

        def rows() -> Iterator[dict]:
            for i, plan in enumerate(plans):
                plan.id = pid = first_id + i
                submitted = None if plan.submitted is None else _dt(plan.submitted)
                # Unique because the id is: "2026/000123".
                plan.protocol = f"{submitted.year}/{pid:06d}" if submitted else None
                for cid in plan.commons:
                    links.append({"proposal_id": pid, "commons_id": cid})
                yield {
                    "id": pid,
                    "title": plan.title,
                    "pact_type": (PactType.COMPLEX if plan.complex else PactType.ORDINARY).value,
                    "group_id": plan.group,
                    "representative_id": plan.rep,
                    "objectives": plan.activity[1],
                    "activities": plan.activity[2],
                    "support_requested": sorted(rng.sample(supports, rng.randint(0, 3))),
                    "support_notes": ""
                    if rng.random() < 0.7
                    else "Chiediamo guanti, sacchi e un corso sulla sicurezza.",
                    "requested_duration_months": plan.term
                    if plan.start_date or rng.random() < 0.5
                    else None,
                    "start_date": plan.start_date,
                    "end_date": plan.end_date,
                    "status": plan.status,
                    "protocol_number": plan.protocol,
                    "case_officer_id": plan.officer if plan.in_charge else None,
                    "profile": PROFILE,
                    "submitted_at": submitted,
                    "created_at": _dt(plan.created_day * DAY + plan.created_tod),
                    "updated_at": _dt(plan.updated),
                }

        self.write("proposals", PROPOSALS, rows())
        self.write("proposal_commons", proposal_commons, links)
        in_pact = sorted({cid for p in plans if p.status in IN_PACT for cid in p.commons})
        with self.engine.begin() as conn:
            for i in range(0, len(in_pact), 5000):
                conn.execute(
                    update(COMMONS)
                    .where(COMMONS.c.id.in_(in_pact[i : i + 5000]))
                    # the commons row itself is unchanged: keep its updated_at
                    .values(
                        availability=Availability.IN_PACT.value, updated_at=COMMONS.c.updated_at
                    )
                )

    # finishing ---------------------------------------------------------------------------
    def fix_sequences(self) -> None:
        """On PostgreSQL, move id sequences past the ids written explicitly."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.begin() as conn:
            for table in ("users", "proponent_groups", "group_members", "commons", "proposals"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) "
                        f"FROM {table} HAVING MAX(id) IS NOT NULL"
                    )
                )

    def counts(self) -> dict[str, int]:
        tables = [USERS, ROLES, GROUPS, MEMBERS, COMMONS, PROPOSALS, proposal_commons, EVENTS]
        with self.engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in tables}


# --------------------------------------------------------------------------------------------
# Command line


def default_database_url() -> str:
    url = os.environ.get("COMMONS_DATABASE_URL")
    if url:
        return url
    from commons.config import PROJECT_ROOT

    return f"sqlite:///{PROJECT_ROOT / 'instance' / 'bench.db'}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Fill a database with realistic commons, proposals and audit events.",
    )
    parser.add_argument("--commons", type=int, default=0, help="commons to add")
    parser.add_argument("--proposals", type=int, default=0, help="proposals to add")
    parser.add_argument("--events", type=int, default=0, help="audit events to add")
    parser.add_argument(
        "--users",
        type=int,
        default=None,
        help="users to add (default: max(10, proposals / 2) with proposals)",
    )
    parser.add_argument(
        "--groups",
        type=int,
        default=None,
        help="proponent groups to add (default: max(3, proposals / 3))",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: $COMMONS_DATABASE_URL, else instance/bench.db)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--batch", type=int, default=5000, help="rows per insert (default 5000)")
    args = parser.parse_args(argv)
    for name in ("commons", "proposals", "events", "users", "groups", "batch"):
        value = getattr(args, name)
        if value is not None and value < 0:
            parser.error(f"--{name} must not be negative")
    if args.users is None:
        args.users = max(10, args.proposals // 2) if args.proposals else 0
    if args.groups is None:
        args.groups = max(3, args.proposals // 3) if args.proposals else 0
    return args


def main(argv: list[str] | None = None, out=None) -> int:
    """Run the generator; ``argv`` as on the command line. Returns the exit status."""
    out = out or sys.stdout
    args = parse_args(argv)
    url = args.database_url or default_database_url()
    engine = bulk_engine(url)
    try:
        import_all_models()
        Base.metadata.create_all(engine)  # only the tables that are missing
        generator = Generator(engine, seed=args.seed, batch=args.batch, out=out)
        generator.say(
            f"Generating into {make_url(url).render_as_string(hide_password=True)} "
            f"(seed {args.seed}, batch {args.batch})"
        )
        started = time.perf_counter()
        generator.load_state()
        generator.users(args.users)
        generator.proponent_groups(args.groups)
        generator.commons_rows(args.commons)
        plans = generator.plan_proposals(args.proposals)
        generator.proposals(plans)
        generator.events(plans, args.events)
        generator.fix_sequences()
        seconds = time.perf_counter() - started
        rows = sum(n for n, _ in generator.stats.values())
        generator.say(
            f"Done: {rows:,} rows in {seconds:.1f} s ({rows / max(seconds, 1e-9):,.0f} "
            f"rows/s); audit chain head seq {generator.head_seq}."
        )
        if generator.no_history:
            generator.say(
                f"  {generator.no_history:,} new proposals got no history "
                f"(fewer events asked than their lifecycles need)."
            )
        if generator.standalone_events:
            generator.say(
                f"  {generator.standalone_events:,} events are monitoring reports "
                f"on pacts already in the database."
            )
        generator.say(
            "Database now holds: "
            + ", ".join(f"{name} {n:,}" for name, n in generator.counts().items())
        )
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
