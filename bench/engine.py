"""Throughput of the lifecycle engine: fire + audit + commit, against plain SQLAlchemy Core.

    python -m bench.engine [--database-url URL] [--n 2000] [--rounds 5] [--memory-objects 5000]
                           [--profile] [--update-docs]

One operation is what an officer's "take in charge" request does to the database: the
proposal goes from ``submitted`` to ``under_review`` with its case officer, a hash-chained
audit event is appended, and the transaction commits. Three ways of doing it run over the
same number of proposals, in the same database, interleaved round by round:

- ``engine``: ``session.get(Proposal, id)``, ``workflows.fire(p, "take_in_charge", officer)``,
  ``db.session.commit()``: the real code path (permission, guards, the profile's shared
  machine, effects, the state UPDATE guarded by the version, ``append_event`` with the chain
  head locked and moved).
- ``baseline``: the same UPDATE + INSERT written directly with SQLAlchemy Core, one transaction
  per operation, the audit hash computed in Python with the chain's head carried in memory
  (read once per round: the baseline's advantage); the chain head row is moved to its last
  event after the run, untimed.
- ``machine_per_object``: the anti-pattern DESIGN.md forbids (a ``transitions.Machine`` built
  for each proposal object), then the baseline's UPDATE + INSERT.

The figure that matters is the engine's cost relative to the baseline (target: at most 1.5x).
An extra, instrumented pass splits an engine operation into its steps (loads, permission,
Python, state UPDATE, head read, audit append, commit); ``--profile`` adds a cProfile of the
engine variant.
A separate measure, with tracemalloc, shows the memory a machine per object costs.

Without ``--database-url`` it runs on a temporary SQLite file and, when it answers, on
PostgreSQL at 127.0.0.1:5432 (user postgres) in a scratch database it creates and drops.
A PostgreSQL URL names the server: the benchmark always works in its own scratch database.
"""

from __future__ import annotations

import contextlib
import cProfile
import gc
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, create_engine, event, insert, select, update

from bench import cli
from bench.cli import Benchmark, Database, Size
from bench.common import (
    DEFAULT_POSTGRESQL_URL,
    app_config,
    is_postgresql,
    median,
    postgresql_reachable,
    safe_url,
    say,
    scratch_postgresql,
    server_version,
    spread,
)
from bench.engine_report import markdown_report, text_report
from bench.engine_steps import StepTimer, instrumented
from bench.machines import Pact, machine_for, machine_memory, machine_spec

NAME = "engine"
TRIGGER = "take_in_charge"
SOURCE, TARGET = "submitted", "under_review"
VARIANTS = ("engine", "engine_request", "baseline", "baseline_guarded", "machine_per_object")
TARGET_RATIO = 1.5
WARMUP = 20
BREAKDOWN = 500  # operations of the instrumented pass


# --- the database ---------------------------------------------------------------------------


def _fresh_schema(database_url: str) -> None:
    from commons.db import Base, import_all_models

    import_all_models()
    engine = create_engine(database_url)
    try:
        Base.metadata.drop_all(engine)
        Base.metadata.create_all(engine)
    finally:
        engine.dispose()


@dataclass
class _Setup:
    engine: object  # the app's engine: the baseline uses the very same pool and settings
    officer_id: int
    sets: dict[str, list[int]]
    server: str


def _tables():
    from commons.audit.models import AuditEvent
    from commons.proposals.models import Proposal

    return Proposal.__table__, AuditEvent.__table__


def _seed(n: int) -> tuple[int, dict[str, list[int]]]:
    """Two users, a group and n submitted proposals per variant; returns the officer's id."""
    from commons.auth.models import Role
    from commons.auth.operations import create_group, create_user
    from commons.extensions import db

    def person(email: str, name: str, role: Role):
        return create_user(
            email=email,
            full_name=name,
            password="bench password",  # noqa: S106 - nobody logs in
            roles=(role,),
            check_strength=False,
        )

    citizen = person("citizen@bench.example.org", "Carla Citizen", Role.CITIZEN)
    officer = person("officer@bench.example.org", "Olga Officer", Role.OFFICER)
    group = create_group(name="Friends of the bench", kind="informal_group", representative=citizen)
    db.session.commit()
    proposals, _ = _tables()
    now = datetime.now(UTC)
    sets: dict[str, list[int]] = {}
    with db.engine.begin() as conn:
        for v, variant in enumerate(VARIANTS):
            rows = [
                {
                    "title": f"Care of garden {v}-{i}",
                    "pact_type": "ordinary",
                    "group_id": group.id,
                    "representative_id": citizen.id,
                    "objectives": "Keep it clean.",
                    "activities": "Weekly clean-up.",
                    "support_requested": [],
                    "support_notes": "",
                    "requested_duration_months": 12,
                    "status": SOURCE,
                    "protocol_number": f"B{v}/{i:08d}",
                    "profile": "labsus",
                    "submitted_at": now,
                    "review_started_at": now,
                    "review_paused_seconds": 0,
                    "lock_version": 1,
                }
                for i in range(n)
            ]
            conn.execute(insert(proposals), rows)
            sets[variant] = list(
                conn.scalars(
                    select(proposals.c.id)
                    .where(proposals.c.protocol_number.like(f"B{v}/%"))
                    .order_by(proposals.c.id)
                )
            )
    return officer.id, sets


