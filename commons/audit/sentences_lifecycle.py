"""History sentences of the lifecycle's triggers: ``workflows.fire`` records one event per
transition (the registry and the rest: :mod:`commons.audit.sentences`)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from commons.audit.sentence_registry import Said, _w, _with_text, sentence
from commons.lifecycle.states import in_any_profile
from commons.proposals.forms import field_spec


@sentence("submit")
def _submit(s: Said) -> Markup:
    if s.get("protocol_number"):
        return _w(
            _(
                "%(who)s submitted the application; its protocol number is %(protocol)s.",
                who=s.who,
                protocol=s.text("protocol_number"),
            )
        )
    return _w(_("%(who)s submitted the application.", who=s.who))


@sentence("take_in_charge")
def _take_in_charge(s: Said) -> Markup:
    return _w(_("%(who)s took the case in charge.", who=s.who))


@sentence("request_integration")
def _request_integration(s: Said) -> Markup:
    said = _with_text(
        s,
        "message",
        _("%(who)s asked the proponents for more information."),
        _("%(who)s asked for more information: %(text)s"),
    )
    if s.get("reply_due"):
        said += _w(" " + _("The reply is due by %(day)s.", day=s.date("reply_due")))
    return said


@sentence("integrate")
def _integrate(s: Said) -> Markup:
    return _with_text(
        s,
        "answer",
        _("%(who)s sent the information the office asked for."),
        _("%(who)s sent the information the office asked for: %(text)s"),
    )


@sentence("archive")
def _archive(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s archived the proposal: the information asked for did not arrive in time.",
            who=s.who,
        )
    )


@sentence("admit")
def _admit(s: Said) -> Markup:
    if s.get("notice_ends"):
        return _w(
            _(
                "%(who)s admitted the proposal; the public notice runs until %(day)s.",
                who=s.who,
                day=s.date("notice_ends"),
            )
        )
    if s.to_state in in_any_profile(lambda p: p.tagged("co_design")):
        return _w(_("%(who)s admitted the proposal to co-design.", who=s.who))
    return _w(_("%(who)s admitted the proposal.", who=s.who))


@sentence("close_notice")
def _close_notice(s: Said) -> Markup:
    return _w(_("%(who)s closed the public notice.", who=s.who))


@sentence("agree_draft")
def _agree_draft(s: Said) -> Markup:
    if s.to_state in in_any_profile(lambda p: p.tagged("deliberation")):
        return _w(
            _("%(who)s agreed the pact draft; the council is to deliberate on it.", who=s.who)
        )
    return _w(_("%(who)s agreed the pact draft; it goes to the legal officer.", who=s.who))


@sentence("record_deliberation")
def _record_deliberation(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s recorded the council deliberation %(number)s of %(day)s.",
            who=s.who,
            number=s.text("deliberation_number"),
            day=s.date("deliberation_date"),
        )
    )


@sentence("return_to_co_design")
def _return_to_co_design(s: Said) -> Markup:
    return _with_text(
        s,
        "reasons",
        _("%(who)s returned the pact to co-design."),
        _("%(who)s returned the pact to co-design: %(text)s"),
    )


@sentence("approve")
def _approve(s: Said) -> Markup:
    act = _w(
        _(
            "%(who)s approved the pact with act %(number)s of %(day)s.",
            who=s.who,
            number=s.text("act_number"),
            day=s.date("act_date"),
        )
    )
    if s.get("pact_version"):
        act += _w(" " + _("Text approved: version %(n)s.", n=s.text("pact_version")))
    return act


@sentence("sign")
def _sign(s: Said) -> Markup:
    signature = s.get("signature")
    signature = signature if isinstance(signature, dict) else {}
    role = signature.get("role")
    if role == "representative":
        said = _w(_("%(who)s signed the pact for the proponents.", who=s.who))
    elif role == "legal":
        said = _w(_("%(who)s signed the pact for the city.", who=s.who))
    else:
        said = _w(_("%(who)s signed the pact.", who=s.who))
    level = signature.get("level")
    if level == "qualified":
        said += _w(" " + _("Qualified electronic signature, with their own certificate."))
    elif level == "advanced":
        said += _w(" " + _("Advanced electronic signature, with their own certificate."))
    return said + _signed_with(signature)


def _signed_with(signature: dict) -> Markup:
    """How the signer proved who they were: their password, or a provider and its level."""
    from commons.auth.oidc import PASSWORD, label, level_label

    provider = signature.get("identity_provider")
    if not provider:
        return Markup("")
    if provider == PASSWORD:
        return _w(" " + _("Identity checked with their password."))
    level = signature.get("assurance_level")
    if level:
        return _w(
            " "
            + _(
                "Identity checked with %(provider)s, level %(level)s.",
                provider=escape(label(provider)),
                level=escape(level_label(level)),
            )
        )
    return _w(" " + _("Identity checked with %(provider)s.", provider=escape(label(provider))))


@sentence("file_report")
def _file_report(s: Said) -> Markup:
    if s.get("final"):
        return _w(_("%(who)s filed the final monitoring report.", who=s.who))
    return _w(_("%(who)s filed a monitoring report.", who=s.who))


def _grounds(s: Said) -> Markup:
    choices = dict(field_spec("grounds").choices)
    return escape(str(choices.get(s.get("grounds"), s.get("grounds") or "")))


@sentence("suspend")
def _suspend(s: Said) -> Markup:
    if s.get("grounds") and s.get("reasons"):
        return _w(
            _(
                "%(who)s suspended the pact (%(grounds)s): %(text)s",
                who=s.who,
                grounds=_grounds(s),
                text=s.text("reasons"),
            )
        )
    return _w(_("%(who)s suspended the pact.", who=s.who))


@sentence("resume")
def _resume(s: Said) -> Markup:
    return _with_text(
        s,
        "reasons",
        _("%(who)s resumed the pact."),
        _("%(who)s resumed the pact: %(text)s"),
    )


@sentence("extend")
def _extend(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s extended the pact until %(day)s with act %(number)s.",
            who=s.who,
            day=s.date("new_end_date"),
            number=s.text("act_number"),
        )
    )


@sentence("open_renewal")
def _open_renewal(s: Said) -> Markup:
    return _w(_("%(who)s opened the renewal of the pact.", who=s.who))


@sentence("renew")
def _renew(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s renewed the pact with act %(number)s; a new proposal continues it.",
            who=s.who,
            number=s.text("act_number"),
        )
    )


@sentence("complete_renewal")
def _complete_renewal(s: Said) -> Markup:
    return _w(_("The pact ended and handed over to the pact that renews it."))


@sentence("expire")
def _expire(s: Said) -> Markup:
    return _w(_("The pact reached its end date and expired."))


@sentence("reject")
def _reject(s: Said) -> Markup:
    return _with_text(
        s,
        "reasons",
        _("%(who)s rejected the proposal."),
        _("%(who)s rejected the proposal: %(text)s"),
    )


@sentence("withdraw")
def _withdraw(s: Said) -> Markup:
    if s.get("effective_on"):
        said = _w(
            _(
                "%(who)s withdrew from the pact; the withdrawal takes effect on %(day)s.",
                who=s.who,
                day=s.date("effective_on"),
            )
        )
        if s.get("reasons"):
            said += _w(" " + _("Reasons: %(text)s", text=s.text("reasons")))
        return said
    return _with_text(
        s,
        "reasons",
        _("%(who)s withdrew the proposal."),
        _("%(who)s withdrew the proposal: %(text)s"),
    )


@sentence("complete_withdrawal")
def _complete_withdrawal(s: Said) -> Markup:
    return _w(_("The withdrawal took effect: the pact has ended."))


@sentence("revoke")
def _revoke(s: Said) -> Markup:
    return _with_text(
        s,
        "reasons",
        _("%(who)s revoked the pact for breach."),
        _("%(who)s revoked the pact for breach: %(text)s"),
    )


@sentence("terminate")
def _terminate(s: Said) -> Markup:
    return _with_text(
        s,
        "reasons",
        _("%(who)s terminated the pact in the public interest."),
        _("%(who)s terminated the pact in the public interest: %(text)s"),
    )
