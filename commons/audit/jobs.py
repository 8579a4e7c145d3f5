"""Exports started from the web, made in the background.

``start_export`` records an :class:`ExportJob` and hands its id to a worker: an RQ queue on
Redis when ``COMMONS_REDIS_URL`` is set (``commons audit worker`` runs one), otherwise a thread
of the web process with its own application context and database session.
``run_export_job`` is the worker function: it claims the job, writes the export with
:func:`commons.audit.exports.run_export` into ``COMMONS_EXPORT_DIR`` (so the export is recorded
as an ``exported`` audit event, as from the CLI) and records the file's name, size and SHA-256,
or the failure's message.

The JSON API uses this module too: keep ``start_export``, ``run_export_job``,
``export_file_path`` and the model's field names stable.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from commons.audit.exports import FORMATS, ExportError, run_export
from commons.audit.models import ExportJob
from commons.audit.queries import Filters, count_events
from commons.auth.models import User
from commons.auth.permissions import can
from commons.db import utcnow
from commons.errors import DomainError, PermissionDenied
from commons.extensions import db
from commons.transactions import commit_step, discard_step
from commons.transactions import job as background_job

QUEUE = "commons-exports"
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/jsonl",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
# A large export on a busy server may take a while; RQ's default timeout is 180 s.
JOB_TIMEOUT = 6 * 3600
# Progress is written at most this often (seconds), on its own connection.
PROGRESS_EVERY = 1.0

log = logging.getLogger(__name__)

# Threads of in-process jobs still running, by job id (tests and shutdown can join them).
_threads: dict[int, threading.Thread] = {}


def export_dir() -> Path:
    return Path(current_app.config["EXPORT_DIR"])


def export_file_path(job: ExportJob) -> Path:
    """Where the job's file is (or will be) kept; outside the web root."""
    if not job.file_name:
        raise ExportError(f"export job {job.id} has no file yet")
    return export_dir() / job.file_name


def send_export(job: ExportJob):
    """The finished export's file as a streamed response, with its SHA-256 as ETag and in the
    Repr-Digest header; None when there is no file to send (not finished, or removed)."""
    import base64

    from flask import send_file

    if job.status != "done":
        return None
    path = export_file_path(job)
    if not path.is_file():
        return None
    response = send_file(
        path,
        mimetype=MEDIA_TYPES[job.format],
        as_attachment=True,
        download_name=f"commons-audit-export-{job.id}.{job.format}",
        etag=job.sha256,
        max_age=0,
    )
    digest = base64.b64encode(bytes.fromhex(job.sha256)).decode()
    response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
    response.headers["Cache-Control"] = "no-store"
    return response


def start_export(user, fmt: str, filters: Filters, *, bom: bool = False) -> ExportJob:
    """Record an export job for ``user`` (an auditor) and queue it; returns the job.

    The job is committed before it is queued, so the worker finds it.
    """
    if not can(user, "audit.export"):
        raise PermissionDenied(_("Only auditors can export the audit history."))
    if fmt not in FORMATS:
        raise DomainError(_("Choose one of the formats offered."), field="format")
    if bom and fmt != "csv":
        raise DomainError(
            _("The byte order mark is for CSV files only; untick it or choose CSV."), field="bom"
        )
    job = ExportJob(
        user_id=user.id, format=fmt, filters=filters.as_dict(), bom=bom, status="queued"
    )
    db.session.add(job)
    # The hand-off to the worker: it reads the job from the database on its own connection,
    # so the job is committed (commit_step) before it is queued.
    commit_step()
    _enqueue(job.id)
    return job


def _enqueue(job_id: int) -> None:
    app = current_app._get_current_object()
    url = app.config.get("REDIS_URL")
    if url:
        from redis import Redis
        from rq import Queue

        queue = Queue(QUEUE, connection=Redis.from_url(url))
        queue.enqueue(run_export_job, job_id, job_timeout=JOB_TIMEOUT, result_ttl=3600)
        return

    def work():
        try:
            with app.app_context():
                run_export_job(job_id)
        finally:
            _threads.pop(job_id, None)

    thread = threading.Thread(target=work, name=f"export-job-{job_id}", daemon=True)
    _threads[job_id] = thread
    thread.start()


