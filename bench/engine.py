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

import argparse
import contextlib
import cProfile
import gc
import io
import json
import pstats
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, create_engine, event, insert, select, update
from transitions import Machine

from bench.common import (
    DEFAULT_POSTGRESQL_URL,
    app_config,
    is_postgresql,
    machine,
    median,
    postgresql_reachable,
    safe_url,
    say,
    scratch_postgresql,
    server_version,
    spread,
    table,
    update_docs,
)

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
    from commons.audit.operations import GENESIS_HASH

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


class _Pact:
    """A bare stand-in for a proposal, for the machine-per-object pattern."""

    def __init__(self, pid: int, status: str) -> None:
        self.id = pid
        self.status = status


def _machine_spec(profile_name: str = "labsus") -> dict:
    """The Machine arguments of a profile, as the engine builds its shared machine."""
    from workflows.engine import get_profile
    from workflows.guards import CONDITIONS

    profile = get_profile(profile_name)

    def when(name: str):
        def check(event_data) -> bool:
            return CONDITIONS[name](event_data.kwargs["ctx"])

        return check

    return {
        "states": list(profile.states),
        "transitions": [
            {
                "trigger": spec.trigger,
                "source": list(spec.sources),
                "dest": spec.target,
                "conditions": [when(spec.when)] if spec.when else None,
            }
            for spec in profile.transitions
        ],
        "auto_transitions": False,
        "send_event": True,
        "model_attribute": "status",
    }


def _machine_for(obj, spec: dict) -> Machine:
    """The anti-pattern: a whole Machine for one object."""
    return Machine(model=obj, initial=obj.status, **spec)


def run_machine_per_object(setup: _Setup, ids: list[int]) -> float:
    write = _core_writer(setup)
    spec = _machine_spec()
    started = time.perf_counter()
    for pid in ids:
        pact = _Pact(pid, SOURCE)
        _machine_for(pact, spec)
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


# --- where the engine's time goes ---------------------------------------------------------

STEPS = {
    "load": "load the officer with roles and the proposal (as a request does; untimed above)",
    "can": "fire: permission check (can)",
    "fire": "fire: Python (profile, guards, machine, effects, payload)",
    "update": "fire: the state change (Core UPDATE guarded by lock_version)",
    "head": "append_event: chain head read and lock (SELECT ... FOR UPDATE)",
    "append": "append_event: hashing, INSERT, head moved",
    "commit": "commit",
}


class _StepTimer:
    """Exclusive time per step: a step's time excludes the steps measured inside it."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STEPS, 0.0)
        self.stack: list[list] = []  # [step, started, time spent in children]

    def wrap(self, step, fn):
        def timed(*args, **kwargs):
            name = step(self.stack) if callable(step) else step
            self.stack.append([name, time.perf_counter(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                name, started, children = self.stack.pop()
                elapsed = time.perf_counter() - started
                self.seconds[name] += elapsed - children
                if self.stack:
                    self.stack[-1][2] += elapsed

        return timed


@contextlib.contextmanager
def _instrumented(timer: _StepTimer) -> Iterator[None]:
    """Time the engine's steps by wrapping the functions fire() looks up at call time."""
    from sqlalchemy.orm import Session

    import commons.audit.operations as audit
    import commons.auth.permissions as permissions
    import commons.lifecycle.store as store
    import workflows.engine as engine

    def flush_step(stack) -> str:
        # fire's own flush is the UPDATE, append_event's the INSERT; an autoflush or the
        # commit's flush counts with the step that caused it.
        parent = stack[-1][0] if stack else "commit"
        return {"fire": "update"}.get(parent, parent)

    patches = [
        (engine, "fire", "fire"),
        (permissions, "can", "can"),
        (store, "_write_changes", "update"),
        (audit, "append_event", "append"),
        (audit, "_read_head", "head"),
        (Session, "flush", flush_step),
    ]
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in patches]
    try:
        for owner, attr, step in patches:
            setattr(owner, attr, timer.wrap(step, getattr(owner, attr)))
        yield
    finally:
        for owner, attr, original in saved:
            setattr(owner, attr, original)


