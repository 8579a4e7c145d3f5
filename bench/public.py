"""The public register and the open-data pacts.csv over a large generated city.

    python -m bench.public [--commons 100000] [--proposals 100000] [--events 300000]
                           [--requests 200] [--pages 10] [--backend sqlite|postgresql ...]
                           [--database-url URL] [--json FILE] [--update-docs]

For each database (SQLite on a temporary file; PostgreSQL in a scratch database
``commons_bench_<random>`` created on the server and dropped afterwards) the data is generated
with ``bench.generate`` (timed apart, not counted). Then, through Flask's test client (the whole
request: routing, the app's queries, Jinja rendering):

- the register list ``/commons/`` under several filter combinations (none, district, kind and
  availability, full-text search for a frequent and for a rare word, the pacts filter, a
  district with no pact). Each combination's first ``--pages`` pages are found by following the
  "next page" links; the timed requests cycle through those pages, so deep keyset pages count as
  much as the first. Median and 95th percentile per combination; target p95 < 50 ms;
- ``/open-data/pacts.csv`` read to its end as a browser would: rows/s (target >= 50,000) in a
  pass without tracing, then a second pass under ``tracemalloc`` for the peak of Python memory
  during the stream, and the process's RSS growth (ru_maxrss) over both passes. The peak for the
  whole file is compared with the peak for the first 1,000 rows read: a flat stream has the same
  peak whatever the number of rows;
- ``/statistics``, the whole page (counts by state, district and year; the days of each stage
  and their median, aggregated by the database): median and 95th percentile of 20 requests,
  against 200 ms.
"""

from __future__ import annotations

import gc
import re
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, select, text

from bench import cli
from bench.cli import Benchmark, Database, Size, backend_option
from bench.common import (
    DEFAULT_POSTGRESQL_URL,
    app_config,
    generate_data,
    postgresql_reachable,
    safe_url,
    say,
    scratch_database,
    server_version,
    table,
)

NAME = "public"
TARGET_P95_MS = 50.0
TARGET_ROWS_PER_SECOND = 50_000
NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def _words(session) -> tuple[str, str, str]:
    """A district, a frequent word and a rare word of the generated register."""
    from commons.registry.models import Commons

    district = session.scalar(
        select(Commons.district)
        .where(Commons.district.is_not(None))
        .group_by(Commons.district)
        .order_by(func.count().desc(), Commons.district)
        .limit(1)
    )
    names = session.scalars(select(Commons.name).order_by(Commons.id).limit(2000)).all()
    counts: dict[str, int] = {}
    for name in names:
        for word in re.findall(r"\w+", name.lower()):
            if len(word) > 3:
                counts[word] = counts.get(word, 0) + 1
    frequent = max(counts, key=lambda w: (counts[w], w))
    rare = min(counts, key=lambda w: (counts[w], w))
    return district or "", frequent, rare


def scenarios(district: str, frequent: str, rare: str) -> list[tuple[str, str]]:
    """(label, first page URL) of each filter combination measured."""
    cases = [
        ("no filter", {}),
        (f"district = {district}", {"district": district}),
        ("kind = park, availability = available", {"kind": "park", "availability": "available"}),
        (f"search '{frequent}' (frequent word)", {"q": frequent}),
        (f"search '{rare[:4]}' (prefix of a rare word)", {"q": rare[:4]}),
        ("pacts = in force", {"pacts": "in_force"}),
        ("pacts = under public notice", {"pacts": "public_notice"}),
        (f"district = {district}, pacts = none", {"district": district, "pacts": "none"}),
        (
            f"search '{frequent}', district, pacts = ended",
            {"q": frequent, "district": district, "pacts": "ended"},
        ),
    ]
    return [(label, "/commons/" + (f"?{urlencode(q)}" if q else "")) for label, q in cases]


def _pages(client, first: str, pages: int) -> list[str]:
    urls = [first]
    while len(urls) < pages:
        body = client.get(urls[-1]).get_data(as_text=True)
        found = NEXT_LINK.search(body)
        if not found:
            break
        urls.append(found.group(1).replace("&amp;", "&"))
    return urls


