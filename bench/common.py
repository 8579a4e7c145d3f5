"""Helpers shared by the benchmarks: timing, machine description, scratch databases, docs.

Every benchmark module under ``bench/`` exposes ``main(argv) -> int``; ``python -m bench``
runs them all and asks each (``--update-docs``) to rewrite its own results section of
docs/performance.md, between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import secrets
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# --- figures --------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def spread(values: list[float]) -> float:
    """Half the range around the median, in percent: how far the rounds disagree."""
    if len(values) < 2:
        return 0.0
    mid = median(values)
    return 50.0 * (max(values) - min(values)) / mid if mid else 0.0


def table(headers: list[str], rows: list[list], *, markdown: bool = False) -> str:
    """A plain-text (aligned) or Markdown table."""
    cells = [[str(c) for c in row] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    lines = [fmt.format(*headers), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*row) for row in cells]
    return "\n".join(lines)


# --- where it ran ---------------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> dict:
    """What the figures depend on, besides the code: CPUs, Python, libraries."""
    import sqlalchemy
    import transitions

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 0
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": cpus,
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "transitions": transitions.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


def server_version(engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return "PostgreSQL " + conn.execute(text("SHOW server_version")).scalar_one()
        if engine.dialect.name == "sqlite":
            return "SQLite " + conn.execute(text("SELECT sqlite_version()")).scalar_one()
        return engine.dialect.name


# --- databases ------------------------------------------------------------------------------


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def postgresql_reachable(url: str = DEFAULT_POSTGRESQL_URL) -> str | None:
    """None when the server answers, else the reason it does not."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return str(error).splitlines()[0]
    finally:
        engine.dispose()
    return None


@contextlib.contextmanager
def scratch_postgresql(server_url: str, prefix: str = "commons_bench") -> Iterator[str]:
    """Create a database named ``<prefix>_<random>`` on the server, yield its URL, drop it."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextlib.contextmanager
def scratch_database(backend: str, server_url: str, workdir: Path, name: str) -> Iterator[str]:
    """A fresh database of ``backend``: a scratch one on the PostgreSQL server (dropped after),
    or the SQLite file ``<workdir>/<name>.db``."""
    if backend == "postgresql":
        with scratch_postgresql(server_url) as url:
            yield url
    else:
        yield f"sqlite:///{Path(workdir) / f'{name}.db'}"


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# --- docs/performance.md --------------------------------------------------------------------


def update_docs(name: str, markdown: str, path: Path = DOCS) -> Path:
    """Replace the text between the benchmark's markers (appending the block if missing)."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    current = path.read_text() if path.exists() else "# Performance\n"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        _, tail = rest.split(end, 1)
        updated = head + block + tail
    else:
        updated = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(updated)
    return path


def say(message: str = "", out=None) -> None:
    print(message, file=out or sys.stdout, flush=True)


def app_config(database_url: str, workdir) -> dict:
    """The app's settings for a benchmark: its own database and folders, cheap argon2."""
    from pathlib import Path

    workdir = Path(workdir)
    return {
        "SECRET_KEY": "bench-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_DIR": str(workdir / "instance"),
        "STORAGE_DIR": str(workdir / "storage"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "CITY_NAME": "Benchville",
        "CITY_LANGUAGE": None,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
    }


def bulk_engine(url: str) -> Engine:
    """An engine tuned for bulk loading; SQLite skips fsync and checks foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            for pragma in (
                "foreign_keys=ON",
                "synchronous=OFF",
                "temp_store=MEMORY",
                "cache_size=-262144",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        return engine
    return create_engine(url)


def generate_data(database_url: str, *, commons: int, proposals: int, events: int) -> dict:
    """Fill ``database_url`` with ``bench.generate``; {"seconds": ..., "log": ...}."""
    from bench import generate

    log = io.StringIO()
    started = time.perf_counter()
    status = generate.main(
        [
            "--commons",
            str(commons),
            "--proposals",
            str(proposals),
            "--events",
            str(events),
            "--database-url",
            database_url,
        ],
        out=log,
    )
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"bench.generate failed: {log.getvalue()[-2000:]}")
    return {"seconds": seconds, "log": log.getvalue()}
