"""History sentences of the events recorded outside the transitions: the ``append_event``
calls of each area (the registry and the rest: :mod:`commons.audit.sentences`)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from commons.audit.sentence_registry import Said, _w, _with_text, sentence


@sentence("created")
def _created(s: Said) -> Markup:
    return _w(_("%(who)s started the application.", who=s.who))


@sentence("created_by_renewal")
def _created_by_renewal(s: Said) -> Markup:
    return _w(_("%(who)s created this proposal by renewing the previous pact.", who=s.who))


@sentence("summary_edited")
def _summary_edited(s: Said) -> Markup:
    return _w(_("%(who)s edited the public summary of the proposal.", who=s.who))


@sentence("summary_published")
def _summary_published(s: Said) -> Markup:
    return _w(_("%(who)s published the public summary of the proposal with the notice.", who=s.who))


@sentence("draft_updated")
def _draft_updated(s: Said) -> Markup:
    if s.count > 1:
        said = _w(_("%(who)s saved the draft %(num)d times.", who=s.who, num=s.count))
    else:
        said = _w(_("%(who)s saved the draft.", who=s.who))
    if s.fields:
        said += _w(" " + _("Changed: %(fields)s.", fields=escape(", ".join(s.fields))))
    return said


@sentence("pact_version_saved")
def _pact_version_saved(s: Said) -> Markup:
    said = _w(_("%(who)s saved version %(n)s of the pact text.", who=s.who, n=s.text("version")))
    if s.get("comment"):
        said += _w(" " + _("Comment: %(text)s", text=s.text("comment")))
    return said


@sentence("pact_commented")
def _pact_commented(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s commented on version %(n)s of the pact text.",
            who=s.who,
            n=s.text("pact_version"),
        )
    )


@sentence("meeting_recorded")
def _meeting_recorded(s: Said) -> Markup:
    if s.get("with_minutes"):
        return _w(
            _(
                "%(who)s recorded the co-design meeting of %(day)s, with its minutes.",
                who=s.who,
                day=s.date("held_on"),
            )
        )
    return _w(
        _("%(who)s recorded the co-design meeting of %(day)s.", who=s.who, day=s.date("held_on"))
    )


@sentence("opinion_requested")
def _opinion_requested(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s asked %(department)s for a technical opinion.",
            who=s.who,
            department=s.text("department"),
        )
    )


@sentence("opinion_recorded")
def _opinion_recorded(s: Said) -> Markup:
    text = (
        _("%(who)s recorded the positive technical opinion of %(department)s.")
        if s.get("positive")
        else _("%(who)s recorded the negative technical opinion of %(department)s.")
    )
    return _w(text % {"who": s.who, "department": s.text("department")})


@sentence("join_request_accepted")
def _join_accepted(s: Said) -> Markup:
    return _w(
        _("%(who)s accepted %(person)s into the group.", who=s.who, person=s.person("user_id"))
    )


@sentence("join_request_declined")
def _join_declined(s: Said) -> Markup:
    said = _w(
        _(
            "%(who)s declined the request of %(person)s to join the group.",
            who=s.who,
            person=s.person("user_id"),
        )
    )
    if s.get("reason"):
        said += _w(" " + _("Reason: %(text)s", text=s.text("reason")))
    return said


@sentence("comment_hidden")
def _comment_hidden(s: Said) -> Markup:
    return _with_text(
        s,
        "reason",
        _("%(who)s hid a public comment."),
        _("%(who)s hid a public comment: %(text)s"),
    )


@sentence("imported")
def _imported(s: Said) -> Markup:
    return _w(_("Imported from the previous register of pacts."))


@sentence("import_undone")
def _import_undone(s: Said) -> Markup:
    return _with_text(
        s,
        "reason",
        _("%(who)s took back the import that brought this proposal in."),
        _("%(who)s took back the import that brought this proposal in: %(text)s"),
    )


@sentence("import_corrected")
def _import_corrected(s: Said) -> Markup:
    return _with_text(
        s,
        "reason",
        _("%(who)s corrected what the import recorded."),
        _("%(who)s corrected what the import recorded: %(text)s"),
    )


@sentence("commons_removed")
def _commons_removed(s: Said) -> Markup:
    return _w(_("%(who)s removed a commons an undone import had added.", who=s.who))


@sentence("user_created")
def _user_created(s: Said) -> Markup:
    if s.get("provider"):
        from commons.auth.oidc import label

        return _w(
            _(
                "%(person)s opened their account by logging in with %(provider)s.",
                person=s.person("user_id"),
                provider=escape(label(s.get("provider"))),
            )
        )
    return _w(
        _("%(who)s created the account of %(person)s.", who=s.who, person=s.person("user_id"))
    )


@sentence("identity_linked")
def _identity_linked(s: Said) -> Markup:
    from commons.auth.oidc import label

    return _w(
        _(
            "%(person)s linked their account to their digital identity at %(provider)s.",
            person=s.person("user_id"),
            provider=escape(label(s.get("provider"))),
        )
    )


@sentence("password_changed")
def _password_changed(s: Said) -> Markup:
    return _w(_("%(person)s changed their password.", person=s.person("user_id")))


@sentence("password_reset")
def _password_reset(s: Said) -> Markup:
    return _w(
        _(
            "%(person)s chose a new password with a link sent to their address.",
            person=s.person("user_id"),
        )
    )


@sentence("email_changed")
def _email_changed(s: Said) -> Markup:
    return _w(_("%(person)s confirmed a new e-mail address.", person=s.person("user_id")))


@sentence("roles_changed")
def _roles_changed(s: Said) -> Markup:
    from commons.auth.forms import role_label

    roles = ", ".join(role_label(r) for r in s.get("after") or ()) or _("none")
    return _w(
        _(
            "%(who)s changed the roles of %(person)s to: %(roles)s.",
            who=s.who,
            person=s.person("user_id"),
            roles=escape(roles),
        )
    )


@sentence("user_activated")
def _user_activated(s: Said) -> Markup:
    return _w(
        _("%(who)s activated the account of %(person)s.", who=s.who, person=s.person("user_id"))
    )


@sentence("user_deactivated")
def _user_deactivated(s: Said) -> Markup:
    return _w(
        _("%(who)s deactivated the account of %(person)s.", who=s.who, person=s.person("user_id"))
    )


@sentence("exported")
def _exported(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s exported the audit history (%(format)s, %(rows)s rows).",
            who=s.who,
            format=s.text("format"),
            rows=s.text("rows"),
        )
    )


@sentence("api_token_created")
def _api_token_created(s: Said) -> Markup:
    return _w(_("%(who)s created the API token “%(name)s”.", who=s.who, name=s.text("name")))


@sentence("api_token_revoked")
def _api_token_revoked(s: Said) -> Markup:
    return _w(_("%(who)s revoked the API token “%(name)s”.", who=s.who, name=s.text("name")))


@sentence("commons_created")
def _commons_created(s: Said) -> Markup:
    return _w(
        _("%(who)s added %(name)s to the register of commons.", who=s.who, name=s.text("name"))
    )


@sentence("commons_updated")
def _commons_updated(s: Said) -> Markup:
    return _w(_("%(who)s changed the details of a commons in the register.", who=s.who))


@sentence("dossier_updated")
def _dossier_updated(s: Said) -> Markup:
    return _w(_("%(who)s updated the asset dossier of a commons.", who=s.who))


@sentence("inspection_recorded")
def _inspection_recorded(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s recorded an inspection of a commons made on %(date)s.",
            who=s.who,
            date=s.date("inspected_on"),
        )
    )


@sentence("vacancy_reported")
def _vacancy_reported(s: Said) -> Markup:
    return _w(_("%(who)s reported an empty place to the office.", who=s.who))


@sentence("vacancy_listed")
def _vacancy_listed(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s listed a reported empty place as %(name)s in the register of commons.",
            who=s.who,
            name=s.text("name"),
        )
    )


@sentence("vacancy_declined")
def _vacancy_declined(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s declined a report of an empty place: %(reasons)s",
            who=s.who,
            reasons=s.text("reasons"),
        )
    )


@sentence("group_representative_changed")
def _group_representative_changed(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s made %(person)s the representative of the group.",
            who=s.who,
            person=s.person("to_user_id"),
        )
    )
