"""The PDF receipt of a submitted application.

Rendered on demand, not stored: after submission the application's answers can no longer
change (only a draft is editable, and later work happens on the pact text), and the receipt
prints the submission time from the record, so every rendering says the same thing. Storing a
copy would add a second source of truth to keep in step, for a document rarely downloaded.
It uses the pact documents' restricted URL fetcher (only files under commons/static) and the
same embedded DejaVu fonts, so nothing is fetched from the network or the disk elsewhere.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, render_template

from commons.documents.bounded import render_bounded
from commons.groups.operations import kind_labels
from commons.inputs import show_bidi_controls
from commons.proposals.forms import attachment_kinds, support_labels
from commons.proposals.labels import pact_type_label
from commons.uploads.operations import attachments_for


def render_receipt_pdf(proposal) -> bytes:
    """The receipt as PDF bytes, in the current language."""
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    submitted = [
        a
        for a in attachments_for(proposal)
        if proposal.submitted_at is None or a.created_at <= proposal.submitted_at
    ]
    html = render_template(
        "apply/receipt.html",
        proposal=proposal,
        submitted_at=proposal.submitted_at.astimezone(zone) if proposal.submitted_at else None,
        attachments=submitted,
        kinds=attachment_kinds(),
        supports=support_labels(),
        kind_labels=kind_labels(),
        pact_type_label=pact_type_label,
        city_name=current_app.config["CITY_NAME"],
        city_office=current_app.config["CITY_OFFICE"],
    )
    return render_bounded(receipt_pdf, html)


def receipt_pdf(html: str) -> bytes:
    """The receipt's HTML as PDF (pure: run in the bounded child process)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from commons.documents.rendering import StaticFilesFetcher

    fetcher = StaticFilesFetcher()
    # Names and texts print in their stored order: bidi controls show as "[U+202E]" markers.
    html = show_bidi_controls(html)
    return HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher).write_pdf(
        font_config=FontConfiguration()
    )
