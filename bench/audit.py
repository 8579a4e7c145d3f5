"""Audit exports (CSV, JSON Lines) and chain verification over a large generated history.

    python -m bench.audit [--events 1000000] [--proposals 20000] [--commons 5000]
                          [--database-url URL] [--profile] [--json FILE] [--update-docs]

The data is generated once with ``bench.generate`` (timed apart, not counted). Then:

- ``commons audit export --format csv`` and ``--format jsonl`` of every pact, each run as a
  subprocess of the real command line (``.venv/bin/commons``, so ``run_export`` exactly as an
  operator runs it), into a temporary file: events/s from the subprocess's wall time (which
  includes the interpreter and app start-up) and its peak RSS (``os.wait4``'s ``ru_maxrss``:
  the whole process, C allocations included, which tracemalloc would not see);
- PostgreSQL's own ``COPY (SELECT <the same columns, join and order>) TO STDOUT WITH CSV``
  through psycopg's ``cursor.copy()`` into a file: the floor an export can hope for; the
  ratio ours / COPY compares wall times for the same rows in the same run;
- ``verify_chain`` over the whole chain, in process (time) and through ``commons audit verify``
  in a subprocess (time and peak RSS).

Targets: CSV and JSONL at >= 100,000 events/s with a peak RSS under 200 MB, verification of
the chain in under 10 s.

Without ``--database-url`` it runs on PostgreSQL at 127.0.0.1:5432 (user postgres) in a
scratch database it creates and drops; a PostgreSQL URL names the server (a scratch database
is made there too). A SQLite URL names a file, used as is (no COPY there).
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import cli
from bench.cli import Benchmark, Database, Size
from bench.common import (
    DEFAULT_POSTGRESQL_URL,
    ROOT,
    generate_data,
    is_postgresql,
    safe_url,
    say,
    scratch_postgresql,
    server_version,
    table,
)

NAME = "audit"
TARGET_EVENTS_PER_SECOND = 100_000
TARGET_PEAK_MB = 200
TARGET_VERIFY_SECONDS = 10.0

# The columns, join and order of commons.audit.queries.event_rows, for COPY.
COPY_SQL = (
    "COPY (SELECT e.seq, e.occurred_at, p.protocol_number, e.proposal_id, e.trigger, "
    "e.from_state, e.to_state, e.actor_id, "
    "CASE WHEN e.actor_id IS NULL THEN 'system' ELSE u.full_name END, e.actor_role, "
    "e.payload, e.public, e.prev_hash, e.hash FROM audit_events e "
    "JOIN proposals p ON p.id = e.proposal_id LEFT JOIN users u ON u.id = e.actor_id "
    "ORDER BY e.seq) TO STDOUT WITH (FORMAT csv, HEADER true)"
)


def commons_command() -> list[str]:
    """The ``commons`` console script next to this interpreter (the project's virtualenv)."""
    script = Path(sys.executable).with_name("commons")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from commons.cli import main; sys.exit(main())"]


def _child_env(database_url: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "COMMONS_DATABASE_URL": database_url,
            "COMMONS_INSTANCE_DIR": str(workdir / "instance"),
            "COMMONS_STORAGE_DIR": str(workdir / "storage"),
            "COMMONS_SECRET_KEY": "bench-secret-key",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


# Linux keeps a process's RSS high-water mark across execve: a command started straight from
# this (large, after generating the data) process would report this process's peak as its own.
# A small launcher forks the command and reports the command's own peak from wait4.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(argv: list[str], env: dict[str, str], workdir: Path) -> dict:
    """Run a command; its wall time, peak RSS (MB, from wait4), exit status and output."""
    out_path, err_path = workdir / "child.out", workdir / "child.err"
    rss_path = workdir / "child.maxrss"
    launcher = [sys.executable, "-c", LAUNCHER, str(rss_path), *argv]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(launcher, stdout=out, stderr=err, env=env, cwd=ROOT)  # noqa: S603
        status = proc.wait()
        seconds = time.perf_counter() - started
    proc.returncode = status
    return {
        "seconds": seconds,
        "peak_mb": int(rss_path.read_text() or 0) / 1024,  # kilobytes on Linux
        "status": proc.returncode,
        "stdout": out_path.read_text(errors="replace"),
        "stderr": err_path.read_text(errors="replace"),
    }


def _checked(result: dict, what: str) -> dict:
    if result["status"] != 0:
        raise RuntimeError(f"{what} failed ({result['status']}): {result['stderr'][-2000:]}")
    return result


def _lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            count += block.count(b"\n")
    return count


def cli_export(fmt: str, env: dict, workdir: Path) -> dict:
    """``commons audit export --format FMT`` of every pact, in a subprocess."""
    output = workdir / f"events.{fmt}"
    result = _checked(
        run_measured(
            [*commons_command(), "audit", "export", "--format", fmt, "-o", str(output)],
            env,
            workdir,
        ),
        f"commons audit export --format {fmt}",
    )
    rows = int(result["stdout"].split(": ", 1)[1].split(" events", 1)[0])
    figures = {
        "rows": rows,
        "seconds": result["seconds"],
        "peak_mb": result["peak_mb"],
        "bytes": output.stat().st_size,
        "lines": _lines(output),
        "events_per_second": rows / result["seconds"],
    }
    output.unlink()
    return figures


def cli_startup(env: dict, workdir: Path) -> dict:
    """The command line's own start-up (interpreter, app, no work): part of every CLI figure."""
    return _checked(
        run_measured([*commons_command(), "audit", "export", "--help"], env, workdir),
        "commons audit export --help",
    )


def cli_verify(env: dict, workdir: Path) -> dict:
    result = _checked(
        run_measured([*commons_command(), "audit", "verify"], env, workdir), "commons audit verify"
    )
    count = int(result["stdout"].split("OK: ", 1)[1].split(" events", 1)[0])
    return {"events": count, "seconds": result["seconds"], "peak_mb": result["peak_mb"]}


def pg_copy(database_url: str, workdir: Path) -> dict:
    """PostgreSQL's COPY of the export's rows to a file through psycopg: the floor."""
    output = workdir / "copy.csv"
    engine = create_engine(database_url)
    try:
        raw = engine.raw_connection()
        try:
            started = time.perf_counter()
            with open(output, "wb") as fh:
                cursor = raw.cursor()
                with cursor.copy(COPY_SQL) as copy:
                    for data in copy:
                        fh.write(data)
                cursor.close()
            seconds = time.perf_counter() - started
            raw.rollback()
        finally:
            raw.close()
    finally:
        engine.dispose()
    lines = _lines(output)
    figures = {
        "rows": lines - 1,
        "seconds": seconds,
        "bytes": output.stat().st_size,
        "events_per_second": (lines - 1) / seconds,
    }
    output.unlink()
    return figures


@contextlib.contextmanager
def _app(database_url: str, workdir: Path) -> Iterator[object]:
    from commons import create_app
    from commons.extensions import db

    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_DIR": str(workdir / "instance"),
            "STORAGE_DIR": str(workdir / "storage"),
            "RATELIMIT_STORAGE_URI": "memory://",
            "CITY_NAME": "Benchville",
            "CITY_LANGUAGE": None,
        }
    )
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def verify_in_process(database_url: str, workdir: Path, *, profile: bool = False) -> dict:
    """``verify_chain()`` in this process: its time (the command line's start-up aside)."""
    from commons.audit.operations import verify_chain

    with _app(database_url, workdir):
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = verify_chain()
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
    figures = {"ok": report.ok, "events": report.count, "seconds": seconds}
    if profiler:
        figures["profile"] = _profile_text(profiler)
    return figures


