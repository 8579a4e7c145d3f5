"""Importing a city's register: ``commons import register`` on a generated file of N rows.

    python -m bench.importer [--rows 100000] [--small 10000] [--backend sqlite|postgresql ...]
                             [--database-url URL] [--json FILE] [--update-docs]

For each database (SQLite on a temporary file; PostgreSQL in a scratch database created on the
server and dropped afterwards), an empty schema is made, then the generated comma-separated
register (``--rows`` rows: one commons per three rows, one representative per five, states of
every kind, a tenth of the rows with a multi-line cell, dates as dd/mm/yyyy) is imported with
the example mapping ``docs/import-mapping-it.toml``: reading, checking every row (the dry
run's plan), creating the commons, groups, proposals and audit events, and the one commit.
Figures: rows/s of the whole import (target >= 2,000), and the peak of Python memory during it
(tracemalloc, in a second pass, since tracing slows Python down), for ``--small`` rows and for
``--rows`` rows: a flat import has the same peak whatever the number of rows.
"""

from __future__ import annotations

import csv
import gc
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench import cli
from bench.cli import Benchmark, Database, Size, backend_option
from bench.common import (
    DEFAULT_POSTGRESQL_URL,
    app_config,
    postgresql_reachable,
    say,
    scratch_postgresql,
    table,
)

NAME = "importer"
TARGET_ROWS_PER_SECOND = 2_000
ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "docs" / "import-mapping-it.toml"
HEADER = [
    "ID", "Latitudine", "Longitudine", "Indirizzo", "Quartiere", "Zona", "Ambito di azione",
    "Tipologia proponente", "Titolo proposta", "Referente", "Stato", "Esito", "Note atti",
    "Link patto firmato", "Data sottoscrizione", "Inizio", "Scadenza", "Durata (mesi)",
    "Numero atto", "Data atto", "Note",
]  # fmt: skip
STATES = [
    ("Patto sottoscritto", ""),
    ("Istruttoria in corso", ""),
    ("Archiviato", "Respinto"),
    ("Archiviato", "Ritirato"),
    ("In attesa di integrazione", ""),
    ("Proroga/monitoraggio", ""),
    ("Respinto", ""),
]
KINDS = ["Associazione", "Cittadino singolo", "Gruppo informale", "Scuola", "Impresa"]


