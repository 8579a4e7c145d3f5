"""Dates recorded in history payloads read as dates, in English and Italian; the payload stays."""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import Markup

from commons.audit.models import AuditEvent
from commons.extensions import db
from commons.payloads import moment_of, payload_value
from tests.conftest import login
from tests.workflows.scenario import NOW, Cast, approve_and_sign, proposal_in
from workflows import fire

# NOW + 30 days, as the labsus profile sets it: the end of that day in Rome (23:59:59 CEST).
REPLY_DUE = "2026-07-01T21:59:59+00:00"


def _integration_requested(cast):
    p = proposal_in("under_review", cast)
    fire(p, "request_integration", cast.officer, now=NOW, message="Send the statute.")
    db.session.commit()
    return p


def test_the_reply_due_date_reads_as_a_date_on_the_case_page(app, client):
    cast = Cast()
    p = _integration_requested(cast)
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.trigger == "request_integration")
    ).one()
    assert event.payload["reply_due"] == REPLY_DUE  # the record is unchanged
    login(client, cast.officer.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    # 21:59:59 UTC is 23:59 in Rome (the city's time zone) in summer, labelled with its zone.
    assert (
        f'The reply is due by <time datetime="{REPLY_DUE}">1 July 2026, 23:59 CEST</time>' in page
    )
    assert f">{REPLY_DUE}<" not in page

    cast.officer.locale = "it"
    db.session.commit()
    italian = app.test_client()
    login(italian, cast.officer.email)
    page = italian.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert (
        f'La risposta è attesa entro il <time datetime="{REPLY_DUE}">01/07/2026, 23:59 CEST</time>'
        in page
    )


def test_act_dates_read_as_dates_on_the_public_pact_and_the_auditors_history(app, client):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    approve_and_sign(cast, p)
    page = client.get(f"/pacts/{p.id}", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert '<time datetime="2026-05-30">30/05/2026</time>' in page
    login(client, cast.auditor.email)
    page = client.get(f"/audit/pacts/{p.id}").get_data(as_text=True)
    assert '<code>act_date</code>: <time datetime="2026-05-30">30 May 2026</time>' in page
    # Nested values too: the pact's term, recorded when it came into force.
    assert 'in_force</code>: from: <time datetime="2026-06-03">3 June 2026</time>; to:' in page


def test_payload_values_other_than_dates(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert payload_value("DD 77/2026") == "DD 77/2026"
        assert payload_value("<b>") == "&lt;b&gt;"
        assert payload_value(True) == "yes" and payload_value(3) == "3"
        assert payload_value("2026-13-45") == "2026-13-45"  # not a date: shown as written
        assert payload_value(["a.pdf", "b.png"]) == "a.pdf, b.png"
        assert isinstance(payload_value({"k": "<v>"}), Markup)
        assert payload_value({"k": "<v>"}) == "k: &lt;v&gt;"
    assert moment_of("2026-05-30") == date(2026, 5, 30)
    assert moment_of("2026-05-30T08:00:00Z").tzinfo is not None
    assert isinstance(moment_of("2026-05-30T08:00"), datetime)  # naive times are UTC
    assert moment_of("30/05/2026") is None and moment_of(20260530) is None
