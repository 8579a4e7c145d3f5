"""The calls benchmark runs end to end on a tiny call (figures are not checked: timing belongs
in bench/, never in a test)."""

from __future__ import annotations

import io
import json

from bench.calls import VARIANTS, main


def test_the_benchmark_measures_both_pages_and_the_baseline(tmp_path):
    out = io.StringIO()
    path = tmp_path / "calls.json"
    argv = ["--applications", "6", "--evaluators", "2", "--requests", "2", "--backend", "sqlite"]
    assert main([*argv, "--json", str(path)], out=out) == 0
    (figures,) = json.loads(path.read_text())["result"]["backends"]
    assert figures["server"].startswith("SQLite")
    for variant in VARIANTS:
        assert 0 < figures[variant]["median_ms"] <= figures[variant]["p95_ms"]
    assert "chair's page" in out.getvalue()
