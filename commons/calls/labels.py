"""The words people read for a call's states and outcomes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from commons.calls.models import CallStatus, Outcome

STATUS_LABELS = {
    CallStatus.DRAFT.value: _l("Draft"),
    CallStatus.PUBLISHED.value: _l("Announced"),
    CallStatus.OPEN.value: _l("Open for applications"),
    CallStatus.CLOSED.value: _l("Closed to applications"),
    CallStatus.EVALUATING.value: _l("Being evaluated"),
    CallStatus.RANKED.value: _l("Ranked"),
    CallStatus.ADMITTED.value: _l("Admitting act recorded"),
    CallStatus.ARCHIVED.value: _l("Archived"),
}

OUTCOME_LABELS = {
    Outcome.ADMITTED.value: _l("Admitted to co-design"),
    Outcome.BELOW_THRESHOLD.value: _l("Below the threshold"),
    Outcome.EXCLUDED.value: _l("Excluded"),
}

STEP_LABELS = {
    "publish": _l("Publish the call"),
    "open": _l("Open to applications"),
    "close": _l("Close the batches whose deadline passed"),
    "evaluate": _l("Start the evaluation"),
    "archive": _l("Archive the call"),
}
