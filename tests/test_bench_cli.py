"""Every benchmark shares one command line (bench/cli.py): the same common options, the
subject and its baseline interleaved in one run, the same report and docs section."""

from __future__ import annotations

import importlib
import io
import json

import pytest

from bench import cli
from bench.__main__ import BENCHMARKS
from bench.common import update_docs

MODULES = sorted(module for module, _, _ in BENCHMARKS.values())


@pytest.mark.parametrize("module_name", MODULES)
def test_every_benchmark_has_the_common_options(module_name, capsys):
    module = importlib.import_module(module_name)
    with pytest.raises(SystemExit) as exit_:
        module.main(["--help"])
    assert exit_.value.code == 0
    usage = capsys.readouterr().out
    assert f"python -m {module_name}" in usage
    for option in ("--json", "--markdown", "--update-docs"):
        assert option in usage
    for size in module.BENCHMARK.sizes:
        assert size.flag in usage


@pytest.mark.parametrize("module_name", MODULES)
def test_the_arguments_python_m_bench_gives_are_accepted(module_name):
    module = importlib.import_module(module_name)
    name = module.BENCHMARK.name
    _, full, quick = BENCHMARKS[name]
    for argv in (full, quick, [*full, "--update-docs"]):
        args = cli.parse_args(module.BENCHMARK, argv)
        assert args.update_docs == ("--update-docs" in argv)


def test_sizes_below_their_minimum_are_refused(capsys):
    from bench.engine import BENCHMARK

    with pytest.raises(SystemExit):
        cli.parse_args(BENCHMARK, ["--n", "0"])
    assert "--n must be at least 1" in capsys.readouterr().err
    assert cli.parse_args(BENCHMARK, ["--memory-objects", "0"]).memory_objects == 0


def test_interleaved_rotates_the_order_and_keeps_one_figure_per_round():
    calls = []

    def measure(variant):
        calls.append(variant)
        return {"a": 1.0, "b": 2.0, "c": 4.0}[variant] * len(calls)

    figures = cli.interleaved(["a", "b", "c"], 3, measure, out=io.StringIO())

    assert calls == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert figures == {"a": [1.0, 6.0, 8.0], "b": [4.0, 8.0, 18.0], "c": [12.0, 20.0, 28.0]}


def test_paired_gives_the_ratio_of_medians_and_the_median_of_the_ratios():
    figures = {"subject": [3.0, 2.0, 10.0], "baseline": [1.0, 2.0, 4.0]}

    pair = cli.paired(figures, "subject", "baseline")

    assert pair["ratio"] == pytest.approx(3.0 / 2.0)
    assert pair["paired_median"] == pytest.approx(2.5)  # of 3, 1, 2.5


def test_the_command_shown_in_the_docs_leaves_the_output_options_out():
    argv = ["--n", "5", "--json", "f.json", "--markdown", "--update-docs", "--json=g", "--x"]
    assert cli.shown_argv(argv) == ["--n", "5", "--x"]


def _toy(**changes) -> cli.Benchmark:
    values = {
        "name": "toy",
        "description": "A benchmark of nothing.",
        "sizes": (cli.Size("--n", 3, "items"),),
        "measure": lambda args, out: {"n": args.n, "profiles": {"toy": "profile text"}},
        "text_report": lambda result: f"plain n={result['n']}",
        "markdown_report": lambda result, where, argv: f"| n | {result['n']} | {' '.join(argv)}",
        "where": lambda: {"date": "today"},
        "status": lambda result: 0 if result["n"] < 10 else 3,
    }
    return cli.Benchmark(**(values | changes))


def test_main_reports_writes_json_and_the_docs_section(tmp_path, monkeypatch):
    docs = tmp_path / "performance.md"
    docs.write_text("# Performance\n\n<!-- bench:toy -->\nold\n<!-- /bench:toy -->\n")
    monkeypatch.setattr("bench.cli.update_docs", lambda name, text: update_docs(name, text, docs))
    out = io.StringIO()

    status = cli.main(
        _toy(), ["--n", "4", "--json", str(tmp_path / "f.json"), "--update-docs"], out=out
    )

    assert status == 0
    assert "plain n=4" in out.getvalue() and "== cProfile: toy ==\nprofile text" in out.getvalue()
    assert json.loads((tmp_path / "f.json").read_text()) == {
        "machine": {"date": "today"},
        "result": {"n": 4},
    }
    assert docs.read_text().count("<!-- bench:toy -->") == 1
    assert "| n | 4 | --n 4\n" in docs.read_text() and "old" not in docs.read_text()


def test_markdown_prints_the_docs_section_and_the_status_is_the_benchmarks():
    out = io.StringIO()

    assert cli.main(_toy(), ["--n", "12", "--markdown"], out=out) == 3
    assert "| n | 12 | --n 12" in out.getvalue() and "plain" not in out.getvalue()
