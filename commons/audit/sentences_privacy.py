"""History sentences of the privacy events (commons.privacy): the notice, downloads, erasure."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from commons.audit.sentence_registry import Said, _w, sentence


@sentence("privacy_notice_published")
def _notice_published(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s published version %(n)s of the privacy notice.",
            who=s.who,
            n=s.text("version"),
        )
    )


@sentence("personal_data_downloaded")
def _data_downloaded(s: Said) -> Markup:
    return _w(_("%(who)s downloaded their personal data.", who=s.who))


@sentence("erasure_requested")
def _erasure_requested(s: Said) -> Markup:
    return _w(_("%(who)s asked for the erasure of their personal data.", who=s.who))


@sentence("person_erased")
def _person_erased(s: Said) -> Markup:
    return _w(
        _(
            "%(who)s erased a person's data at their request (%(n)s values in the audit log).",
            who=s.who,
            n=s.text("values_erased"),
        )
    )


@sentence("erasure_refused")
def _erasure_refused(s: Said) -> Markup:
    return _w(_("%(who)s refused a request for erasure, giving the reasons.", who=s.who))
