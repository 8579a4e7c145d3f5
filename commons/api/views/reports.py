"""The API's monitoring reports of a pact."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

import workflows
from commons.api import schemas as s
from commons.api.views.base import Unauthenticated, _load_proposal, api_bp, documented_errors, user
from commons.auth.models import User
from commons.extensions import db
from commons.monitoring.models import MonitoringReport


def _report_out(report: MonitoringReport, authors: dict) -> dict:
    return {
        "id": report.id,
        "proposal_id": report.proposal_id,
        "author": authors.get(report.author_id),
        "filed_at": report.filed_at,
        "text": report.text,
        "indicators": report.indicators or {},
        "framework": report.framework_id,
        "framework_version": report.framework_version,
        "breakdowns": report.breakdowns or {},
        "final": report.final,
    }


@api_bp.get("/proposals/<int:proposal_id>/reports", tags=["Monitoring reports"])
@api_bp.response(200, s.ReportOut(many=True))
def reports_list(proposal_id: int):
    """The monitoring reports filed on a pact, oldest first (proponents and staff)."""
    proposal = _load_proposal(proposal_id, "proposal.view_private")
    reports = list(
        db.session.scalars(
            select(MonitoringReport)
            .where(MonitoringReport.proposal_id == proposal.id)
            .order_by(MonitoringReport.filed_at, MonitoringReport.id)
        )
    )
    ids = {r.author_id for r in reports if r.author_id}
    authors = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    )
    return [_report_out(r, authors) for r in reports]


@api_bp.post("/proposals/<int:proposal_id>/reports", tags=["Monitoring reports"])
@api_bp.arguments(s.ReportIn)
@api_bp.response(201, s.ReportOut)
@documented_errors(401, 403, 404, 409, 422)
def reports_create(data, proposal_id: int):
    """File a monitoring report: the ``file_report`` trigger of the lifecycle (representative)."""
    proposal = _load_proposal(proposal_id)
    if not user().is_authenticated:
        raise Unauthenticated(_("This needs an access token of someone allowed to do it."))
    values = {"report_text": data["report_text"], "final": "y" if data["final"] else ""}
    for key in ("participants", "volunteer_hours"):
        if data.get(key) is not None:
            values[key] = str(data[key])
    event = workflows.fire(
        proposal, "file_report", user(), expected_version=data.get("expected_version"), **values
    )
    report = db.session.get(MonitoringReport, event.payload["report_id"])
    return _report_out(report, {user().id: user()})
