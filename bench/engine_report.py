"""The engine benchmark's figures as plain-text tables and as its docs/performance.md section."""

from __future__ import annotations

from bench.common import table
from bench.engine_steps import STEPS

LABELS = {
    "engine": "engine (fire + audit + commit)",
    "engine_request": "engine with the request's loads (user, proposal)",
    "baseline": "baseline (Core UPDATE + INSERT)",
    "baseline_guarded": "Core with the engine's guarantees (state check, head locked and moved)",
    "machine_per_object": "Machine per object + Core",
}


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f}"


def throughput_rows(result: dict) -> list[list]:
    rows = []
    base = result["variants"]["baseline"]["median_seconds"]
    for v in result["variants"]:
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
    ratio, target = result["ratio_engine"], result["target_ratio"]
    ok = "meets" if ratio <= target else "MISSES"
    return (
        f"engine / baseline = {ratio:.2f}x ({ok} the target of {target}x); "
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
                f"**{r['ratio_engine']:.2f}x**"
                + (" ✓" if r["ratio_engine"] <= r["target_ratio"] else " ✗"),
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
