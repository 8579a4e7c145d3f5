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

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from commons.audit import (  # noqa: F401 - they register
    personal,
    sentences_calls,
    sentences_lifecycle,
    sentences_offers,
    sentences_privacy,
    sentences_records,
)
from commons.audit.sentence_registry import SENTENCES, Said, _w
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


def describe(
    event, *, private: bool, people: dict, count: int = 1, fields=(), payload=None
) -> Markup:
    """The sentence of one event (or of ``count`` draft saves in a row); ``payload`` is the
    event's as people read it (:func:`commons.audit.personal.revealed`), when given."""
    payload = payload if payload is not None else (event.payload or {})
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
    values = personal.values_for(e.payload for e in events)
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
        payload = personal.reveal(event.payload, values)
        fields = _draft_fields(group) if event.trigger == "draft_updated" and private else ()
        moved = event.to_state and event.to_state != event.from_state and event.trigger != "created"
        lines.append(
            Line(
                event=event,
                sentence=describe(
                    event,
                    private=private,
                    people=people,
                    count=len(group),
                    fields=fields,
                    payload=payload,
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
