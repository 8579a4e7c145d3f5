"""The office's work queue at /office."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template, request
from flask_login import current_user

from commons.auth.permissions import permission_required
from commons.office.queue import QueueFilters, load_queue, open_states
from commons.proposals.labels import pact_type_label, state_label, trigger_label

office_bp = Blueprint("office", __name__, url_prefix="/office")


@office_bp.get("/")
@permission_required("office.queue")
def queue():
    """Open cases, the most urgent first, with filters and the number of cases per state."""
    states = open_states()
    filters = QueueFilters.from_args(request.args, states)
    now = datetime.now(UTC)
    page = load_queue(filters, current_user, now, request.args.get("after"))
    return render_template(
        "office/queue.html",
        page=page,
        filters=filters,
        states=states,
        paged=bool(request.args.get("after")),
        state_label=state_label,
        trigger_label=trigger_label,
        pact_type_label=pact_type_label,
    )
