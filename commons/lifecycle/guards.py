"""The lifecycle's guards and conditions that read the application's rows.

They are filed with the engine by name (``register_guard``, ``register_condition``) when this
module is imported; the profiles name them as before. A guard returns None when its rule
holds, else a sentence saying what is missing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from commons.auth import attempts, reauth
from commons.auth.passwords import verify_password
from commons.documents.models import PactVersion, Signature
from commons.documents.terms import problems_at_approval, terms_of
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import Proposal
from workflows.clocks import add_months
from workflows.guards import (
    Context,
    _max_months,
    actor_capacity,
    register_condition,
    register_guard,
)
from workflows.i18n import _


def _signatures(ctx: Context) -> dict[str, Any]:
    if ctx.signatures is None:
        rows = ctx.session.scalars(
            select(Signature).where(Signature.proposal_id == ctx.proposal.id)
        )
        ctx.signatures = {row.signer_role: row for row in rows}
    return ctx.signatures


def _next_signer(ctx: Context) -> str | None:
    signed = _signatures(ctx)
    return next((role for role in ctx.profile.signers if role not in signed), None)


@register_condition
def is_last_signature(ctx: Context) -> bool:
    signed = _signatures(ctx)
    return len([r for r in ctx.profile.signers if r not in signed]) == 1


@register_condition
def more_signatures_needed(ctx: Context) -> bool:
    return not is_last_signature(ctx)


@register_guard
def end_date_within_max_term(ctx: Context) -> str | None:
    """The terms of the version being approved are sound and within the maximum term.

    A version saved before terms existed has none: the proposal's dates are checked instead.
    """
    version = latest_version(ctx)
    terms = terms_of(version) if version is not None else None
    if terms is not None and not terms.derived:
        return problems_at_approval(terms, ctx.proposal, ctx.today)
    p, limit = ctx.proposal, _max_months(ctx)
    if p.start_date and p.end_date and p.end_date > add_months(p.start_date, limit):
        return _("The end date is beyond the maximum term of %(n)d months.", n=limit)
    if not p.end_date and (p.requested_duration_months or 0) > limit:
        return _("The requested duration exceeds the maximum term of %(n)d months.", n=limit)
    return None


def latest_version(ctx: Context):
    return PactVersion.latest_for(ctx.proposal, session=ctx.session)


@register_guard
def pact_version_exists(ctx: Context) -> str | None:
    return None if latest_version(ctx) is not None else _("There is no draft of the pact yet.")


@register_guard
def mandatory_clauses_present(ctx: Context) -> str | None:
    version = latest_version(ctx)
    if version is None:
        return _("There is no draft of the pact yet.")
    filled = {
        s.get("key")
        for s in version.content.get("sections", [])
        if any((a.get("text") or "").strip() for a in s.get("articles", []))
        or (s.get("text") or "").strip()
    }
    missing = [key for key in ctx.profile.mandatory_sections if key not in filled]
    if not missing:
        return None
    return _("Mandatory clauses are missing: %(sections)s.", sections=", ".join(missing))


@register_guard
def signer_in_order(ctx: Context) -> str | None:
    expected = _next_signer(ctx)
    if expected is None:
        return _("Every party has signed already.")
    if expected not in actor_capacity(ctx):
        if expected == "representative":
            return _("It is not your turn to sign: the proponents' representative signs next.")
        return _("It is not your turn to sign: the legal officer for the city signs next.")
    return None


@register_guard
def email_verified(ctx: Context) -> str | None:
    """Whoever submits or signs has confirmed their e-mail address (issue 16)."""
    if getattr(ctx.actor, "email_verified_at", None) is not None:
        return None
    return _(
        "Confirm your e-mail address first: open the link we sent to %(email)s. "
        "Your account page can send the link again.",
        email=getattr(ctx.actor, "email", ""),
    )


@register_guard(judges_input=True)
def fresh_login(ctx: Context) -> str | None:
    password = ctx.values.get("password", "")
    # A fresh login at the identity provider, made for this signature in this request
    # (commons/auth/reauth.py), stands for the password.
    if reauth.is_proof(ctx.actor, password):
        return None
    # Counted like a login: 429 after too many wrong passwords (commons/auth/attempts.py).
    if attempts.checked(
        ctx.actor.email, lambda: verify_password(ctx.actor.password_hash, password)
    ):
        return None
    return _("Your password is needed again to sign, and it was not right.")


@register_guard
def final_report_filed(ctx: Context) -> str | None:
    found = ctx.session.scalar(
        select(func.count())
        .select_from(MonitoringReport)
        .where(MonitoringReport.proposal_id == ctx.proposal.id, MonitoringReport.final.is_(True))
    )
    return None if found else _("A final monitoring report is required before renewal.")


def successors_of(ctx: Context) -> list:
    """The proposals created by renewing this pact, oldest first."""
    return list(
        ctx.session.scalars(
            select(Proposal).where(Proposal.predecessor_id == ctx.proposal.id).order_by(Proposal.id)
        )
    )


@register_guard
def successor_signed(ctx: Context) -> str | None:
    if any(s.status in ctx.profile.in_force for s in successors_of(ctx)):
        return None
    return _("The pact that renews this one is not signed yet.")


@register_guard
def no_renewal_pending(ctx: Context) -> str | None:
    # A pact whose successor is still being designed or signed stays in force: expiring it
    # would leave the commons without a pact until the successor starts.
    pending = [s for s in successors_of(ctx) if s.status not in ctx.profile.terminal]
    if not pending:
        return None
    return _(
        "The renewal of this pact (%(protocol)s) is under way: the pact stays in force until "
        "the new one is signed.",
        protocol=pending[0].protocol_number or f"#{pending[0].id}",
    )


@register_guard
def call_deadline_open(ctx: Context) -> str | None:
    """A proposal made in answer to a call is submitted by its batch's deadline; after it, the
    refusal names the call's next deadline (proposals outside calls pass)."""
    from commons.calls.deadlines import late_submission

    return late_submission(ctx.proposal, ctx.now, session=ctx.session)


def _call_outcome(ctx: Context):
    from commons.calls.models import CallApplication

    application = ctx.session.scalar(
        select(CallApplication).where(CallApplication.proposal_id == ctx.proposal.id)
    )
    if application is None or application.batch.act_number is None:
        return None  # not from a call, or its batch's act is not recorded (yet)
    return application.outcome


@register_guard
def call_admits(ctx: Context) -> str | None:
    """Only the act of a call admits through it: the proposal was ranked admitted."""
    if _call_outcome(ctx) != "admitted":
        return _("Only the admitting act of a call, for a proposal it ranked admitted.")
    return None


@register_guard
def call_does_not_admit(ctx: Context) -> str | None:
    """Only the act of a call refuses through it: the proposal was ranked and not admitted."""
    if _call_outcome(ctx) in (None, "admitted"):
        return _("Only the admitting act of a call, for a proposal it did not admit.")
    return None
