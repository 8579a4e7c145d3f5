"""Imported once by the render forkserver (commons.documents.bounded), before any child.

WeasyPrint's import, the pact stylesheet with its fonts and the caches a first render fills
(font maps, shaping) are the same for every render, so the forkserver makes them here, with
one small warm-up render, and every render's child, forked from it, starts with them. None of
this changes the output (see ``rendering.shared_style``): renders are pure functions.
"""

from __future__ import annotations

from datetime import UTC, datetime

from commons.documents import rendering

WARM_UP_TEXT = (
    "Oggetto del patto: cura condivisa, àèéìòù. The object of the pact: shared care, "
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 «»“”’–—€%&()[]:;.,!?"
)


def warm_up() -> None:
    """Render a small pact once, in both languages, and a plain page (receipts, histories)."""
    content = {
        "sections": [
            {"key": "object", "title": "Oggetto", "articles": [{"title": "", "text": WARM_UP_TEXT}]}
        ]
    }
    meta = {"approved_at": datetime(2026, 1, 1, tzinfo=UTC), "pact": {"title": WARM_UP_TEXT}}
    for language in ("it", "en"):
        rendering.render_pact_pdf(content, meta, language, kind="draft")


warm_up()