@contextlib.contextmanager
def _prepared(database_url: str, n: int) -> Iterator[_Setup]:
    """A fresh schema (a scratch database on PostgreSQL), the app, and the seeded rows."""
    from commons import create_app
    from commons.extensions import db

    with contextlib.ExitStack() as stack:
        url = (
            stack.enter_context(scratch_postgresql(database_url))
            if is_postgresql(database_url)
            else database_url
        )
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="commons-bench-")))
        _fresh_schema(url)
        app = create_app(app_config(url, workdir))
        stack.enter_context(app.app_context())
        # Runs first on the way out: close the pool before the scratch database is dropped.
        stack.callback(db.engine.dispose)
        stack.callback(db.session.remove)
        officer_id, sets = _seed(n)
        yield _Setup(db.engine, officer_id, sets, server_version(db.engine))


# --- the three ways of doing one transition -------------------------------------------------


def _reset(engine, ids: list[int]) -> None:
    """Put the proposals back in 'submitted' (outside the timed region)."""
    proposals, _ = _tables()
    with engine.begin() as conn:
        conn.execute(
            update(proposals)
            .where(proposals.c.id.between(ids[0], ids[-1]))
            .values(status=SOURCE, case_officer_id=None)
        )


def _chain_head(engine) -> tuple[int, str]:
    from commons.audit.chain import GENESIS_HASH

    _, events = _tables()
    with engine.connect() as conn:
        head = conn.execute(
            select(events.c.seq, events.c.hash).order_by(events.c.seq.desc()).limit(1)
        ).first()
    return (head[0], head[1]) if head else (0, GENESIS_HASH)


def run_engine(setup: _Setup, ids: list[int], *, with_loads: bool = False) -> float:
    """Seconds for fire() + audit + commit per proposal.

    As in a request, the officer (with roles, as ``load_user`` does) and the proposal are
    loaded first; ``with_loads`` counts those loads too (the whole request's database work),
    otherwise only fire + audit + commit, the operation the baseline does, is timed.
    """
    from sqlalchemy.orm import joinedload

    from commons.auth.models import User
    from commons.extensions import db
    from commons.proposals.models import Proposal
    from workflows import fire

    session = db.session
    elapsed = 0.0
    for pid in ids:
        start = time.perf_counter()
        officer = session.get(User, setup.officer_id, options=[joinedload(User.role_rows)])
        proposal = session.get(Proposal, pid)
        loaded = time.perf_counter()
        fire(proposal, TRIGGER, officer, now=datetime.now(UTC))
        session.commit()
        elapsed += time.perf_counter() - (start if with_loads else loaded)
    session.close()
    return elapsed


def run_engine_request(setup: _Setup, ids: list[int]) -> float:
    return run_engine(setup, ids, with_loads=True)


def _core_writer(setup: _Setup, *, guarded: bool = False) -> Callable[[int], None]:
    """The baseline's UPDATE + INSERT + COMMIT for one proposal, the chain head in memory.

    The bare baseline does not move the chain head row (``audit_chain_head``): the benchmark
    does that after each run of a variant, untimed (:func:`_sync_head`), so the chain stays
    whole for the other variants. ``guarded`` gives the Core writer the guarantees the engine
    keeps, with the engine's own statements: the UPDATE only from the expected state (one row
    changed, or a conflict), the chain head read and locked inside the transaction, and the
    head moved with the INSERT.
    """
    from commons.audit.chain import hash_of
    from commons.audit.operations import _read_head
    from commons.audit.operations import _write as _write_event

    proposals, events = _tables()
    change = (
        update(proposals)
        .where(proposals.c.id == bindparam("pid"))
        .values(
            status=TARGET,
            case_officer_id=bindparam("officer"),
            lock_version=proposals.c.lock_version + 1,
            updated_at=bindparam("now"),
        )
    )
    guarded_change = change.where(proposals.c.status == SOURCE)
    append = insert(events)
    engine, officer_id = setup.engine, setup.officer_id
    seq, prev = _chain_head(engine)

    def write(pid: int) -> None:
        nonlocal seq, prev
        now = datetime.now(UTC)
        payload = {"case_officer_id": officer_id}
        with engine.begin() as conn:
            if guarded:
                changed = conn.execute(
                    guarded_change, {"pid": pid, "officer": officer_id, "now": now}
                )
                if changed.rowcount != 1:
                    raise RuntimeError("conflict: the proposal was not in the expected state")
                seq, prev = _read_head(conn)  # the engine's locking read of the chain head
            seq += 1
            if not guarded:
                conn.execute(change, {"pid": pid, "officer": officer_id, "now": now})
            values = {
                "seq": seq,
                "occurred_at": now,
                "actor_id": officer_id,
                "actor_role": "officer",
                "proposal_id": pid,
                "trigger": TRIGGER,
                "from_state": SOURCE,
                "to_state": TARGET,
                "payload": payload,
                "public": True,
                "prev_hash": prev,
            }
            values["hash"] = hash_of(values)
            if guarded:
                _write_event(conn, values)  # the engine's INSERT that also moves the head
            else:
                conn.execute(append, values)
        prev = values["hash"]

    return write