def breakdown(setup: _Setup, ids: list[int]) -> dict[str, float]:
    """Seconds per operation of each step of the engine variant (an instrumented extra pass)."""
    from sqlalchemy.orm import joinedload

    import workflows.engine as engine
    from commons.auth.models import User
    from commons.extensions import db
    from commons.proposals.models import Proposal

    _reset(setup.engine, ids)
    timer = _StepTimer()
    session = db.session
    load = timer.wrap("load", session.get)
    commit = timer.wrap("commit", session.commit)
    with _instrumented(timer):
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
        per_op: dict[str, list[float]] = {v: [] for v in VARIANTS}
        for r in range(rounds):
            # Rotate the order so that no variant always runs first (or last) in a round.
            order = VARIANTS[r % len(VARIANTS) :] + VARIANTS[: r % len(VARIANTS)]
            for variant in order:
                ids = setup.sets[variant]
                _reset(setup.engine, ids)
                gc.collect()
                per_op[variant].append(RUNNERS[variant](setup, ids) / n)
                _sync_head(setup.engine)  # after the bare Core writers (untimed)
            say(
                f"  round {r + 1}/{rounds}: "
                + ", ".join(f"{v} {1 / per_op[v][-1]:,.0f}/s" for v in VARIANTS),
                out,
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
    base = variants["baseline"]["median_seconds"]
    return {
        "database": "postgresql" if is_postgresql(database_url) else "sqlite",
        "server": server,
        "n": n,
        "rounds": rounds,
        "variants": variants,
        "ratio_engine": variants["engine"]["median_seconds"] / base,
        "ratio_engine_guarded": variants["engine"]["median_seconds"]
        / variants["baseline_guarded"]["median_seconds"],
        "ratio_machine_per_object": variants["machine_per_object"]["median_seconds"] / base,
        "target_ratio": TARGET_RATIO,
        "breakdown": steps,
        "breakdown_n": min(n, BREAKDOWN),
        "chain_ok": chain.ok,
        "events": chain.count,
        "seconds": time.perf_counter() - started,
    }


def _traced(build: Callable[[], object]) -> dict:
    """Bytes held by what ``build`` returns; then what stays once it is dropped, before and
    after the cycle collector runs (reference cycles survive plain reference counting)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        held = build()
        gc.collect()
        figures = {"bytes": tracemalloc.get_traced_memory()[0] - before}
        gc.disable()
        try:
            del held
            figures["left_before_gc"] = max(0, tracemalloc.get_traced_memory()[0] - before)
        finally:
            gc.enable()
        gc.collect()
        figures["left_after_gc"] = max(0, tracemalloc.get_traced_memory()[0] - before)
    finally:
        tracemalloc.stop()
    return figures


def machine_memory(count: int = 5000) -> dict:
    """Memory and construction time of the machine patterns over ``count`` objects.

    - ``shared``: the objects and one machine for all (what workflows.engine does);
    - ``machine_per_object``: the objects and a Machine each: each object and its machine
      reference each other, so dropping them frees nothing until the cycle collector runs;
    - ``add_model``: one long-lived machine with every object added to it: the machine keeps
      every object alive after the program dropped it, a leak for as long as the machine lives.
    """
    spec = _machine_spec()

    def objects():
        return [_Pact(i, SOURCE) for i in range(count)]

    def shared():
        return objects(), Machine(model=None, initial=SOURCE, **spec)

    def per_object():
        pacts = objects()
        for pact in pacts:
            _machine_for(pact, spec)  # not kept: the object holds its machine
        return pacts

    keeper: list[Machine] = []

    def add_model():
        keeper.append(Machine(model=None, initial=SOURCE, **spec))
        pacts = objects()
        for pact in pacts:
            keeper[-1].add_model(pact, initial=SOURCE)
        return pacts

    def seconds_per_object(build) -> float:
        gc.collect()
        started = time.perf_counter()
        held = build()
        elapsed = time.perf_counter() - started
        del held
        keeper.clear()
        gc.collect()
        return elapsed / count

    plain = _traced(objects)["bytes"]
    patterns = {}
    for name, build in (("shared", shared), ("machine_per_object", per_object)):
        patterns[name] = _traced(build)
    patterns["add_model"] = _traced(add_model)
    keeper.clear()
    for name, build in (("shared", shared), ("machine_per_object", per_object)):
        patterns[name]["seconds_per_object"] = seconds_per_object(build)
    patterns["add_model"]["seconds_per_object"] = seconds_per_object(add_model)
    for figures in patterns.values():
        figures["bytes_per_object"] = (figures["bytes"] - plain) / count
    return {"objects": count, "object_bytes": plain, "patterns": patterns}


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


# --- output -----------------------------------------------------------------------------------

LABELS = {
    "engine": "engine (fire + audit + commit)",
    "engine_request": "engine with the request's loads (user, proposal)",
    "baseline": "baseline (Core UPDATE + INSERT)",
    "baseline_guarded": "Core with the engine's guarantees (state check, head locked and moved)",
    "machine_per_object": "Machine per object + Core",
}


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f}"


def throughput_rows(result: dict) -> list[list]:
    rows = []
    base = result["variants"]["baseline"]["median_seconds"]
    for v in VARIANTS:
        figures = result["variants"][v]
        rows.append(
            [
                LABELS[v],
                f"{figures['ops_per_second']:,.0f}",
                _us(figures["median_seconds"]),
                f"±{figures['spread_percent']:.0f}%",
                f"{figures['median_seconds'] / base:.2f}x",
                f"{figures['statements_per_op']:g}",
            ]
        )
    return rows


THROUGHPUT_HEADERS = ["variant", "ops/s", "µs/op", "rounds ±", "vs baseline", "SQL/op"]


def memory_rows(memory: dict) -> list[list]:
    rows = []
    for name, label in (
        ("shared", "one shared Machine (workflows.engine)"),
        ("machine_per_object", "a Machine per object"),
        ("add_model", "one Machine + add_model(obj)"),
    ):
        figures = memory["patterns"][name]
        rows.append(
            [
                label,
                f"{figures['seconds_per_object'] * 1e6:,.1f}",
                f"{figures['bytes_per_object'] / 1024:.2f}",
                f"{figures['bytes'] / 2**20:.1f}",
                f"{figures['left_before_gc'] / 2**20:.1f}",
                f"{figures['left_after_gc'] / 2**20:.1f}",
            ]
        )
    return rows


MEMORY_HEADERS = [
    "pattern",
    "µs per object",
    "KiB per object",
    "MiB held",
    "MiB left once dropped",
    "MiB left after gc.collect()",
]


def breakdown_table(results: list[dict], *, markdown: bool = False) -> str:
    """Engine steps (µs per operation), one column per database, with the baseline below."""
    headers = ["step of one engine operation"] + [
        f"{r['server'].split(' (')[0]} µs/op" for r in results
    ]
    rows = [[STEPS[step]] + [_us(r["breakdown"][step]) for r in results] for step in STEPS]
    rows.append(
        ["total (instrumented pass)"] + [_us(sum(r["breakdown"].values())) for r in results]
    )
    rows.append(
        ["whole baseline operation, for comparison"]
        + [_us(r["variants"]["baseline"]["median_seconds"]) for r in results]
    )
    return table(headers, rows, markdown=markdown)


def verdict(result: dict) -> str:
    ratio = result["ratio_engine"]
    ok = "meets" if ratio <= TARGET_RATIO else "MISSES"
    return (
        f"engine / baseline = {ratio:.2f}x ({ok} the target of {TARGET_RATIO}x); "
        f"engine / Core with the same guarantees = {result['ratio_engine_guarded']:.2f}x"
    )


def text_report(results: list[dict], memory: dict | None, skipped: dict[str, str]) -> str:
    parts = []
    for result in results:
        parts.append(
            f"{result['server']}: n={result['n']} per variant, {result['rounds']} rounds, "
            f"median per op; audit chain "
            f"{'verifies' if result['chain_ok'] else 'BROKEN'} ({result['events']:,} events)"
        )
        parts.append(table(THROUGHPUT_HEADERS, throughput_rows(result)))
        parts.append(verdict(result) + "\n")
    if results:
        parts.append(
            f"Where the engine's time goes ({results[0]['breakdown_n']:,} instrumented operations)"
        )
        parts.append(breakdown_table(results) + "\n")
    for database, reason in skipped.items():
        parts.append(f"{database}: not measured ({reason})\n")
    if memory:
        parts.append(f"Memory of the machine patterns over {memory['objects']:,} objects")
        parts.append(table(MEMORY_HEADERS, memory_rows(memory)))
    return "\n".join(parts)


def markdown_report(
    results: list[dict], memory: dict | None, skipped: dict[str, str], where: dict, argv: list
) -> str:
    lines = [
        f"Last run: {where['date']}, command `python -m bench.engine"
        + (" " + " ".join(argv) if argv else "")
        + "`.",
        "",
        f"Machine: {where['nproc']} CPU(s) ({where['cpu']}), {where['os']}, "
        f"Python {where['python']}, SQLAlchemy {where['sqlalchemy']}, "
        f"transitions {where['transitions']}, " + ", ".join(r["server"] for r in results) + ".",
        "",
    ]
    if results:
        summary = [
            [
                r["server"],
                f"{r['variants']['engine']['ops_per_second']:,.0f}",
                f"{r['variants']['baseline']['ops_per_second']:,.0f}",
                f"{r['variants']['machine_per_object']['ops_per_second']:,.0f}",
                f"**{r['ratio_engine']:.2f}x**" + (" ✓" if r["ratio_engine"] <= 1.5 else " ✗"),
                f"{r['ratio_engine_guarded']:.2f}x",
                f"{r['ratio_machine_per_object']:.2f}x",
            ]
            for r in results
        ]
        lines += [
            table(
                [
                    "database",
                    "engine ops/s",
                    "baseline ops/s",
                    "Machine per object ops/s",
                    "engine / baseline (target ≤ 1.5x)",
                    "engine / Core with the same guarantees",
                    "per object / baseline",
                ],
                summary,
                markdown=True,
            ),
            "",
        ]
    for r in results:
        lines += [
            f"#### {r['server']}",
            "",
            f"{r['n']:,} proposals per variant, {r['rounds']} interleaved rounds, median per "
            f"operation; the audit chain {'verifies' if r['chain_ok'] else 'is BROKEN'} "
            f"afterwards ({r['events']:,} events).",
            "",
            table(THROUGHPUT_HEADERS, throughput_rows(r), markdown=True),
            "",
        ]
    if results:
        lines += [
            "#### Where the engine's time goes",
            "",
            f"An extra, instrumented pass of {results[0]['breakdown_n']:,} engine operations "
            "(not part of the figures above); each step's time excludes the steps inside it.",
            "",
            breakdown_table(results, markdown=True),
            "",
        ]
    for database, reason in skipped.items():
        lines += [f"{database}: not measured ({reason}).", ""]
    if memory:
        lines += [
            f"#### Memory of the machine patterns ({memory['objects']:,} objects, tracemalloc)",
            "",
            table(MEMORY_HEADERS, memory_rows(memory), markdown=True),
            "",
        ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.engine",
        description="fire + audit + commit throughput against plain SQLAlchemy Core.",
    )
    parser.add_argument(
        "--database-url",
        action="append",
        default=None,
        help="SQLAlchemy URL; repeatable. A PostgreSQL URL names the server (a scratch "
        "database is made). Default: a temporary SQLite file and local PostgreSQL if up.",
    )
    parser.add_argument("--n", type=int, default=2000, help="proposals per variant (2000)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument(
        "--memory-objects", type=int, default=5000, help="objects for the memory measure (5000)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of the engine variant"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    parser.add_argument(
        "--update-docs",
        action="store_true",
        help="rewrite this benchmark's results section of docs/performance.md",
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.rounds < 1 or args.memory_objects < 0:
        parser.error("--n and --rounds must be positive, --memory-objects not negative")
    return args


def main(argv: list[str] | None = None, out=None) -> int:
    """Run the benchmark; ``argv`` as on the command line. Returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    where = machine()
    results, skipped = [], {}
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
                say(profile_engine(url, args.n), out)
    memory = machine_memory(args.memory_objects) if args.memory_objects else None
    say("", out)
    say(text_report(results, memory, skipped), out)
    if args.json:
        args.json.write_text(
            json.dumps({"machine": where, "results": results, "memory": memory}, indent=2)
        )
    if args.update_docs:
        shown = [a for a in argv if a != "--update-docs"]
        path = update_docs(NAME, markdown_report(results, memory, skipped, where, shown))
        say(f"Results written to {path}", out)
    return 0 if all(r["chain_ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