def measure_register(client, cases, requests: int, pages: int, warmup: int = 3) -> list[dict]:
    results = []
    for label, first in cases:
        urls = _pages(client, first, pages)
        for url in urls[:warmup]:
            assert client.get(url).status_code == 200, url
        times = []
        for i in range(requests):
            url = urls[i % len(urls)]
            started = time.perf_counter()
            response = client.get(url)
            response.get_data()
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
        results.append(
            {
                "label": label,
                "url": first,
                "pages": len(urls),
                "n": len(times),
                "median_ms": statistics.median(times),
                "p95_ms": _percentile(times, 0.95),
                "max_ms": max(times),
            }
        )
    return results


def _read_csv(client, limit: int | None = None) -> tuple[int, int]:
    """Read pacts.csv as a stream; (rows, bytes). ``limit``: stop after that many rows."""
    response = client.get("/open-data/pacts.csv", buffered=False)
    lines = size = 0
    try:
        for chunk in response.response:
            data = chunk.encode() if isinstance(chunk, str) else chunk
            size += len(data)
            lines += data.count(b"\r\n")
            if limit is not None and lines > limit:
                break
    finally:
        response.close()
    return max(0, lines - 1), size


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_csv(client) -> dict:
    _read_csv(client, limit=100)  # warm-up: caches, the first query plans
    gc.collect()
    rss_before = _maxrss_mb()
    started = time.perf_counter()
    rows, size = _read_csv(client)
    seconds = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    _read_csv(client, limit=1000)
    _, peak_small = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    _read_csv(client)
    _, peak_all = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows,
        "mib": size / 2**20,
        "seconds": seconds,
        "rows_per_second": rows / seconds if seconds else 0.0,
        "peak_first_1000_mib": peak_small / 2**20,
        "peak_all_mib": peak_all / 2**20,
        "rss_growth_mb": _maxrss_mb() - rss_before,
    }


STATISTICS_REQUESTS = 20
STATISTICS_TARGET_MS = 200.0