def _sync_head(engine) -> None:
    """Move the chain head row to the last event, after the bare Core writers (untimed)."""
    from commons.audit.models import AuditChainHead

    head = AuditChainHead.__table__
    seq, digest = _chain_head(engine)
    with engine.begin() as conn:
        conn.execute(update(head).where(head.c.id == 1).values(seq=seq, hash=digest))


def run_baseline(setup: _Setup, ids: list[int], *, guarded: bool = False) -> float:
    write = _core_writer(setup, guarded=guarded)
    started = time.perf_counter()
    for pid in ids:
        write(pid)
    return time.perf_counter() - started


def run_baseline_guarded(setup: _Setup, ids: list[int]) -> float:
    return run_baseline(setup, ids, guarded=True)


def run_machine_per_object(setup: _Setup, ids: list[int]) -> float:
    write = _core_writer(setup)
    spec = machine_spec()
    started = time.perf_counter()
    for pid in ids:
        pact = Pact(pid, SOURCE)
        machine_for(pact, spec)
        pact.trigger(TRIGGER, ctx=None)
        if pact.status != TARGET:
            raise RuntimeError(f"machine per object left proposal {pid} in {pact.status!r}")
        write(pid)
    return time.perf_counter() - started


RUNNERS: dict[str, Callable[[_Setup, list[int]], float]] = {
    "engine": run_engine,
    "engine_request": run_engine_request,
    "baseline": run_baseline,
    "baseline_guarded": run_baseline_guarded,
    "machine_per_object": run_machine_per_object,
}


