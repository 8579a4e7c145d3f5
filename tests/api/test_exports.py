"""Exports over the API: start, follow, download; the file verifies offline; errors are problems."""

from __future__ import annotations

import hashlib

from commons.audit import jobs
from commons.audit.bundle import verify
from commons.extensions import db
from tests.api.helpers import Caller, token_for
from tests.workflows.scenario import Cast, proposal_in


def _auditor(client):
    cast = Cast()
    active = proposal_in("active", cast)
    db.session.commit()
    return cast, active, Caller(client, token_for(cast.auditor))


def test_an_evidence_bundle_from_start_to_download_verifies_offline(app, client, tmp_path):
    _cast, active, auditor = _auditor(client)
    response = auditor.post(
        "/exports", json={"format": "zip", "filters": {"protocols": [active.protocol_number]}}
    )
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["status"] in ("queued", "running", "done") and job["download_url"] is None
    jobs.wait_for_threads(timeout=120)

    status = auditor.get(job["status_url"].removeprefix("/api/v1")).get_json()
    assert status["status"] == "done", status
    assert status["filters"]["protocols"] == [active.protocol_number]
    download = auditor.get(status["download_url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/zip"
    assert (
        hashlib.sha256(download.data).hexdigest()
        == status["sha256"]
        == download.headers["ETag"].strip('"')
    )
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(download.data)
    report = verify(bundle)
    assert report.ok, report


def test_export_errors_are_problems(app, client):
    _cast, _active, auditor = _auditor(client)
    bad = auditor.post("/exports", json={"format": "pdf"})
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert "format" in bad.get_json()["errors"]
    bom = auditor.post("/exports", json={"format": "jsonl", "bom": True})
    assert bom.status_code == 400 and bom.mimetype == "application/problem+json"
    assert "bom" in bom.get_json()["errors"]
    assert auditor.get("/exports/987654").status_code == 404


def test_a_file_is_not_served_before_it_is_ready(app, client):
    from commons.audit.models import ExportJob

    cast, _active, auditor = _auditor(client)
    job = ExportJob(user_id=cast.auditor.id, format="csv", filters={}, status="queued")
    db.session.add(job)
    db.session.commit()
    response = auditor.get(f"/exports/{job.id}/file")
    assert response.status_code == 409 and "not ready" in response.get_json()["title"] + (
        response.get_json().get("detail") or ""
    )
