"""History sentences of the events of calls on listed commons (commons/calls)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from commons.audit.sentence_registry import Said, _w, _with_text, sentence


def _call(s: Said) -> Markup:
    return s.text("reference") or s.text("name")


@sentence("call_created")
def _call_created(s: Said) -> Markup:
    return _w(_("%(who)s created the call %(call)s.", who=s.who, call=_call(s)))


@sentence("call_published")
def _call_published(s: Said) -> Markup:
    return _w(_("%(who)s published the call %(call)s.", who=s.who, call=_call(s)))


@sentence("call_opened")
def _call_opened(s: Said) -> Markup:
    return _w(_("%(who)s opened the call %(call)s to applications.", who=s.who, call=_call(s)))


@sentence("call_batch_closed")
def _call_batch_closed(s: Said) -> Markup:
    return _w(_("%(who)s closed a batch of the call: %(name)s.", who=s.who, name=s.text("name")))


@sentence("call_closed")
def _call_closed(s: Said) -> Markup:
    return _w(
        _("%(who)s closed the call %(call)s: every deadline has passed.", who=s.who, call=_call(s))
    )


@sentence("call_evaluation_started")
def _call_evaluation_started(s: Said) -> Markup:
    return _w(_("%(who)s started the evaluation of the call %(call)s.", who=s.who, call=_call(s)))


@sentence("call_ranked")
def _call_ranked(s: Said) -> Markup:
    return _w(_("%(who)s ranked the proposals of the call %(call)s.", who=s.who, call=_call(s)))


@sentence("call_batch_ranked")
def _call_batch_ranked(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s ranked the proposals of %(name)s, a batch of the call %(call)s.",
            who=s.who,
            name=s.text("name"),
            call=_call(s),
        )
    )


@sentence("call_batch_act_recorded")
def _call_batch_act_recorded(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s recorded the act %(act)s of %(day)s admitting the ranking of %(name)s, "
            "a batch of the call %(call)s.",
            who=s.who,
            act=s.text("act_number"),
            day=s.date("act_date"),
            name=s.text("name"),
            call=_call(s),
        )
    )


@sentence("call_act_recorded")
def _call_act_recorded(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s recorded the act %(act)s of %(day)s admitting the ranking of the call.",
            who=s.who,
            act=s.text("act_number"),
            day=s.date("act_date"),
        )
    )


@sentence("call_sheet_file_added")
def _call_sheet_file_added(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s added %(file)s to the information sheet of %(name)s (call %(call)s).",
            who=s.who,
            file=s.text("file"),
            name=s.text("name"),
            call=_call(s),
        )
    )


@sentence("call_sheet_file_removed")
def _call_sheet_file_removed(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s removed %(file)s from the information sheet of %(name)s (call %(call)s).",
            who=s.who,
            file=s.text("file"),
            name=s.text("name"),
            call=_call(s),
        )
    )


@sentence("call_archived")
def _call_archived(s: Said) -> Markup:
    return _w(_("%(who)s archived the call %(call)s.", who=s.who, call=_call(s)))


@sentence("call_applied")
def _call_applied(s: Said) -> Markup:
    return _w(_("%(who)s started this proposal in answer to a call.", who=s.who))


@sentence("call_batch_changed")
def _call_batch_changed(s: Said) -> Markup:
    return _w(
        _("%(who)s moved the application to the batch %(name)s.", who=s.who, name=s.text("name"))
    )


@sentence("call_no_conflict_declared")
def _call_no_conflict(s: Said) -> Markup:
    return _w(_("%(who)s declared no conflict of interest on this proposal.", who=s.who))


@sentence("call_recused")
def _call_recused(s: Said) -> Markup:
    return _with_text(
        s,
        "reasons",
        _("%(who)s recused themselves from evaluating this proposal."),
        _("%(who)s recused themselves from evaluating this proposal: %(text)s"),
    )


@sentence("call_scores_submitted")
def _call_scores_submitted(s: Said) -> Markup:
    return _w(_("%(who)s submitted their scores on this proposal.", who=s.who))


@sentence("call_consensus_recorded")
def _call_consensus(s: Said) -> Markup:
    return _w(_("%(who)s recorded the panel's consensus scores on this proposal.", who=s.who))


@sentence("call_application_excluded")
def _call_excluded(s: Said) -> Markup:
    return _with_text(
        s,
        "reasons",
        _("%(who)s excluded this proposal from the call's ranking."),
        _("%(who)s excluded this proposal from the call's ranking: %(text)s"),
    )


@sentence("admit_by_call")
def _admit_by_call(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s admitted the proposal to co-design by the call's act %(act)s.",
            who=s.who,
            act=s.text("act_number"),
        )
    )


@sentence("refuse_by_call")
def _refuse_by_call(s: Said) -> Markup:
    return _with_text(
        s,
        "reasons",
        _("%(who)s recorded that the call did not admit the proposal."),
        _("%(who)s recorded that the call did not admit the proposal: %(text)s"),
    )
