"""The documents benchmark runs end to end on the demo city (figures are not checked: timing
belongs in bench/, never in a test)."""

from __future__ import annotations

import io
import json

import pytest

from bench.common import update_docs
from bench.documents import RENDER_VARIANTS, main, run


@pytest.fixture(scope="module")
def result():
    """One small run (loading the demo takes most of it), shared by the tests below."""
    return run(2, 5, warmup_renders=0, warmup_requests=1, out=io.StringIO())


def test_run_renders_the_demo_pact_every_way_and_serves_the_stored_pdf(result):
    assert result["pact"]["status"] == "active"
    assert result["pact"]["signatures"] == 2 and result["pact"]["size"] > 0
    # Rendering is a pure function: the demo pact rendered again is the stored signed PDF
    # (or its first part, when the demo's seal was appended as an incremental update).
    assert result["reproduced"] in ("identical", "sealed")
    assert set(result["rendering"]) == set(RENDER_VARIANTS)
    for figures in result["rendering"].values():
        assert figures["n"] == 2
        assert 0 < figures["median_ms"] <= figures["p95_ms"]
        assert figures["bytes"] > 0
    assert result["rendering"]["ours"]["bytes"] <= result["pact"]["size"]
    for kind in ("get", "get_304"):
        figures = result["serving"][kind]
        assert figures["n"] == 5
        assert 0 < figures["median_ms"] <= figures["p95_ms"]
    # Timings are not checked, only how the figures are derived from them.
    ours, raw = (result["rendering"][v]["median_ms"] for v in ("ours", "raw"))
    assert result["overhead"] == pytest.approx((ours - raw) / raw)
    assert result["render_per_serve"] == pytest.approx(ours / result["serving"]["get"]["median_ms"])


def test_command_line_writes_json_and_its_docs_section(result, tmp_path, monkeypatch):
    docs = tmp_path / "performance.md"
    docs.write_text(
        "# Performance\n\n<!-- bench:engine -->\nengine figures\n<!-- /bench:engine -->\n\n"
        "<!-- bench:documents -->\nold figures\n<!-- /bench:documents -->\n"
    )
    monkeypatch.setattr("bench.documents.run", lambda *args, **kwargs: result)
    monkeypatch.setattr("bench.cli.update_docs", lambda name, text: update_docs(name, text, docs))
    out = io.StringIO()

    status = main(
        ["--rounds", "2", "--requests", "5", "--json", str(tmp_path / "f.json"), "--update-docs"],
        out=out,
    )

    assert status == 0
    figures = json.loads((tmp_path / "f.json").read_text())
    assert figures["result"]["rounds"] == 2 and figures["machine"]["weasyprint"]
    text = docs.read_text()
    assert "old figures" not in text and "engine figures" in text
    assert text.count("<!-- bench:documents -->") == 1
    assert "rendering overhead vs raw" in text and "If-None-Match" in text
    assert "rendering overhead" in out.getvalue()
