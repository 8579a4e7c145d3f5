"""The documents benchmark runs end to end on the demo city (figures are not checked: timing
belongs in bench/, never in a test). The demo city is the session's (``demo_snapshot``),
copied into the benchmark's own database rather than loaded again."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from sqlalchemy import create_engine, insert, select

from bench.common import update_docs
from bench.documents import RENDER_VARIANTS, main, run
from commons.db import Base
from commons.extensions import db

# The settings a pact's PDF depends on: the bench's app takes those the demo was loaded with.
_PACT_SETTINGS = ("PUBLIC_URL", "SIGNING_P12", "SIGNING_P12_PASSWORD")


def _copy_of_the_demo(snapshot):
    """A stand-in for ``load_demo``: the demo city the session already loaded (conftest's
    ``demo_snapshot``, by ``commons demo``), copied row by row into the bench's database with
    its stored PDFs, instead of loading it again (most of a minute)."""

    def load_demo(echo=print):
        from flask import current_app

        from commons.documents import storage
        from commons.documents.models import Document

        # The bench's new database may hold a seed row or two (the audit chain's head).
        for table in reversed(Base.metadata.sorted_tables):
            db.session.execute(table.delete())
        source = create_engine(snapshot["url"])
        with source.connect() as conn:
            for table in Base.metadata.sorted_tables:
                rows = [dict(row) for row in conn.execute(select(table)).mappings()]
                if rows:
                    db.session.execute(insert(table), rows)
        source.dispose()
        db.session.flush()
        loaded = snapshot["config"]
        for key, value in loaded.items():
            if key.startswith("CITY_") or key in _PACT_SETTINGS:
                current_app.config[key] = value
        for sha256 in db.session.scalars(select(Document.sha256)):
            stored = storage.path_for(loaded["STORAGE_DIR"], sha256)
            copy = storage.path_for(current_app.config["STORAGE_DIR"], sha256)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stored, copy)
        # Not committed here, as load_demo does not commit: the bench's set-up
        # (bench/documents.py, _prepared) is its own entry point and commits.
        db.session.flush()
        return {}

    return load_demo


@pytest.fixture(scope="module")
def result(demo_snapshot):
    """One small run on the demo city, shared by the tests below."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("commons.demo.load_demo", _copy_of_the_demo(demo_snapshot))
        return run(2, 5, warmup_renders=0, warmup_requests=1, out=io.StringIO())


@pytest.mark.xdist_group("demo")
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


@pytest.mark.xdist_group("demo")
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