def wait_for_threads(timeout: float | None = None) -> None:
    """Wait for the in-process export threads started so far."""
    for thread in list(_threads.values()):
        thread.join(timeout)


class _Progress:
    """Counts events written and stores the count now and then, outside the export's session.

    The export streams from the session's open cursor, which a commit would close; the count is
    written on a connection of its own. On SQLite, where the reading cursor holds a lock, a
    count that cannot be written at once is skipped (the final count is written at the end).
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.count = 0
        self._written_at = time.monotonic()

    def __call__(self, n: int) -> None:
        self.count += n
        now = time.monotonic()
        if now - self._written_at >= PROGRESS_EVERY:
            self._written_at = now
            self._store()

    def _store(self) -> None:
        sqlite = db.engine.dialect.name == "sqlite"
        try:
            with db.engine.connect() as conn:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA busy_timeout = 50")
                try:
                    conn.execute(
                        update(ExportJob)
                        .where(ExportJob.id == self.job_id)
                        .values(progress=self.count)
                    )
                    conn.commit()
                finally:
                    if sqlite:
                        conn.rollback()
                        conn.exec_driver_sql("PRAGMA busy_timeout = 5000")
        except OperationalError:
            if not sqlite:
                raise
            log.debug("export job %s: progress not stored (database busy)", self.job_id)


def run_export_job(job_id: int) -> None:
    """The worker function: make the export of job ``job_id`` and record the outcome.

    Runs in the current application context, or creates the application from the settings
    (an RQ worker started without ``commons audit worker``). A job already taken, or gone, is
    left alone, so a job queued twice is made once.
    """
    if not has_app_context():
        from commons import create_app

        with create_app().app_context():
            run_export_job(job_id)
        return
    _make_export(job_id)


@background_job
def _make_export(job_id: int) -> None:
    """The export job's one transaction (the ``job`` wrapper commits at the end, or rolls back
    on a crash), with two steps committed on the way for whoever watches the job's page."""
    claimed = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status == "queued")
        .values(status="running", started_at=utcnow())
    ).rowcount
    commit_step()  # the claim is seen at once, so a job queued twice is made once
    if not claimed:
        return
    job = db.session.get(ExportJob, job_id)
    try:
        user = db.session.get(User, job.user_id)
        if not can(user, "audit.export"):
            raise ExportError(_("Only auditors can export the audit history."))
        filters = Filters.from_dict(job.filters)
        job.total = count_events(filters)
        commit_step()  # the total is shown (as "n of total") while the file is written
        directory = export_dir()
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        file_name = f"export-{job.id}-{secrets.token_hex(8)}.{job.format}"
        progress = _Progress(job.id)
        result = run_export(
            job.format, directory / file_name, filters, by=user, bom=job.bom, progress=progress
        )
    except Exception as error:  # noqa: BLE001 - any failure is the job's outcome, shown to its owner
        discard_step()  # nothing of the failed export is kept (its audit event included)
        if isinstance(error, ExportError | OSError):
            message = str(error)
        else:
            log.exception("export job %s failed", job_id)
            message = _(
                "The export failed because of an error on our side (%(kind)s).",
                kind=type(error).__name__,
            )
        db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id)
            .values(status="failed", error=message, finished_at=utcnow())
        )
        return
    db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id)
        .values(
            status="done",
            progress=result.rows,
            file_name=file_name,
            size=result.path.stat().st_size,
            sha256=result.sha256,
            event_seq=result.event_seq,
            finished_at=utcnow(),
        )
    )


def run_worker(burst: bool = False) -> None:
    """Work the RQ export queue in the current application context (``commons audit worker``)."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise ExportError("COMMONS_REDIS_URL is not set: exports run inside the web process")
    connection = Redis.from_url(url)
    # SimpleWorker runs each job in this process, inside the application context pushed here.
    worker = SimpleWorker([Queue(QUEUE, connection=connection)], connection=connection)
    worker.work(burst=burst)
