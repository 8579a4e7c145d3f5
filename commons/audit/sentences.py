"""Histories in words: one sentence per kind of audit event, in the reader's language.

The case page and the public pact page tell what happened as people say it ("Olga Bianchi
took the case in charge"), with names instead of ids and dates in the city's time zone. The
recorded payload is not changed: ids and hashes stay in the auditor's view and the exports,
which show the events as recorded (templates/audit/_history_body.html).

``SENTENCES`` has a builder for every event kind the code appends (the lifecycle's triggers,
recorded by ``workflows.fire``, and the ``append_event`` calls of each area); a kind without
one (a new trigger of a city's profile) gets a generic sentence made of its label.
Consecutive saves of a draft by the same person read as one line with their count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from commons.payloads import moment_html, payload_value
from commons.proposals.forms import field_spec
from commons.proposals.labels import state_label, trigger_label

# What of a payload the public may read: acts and dates, never names, reasons or messages.
PUBLIC_KEYS = frozenset(
    {
        "protocol_number",
        "act_number",
        "act_date",
        "deliberation_number",
        "deliberation_date",
        "effective_on",
        "pact_version",
        "new_end_date",
    }
)

# Who acted, when the name is not shown (the public page) or not known (the clock, imports).
ACTOR_NOUNS = {
    "officer": _l("The office"),
    "legal": _l("The legal officer"),
    "representative": _l("The proponents' representative"),
    "citizen": _l("A proponent"),
    "auditor": _l("An auditor"),
    "admin": _l("An administrator"),
}

# The answers a draft save may change, by their names on "Check your answers".
DRAFT_FIELDS = {
    "title": _l("Title"),
    "group": _l("Proponent"),
    "commons": _l("Commons"),
    "new_place_address": _l("Commons"),
    "new_place_latitude": _l("Commons"),
    "new_place_longitude": _l("Commons"),
    "objectives": _l("Objectives"),
    "activities": _l("Activities"),
    "support_requested": _l("Support from the city"),
    "support_notes": _l("Support from the city"),
    "requested_duration_months": _l("Duration"),
    "start_date": _l("Duration"),
    "end_date": _l("Duration"),
    "pact_type": _l("Kind of pact"),
}


@dataclass
class Said:
    """What a builder sees of one event: who (already escaped), its payload, the names."""

    who: Markup
    payload: dict
    to_state: str | None
    private: bool
    people: dict
    count: int = 1
    fields: list = field(default_factory=list)

    def get(self, key: str, default=None):
        return self.payload.get(key, default)

    def text(self, key: str) -> Markup:
        return escape(str(self.payload.get(key) or "").strip())

    def date(self, key: str) -> Markup:
        return payload_value(self.payload.get(key))

    def person(self, key: str) -> Markup:
        """The name of a person the payload refers to by id, or "someone"."""
        name = self.people.get(self.payload.get(key)) if self.private else None
        return escape(name) if name else escape(_("someone"))


def _w(text: str) -> Markup:
    # Every value was escaped (or is Markup) before it went into the translated sentence.
    return Markup(text)  # noqa: S704


def _with_text(said: Said, key: str, plain: str, with_text: str) -> Markup:
    """One sentence without the person's text, or with it after a colon when it is shown."""
    if said.get(key):
        return _w(with_text % {"who": said.who, "text": said.text(key)})
    return _w(plain % {"who": said.who})


Builder = Callable[[Said], Markup]
SENTENCES: dict[str, Builder] = {}


def sentence(*kinds: str):
    def register(fn: Builder) -> Builder:
        for kind in kinds:
            SENTENCES[kind] = fn
        return fn

    return register


# --- the lifecycle (workflows.fire records one event per transition) ---------------------------


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
    if s.to_state == "co_design":
        return _w(_("%(who)s admitted the proposal to co-design.", who=s.who))
    return _w(_("%(who)s admitted the proposal.", who=s.who))


@sentence("close_notice")
def _close_notice(s: Said) -> Markup:
    return _w(_("%(who)s closed the public notice.", who=s.who))


@sentence("agree_draft")
def _agree_draft(s: Said) -> Markup:
    if s.to_state == "political_approval":
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
    role = signature.get("role") if isinstance(signature, dict) else None
    if role == "representative":
        return _w(_("%(who)s signed the pact for the proponents.", who=s.who))
    if role == "legal":
        return _w(_("%(who)s signed the pact for the city.", who=s.who))
    return _w(_("%(who)s signed the pact.", who=s.who))


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


