"""The public benchmark runs end to end on a tiny generated city (figures are not checked:
timing belongs in bench/, never in a test)."""

from __future__ import annotations

import io
import json

import pytest

from bench.common import update_docs
from bench.public import main, run, scenarios


@pytest.fixture(scope="module")
def result():
    """One small run on SQLite, shared by the tests below."""
    return run(
        ["sqlite"], commons=120, proposals=120, events=400, requests=4, pages=2, out=io.StringIO()
    )


def test_run_measures_every_filter_combination_and_the_csv_stream(result):
    (figures,) = result["backends"]
    assert figures["server"].startswith("SQLite")
    assert len(figures["register"]) == len(scenarios("D", "parco", "rarissimo"))
    for item in figures["register"]:
        assert item["n"] == 4 and 1 <= item["pages"] <= 2
        assert 0 < item["median_ms"] <= item["p95_ms"] <= item["max_ms"]
    csv_figures = figures["csv"]
    # Every proposal that left draft is a row of pacts.csv (the generator makes few drafts).
    assert 0 < csv_figures["rows"] <= 120
    # Timings are not checked, only how the figures are derived from them.
    assert csv_figures["rows_per_second"] == pytest.approx(
        csv_figures["rows"] / csv_figures["seconds"]
    )
    assert csv_figures["peak_all_mib"] > 0  # tracemalloc measured the stream
    assert set(figures["targets"]) == {"register p95 < 50 ms", "pacts.csv >= 50,000 rows/s"}


def test_scenarios_quote_their_filters():
    urls = dict(scenarios("San Donato-San Vitale", "parco", "rarissimo"))
    assert "/commons/?district=San+Donato-San+Vitale" in urls.values()
    assert any("q=rari" in url for url in urls.values())


def test_command_line_writes_json_and_its_docs_section(result, tmp_path, monkeypatch):
    docs = tmp_path / "performance.md"
    docs.write_text(
        "# Performance\n\n<!-- bench:audit -->\naudit figures\n<!-- /bench:audit -->\n\n"
        "<!-- bench:public -->\nold figures\n<!-- /bench:public -->\n"
    )
    monkeypatch.setattr("bench.public.run", lambda *args, **kwargs: result)
    monkeypatch.setattr("bench.cli.update_docs", lambda name, text: update_docs(name, text, docs))
    out = io.StringIO()

    status = main(
        [
            "--commons",
            "120",
            "--backend",
            "sqlite",
            "--json",
            str(tmp_path / "f.json"),
            "--update-docs",
        ],
        out=out,
    )

    assert status == 0
    figures = json.loads((tmp_path / "f.json").read_text())
    assert figures["result"]["backends"][0]["csv"]["rows"] > 0
    text = docs.read_text()
    assert "old figures" not in text and "audit figures" in text
    assert text.count("<!-- bench:public -->") == 1
    assert "Register list, SQLite" in text and "pacts.csv streaming" in text
    assert "--update-docs" not in text
    assert "pacts.csv" in out.getvalue()


def test_run_measures_the_statistics_page(result):
    (figures,) = result["backends"]
    s = figures["statistics"]
    assert s["n"] == 20 and 0 < s["median_ms"] <= s["p95_ms"] <= s["max_ms"]
    assert s["n_computed"] >= 3 and 0 < s["computed_median_ms"] <= s["computed_max_ms"]
    from bench.public import text_report

    assert "== /statistics" in text_report(result)