@contextlib.contextmanager
def _counting(engine) -> Iterator[list[int]]:
    """Count the SQL statements sent (COMMIT and pool pings are not cursor executions)."""
    count = [0]

    def listener(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def breakdown(setup: _Setup, ids: list[int]) -> dict[str, float]:
    """Seconds per operation of each step of the engine variant (an instrumented extra pass)."""
    from sqlalchemy.orm import joinedload

    import workflows.engine as engine
    from commons.auth.models import User
    from commons.extensions import db
    from commons.proposals.models import Proposal

    _reset(setup.engine, ids)
    timer = StepTimer()
    session = db.session
    load = timer.wrap("load", session.get)
    commit = timer.wrap("commit", session.commit)
    with instrumented(timer):
        fire = engine.fire
        for pid in ids:
            # As run_engine (and a request's load_user) does: the officer with roles in one query.
            officer = load(User, setup.officer_id, options=[joinedload(User.role_rows)])
            proposal = load(Proposal, pid)
            fire(proposal, TRIGGER, officer, now=datetime.now(UTC))
            commit()
    session.close()
    return {step: seconds / len(ids) for step, seconds in timer.seconds.items()}


# --- the benchmark --------------------------------------------------------------------------


def run(database_url: str, n: int, *, rounds: int = 5, out=None) -> dict:
    """Measure the three variants over ``n`` proposals each, ``rounds`` times, interleaved.

    Returns per variant the median seconds per operation and operations per second, the
    ratios to the baseline, statements per operation, and whether the audit chain verifies.
    """
    from commons.audit.operations import verify_chain
    from commons.extensions import db

    if n < 1 or rounds < 1:
        raise ValueError("n and rounds must be positive")
    started = time.perf_counter()
    with _prepared(database_url, n) as setup:
        statements = {}
        warm = min(WARMUP, n)
        for variant in VARIANTS:  # warm caches (compiled SQL, mappers), count statements
            ids = setup.sets[variant][:warm]
            with _counting(setup.engine) as count:
                RUNNERS[variant](setup, ids)
            statements[variant] = count[0] / warm
            _sync_head(setup.engine)
            _reset(setup.engine, setup.sets[variant])

        def one_run(variant: str) -> float:
            ids = setup.sets[variant]
            _reset(setup.engine, ids)
            gc.collect()
            seconds = RUNNERS[variant](setup, ids) / n
            _sync_head(setup.engine)  # after the bare Core writers (untimed)
            return seconds

        per_op = cli.interleaved(
            VARIANTS, rounds, one_run, show=lambda seconds: f"{1 / seconds:,.0f}/s", out=out
        )
        steps = breakdown(setup, setup.sets["engine"][:BREAKDOWN])
        chain = verify_chain(db.session)
        db.session.close()
        server = setup.server
    variants = {
        v: {
            "median_seconds": median(per_op[v]),
            "ops_per_second": 1 / median(per_op[v]),
            "spread_percent": spread(per_op[v]),
            "statements_per_op": statements[v],
            "rounds_seconds": per_op[v],
        }
        for v in VARIANTS
    }
    return {
        "database": "postgresql" if is_postgresql(database_url) else "sqlite",
        "server": server,
        "n": n,
        "rounds": rounds,
        "variants": variants,
        "ratio_engine": cli.paired(per_op, "engine", "baseline")["ratio"],
        "ratio_engine_guarded": cli.paired(per_op, "engine", "baseline_guarded")["ratio"],
        "ratio_machine_per_object": cli.paired(per_op, "machine_per_object", "baseline")["ratio"],
        "target_ratio": TARGET_RATIO,
        "breakdown": steps,
        "breakdown_n": min(n, BREAKDOWN),
        "chain_ok": chain.ok,
        "events": chain.count,
        "seconds": time.perf_counter() - started,
    }


# --- profiling --------------------------------------------------------------------------------


def profile_engine(database_url: str, n: int, top: int = 30) -> str:
    """cProfile of the engine variant over n operations: the functions costing most."""
    with _prepared(database_url, n) as setup:
        ids = setup.sets["engine"]
        run_engine(setup, ids[: min(WARMUP, n)])
        _reset(setup.engine, ids)
        profiler = cProfile.Profile()
        profiler.enable()
        run_engine(setup, ids)
        profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer).strip_dirs()
    buffer.write("== by own time ==\n")
    stats.sort_stats("tottime").print_stats(top)
    buffer.write("== by cumulative time ==\n")
    stats.sort_stats("cumulative").print_stats(top)
    return buffer.getvalue()


def measure(args, out=None) -> dict:
    """Every database asked for (or SQLite and, when it answers, local PostgreSQL), then the
    memory of the machine patterns."""
    results, skipped, profiles = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="commons-bench-sqlite-") as tmp:
        urls = args.database_url
        if not urls:
            urls = [f"sqlite:///{Path(tmp) / 'bench.db'}"]
            reason = postgresql_reachable(DEFAULT_POSTGRESQL_URL)
            if reason:
                skipped["PostgreSQL at 127.0.0.1:5432"] = f"unreachable: {reason}"
            else:
                urls.append(DEFAULT_POSTGRESQL_URL)
        for url in urls:
            say(f"{safe_url(url)}: {args.n:,} proposals per variant, {args.rounds} rounds", out)
            results.append(run(url, args.n, rounds=args.rounds, out=out))
            if args.profile:
                profiles[f"engine on {results[-1]['server']}"] = profile_engine(url, args.n)
    memory = machine_memory(args.memory_objects) if args.memory_objects else None
    return {"results": results, "memory": memory, "skipped": skipped, "profiles": profiles}


BENCHMARK = Benchmark(
    name=NAME,
    description="fire + audit + commit throughput against plain SQLAlchemy Core.",
    sizes=(
        Size("--n", 2000, "proposals per variant"),
        Size("--rounds", 5, "interleaved rounds"),
        Size("--memory-objects", 5000, "objects for the memory measure", minimum=0),
    ),
    database=Database(
        "SQLAlchemy URL; repeatable. A PostgreSQL URL names the server (a scratch "
        "database is made). Default: a temporary SQLite file and local PostgreSQL if up.",
        repeatable=True,
    ),
    profile="also print a cProfile of the engine variant",
    measure=measure,
    text_report=lambda r: text_report(r["results"], r["memory"], r["skipped"]),
    markdown_report=lambda r, where, argv: markdown_report(
        r["results"], r["memory"], r["skipped"], where, argv
    ),
    status=lambda r: 0 if all(x["chain_ok"] for x in r["results"]) else 1,
)


def main(argv: list[str] | None = None, out=None) -> int:
    """Run the benchmark; ``argv`` as on the command line. Returns the exit status."""
    return cli.main(BENCHMARK, argv, out)


if __name__ == "__main__":
    sys.exit(main())