def _timed_get(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    response.get_data()
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return (time.perf_counter() - started) * 1000


def measure_statistics(client, requests: int = STATISTICS_REQUESTS, warmup: int = 2) -> dict:
    """The statistics page, whole requests, two ways.

    Computed: the figures are dropped before each request, as after any new audit event, so
    every figure is computed afresh. Kept: nothing happened since the last request, so the
    figures kept for the chain's head are used (the common case: the page is read far more
    often than the history moves).
    """
    store = client.application.extensions
    for _ in range(warmup):
        store.pop("commons.statistics", None)
        _timed_get(client, "/statistics")
    computed = []
    for _ in range(max(3, requests // 4)):
        store.pop("commons.statistics", None)
        computed.append(_timed_get(client, "/statistics"))
    kept = [_timed_get(client, "/statistics") for _ in range(requests)]
    return {
        "n_computed": len(computed),
        "computed_median_ms": statistics.median(computed),
        "computed_max_ms": max(computed),
        "n": len(kept),
        "median_ms": statistics.median(kept),
        "p95_ms": _percentile(kept, 0.95),
        "max_ms": max(kept),
    }


def statistics_row(figures: dict) -> list:
    s = figures["statistics"]
    ok = s["median_ms"] < STATISTICS_TARGET_MS
    return [
        figures["server"],
        s["n_computed"],
        f"{s['computed_median_ms']:.0f}",
        f"{s['computed_max_ms']:.0f}",
        s["n"],
        f"**{s['median_ms']:.1f}** {_mark(ok)}",
        f"{s['p95_ms']:.1f}",
    ]


STATISTICS_HEADERS = [
    "database",
    "requests, figures computed",
    "median ms",
    "max ms",
    "requests, figures kept",
    "median ms (< 200)",
    "p95 ms",
]


def run_backend(
    backend: str,
    *,
    commons: int,
    proposals: int,
    events: int,
    requests: int,
    pages: int,
    server_url: str = DEFAULT_POSTGRESQL_URL,
    out=None,
) -> dict:
    """Generate the city in a fresh database of ``backend`` and measure it."""
    from commons import create_app
    from commons.extensions import db

    with (
        tempfile.TemporaryDirectory(prefix="commons-bench-public-") as tmp,
        scratch_database(backend, server_url, Path(tmp), "public") as url,
    ):
        say(f"{backend}: generating {commons:,} commons and {proposals:,} proposals", out)
        generation = generate_data(url, commons=commons, proposals=proposals, events=events)[
            "seconds"
        ]
        engine = create_engine(url)
        try:
            server = server_version(engine)
            if backend == "postgresql":  # fresh statistics, as autovacuum would make
                with engine.connect() as conn:
                    conn.execute(text("ANALYZE"))
                    conn.commit()
        finally:
            engine.dispose()
        say(f"  generated in {generation:.1f} s (not counted)", out)
        app = create_app(app_config(url, tmp))
        with app.app_context():
            district, frequent, rare = _words(db.session)
            db.session.remove()
        client = app.test_client()
        cases = scenarios(district, frequent, rare)
        register = measure_register(client, cases, requests, pages)
        for item in register:
            say(
                f"  {item['label']}: median {item['median_ms']:.1f} ms, "
                f"p95 {item['p95_ms']:.1f} ms over {item['pages']} page(s)",
                out,
            )
        csv_figures = measure_csv(client)
        say(
            f"  pacts.csv: {csv_figures['rows']:,} rows in {csv_figures['seconds']:.2f} s "
            f"({csv_figures['rows_per_second']:,.0f} rows/s), tracemalloc peak "
            f"{csv_figures['peak_all_mib']:.1f} MiB",
            out,
        )
        statistics_figures = measure_statistics(client)
        say(f"  /statistics: median {statistics_figures['median_ms']:.0f} ms", out)
        with app.app_context():
            db.engine.dispose()
    return {
        "statistics": statistics_figures,
        "backend": backend,
        "server": server,
        "generation_seconds": generation,
        "register": register,
        "csv": csv_figures,
        "targets": {
            "register p95 < 50 ms": all(r["p95_ms"] < TARGET_P95_MS for r in register),
            "pacts.csv >= 50,000 rows/s": csv_figures["rows_per_second"] >= TARGET_ROWS_PER_SECOND,
        },
    }


def run(
    backends: list[str],
    *,
    commons: int,
    proposals: int,
    events: int,
    requests: int,
    pages: int,
    server_url: str = DEFAULT_POSTGRESQL_URL,
    out=None,
) -> dict:
    result = {
        "commons": commons,
        "proposals": proposals,
        "events": events,
        "requests": requests,
        "pages": pages,
        "backends": [],
        "skipped": {},
    }
    for backend in backends:
        if backend == "postgresql":
            reason = postgresql_reachable(server_url)
            if reason:
                say(f"PostgreSQL at {safe_url(server_url)} does not answer: {reason}", out)
                result["skipped"]["postgresql"] = reason
                continue
        result["backends"].append(
            run_backend(
                backend,
                commons=commons,
                proposals=proposals,
                events=events,
                requests=requests,
                pages=pages,
                server_url=server_url,
                out=out,
            )
        )
    return result


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def register_rows(figures: dict) -> list[list]:
    return [
        [
            r["label"],
            r["pages"],
            r["n"],
            f"{r['median_ms']:.1f}",
            f"**{r['p95_ms']:.1f}** {_mark(r['p95_ms'] < TARGET_P95_MS)}",
            f"{r['max_ms']:.1f}",
        ]
        for r in figures["register"]
    ]


def csv_row(figures: dict) -> list:
    c = figures["csv"]
    return [
        figures["server"],
        f"{c['rows']:,}",
        f"{c['mib']:.1f}",
        f"{c['seconds']:.2f}",
        f"**{c['rows_per_second']:,.0f}** {_mark(c['rows_per_second'] >= TARGET_ROWS_PER_SECOND)}",
        f"{c['peak_first_1000_mib']:.2f}",
        f"{c['peak_all_mib']:.2f}",
        f"{c['rss_growth_mb']:.1f}",
    ]


REGISTER_HEADERS = ["filters", "pages", "requests", "median ms", "p95 ms (< 50)", "max ms"]
CSV_HEADERS = [
    "database",
    "rows",
    "MiB",
    "seconds",
    "rows/s (≥ 50,000)",
    "tracemalloc peak, first 1,000 rows (MiB)",
    "tracemalloc peak, whole file (MiB)",
    "RSS growth (MB)",
]


def text_report(result: dict) -> str:
    parts = []
    for figures in result["backends"]:
        parts += [f"== {figures['server']}", table(REGISTER_HEADERS, register_rows(figures))]
    if result["backends"]:
        parts += [
            "== pacts.csv",
            table(CSV_HEADERS, [csv_row(f) for f in result["backends"]]),
            "== /statistics",
            table(STATISTICS_HEADERS, [statistics_row(f) for f in result["backends"]]),
        ]
    for backend, reason in result["skipped"].items():
        parts.append(f"{backend}: not run ({reason})")
    return "\n".join(parts)


def markdown_report(result: dict, where: dict, argv: list[str]) -> str:
    lines = [
        f"Last run: {where['date']}, command `python -m bench.public"
        + (" " + " ".join(argv) if argv else "")
        + "`.",
        "",
        f"Machine: {where['nproc']} CPU(s) ({where['cpu']}), {where['os']}, "
        f"Python {where['python']}, SQLAlchemy {where['sqlalchemy']}.",
        "",
        f"Data: {result['commons']:,} commons, {result['proposals']:,} proposals and "
        f"{result['events']:,} audit events made by `bench.generate` (not counted). "
        f"{result['requests']} requests per filter combination, cycling through its first "
        f"{result['pages']} keyset pages.",
        "",
    ]
    for figures in result["backends"]:
        lines += [
            f"#### Register list, {figures['server']}",
            "",
            table(REGISTER_HEADERS, register_rows(figures), markdown=True),
            "",
        ]
    if result["backends"]:
        lines += [
            "#### pacts.csv streaming",
            "",
            table(CSV_HEADERS, [csv_row(f) for f in result["backends"]], markdown=True),
            "",
            "#### Statistics page",
            "",
            table(
                STATISTICS_HEADERS,
                [statistics_row(f) for f in result["backends"]],
                markdown=True,
            ),
            "",
        ]
    for backend, reason in result["skipped"].items():
        lines += [f"{backend}: not run, the server did not answer ({reason}).", ""]
    missed = [
        f"{figures['server']}: {name}"
        for figures in result["backends"]
        for name, ok in figures["targets"].items()
        if not ok
    ]
    lines.append("Targets: " + ("all met." if not missed else "missed: " + "; ".join(missed)))
    return "\n".join(lines) + "\n"


def measure(args, out=None) -> dict:
    return run(
        args.backend or ["sqlite", "postgresql"],
        commons=args.commons,
        proposals=args.proposals,
        events=args.events,
        requests=args.requests,
        pages=args.pages,
        server_url=args.database_url,
        out=out,
    )


BENCHMARK = Benchmark(
    name=NAME,
    description="The register list (p95) and pacts.csv streaming over a generated city.",
    sizes=(
        Size("--commons", 100_000, "commons"),
        Size("--proposals", 100_000, "proposals"),
        Size("--events", 300_000, "audit events", minimum=0),
        Size("--requests", 200, "timed requests per filter combination"),
        Size("--pages", 10, "keyset pages per combination"),
    ),
    database=Database(
        "the PostgreSQL server to make the scratch database on", default=DEFAULT_POSTGRESQL_URL
    ),
    options=backend_option,
    measure=measure,
    text_report=text_report,
    markdown_report=markdown_report,
    status=lambda result: 0 if result["backends"] else 1,
)


def main(argv: list[str] | None = None, out=None) -> int:
    """Run the benchmark; ``argv`` as on the command line. Returns the exit status."""
    return cli.main(BENCHMARK, argv, out)


if __name__ == "__main__":
    sys.exit(main())