def export_in_process(fmt: str, database_url: str, workdir: Path) -> str:
    """A cProfile of ``run_export`` (for --profile only: the figures come from the CLI)."""
    from commons.audit.exports import Filters, run_export

    with _app(database_url, workdir):
        profiler = cProfile.Profile()
        profiler.enable()
        run_export(fmt, workdir / f"profile.{fmt}", Filters())
        profiler.disable()
    (workdir / f"profile.{fmt}").unlink()
    return _profile_text(profiler)


def _profile_text(profiler: cProfile.Profile, top: int = 25) -> str:
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


@contextlib.contextmanager
def _database(database_url: str) -> Iterator[str]:
    if is_postgresql(database_url):
        with scratch_postgresql(database_url) as url:
            yield url
    else:
        yield database_url


def run(
    database_url: str,
    events: int,
    *,
    proposals: int = 20_000,
    commons: int = 5_000,
    profile: bool = False,
    out=None,
) -> dict:
    """Generate the data in a fresh database, then measure exports, COPY and verification."""
    result: dict = {"events": events, "proposals": proposals, "commons": commons}
    with (
        _database(database_url) as url,
        tempfile.TemporaryDirectory(prefix="commons-bench-audit-") as tmp,
    ):
        workdir = Path(tmp)
        engine = create_engine(url)
        try:
            from commons.db import Base, import_all_models

            import_all_models()
            Base.metadata.create_all(engine)  # with the append-only trigger on PostgreSQL
            result["database"] = engine.dialect.name
        finally:
            engine.dispose()
        say(f"generating {events:,} events, {proposals:,} proposals, {commons:,} commons", out)
        result["generation_seconds"] = generate_data(
            url, commons=commons, proposals=proposals, events=events
        )["seconds"]
        engine = create_engine(url)
        try:
            result["server"] = server_version(engine)
            if result["database"] == "postgresql":  # fresh statistics, as autovacuum would make
                with engine.connect() as conn:
                    conn.execute(text("ANALYZE"))
                    conn.commit()
        finally:
            engine.dispose()
        say(f"  generated in {result['generation_seconds']:.1f} s (not counted)", out)
        env = _child_env(url, workdir)
        result["startup"] = {"seconds": cli_startup(env, workdir)["seconds"]}
        for fmt in ("csv", "jsonl"):
            say(f"commons audit export --format {fmt}", out)
            result[fmt] = cli_export(fmt, env, workdir)
            say(
                f"  {result[fmt]['rows']:,} events in {result[fmt]['seconds']:.2f} s: "
                f"{result[fmt]['events_per_second']:,.0f} events/s, "
                f"peak RSS {result[fmt]['peak_mb']:.0f} MB",
                out,
            )
        if result["database"] == "postgresql":
            say("COPY ... TO STDOUT WITH CSV", out)
            result["copy"] = pg_copy(url, workdir)
            say(
                f"  {result['copy']['rows']:,} rows in {result['copy']['seconds']:.2f} s: "
                f"{result['copy']['events_per_second']:,.0f} rows/s",
                out,
            )
            for fmt in ("csv", "jsonl"):
                result[fmt]["vs_copy"] = result[fmt]["seconds"] / result["copy"]["seconds"]
        else:
            result["copy"] = None
        say("verify_chain", out)
        result["verify"] = verify_in_process(url, workdir, profile=profile)
        result["verify_cli"] = cli_verify(env, workdir)
        say(
            f"  {result['verify']['events']:,} events: {result['verify']['seconds']:.2f} s in "
            f"process, {result['verify_cli']['seconds']:.2f} s through the command line "
            f"(peak RSS {result['verify_cli']['peak_mb']:.0f} MB)",
            out,
        )
        if profile:
            result["profiles"] = {
                "verify_chain": result["verify"].pop("profile"),
                **{f"export {fmt}": export_in_process(fmt, url, workdir) for fmt in ("csv",)},
            }
            result["profiles"]["export jsonl"] = export_in_process("jsonl", url, workdir)
    result["targets"] = targets(result)
    return result


