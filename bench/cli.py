"""The command line every benchmark shares: options, rounds, reports, docs/performance.md.

A benchmark module declares only what is its own in a :class:`Benchmark` (its sizes, its
database option, its extra options, how it measures and how it reports) and hands it to
:func:`main`. The skeleton gives each the same options and the same behaviour:

- its sizes (``--n``, ``--events``...) and ``--rounds``, each with its default and minimum;
- ``--database-url`` where the benchmark uses a database (repeatable where it runs on several);
- ``--profile`` where the benchmark can print a cProfile;
- ``--json FILE``: the figures as JSON, ``{"machine": ..., "result": ...}``;
- ``--markdown``: print the Markdown section instead of the plain-text tables;
- ``--update-docs``: rewrite the benchmark's section of docs/performance.md, between
  ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``.

:func:`interleaved` runs the subject and its baseline (and any other variant) round by round in
one run, rotating their order, and :func:`paired` compares two of them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import machine, median, say, update_docs


@dataclass(frozen=True)
class Size:
    """A size option of a benchmark: ``--flag N``, at least ``minimum``."""

    flag: str
    default: int
    help: str
    minimum: int = 1

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


@dataclass(frozen=True)
class Database:
    """The benchmark's ``--database-url``: its help, default and whether it repeats."""

    help: str
    default: str | None = None
    repeatable: bool = False


@dataclass(frozen=True)
class Benchmark:
    """What one benchmark declares; :func:`main` does the rest.

    ``measure(args, out)`` runs it and returns its figures (a ``"profiles"`` entry, name ->
    cProfile text, is printed after the report and left out of the JSON);
    ``text_report(result)`` and ``markdown_report(result, where, argv)`` show them;
    ``status(result)`` is the exit status.
    """

    name: str
    description: str
    measure: Callable[[argparse.Namespace, object], dict]
    text_report: Callable[[dict], str]
    markdown_report: Callable[[dict, dict, list[str]], str]
    sizes: tuple[Size, ...] = ()
    database: Database | None = None
    profile: str | None = None  # the help of --profile; None: no such option
    options: Callable[[argparse.ArgumentParser], None] | None = None
    where: Callable[[], dict] = machine
    status: Callable[[dict], int] = field(default=lambda result: 0)

    @property
    def prog(self) -> str:
        return f"python -m bench.{self.name}"


def backend_option(parser: argparse.ArgumentParser) -> None:
    """``--backend sqlite|postgresql`` (repeatable; default: both), for a benchmark's
    ``options`` when it runs on each database in turn."""
    parser.add_argument(
        "--backend",
        action="append",
        choices=("sqlite", "postgresql"),
        help="database(s) to run on (default: both)",
    )


# Options that change where the figures go, not what is measured: left out of the command
# shown in docs/performance.md (with the value that follows each, when it takes one).
_NOT_SHOWN = {"--update-docs": 0, "--markdown": 0, "--json": 1}


def parser_for(bench: Benchmark) -> argparse.ArgumentParser:
    """The benchmark's argument parser: its own options and the common ones."""
    parser = argparse.ArgumentParser(prog=bench.prog, description=bench.description)
    for size in bench.sizes:
        parser.add_argument(
            size.flag, type=int, default=size.default, help=f"{size.help} ({size.default:,})"
        )
    if bench.database:
        parser.add_argument(
            "--database-url",
            action="append" if bench.database.repeatable else "store",
            default=bench.database.default,
            help=bench.database.help,
        )
    if bench.options:
        bench.options(parser)
    if bench.profile:
        parser.add_argument("--profile", action="store_true", help=bench.profile)
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the results as the Markdown section of docs/performance.md",
    )
    parser.add_argument(
        "--update-docs",
        action="store_true",
        help="rewrite this benchmark's results section of docs/performance.md",
    )
    return parser


def parse_args(bench: Benchmark, argv: list[str] | None) -> argparse.Namespace:
    parser = parser_for(bench)
    args = parser.parse_args(argv)
    for size in bench.sizes:
        if getattr(args, size.dest) < size.minimum:
            parser.error(f"{size.flag} must be at least {size.minimum}")
    return args


def shown_argv(argv: list[str]) -> list[str]:
    """The command line as docs/performance.md shows it: without the output options."""
    shown, skip = [], 0
    for arg in argv:
        if skip:
            skip -= 1
        elif arg.split("=", 1)[0] in _NOT_SHOWN:
            skip = _NOT_SHOWN[arg] if "=" not in arg else 0
        else:
            shown.append(arg)
    return shown


def main(bench: Benchmark, argv: list[str] | None = None, out=None) -> int:
    """Run ``bench``; ``argv`` as on the command line. Returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(bench, argv)
    where = bench.where()
    result = bench.measure(args, out)
    profiles = result.pop("profiles", None) or {}
    shown = shown_argv(argv)
    say("", out)
    if args.markdown:
        say(bench.markdown_report(result, where, shown), out)
    else:
        say(bench.text_report(result), out)
    for name, text in profiles.items():
        say(f"== cProfile: {name} ==\n{text}", out)
    if args.json:
        args.json.write_text(json.dumps({"machine": where, "result": result}, indent=2))
    if args.update_docs:
        path = update_docs(bench.name, bench.markdown_report(result, where, shown))
        say(f"Results written to {path}", out)
    return bench.status(result)


# --- the subject and its baseline in one run -----------------------------------------------


def interleaved(
    variants: Sequence[str],
    rounds: int,
    measure: Callable[[str], float],
    *,
    show: Callable[[float], str] = lambda seconds: f"{seconds * 1e3:,.1f} ms",
    out=None,
) -> dict[str, list[float]]:
    """``measure(variant)`` of every variant, ``rounds`` times, the order rotating each round.

    No variant always runs first (or last) in a round, so a machine that slows down or warms
    up during the run weighs on all of them alike. Returns variant -> one figure per round.
    """
    variants = tuple(variants)
    figures: dict[str, list[float]] = {v: [] for v in variants}
    for r in range(rounds):
        k = r % len(variants)
        for variant in variants[k:] + variants[:k]:
            figures[variant].append(measure(variant))
        say(
            f"  round {r + 1}/{rounds}: "
            + ", ".join(f"{v} {show(figures[v][-1])}" for v in variants),
            out,
        )
    return figures


def paired(figures: dict[str, list[float]], subject: str, baseline: str) -> dict[str, float]:
    """The subject against its baseline: the ratio of the medians, and the median of the
    ratios round by round (each round's pair ran side by side)."""
    rounds = zip(figures[subject], figures[baseline], strict=True)
    return {
        "ratio": median(figures[subject]) / median(figures[baseline]),
        "paired_median": median([s / b for s, b in rounds]),
    }
