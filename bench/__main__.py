"""Run every benchmark and record its figures in docs/performance.md: ``python -m bench``.

    python -m bench [--only NAME ...] [--no-docs] [--quick]

Each module listed in BENCHMARKS has ``main(argv) -> int``; it prints its own tables and, given
``--update-docs``, rewrites its section of docs/performance.md between ``<!-- bench:NAME -->``
and ``<!-- /bench:NAME -->``. To add a benchmark, write the module and list it here with the
arguments of a full run and of a quick one.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from bench.common import DOCS, say, table

# name -> (module, arguments of a full run, arguments of a quick run)
BENCHMARKS: dict[str, tuple[str, list[str], list[str]]] = {
    "engine": (
        "bench.engine",
        ["--n", "2000", "--rounds", "5", "--memory-objects", "5000"],
        ["--n", "200", "--rounds", "3", "--memory-objects", "500"],
    ),
    "documents": (
        "bench.documents",
        ["--rounds", "15", "--requests", "500"],
        ["--rounds", "2", "--requests", "20"],
    ),
    "audit": (
        "bench.audit",
        ["--events", "1000000", "--proposals", "20000", "--commons", "5000"],
        ["--events", "5000", "--proposals", "500", "--commons", "100"],
    ),
    "public": (
        "bench.public",
        ["--commons", "100000", "--proposals", "100000", "--events", "300000"],
        ["--commons", "500", "--proposals", "500", "--events", "2000", "--requests", "5"],
    ),
    "accounts": (
        "bench.accounts",
        ["--requests", "5", "--rounds", "7"],
        ["--requests", "1", "--rounds", "2"],
    ),
    "importer": (
        "bench.importer",
        ["--rows", "100000", "--small", "10000"],
        ["--rows", "200", "--small", "50"],
    ),
    "calls": (
        "bench.calls",
        ["--applications", "1000", "--evaluators", "5", "--requests", "50"],
        ["--applications", "100", "--evaluators", "2", "--requests", "3"],
    ),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run the benchmarks; results in docs/performance.md."
    )
    parser.add_argument(
        "--only", action="append", choices=sorted(BENCHMARKS), help="run only these benchmarks"
    )
    parser.add_argument(
        "--no-docs", action="store_true", help=f"do not rewrite {DOCS.relative_to(DOCS.parents[1])}"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: checks that it works, not the figures"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    summary, failed = [], 0
    for name in args.only or list(BENCHMARKS):
        module_name, full, quick = BENCHMARKS[name]
        bench_argv = list(quick if args.quick else full)
        if not args.no_docs and not args.quick:
            bench_argv.append("--update-docs")
        say(f"== {name}: python -m {module_name} {' '.join(bench_argv)}")
        started = time.perf_counter()
        try:
            status = importlib.import_module(module_name).main(bench_argv)
        except Exception as error:  # noqa: BLE001 - report it and go on with the others
            say(f"{name} failed: {error!r}")
            status = 1
        failed += status != 0
        summary.append([name, "ok" if status == 0 else f"failed ({status})"])
        summary[-1].append(f"{time.perf_counter() - started:,.0f}")
        say()
    say(table(["benchmark", "result", "seconds"], summary))
    if not args.no_docs and not args.quick:
        say(f"Figures recorded in {DOCS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