def targets(result: dict) -> dict[str, bool]:
    met = {}
    for fmt in ("csv", "jsonl"):
        met[f"{fmt}_rate"] = result[fmt]["events_per_second"] >= TARGET_EVENTS_PER_SECOND
        met[f"{fmt}_memory"] = result[fmt]["peak_mb"] < TARGET_PEAK_MB
    met["verify_time"] = result["verify"]["ok"] and (
        result["verify_cli"]["seconds"] < TARGET_VERIFY_SECONDS
    )
    return met


# --- output -----------------------------------------------------------------------------------


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def result_rows(result: dict) -> list[list]:
    met = result["targets"]
    rows = []
    labels = {"csv": "`commons audit export --format csv`", "jsonl": "… `--format jsonl`"}
    for fmt in ("csv", "jsonl"):
        f = result[fmt]
        rows.append(
            [
                labels[fmt],
                f"{f['rows']:,}",
                f"{f['seconds']:.2f}",
                f"**{f['events_per_second']:,.0f}** {_mark(met[f'{fmt}_rate'])}",
                f"**{f['peak_mb']:.0f}** {_mark(met[f'{fmt}_memory'])}",
                f"{f['bytes'] / 2**20:,.0f}",
                f"{f['vs_copy']:.2f}x" if "vs_copy" in f else "n/a",
            ]
        )
    copy = result["copy"]
    if copy:
        rows.append(
            [
                "PostgreSQL `COPY (SELECT …) TO STDOUT WITH CSV` via psycopg",
                f"{copy['rows']:,}",
                f"{copy['seconds']:.2f}",
                f"{copy['events_per_second']:,.0f}",
                "",
                f"{copy['bytes'] / 2**20:,.0f}",
                "1.00x",
            ]
        )
    verify, cli = result["verify"], result["verify_cli"]
    rows.append(
        [
            "`commons audit verify` (whole chain)",
            f"{cli['events']:,}",
            f"**{cli['seconds']:.2f}** {_mark(met['verify_time'])}",
            f"{cli['events'] / cli['seconds']:,.0f}",
            f"{cli['peak_mb']:.0f}",
            "",
            "",
        ]
    )
    rows.append(
        [
            "`verify_chain()` in process",
            f"{verify['events']:,}",
            f"{verify['seconds']:.2f}",
            f"{verify['events'] / verify['seconds']:,.0f}",
            "",
            "",
            "",
        ]
    )
    return rows