# --- events recorded outside the transitions -----------------------------------------------------


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


@sentence("user_created")
def _user_created(s: Said) -> Markup:
    return _w(
        _("%(who)s created the account of %(person)s.", who=s.who, person=s.person("user_id"))
    )


@sentence("password_changed")
def _password_changed(s: Said) -> Markup:
    return _w(_("%(person)s changed their password.", person=s.person("user_id")))


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


@sentence("group_representative_changed")
def _group_representative_changed(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s made %(person)s the representative of the group.",
            who=s.who,
            person=s.person("to_user_id"),
        )
    )


def _generic(s: Said, kind: str) -> Markup:
    """A kind without its own sentence: who did it, and the action's label."""
    label = trigger_label(kind)
    return _w(_("%(who)s: %(action)s.", who=s.who, action=escape(label[:1].upper() + label[1:])))


# --- the lines of a history ----------------------------------------------------------------------


@dataclass
class Line:
    """One line of a history: the sentence, when, the state reached, details and files."""

    event: object  # the (last) AuditEvent the line stands for
    sentence: Markup
    when: Markup
    to: str = ""
    count: int = 1
    details: list = field(default_factory=list)  # (label, value) pairs shown under it
    files: list = field(default_factory=list)


def actor_noun(role: str | None) -> str:
    """Who acted, in words, when the name is not shown."""
    noun = ACTOR_NOUNS.get(role or "")
    return str(noun) if noun is not None else _("The system")


def _who(event, *, private: bool, people: dict) -> Markup:
    if private and event.actor_id and people.get(event.actor_id):
        return escape(people[event.actor_id])
    return escape(actor_noun(event.actor_role))


def _details(kind: str, payload: dict) -> list:
    """What is shown under a sentence: the comment and the files sent, by their labels."""
    rows = []
    if payload.get("comment") and kind != "pact_version_saved":
        rows.append((str(field_spec("comment").label), escape(str(payload["comment"]))))
    if payload.get("files"):
        rows.append((_("Files"), payload_value(payload["files"])))
    return rows


def _draft_fields(events: Iterable) -> list[str]:
    seen: list[str] = []
    for event in events:
        for name in (event.payload or {}).get("fields") or ():
            label = str(DRAFT_FIELDS.get(name, field_spec(name).label))
            if label not in seen:
                seen.append(label)
    return seen


def describe(event, *, private: bool, people: dict, count: int = 1, fields=()) -> Markup:
    """The sentence of one event (or of ``count`` draft saves in a row)."""
    payload = event.payload or {}
    if not private:
        payload = {k: v for k, v in payload.items() if k in PUBLIC_KEYS}
    said = Said(
        who=_who(event, private=private, people=people),
        payload=payload,
        to_state=event.to_state,
        private=private,
        people=people,
        count=count,
        fields=list(fields),
    )
    builder = SENTENCES.get(event.trigger)
    return builder(said) if builder is not None else _generic(said, event.trigger)


def people_named(events: list) -> set[int]:
    """The ids of everyone a history names: who acted and whom the events concern."""
    ids = {e.actor_id for e in events if e.actor_id}
    for event in events:
        payload = event.payload or {}
        for key in ("user_id", "to_user_id", "from_user_id"):
            if isinstance(payload.get(key), int):
                ids.add(payload[key])
    return ids


def history_lines(events: list, *, private: bool, people: dict, files: dict | None = None):
    """The events of a history as lines of words, oldest first.

    Saves of the draft by the same person one after the other become one line with their
    count; ``files`` maps a meeting's id to its minutes files, shown with its line.
    """
    files = files or {}
    groups: list[list] = []
    for event in events:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and event.trigger == "draft_updated"
            and last.trigger == "draft_updated"
            and last.actor_id == event.actor_id
        ):
            groups[-1].append(event)
        else:
            groups.append([event])
    lines = []
    for group in groups:
        event = group[-1]
        payload = event.payload or {}
        fields = _draft_fields(group) if event.trigger == "draft_updated" and private else ()
        moved = event.to_state and event.to_state != event.from_state and event.trigger != "created"
        lines.append(
            Line(
                event=event,
                sentence=describe(
                    event, private=private, people=people, count=len(group), fields=fields
                ),
                when=moment_html(event.occurred_at),
                to=state_label(event.to_state) if moved else "",
                count=len(group),
                details=_details(event.trigger, payload) if private else [],
                files=files.get(payload.get("meeting_id"), [])
                if event.trigger == "meeting_recorded" and private
                else [],
            )
        )
    return lines
