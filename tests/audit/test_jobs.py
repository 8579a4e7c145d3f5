"""Exports started from the auditors' area: background jobs, progress, download, failures."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import zipfile

import pytest
from sqlalchemy import select

from commons.audit import bundle, jobs
from commons.audit.models import AuditEvent, ExportJob
from commons.audit.operations import verify_chain
from commons.audit.queries import Filters
from commons.auth.models import Role
from commons.documents import storage
from commons.documents.models import Document
from commons.errors import DomainError, PermissionDenied
from commons.extensions import db

# The pacts of test_exports, made once for this module and copied for each test (the jobs,
# in a thread or through RQ's in-process worker, run in the test's application context).
from tests.audit.test_exports import app, pacts, pacts_snapshot  # noqa: F401
from tests.conftest import TEST_REDIS_URL, csrf_token, login

REDIS_URL = TEST_REDIS_URL


def _start(client, fmt, query="", **extra):
    token = csrf_token(client, f"/audit/?{query}")
    data = {"csrf_token": token, "format": fmt, **extra}
    return client.post(f"/audit/exports?{query}", data=data)


def _finished(job_id: int) -> ExportJob:
    jobs.wait_for_threads(timeout=60)
    db.session.rollback()
    return db.session.get(ExportJob, job_id)


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/audit/exports/(\d+)$", response.headers["Location"]).group(1))


def test_auditor_exports_a_bundle_from_the_ui_and_it_verifies(app, client, pacts, tmp_path):  # noqa: F811
    cast, signed, co_design, draft = pacts
    login(client, cast.auditor.email)
    db.session.commit()
    query = f"protocol={signed.protocol_number}"
    job_id = _job_id(_start(client, "zip", query))
    job = _finished(job_id)
    assert job.status == "done", job.error
    assert job.user_id == cast.auditor.id and job.filters["protocols"] == [signed.protocol_number]
    assert job.started_at and job.finished_at and job.total == job.progress > 0

    page = client.get(f"/audit/exports/{job_id}").get_data(as_text=True)
    assert "Ready" in page and job.sha256 in page and 'http-equiv="refresh"' not in page
    response = client.get(f"/audit/exports/{job_id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert hashlib.sha256(data).hexdigest() == job.sha256 and len(data) == job.size
    assert response.headers["Repr-Digest"].startswith("sha-256=:")

    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    report = bundle.verify(path)
    assert report.ok, report.message
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["exported_by"] == cast.auditor.email
    assert manifest["filters"]["protocols"] == [signed.protocol_number]
    events = {e.proposal_id for e in db.session.scalars(select(AuditEvent))}
    assert manifest["events"]["count"] > 0 and co_design.id in events

    # Who exported what is in the audit chain.
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.seq == job.event_seq)).one()
    assert exported.trigger == "exported" and exported.actor_id == cast.auditor.id
    assert exported.payload["sha256"] == job.sha256 and exported.payload["format"] == "zip"
    assert exported.payload["filters"]["protocols"] == [signed.protocol_number]
    assert verify_chain().ok
    # The file is outside the web root and its name is not guessable.
    file = jobs.export_file_path(job)
    assert file.is_file() and str(file.parent) == app.config["EXPORT_DIR"]
    assert not file.is_relative_to(app.static_folder) and str(job.id) in file.name
    assert len(file.name) > len(f"export-{job.id}-.zip") + 8


def test_csv_with_bom_and_the_list_of_exports(app, client, pacts):  # noqa: F811
    cast, *_ = pacts
    login(client, cast.auditor.email)
    db.session.commit()
    job = _finished(_job_id(_start(client, "csv", "state=active", bom="y")))
    assert job.status == "done", job.error
    data = client.get(f"/audit/exports/{job.id}/download").get_data()
    assert data.startswith("\ufeff".encode())
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == list(bundle.EVENT_COLUMNS)
    listing = client.get("/audit/exports").get_data(as_text=True)
    assert f"/audit/exports/{job.id}" in listing and "Ready" in listing


def test_only_the_owner_downloads(app, client, pacts, make):  # noqa: F811
    cast, *_ = pacts
    login(client, cast.auditor.email)
    db.session.commit()
    job = _finished(_job_id(_start(client, "jsonl")))
    assert job.status == "done", job.error
    other_auditor = make.user(Role.AUDITOR)
    for user in (other_auditor, cast.admin, cast.officer, cast.representative):
        other = app.test_client()
        login(other, user.email)
        assert other.get(f"/audit/exports/{job.id}/download").status_code == 403, user
        assert other.get(f"/audit/exports/{job.id}").status_code == 403, user
    anonymous = app.test_client()
    assert anonymous.get(f"/audit/exports/{job.id}/download").status_code == 302  # to login
    assert client.get("/audit/exports/99999/download").status_code == 404


def test_start_export_is_for_auditors_only(app, pacts):  # noqa: F811
    cast, *_ = pacts
    for user in (cast.officer, cast.admin, cast.legal, cast.representative):
        with pytest.raises(PermissionDenied):
            jobs.start_export(user, "csv", Filters())
    with pytest.raises(DomainError) as refused:
        jobs.start_export(cast.auditor, "zip", Filters(), bom=True)
    assert refused.value.field == "bom"
    assert db.session.scalars(select(ExportJob)).all() == []


def test_bad_choices_are_explained_and_kept(app, client, pacts):  # noqa: F811
    cast, signed, *_ = pacts
    login(client, cast.auditor.email)
    response = _start(client, "zip", f"protocol={signed.protocol_number}", bom="y")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page and "byte order mark is for CSV files only" in page
    assert f'value="{signed.protocol_number}"' in page
    response = client.get("/audit/?date_from=2026-05-02&date_to=2026-05-01&commons=Gar")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "The end day is before the start day" in page
    assert 'value="Gar"' in page
    assert db.session.scalars(select(ExportJob)).all() == []


def test_job_page_refreshes_while_running_and_shows_a_failure(app, client, pacts, tmp_path):  # noqa: F811
    cast, signed, *_ = pacts
    login(client, cast.auditor.email)
    queued = ExportJob(user_id=cast.auditor.id, format="csv", filters=Filters().as_dict())
    db.session.add(queued)
    db.session.commit()
    page = client.get(f"/audit/exports/{queued.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page and "Waiting to start" in page
    assert client.get(f"/audit/exports/{queued.id}/download").status_code == 404

    # A document missing from storage makes the bundle impossible: the job says why. The files
    # are taken out of a storage of this test's own (the stored PDFs serve every copy).
    own = tmp_path / "storage"
    for stored in db.session.scalars(select(Document)):
        target = storage.path_for(str(own), stored.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(storage.path_for(app.config["STORAGE_DIR"], stored.sha256), target)
    app.config["STORAGE_DIR"] = str(own)
    document = db.session.scalars(select(Document)).first()
    storage.path_for(app.config["STORAGE_DIR"], document.sha256).unlink()
    db.session.commit()
    events_before = db.session.scalars(select(AuditEvent.seq)).all()
    job = _finished(_job_id(_start(client, "zip", f"protocol={signed.protocol_number}")))
    assert job.status == "failed" and document.sha256 in job.error
    assert job.file_name is None and job.finished_at is not None
    page = client.get(f"/audit/exports/{job.id}").get_data(as_text=True)
    assert "The export failed" in page and document.sha256 in page
    assert 'http-equiv="refresh"' not in page
    assert db.session.scalars(select(AuditEvent.seq)).all() == events_before
    assert list(jobs.export_dir().glob(f"export-{job.id}-*")) == []


def test_a_job_is_made_once(app, pacts):  # noqa: F811
    cast, *_ = pacts
    job = ExportJob(user_id=cast.auditor.id, format="jsonl", filters=Filters().as_dict())
    db.session.add(job)
    db.session.commit()
    jobs.run_export_job(job.id)
    jobs.run_export_job(job.id)  # queued twice: the second run finds it taken
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.trigger == "exported"))
    assert len(exported.all()) == 1
    db.session.refresh(job)
    assert job.status == "done"
    lines = jobs.export_file_path(job).read_bytes().splitlines()
    assert len(lines) == job.progress == job.total


@pytest.mark.skipif(not REDIS_URL, reason="set COMMONS_TEST_REDIS_URL to test the RQ queue")
def test_rq_queue_with_a_real_redis(app, client, pacts, tmp_path):  # noqa: F811
    from redis import Redis
    from rq import Queue, SimpleWorker

    cast, signed, *_ = pacts
    connection = Redis.from_url(REDIS_URL)
    queue = Queue(jobs.QUEUE, connection=connection)
    queue.empty()
    app.config["REDIS_URL"] = REDIS_URL
    login(client, cast.auditor.email)
    db.session.commit()
    job_id = _job_id(_start(client, "zip", f"protocol={signed.protocol_number}"))
    assert queue.count == 1
    db.session.rollback()
    assert db.session.get(ExportJob, job_id).status == "queued"
    page = client.get(f"/audit/exports/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page

    worker = SimpleWorker([queue], connection=connection)
    assert worker.work(burst=True)
    db.session.rollback()
    job = db.session.get(ExportJob, job_id)
    assert job.status == "done", job.error
    data = client.get(f"/audit/exports/{job_id}/download").get_data()
    assert hashlib.sha256(data).hexdigest() == job.sha256
    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    assert bundle.verify(path).ok
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert json.loads(zf.read("manifest.json"))["exported_by"] == cast.auditor.email
