"""The monitoring report form generated from the impact framework: fields and breakdowns per
indicator, bad values refused field by field keeping what was typed, reports stored with their
framework version, old reports still readable, labels in the page's language."""

from __future__ import annotations

import re

from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from tests import factories
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, proposal_in

IT = {"Accept-Language": "it-IT,it;q=0.9"}


def _send(client, p, data, headers=None):
    url = f"/proposals/{p.id}/report"
    payload = {"csrf_token": csrf_token(client, url), **data}
    return client.post(url, data=payload, content_type="multipart/form-data", headers=headers)


def _value(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, name
    found = re.search(r'value="([^"]*)"', tag.group(0))
    return found.group(1) if found else None


def test_the_form_has_a_field_per_indicator_with_its_breakdowns(app, client):
    cast = Cast()
    factories.commons(district="Borgo Nuovo")
    ordinary = proposal_in("active", cast)
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{ordinary.id}/report").get_data(as_text=True)
    for label in (
        "Participants (people)",
        "Volunteer hours (hours)",
        "Meetings of the group",
        "Partner organisations (organisations)",
    ):
        assert label in page
    # Participants break down by age, gender, newcomers, disadvantaged groups and district
    # (the districts of the register); volunteer hours by gender only.
    for name in (
        "participants__age_band__under_18",
        "participants__gender__women",
        "participants__newcomers__newcomers",
        "participants__disadvantaged__disadvantaged",
        "participants__district__Borgo Nuovo",
        "volunteer_hours__gender__men",
    ):
        assert f'name="{name}"' in page
    assert 'name="volunteer_hours__age_band__under_18"' not in page
    # Space brought back into use applies to complex pacts only.
    assert "Space brought back into use" not in page
    complex_pact = proposal_in("active", cast, pact_type="complex")
    page = client.get(f"/proposals/{complex_pact.id}/report").get_data(as_text=True)
    assert "Space brought back into use (m²)" in page and 'name="area_restored"' in page


def test_bad_values_are_refused_field_by_field_keeping_what_was_typed(app, client):
    cast = Cast()
    p = proposal_in("active", cast)
    login(client, cast.representative.email)
    response = _send(
        client,
        p,
        {
            "report_text": "We planted twelve trees.",
            "participants": "30",
            "participants__age_band__under_18": "45",  # more than the total
            "participants__gender__women": "12",
            "volunteer_hours": "12,5",
            "meetings": "-2",
            "partner_organisations": "two",
            "publish_photos": "y",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "At most the total of Participants." in page
    assert "Enter a whole number from 0 to 100,000." in page  # meetings
    assert "Enter a whole number from 0 to 10,000." in page  # partner organisations
    # Everything typed is still there, the good figures and the bad ones alike.
    assert "We planted twelve trees." in page
    assert _value(page, "participants") == "30"
    assert _value(page, "participants__age_band__under_18") == "45"
    assert _value(page, "participants__gender__women") == "12"
    assert _value(page, "meetings") == "-2"
    assert _value(page, "partner_organisations") == "two"
    assert "checked" in re.search(r'<input[^>]*name="publish_photos"[^>]*>', page).group(0)
    assert db.session.scalar(db.select(db.func.count()).select_from(MonitoringReport)) == 0


def test_a_report_keeps_its_framework_version_and_breakdowns(app, client):
    cast = Cast()
    p = proposal_in("active", cast)
    login(client, cast.representative.email)
    response = _send(
        client,
        p,
        {
            "report_text": "A summer of clean-ups.",
            "participants": "40",
            "participants__age_band__under_18": "15",
            "participants__newcomers__newcomers": "9",
            "volunteer_hours": "12,5",
            "partner_organisations": "2",
        },
    )
    assert response.status_code == 302
    report = db.session.scalars(db.select(MonitoringReport)).one()
    assert (report.framework_id, report.framework_version) == ("default", 2)
    assert report.indicators == {
        "participants": 40,
        "volunteer_hours": 12.5,
        "partner_organisations": 2,
    }
    assert report.breakdowns == {
        "participants": {"age_band": {"under_18": 15}, "newcomers": {"newcomers": 9}}
    }
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Participants: 40 people" in page and "By age: Under 18 15" in page
    assert "Partner organisations: 2 organisations" in page
    page = client.get(f"/proposals/{p.id}", headers=IT).get_data(as_text=True)
    assert "Partecipanti: 40 persone" in page and "Per età: Under 18 15" in page
    assert "Organizzazioni partner: 2 organizzazioni" in page


def test_a_report_filed_before_frameworks_still_displays(app, client):
    cast = Cast()
    p = proposal_in("active", cast)
    # As the migration leaves it: the three fixed figures, the default's version 1.
    db.session.add(
        MonitoringReport(
            proposal_id=p.id,
            author_id=cast.representative.id,
            text="The old report.",
            indicators={"participants": 7, "volunteer_hours": 20, "events_held": 1},
            framework_id="default",
            framework_version=1,
        )
    )
    db.session.commit()
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "The old report." in page
    assert "Participants: 7 people" in page and "Events held: 1 events" in page
    page = client.get(f"/proposals/{p.id}", headers=IT).get_data(as_text=True)
    assert "Ore di volontariato: 20 ore" in page and "Eventi realizzati: 1 eventi" in page


def test_the_form_is_in_italian_on_italian_pages(app, client):
    cast = Cast()
    p = proposal_in("active", cast)
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}/report", headers=IT).get_data(as_text=True)
    assert '<html lang="it">' in page
    assert "Partecipanti (persone)" in page and "Ore di volontariato (ore)" in page
    assert "Per età" in page and "Di cui arrivati in città negli ultimi 5 anni" in page
    assert "Participants" not in page
    response = _send(client, p, {"report_text": "Testo", "meetings": "x"}, headers=IT)
    assert response.status_code == 422
    assert "Inserisci un numero intero da 0 a 100.000." in response.get_data(as_text=True)
