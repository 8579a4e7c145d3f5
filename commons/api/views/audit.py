"""The API's audit trail and its exports, for auditors."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from commons.api import schemas as s
from commons.api.views.base import _int, _page, api_bp, documented_errors, ensure, user
from commons.audit import jobs
from commons.audit.models import AuditEvent, ExportJob
from commons.audit.queries import Filters
from commons.errors import Conflict, DomainError, NotFound
from commons.extensions import db
from commons.pagination import decode_cursor


@api_bp.get("/audit/events", tags=["Audit"])
@api_bp.arguments(s.AuditArgs, location="query")
@api_bp.response(200, s.page_of(s.AuditEventOut, "AuditEventPage"))
@documented_errors(401, 403)
def audit_events(args):
    """The audit trail in chain order (auditors); filter by proposal or trigger."""
    ensure("audit.read")
    stmt = select(AuditEvent)
    if args.get("proposal_id"):
        stmt = stmt.where(AuditEvent.proposal_id == args["proposal_id"])
    if args.get("trigger"):
        stmt = stmt.where(AuditEvent.trigger == args["trigger"])
    token = args.get("cursor")
    if token:
        values = decode_cursor(token)
        if values is None or len(values) != 1:
            raise DomainError(
                _("This cursor is not valid; start again from the first page."), "cursor"
            )
        stmt = stmt.where(AuditEvent.seq > _int(values[0]))
    rows = list(db.session.scalars(stmt.order_by(AuditEvent.seq).limit(args["limit"] + 1)))
    return _page(rows, args["limit"], lambda e: [e.seq])


# --- exports -----------------------------------------------------------------------------------


def _export_out(job: ExportJob) -> dict:
    return {
        **{
            key: getattr(job, key)
            for key in (
                "id",
                "format",
                "bom",
                "filters",
                "status",
                "progress",
                "total",
                "size",
                "sha256",
                "error",
                "created_at",
                "started_at",
                "finished_at",
            )
        },
        "status_url": url_for("api.exports_get", job_id=job.id),
        "download_url": (
            url_for("api.exports_download", job_id=job.id) if job.status == "done" else None
        ),
    }


def _own_export(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id) if job_id <= 2**31 - 1 else None
    if job is None:
        raise NotFound(_("There is no such export."))
    ensure("audit.export_download", job)
    return job


@api_bp.post("/exports", tags=["Exports"])
@api_bp.arguments(s.ExportIn)
@api_bp.response(202, s.ExportOut)
@documented_errors(401, 403, 422)
def exports_start(data):
    """Start an export of the audit history of the selected pacts (auditors). It runs in the
    background; follow ``status_url`` until ``status`` is ``done``, then fetch ``download_url``.
    The export is itself recorded as an audit event."""
    ensure("audit.export")
    filters = Filters.from_dict(
        {
            **data["filters"],
            **{
                key: data["filters"][key].isoformat()
                for key in ("date_from", "date_to")
                if data["filters"].get(key)
            },
        }
    )
    job = jobs.start_export(user(), data["format"], filters, bom=data["bom"])
    return _export_out(job)


@api_bp.get("/exports/<int:job_id>", tags=["Exports"])
@api_bp.response(200, s.ExportOut)
@documented_errors(401, 403, 404)
def exports_get(job_id: int):
    """An export's progress (only the auditor who started it)."""
    return _export_out(_own_export(job_id))


@api_bp.get("/exports/<int:job_id>/file", tags=["Exports"])
@api_bp.response(
    200,
    {"type": "string", "contentMediaType": "application/octet-stream"},
    content_type="application/octet-stream",
    description="The export's file (CSV, JSON Lines, XLSX or ZIP bundle), its SHA-256 in "
    "the ETag and Repr-Digest headers.",
)
@documented_errors(401, 403, 404, 409)
def exports_download(job_id: int):
    """The finished export's file (only the auditor who started it)."""
    job = _own_export(job_id)
    if job.status != "done":
        raise Conflict(_("This export is not ready: it is %(status)s.", status=job.status))
    response = jobs.send_export(job)
    if response is None:
        raise NotFound(_("The file of this export is no longer kept."))
    return response