HEADERS = ["what", "events", "seconds", "events/s", "peak RSS MB", "file MiB", "vs COPY"]


def text_report(result: dict) -> str:
    return "\n".join(
        [
            f"{result['server']}: {result['events']:,} events generated in "
            f"{result['generation_seconds']:.1f} s (not counted); CLI start-up "
            f"{result['startup']['seconds']:.2f} s (counted in the CLI figures)",
            table(HEADERS, result_rows(result)),
            "targets: "
            + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in result["targets"].items()),
        ]
    )


def markdown_report(result: dict, where: dict, argv: list[str]) -> str:
    lines = [
        f"Last run: {where['date']}, command `python -m bench.audit"
        + (" " + " ".join(argv) if argv else "")
        + "`.",
        "",
        f"Machine: {where['nproc']} CPU(s) ({where['cpu']}), {where['os']}, "
        f"Python {where['python']}, SQLAlchemy {where['sqlalchemy']}, {result['server']}.",
        "",
        f"Data: {result['events']:,} audit events over {result['proposals']:,} proposals and "
        f"{result['commons']:,} commons, made by `bench.generate` in "
        f"{result['generation_seconds']:,.0f} s (not counted). The command line's start-up "
        f"alone (`commons audit export --help`) takes {result['startup']['seconds']:.2f} s and "
        "is included in every command-line figure.",
        "",
        table(HEADERS, result_rows(result), markdown=True),
        "",
        "Targets: exports ≥ 100,000 events/s with a peak RSS < 200 MB; verification < 10 s. "
        + (
            "All met."
            if all(result["targets"].values())
            else "Missed: " + ", ".join(k for k, v in result["targets"].items() if not v) + "."
        ),
        "",
    ]
    return "\n".join(lines)


def measure(args, out=None) -> dict:
    say(f"{safe_url(args.database_url)}: {args.events:,} events", out)
    return run(
        args.database_url,
        args.events,
        proposals=args.proposals,
        commons=args.commons,
        profile=args.profile,
        out=out,
    )


BENCHMARK = Benchmark(
    name=NAME,
    description="Audit CSV/JSONL exports against PostgreSQL COPY, and chain verification.",
    sizes=(
        Size("--events", 1_000_000, "events"),
        Size("--proposals", 20_000, "proposals"),
        Size("--commons", 5_000, "commons"),
    ),
    database=Database(
        "a PostgreSQL server (a scratch database is made there) or a SQLite file URL; "
        "default: PostgreSQL at 127.0.0.1:5432, user postgres",
        default=DEFAULT_POSTGRESQL_URL,
    ),
    profile="also print cProfiles of the exports and verify",
    measure=measure,
    text_report=text_report,
    markdown_report=markdown_report,
    status=lambda result: 0 if result["verify"]["ok"] else 1,
)


def main(argv: list[str] | None = None, out=None) -> int:
    """Run the benchmark; ``argv`` as on the command line. Returns the exit status."""
    return cli.main(BENCHMARK, argv, out)


if __name__ == "__main__":
    sys.exit(main())
