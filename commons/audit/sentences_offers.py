"""History sentences of the events of offers and needs (commons/offers)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from commons.audit.sentence_registry import Said, _w, sentence


def _what(s: Said) -> Markup:
    """The post's kind in words, with its title when the reader may see it."""
    kind = _("the need") if s.get("kind") == "need" else _("the offer")
    title = s.text("name")
    return _w(f"{kind} “{title}”") if title else _w(kind)


@sentence("offer_posted")
def _offer_posted(s: Said) -> Markup:
    return _w(_("%(who)s posted %(what)s, for moderation.", who=s.who, what=_what(s)))


@sentence("offer_published")
def _offer_published(s: Said) -> Markup:
    return _w(_("%(who)s published %(what)s.", who=s.who, what=_what(s)))


@sentence("offer_rejected")
def _offer_rejected(s: Said) -> Markup:
    if s.get("reasons"):
        return _w(
            _(
                "%(who)s did not publish %(what)s: %(text)s",
                who=s.who,
                what=_what(s),
                text=s.text("reasons"),
            )
        )
    return _w(_("%(who)s did not publish %(what)s.", who=s.who, what=_what(s)))


@sentence("offer_closed")
def _offer_closed(s: Said) -> Markup:
    if s.get("closed_as") == "fulfilled":
        return _w(_("%(who)s closed %(what)s as fulfilled.", who=s.who, what=_what(s)))
    return _w(_("%(who)s withdrew %(what)s.", who=s.who, what=_what(s)))


@sentence("offer_responded")
def _offer_responded(s: Said) -> Markup:
    return _w(_("%(who)s said they can help with a post.", who=s.who))