def write_register(path: Path, rows: int) -> Path:
    """A comma-separated register of ``rows`` rows, as messy as a real one."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for n in range(rows):
            word, outcome = STATES[n % len(STATES)]
            signed = word in ("Patto sottoscritto", "Proroga/monitoraggio")
            day = f"{1 + n % 28:02d}/{1 + n % 12:02d}/{2019 + n % 6}"
            notes = f"Determina DD/PRO/{2019 + n % 6}/{n}" + ("\nalbo pretorio" if n % 10 else "")
            out.writerow(
                [
                    n + 1,
                    f"44,{4800 + n % 997}",
                    f"11,{3300 + n % 991}",
                    f"Via {'Roma' if n % 2 else 'roma'} {n // 3}",
                    f"Quartiere {n % 9}",
                    f"Zona {n % 31}",
                    "Cura del verde",
                    KINDS[n % len(KINDS)],
                    f"Patto numero {n + 1}",
                    f"Persona {n // 5}",
                    word,
                    outcome,
                    notes,
                    f"https://comune.example/patti/{n + 1}.pdf" if signed else "",
                    day if signed else "",
                    day if signed else "",
                    "",
                    "36" if signed else "",
                    f"DD/PRO/{n}" if signed else "",
                    day if signed else "",
                    "",
                ]
            )
    return path


def import_once(database_url: str, rows: int, workdir: Path, *, trace: bool = False) -> dict:
    """Import a generated register of ``rows`` rows into an empty schema: its time, or (with
    ``trace``, which slows Python down) the peak of its Python memory."""
    from commons import create_app
    from commons.cli import upgrade_database
    from commons.extensions import db
    from commons.imports.mapping import load_mapping
    from commons.imports.operations import apply_plan
    from commons.imports.planning import existing_keys, plan_import
    from commons.imports.reading import read_register
    from workflows import get_profile

    register_file = write_register(workdir / f"register-{rows}.csv", rows)
    app = create_app(app_config(database_url, workdir))
    with app.app_context():
        upgrade_database(database_url)
        profile = get_profile(app.config["PROFILE"])
        gc.collect()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        mapping = load_mapping(MAPPING, profile.states)
        register = read_register(register_file, mapping)
        plan = plan_import(register, mapping, profile, existing_keys())
        counts, _run = apply_plan(plan, mapping, profile, filename=register_file.name)
        db.session.commit()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        db.session.remove()
        db.engine.dispose()
    return {
        "rows": rows,
        "proposals": counts.proposals_created,
        "commons": counts.commons_created,
        "groups": counts.groups_created,
        "seconds": seconds,
        "rows_per_second": rows / seconds,
        "peak_mib": peak / 2**20,
    }


def _targets(args) -> list[tuple[str, str]]:
    targets = []
    for backend in args.backend or ["sqlite", "postgresql"]:
        if backend == "sqlite":
            targets.append(("sqlite", ""))
        else:
            targets.append(("postgresql", args.database_url or DEFAULT_POSTGRESQL_URL))
    return targets


def measure(args, out) -> dict:
    results = {}
    for backend, server in _targets(args):
        if backend == "postgresql":
            problem = postgresql_reachable(server)
            if problem:
                raise SystemExit(f"PostgreSQL unreachable at {server}: {problem}")
        figures = []
        for rows in (args.small, args.rows):
            passes = []
            for trace in (False, True):  # timed untraced; the memory in a second pass
                with tempfile.TemporaryDirectory(prefix="commons-bench-import-") as tmp:
                    if backend == "sqlite":
                        url = f"sqlite:///{tmp}/bench.db"
                        passes.append(import_once(url, rows, Path(tmp), trace=trace))
                    else:
                        with scratch_postgresql(server, prefix="commons_bench_import") as url:
                            passes.append(import_once(url, rows, Path(tmp), trace=trace))
            figures.append({**passes[0], "peak_mib": passes[1]["peak_mib"]})
            last = figures[-1]
            say(
                f"  {backend}: {rows:,} rows in {last['seconds']:.1f} s "
                f"({last['rows_per_second']:,.0f} rows/s), peak {last['peak_mib']:.1f} MiB",
                out,
            )
        results[backend] = figures
    return results


def _rows(result: dict) -> list[list]:
    rows = []
    for backend, figures in result.items():
        for f in figures:
            rows.append(
                [
                    backend,
                    f"{f['rows']:,}",
                    f"{f['seconds']:.1f}",
                    f"{f['rows_per_second']:,.0f}",
                    f"{f['peak_mib']:.1f}",
                    f"{f['commons']:,} / {f['groups']:,}",
                ]
            )
    return rows


HEADERS = ["database", "rows", "seconds", "rows/s", "peak MiB", "commons / groups made"]


def text_report(result: dict) -> str:
    return table(HEADERS, _rows(result))


def markdown_report(result: dict, where: dict, argv: list[str]) -> str:
    command = " ".join(["python -m bench.importer", *argv])
    return "\n".join(
        [
            f"`{command}` on {where.get('cpu', '')} ({where.get('python', '')}):",
            "",
            table(HEADERS, _rows(result), markdown=True),
            "",
            f"Target: at least {TARGET_ROWS_PER_SECOND:,} rows/s; peak memory flat in the rows.",
        ]
    )


BENCHMARK = Benchmark(
    name=NAME,
    description=__doc__.splitlines()[0],
    measure=measure,
    text_report=text_report,
    markdown_report=markdown_report,
    sizes=(
        Size("--rows", 100_000, "rows of the large register"),
        Size("--small", 10_000, "rows of the small register (memory compared)"),
    ),
    database=Database("PostgreSQL server URL (a scratch database is made on it)"),
    options=backend_option,
)


def main(argv: list[str] | None = None, out=None) -> int:
    return cli.main(BENCHMARK, argv, out)


if __name__ == "__main__":
    raise SystemExit(main())
