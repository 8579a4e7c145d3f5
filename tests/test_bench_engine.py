"""The engine benchmark runs end to end on a small SQLite database (figures are not checked:
timing belongs in bench/, never in a test)."""

from __future__ import annotations

import io
import json

import pytest

from bench.common import update_docs
from bench.engine import VARIANTS, main, run
from bench.engine_steps import STEPS
from bench.machines import machine_memory


def test_run_measures_every_variant_and_keeps_the_audit_chain_valid(tmp_path):
    result = run(f"sqlite:///{tmp_path / 'bench.db'}", 20, rounds=1, out=io.StringIO())

    assert result["database"] == "sqlite"
    assert result["server"].startswith("SQLite")
    assert set(result["variants"]) == set(VARIANTS)
    # Timings are not checked, only how the figures are derived from them.
    for figures in result["variants"].values():
        assert figures["ops_per_second"] == pytest.approx(1 / figures["median_seconds"])
        assert figures["statements_per_op"] >= 2  # at least the UPDATE and the INSERT
    variants = result["variants"]
    base = variants["baseline"]["median_seconds"]
    assert result["ratio_engine"] == pytest.approx(variants["engine"]["median_seconds"] / base)
    assert result["ratio_machine_per_object"] == pytest.approx(
        variants["machine_per_object"]["median_seconds"] / base
    )
    assert set(result["breakdown"]) == set(STEPS)  # every step of an operation timed
    # Every variant appended real, verifiable audit events: warm-up, round and breakdown.
    assert result["chain_ok"] is True
    assert result["events"] >= 3 * 20 + 20


def test_machine_memory_compares_the_patterns():
    memory = machine_memory(50)

    patterns = memory["patterns"]
    assert set(patterns) == {"shared", "machine_per_object", "add_model"}
    assert patterns["machine_per_object"]["bytes"] > patterns["shared"]["bytes"]
    # Objects added to a long-lived machine stay alive after the program drops them.
    assert patterns["add_model"]["left_after_gc"] > 0


def test_command_line_writes_json_and_its_docs_section(tmp_path, monkeypatch):
    docs = tmp_path / "performance.md"
    docs.write_text("# Performance\n\n<!-- bench:engine -->\nold figures\n<!-- /bench:engine -->\n")
    monkeypatch.setattr("bench.cli.update_docs", lambda name, text: update_docs(name, text, docs))
    out = io.StringIO()

    status = main(
        [
            "--database-url",
            f"sqlite:///{tmp_path / 'cli.db'}",
            "--n",
            "5",
            "--rounds",
            "1",
            "--memory-objects",
            "20",
            "--json",
            str(tmp_path / "figures.json"),
            "--update-docs",
        ],
        out=out,
    )

    assert status == 0
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["result"]["results"][0]["n"] == 5
    text = docs.read_text()
    assert "old figures" not in text
    assert text.count("<!-- bench:engine -->") == 1 and "engine / baseline" in text
    assert "engine / baseline" in out.getvalue()
