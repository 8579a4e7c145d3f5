"""The words of each kind of notification, written in the recipient's language.

A notification stores its ``kind`` and ``params``; the subject and body are made from these
templates when shown or e-mailed, under the reader's language. A kind without a template (or
params missing a value) falls back to the English text stored with the notification.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from commons.formatting import readable_params

MESSAGES = {
    "submitted": (
        _l("New proposal submitted: %(label)s"),
        _l('"%(title)s" was submitted and waits to be taken in charge.'),
    ),
    "integration_requested": (
        _l("The office asks you to complete %(label)s"),
        _l('"%(title)s": %(message)s Answer by %(due)s, or the proposal is archived.'),
    ),
    "integration_answered": (
        _l("The proponents answered on %(label)s"),
        _l('"%(title)s": the proponents sent their integration; the review clock runs again.'),
    ),
    "to_approve": (
        _l("Pact %(label)s waits for legal review"),
        _l('"%(title)s": the draft was agreed; approve it or return it to co-design.'),
    ),
    "to_deliberate": (
        _l("Pact %(label)s waits for the council deliberation"),
        _l('"%(title)s": the draft was agreed; record the council\'s deliberation.'),
    ),
    "to_sign": (
        _l("Your signature is needed on pact %(label)s"),
        _l('"%(title)s" is ready to sign. Open the case page to read and sign it.'),
    ),
    "pact_active": (
        _l("Pact %(label)s is signed and active"),
        _l('"%(title)s": every party has signed; the pact is in force.'),
    ),
    "co_design_open": (
        _l("Co-design can start on %(label)s"),
        _l('"%(title)s": the public notice has ended; co-design is open.'),
    ),
    "returned": (
        _l("Pact %(label)s was returned to co-design"),
        _l('"%(title)s": %(reasons)s'),
    ),
    "rejected": (
        _l("Proposal %(label)s was rejected"),
        _l('"%(title)s": %(reasons)s'),
    ),
    "admitted_by_call": (
        _l("Proposal %(label)s was admitted by the call"),
        _l('"%(title)s": the act admitting the call\'s ranking was recorded; co-design is open.'),
    ),
    "not_admitted_by_call": (
        _l("Proposal %(label)s was not admitted by the call"),
        _l('"%(title)s": %(reasons)s'),
    ),
    "archived": (
        _l("Proposal %(label)s was archived"),
        _l('"%(title)s": no answer to the integration request arrived in time.'),
    ),
    "suspended": (
        _l("Pact %(label)s is suspended"),
        _l('"%(title)s": %(reasons)s'),
    ),
    "resumed": (
        _l("Pact %(label)s is in force again"),
        _l('"%(title)s": the suspension has ended.'),
    ),
    "revoked": (
        _l("Pact %(label)s was revoked"),
        _l('"%(title)s": %(reasons)s'),
    ),
    "terminated": (
        _l("Pact %(label)s was terminated"),
        _l('"%(title)s": %(reasons)s'),
    ),
    "review_overdue": (
        _l("Review of %(label)s is past the %(limit)s-day limit"),
        _l('"%(title)s": the review has taken more than %(limit)s days.'),
    ),
    "deliberation_overdue": (
        _l("Council deliberation on %(label)s is overdue"),
        _l('"%(title)s": the council deliberation was due on %(due)s.'),
    ),
    "report_overdue": (
        _l("Monitoring report for %(label)s was due on %(due)s"),
        _l('"%(title)s": file the monitoring report from the case page.'),
    ),
    "integration_due": (
        _l("Answer the office's request on %(label)s by %(due)s"),
        _l('"%(title)s": without an answer the proposal is archived.'),
    ),
    "renewal_open": (
        _l("Renewal of pact %(label)s is open"),
        _l('"%(title)s": file the final monitoring report so the city can decide on renewal.'),
    ),
    # Requests to join a proposing group (commons/consultation/operations.py).
    "join_requested": (
        _l("%(who)s asks to join %(group)s"),
        _l(
            '%(who)s asked to join your group during the public notice of "%(title)s". '
            "Accept or decline the request on the group's page: %(link)s"
        ),
    ),
    "join_accepted": (
        _l("You are now a member of %(group)s"),
        _l(
            "%(group)s accepted your request to join, made during the public notice of "
            '"%(title)s". The group\'s page: %(link)s'
        ),
    ),
    "join_declined": (
        _l("%(group)s declined your request to join"),
        _l('Your request to join, made during the public notice of "%(title)s", was declined.'),
    ),
    "join_declined_reason": (
        _l("%(group)s declined your request to join"),
        _l(
            'Your request to join, made during the public notice of "%(title)s", was declined. '
            "The reason given: %(reason)s"
        ),
    ),
    # Vacancy reports (commons/registry/operations.py).
    "vacancy_to_moderate": (
        _l("An empty place was reported: %(address)s"),
        _l("Someone reported an empty place at %(address)s. List it or decline it: %(link)s"),
    ),
    "vacancy_listed": (
        _l("The place you reported is listed: %(name)s"),
        _l(
            "Thank you: the office listed the place you reported at %(address)s in the "
            "register of commons as %(name)s. %(link)s"
        ),
    ),
    "vacancy_declined": (
        _l("The place you reported was not listed: %(address)s"),
        _l(
            "The office did not list the place you reported at %(address)s. The reason "
            "given: %(reasons)s"
        ),
    ),
    # Offers and needs (commons/offers/operations.py).
    "offer_to_moderate": (
        _l("An offer or need waits for moderation: %(title)s"),
        _l('"%(title)s" was posted. Publish it or say why not on its page: %(link)s'),
    ),
    "offer_published": (
        _l("Your post is published: %(title)s"),
        _l('The office published "%(title)s": everyone can read it and answer. %(link)s'),
    ),
    "offer_rejected": (
        _l("Your post was not published: %(title)s"),
        _l('The office did not publish "%(title)s". The reason given: %(reasons)s'),
    ),
    "offer_response": (
        _l("%(who)s can help: %(title)s"),
        _l(
            '%(who)s answered "%(title)s": %(message)s How to reach them is on the post\'s '
            "page, where only you can read it: %(link)s"
        ),
    ),
}


def render(note, locale: str | None = None) -> tuple[str, str]:
    """(subject, body) of ``note`` in ``locale`` (default: the current one)."""
    templates = MESSAGES.get(note.kind)
    if templates is None or not note.params:
        return note.subject, note.body

    def write():
        try:
            # Dates are kept as ISO 8601 and written in the reader's language here.
            params = readable_params(note.params)
            return str(templates[0]) % params, str(templates[1]) % params
        except (KeyError, TypeError, ValueError):
            return note.subject, note.body

    if locale is None:
        return write()
    with force_locale(locale):
        return write()


def english(kind: str, params: dict) -> tuple[str, str]:
    """The English text kept with the notification for the record."""
    templates = MESSAGES[kind]
    with force_locale("en"):
        shown = readable_params(params)
        return str(templates[0]) % shown, str(templates[1]) % shown
