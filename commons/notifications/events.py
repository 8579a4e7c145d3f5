"""Who must act after each transition: one hook after ``workflows.fire``, same transaction.

Registered once by ``create_app``; every transition, whichever view, CLI command or the clock
fired it, queues its notifications with the audit event, so they land together or not at all.
"""

from __future__ import annotations

from commons.formatting import city_day
from commons.notifications.operations import queue

# What each transition asks of whom is the profile's: each transition's ``notify`` names the
# message (a kind of commons/notifications/messages.py) and the recipient: "representative",
# "case_officer" (falls back to every officer), "next_signer" (the party who signs next, if
# any), or a staff role.


def _label(proposal) -> str:
    return proposal.protocol_number or f"#{proposal.id}"


def _what(ctx) -> list[tuple[str, str]]:
    """The (kind, recipient) pairs this firing calls for, ``next_signer`` made a role."""
    pairs = []
    for kind, recipient in ctx.spec.notify if ctx.spec is not None else ():
        if recipient == "next_signer":
            from commons.lifecycle.guards import _next_signer

            recipient = _next_signer(ctx)
            if not recipient:
                continue
        pairs.append((kind, recipient))
    return pairs


def notify_after_fire(ctx, trigger: str, from_state: str, event) -> None:
    """Queue the notifications that ``trigger`` calls for."""
    proposal = ctx.proposal
    for kind, recipient in _what(ctx):
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
