"""Who must act after each transition: one hook after ``workflows.fire``, same transaction.

Registered once by ``create_app``; every transition, whichever view, CLI command or the clock
fired it, queues its notifications with the audit event, so they land together or not at all.
"""

from __future__ import annotations

from commons.formatting import city_day
from commons.notifications.operations import queue

# What each transition asks of whom: trigger (and, when it matters, target) -> (kind, recipient).
# Recipients: "representative", "case_officer" (falls back to every officer), or a role.
BY_TRIGGER: dict[str, tuple[str, str]] = {
    "submit": ("submitted", "officer"),
    "request_integration": ("integration_requested", "representative"),
    "integrate": ("integration_answered", "case_officer"),
    "close_notice": ("co_design_open", "case_officer"),
    "record_deliberation": ("to_approve", "legal"),
    "return_to_co_design": ("returned", "representative"),
    "reject": ("rejected", "representative"),
    "archive": ("archived", "representative"),
    "suspend": ("suspended", "representative"),
    "resume": ("resumed", "representative"),
    "revoke": ("revoked", "representative"),
    "terminate": ("terminated", "representative"),
}


def _label(proposal) -> str:
    return proposal.protocol_number or f"#{proposal.id}"


def _what(ctx, trigger: str) -> list[tuple[str, str]]:
    """The (kind, recipient) pairs this firing calls for."""
    proposal = ctx.proposal
    if trigger == "agree_draft":
        if proposal.status == "political_approval":
            return [("to_deliberate", "legal")]
        return [("to_approve", "legal")]
    if trigger in ("approve", "sign"):
        if proposal.status == "active":
            return [("pact_active", "representative")]
        from commons.lifecycle.guards import _next_signer

        signer = _next_signer(ctx)
        return [("to_sign", signer)] if signer else []
    found = BY_TRIGGER.get(trigger)
    return [found] if found else []


def notify_after_fire(ctx, trigger: str, from_state: str, event) -> None:
    """Queue the notifications that ``trigger`` calls for."""
    proposal = ctx.proposal
    for kind, recipient in _what(ctx, trigger):
        params = {
            "label": _label(proposal),
            "title": proposal.title,
            "message": str(ctx.values.get("message") or ""),
            "reasons": str(ctx.values.get("reasons") or ""),
            # The last day in the city's time zone, as ISO: written for each reader when shown.
            "due": city_day(proposal.integration_due_at).isoformat()
            if proposal.integration_due_at
            else "",
        }
        recipient_id, role = None, None
        if recipient == "representative":
            recipient_id = proposal.representative_id
        elif recipient == "case_officer":
            recipient_id = proposal.case_officer_id
            role = None if recipient_id else "officer"
        else:
            role = recipient
        queue(
            kind,
            params,
            dedup_key=f"{kind}:event:{event.seq}:{recipient_id or role}",
            proposal_id=proposal.id,
            recipient_id=recipient_id,
            recipient_role=role,
            created_at=event.occurred_at,
        )


def _on_transitioned(trigger: str, *, context, from_state, event, **_) -> None:
    """Receiver of ``workflows.signals.transitioned``: every transition may notify."""
    notify_after_fire(context, trigger, from_state, event)


def install() -> None:
    """Connect the receiver to the engine's signal (idempotent)."""
    from workflows.signals import transitioned

    transitioned.connect(_on_transitioned)
