"""Dates, times and numbers as people read them, in English and Italian: the case page's
history, the public pact page, the receipt and the pact PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader

from commons.documents import operations as documents
from commons.documents import storage
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from tests.conftest import login
from tests.workflows.scenario import Cast, approve_and_sign, proposal_in
from workflows import fire

ADMITTED = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)  # 11:30 in Rome (CET)


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def test_the_case_history_is_in_city_time_labelled_in_both_languages(app, client):
    cast = Cast()
    p = proposal_in("under_review", cast)
    fire(p, "admit", cast.officer, now=ADMITTED)
    db.session.commit()
    login(client, cast.officer.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "1 December 2026, 11:30 CET" in page
    assert "2026-12-01 10:30" not in page and "10:30 UTC" not in page  # not the UTC hour
    cast.officer.locale = "it"
    db.session.commit()
    italian = app.test_client()
    login(italian, cast.officer.email)
    page = italian.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "01/12/2026, 11:30 CET" in page
    assert "2026-12-01 10:30" not in page


def test_the_public_pact_page_shows_dates_and_numbers_in_the_reader_s_language(app, client):
    cast = Cast()
    p = proposal_in("active", cast)  # in force from 1 September 2025 to 1 July 2026
    db.session.add(
        MonitoringReport(
            proposal_id=p.id,
            author_id=cast.representative.id,
            filed_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            text="Clean-ups.",
            indicators={"volunteer_hours": 10.0, "participants": 12.5},
        )
    )
    db.session.commit()
    english = client.get(f"/pacts/{p.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1 September 2025 – 1 July 2026" in english
    assert ">2 March 2026</time>" in english
    assert "Volunteer hours: 10 hours" in english and "Participants: 12.5 people" in english
    assert "10.0" not in english
    italian = client.get(f"/pacts/{p.id}", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert "01/09/2025 – 01/07/2026" in italian
    assert ">02/03/2026</time>" in italian
    assert "Ore di volontariato: 10 ore" in italian and "Partecipanti: 12,5 persone" in italian
    assert "10.0" not in italian


def test_the_receipt_pdf_prints_the_submission_in_city_time(app, client):
    cast = Cast()
    p = proposal_in("submitted", cast)  # submitted at 10:00 UTC on 22 May 2026
    p.start_date, p.end_date = date(2026, 9, 1), date(2028, 8, 31)
    db.session.commit()
    login(client, cast.representative.email)
    english = _text(client.get(f"/apply/{p.id}/receipt.pdf").data)
    assert "22 May 2026, 12:00 CEST" in english and "from 1 September 2026" in english
    cast.representative.locale = "it"
    db.session.commit()
    italian_client = app.test_client()
    login(italian_client, cast.representative.email)
    italian = _text(italian_client.get(f"/apply/{p.id}/receipt.pdf").data)
    assert "22/05/2026, 12:00 CEST" in italian and "01/09/2026" in italian
    assert "2026-05-22" not in italian


def _signed_pdf_text(app, p) -> str:
    doc = documents.latest_document(p, "signed")
    with open(storage.path_for(app.config["STORAGE_DIR"], doc.sha256), "rb") as fh:
        return _text(fh.read())


def test_the_pact_pdf_is_dated_in_the_document_s_language(app):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    approve_and_sign(cast, p)  # submitted on 22 May 2026, signed on 2 and 3 June at 10:00 UTC
    text = _signed_pdf_text(app, p)
    assert "on 22 May 2026 the proponent submitted" in text
    assert "2 June 2026, 12:00 CEST" in text and "3 June 2026, 12:00 CEST" in text

    app.config["CITY_LANGUAGE"] = "it"  # pacts are written in the city's language
    other = proposal_in("legal_review", cast)
    other.start_date, other.end_date = date(2026, 7, 1), date(2027, 6, 30)
    db.session.commit()
    approve_and_sign(cast, other)
    text = _signed_pdf_text(app, other)
    assert "in data 22/05/2026 il proponente ha presentato" in text
    assert "02/06/2026, 12:00 CEST" in text and "03/06/2026, 12:00 CEST" in text
    assert "June" not in text
