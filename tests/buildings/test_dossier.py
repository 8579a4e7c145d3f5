"""The asset dossier of a commons: officers fill it in and record inspections; the public sees
its public part only; two officers saving at once never overwrite each other."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.auth.models import Role
from commons.extensions import db
from commons.registry.models import AssetDossier, Inspection
from tests.conftest import csrf_token, hidden_value, login, post_form

FACTS = ("floor_area", "year_built", "condition", "vacant_since", "utilities", "safety")
FACTS += ("heritage", "permitted_uses", "owner", "cadastral")
DOSSIER = {
    **{f"reliability_{fact}": "" for fact in FACTS},
    "floor_area_m2": "640,5",
    "year_built": "1968",
    "condition": "poor",
    "condition_on": "2026-03-10",
    "condition_notes": "Roof leaks over the hall.",
    "vacant_since": "2019-09-01",
    "water": "disconnected",
    "power": "needs_repair",
    "heating": "absent",
    "sewer": "working",
    "fire_certificate": "expired",
    "max_occupancy": "120",
    "accessibility": "partial",
    "heritage_constraints": "Facade listed by the heritage authority.",
    "permitted_uses": "Community, culture, education.",
    "owner_kind": "private",
    "owner_name": "Immobiliare Navile srl",
    "owner_contact": "Sig. Rossi, 051 555 0101",
    "access_notes": "Keys at the district office, code 4711.",
    "cadastral_detail": "Sheet 12, parcel 345, unit 6",
    "reliability_floor_area": "surveyed",
    "reliability_condition": "surveyed",
    "reliability_owner": "reported",
    "reliability_year_built": "estimated",
}
PRIVATE = ("051 555 0101", "code 4711", "parcel 345")


def _as(app, make, role, email):
    make.user(role, email=email, name=email.split("@")[0].title())
    client = app.test_client()
    login(client, email)
    return client


def test_an_officer_fills_a_dossier_and_the_public_sees_only_its_public_part(app, make):
    commons = make.commons(name="Ex scuola Longo", kind="building")
    officer = _as(app, make, Role.OFFICER, "anna@example.org")
    url = f"/commons/{commons.id}/dossier"
    saved = post_form(officer, url, DOSSIER)
    assert saved.status_code == 302
    staff_page = officer.get(f"/commons/{commons.id}").get_data(as_text=True)
    assert "Vacant since" in staff_page and "640.5 m²" in staff_page
    assert all(secret in staff_page for secret in PRIVATE)

    public = app.test_client().get(f"/commons/{commons.id}").get_data(as_text=True)
    assert "640.5 m²" in public and "1968" in public and "Poor: major repairs" in public
    assert "Water: Disconnected" in public and "Maximum occupancy: 120 people" in public
    assert "A private owner: Immobiliare Navile srl" in public
    assert "Surveyed" in public and "Estimated" in public  # how each fact is known
    assert not any(secret in public for secret in PRIVATE)
    assert "Staff only" not in public

    db.session.expire_all()
    dossier = db.session.get(AssetDossier, commons.id)
    assert dossier.floor_area_m2 == Decimal("640.5")
    assert dossier.reliability == {
        "condition": "surveyed",
        "floor_area": "surveyed",
        "owner": "reported",
        "year_built": "estimated",
    }
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.trigger == "dossier_updated")
    ).one()
    assert event.payload["commons_id"] == commons.id and "owner_contact" in event.payload["fields"]
    assert "051" not in str(event.payload)  # the history names what changed, not private values


def test_a_second_save_records_only_what_changed(app, make):
    commons = make.commons(kind="building")
    officer = _as(app, make, Role.OFFICER, "anna@example.org")
    url = f"/commons/{commons.id}/dossier"
    assert post_form(officer, url, DOSSIER).status_code == 302
    page = officer.get(url).get_data(as_text=True)
    again = {**DOSSIER, "vacant_since": "", "base_version": hidden_value(page, "base_version")}
    assert post_form(officer, url, again).status_code == 302
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.trigger == "dossier_updated").order_by(AuditEvent.seq)
    ).all()
    assert [e.payload["fields"] for e in events][1] == ["vacant_since"]
    public = app.test_client().get(f"/commons/{commons.id}").get_data(as_text=True)
    assert "Vacant since" not in public


def test_bad_input_is_refused_and_what_was_typed_is_kept(app, make):
    commons = make.commons(kind="building")
    officer = _as(app, make, Role.OFFICER, "anna@example.org")
    url = f"/commons/{commons.id}/dossier"
    bad = {**DOSSIER, "floor_area_m2": "lots", "owner_name": "", "vacant_since": "2999-01-01"}
    refused = post_form(officer, url, bad)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Not a valid decimal value" in page
    assert 'value="lots"' in page and "Roof leaks over the hall." in page
    assert db.session.get(AssetDossier, commons.id) is None

    # The domain's rules: a private owner needs a name; no vacancy in the future.
    bad = {**DOSSIER, "owner_name": ""}
    page = post_form(officer, url, bad).get_data(as_text=True)
    assert "Give the name of the owner when it is not the city." in page
    assert "code 4711" in page
    page = post_form(officer, url, {**DOSSIER, "vacant_since": "2999-01-01"}).get_data(as_text=True)
    assert "This date is in the future." in page
    assert db.session.get(AssetDossier, commons.id) is None


def test_a_citizen_cannot_edit_the_dossier_nor_record_an_inspection(app, make):
    commons = make.commons(kind="building")
    citizen = _as(app, make, Role.CITIZEN, "carla@example.org")
    assert citizen.get(f"/commons/{commons.id}/dossier").status_code == 403
    assert citizen.get(f"/commons/{commons.id}/inspections/new").status_code == 403
    page = citizen.get(f"/commons/{commons.id}").get_data(as_text=True)
    assert "Fill in the dossier" not in page and "Record an inspection" not in page
    anonymous = app.test_client().post(f"/commons/{commons.id}/dossier", data=DOSSIER)
    assert anonymous.status_code in (302, 400)
    assert db.session.get(AssetDossier, commons.id) is None


def test_two_officers_racing_on_the_dossier(app, make):
    commons = make.commons(kind="building")
    anna = _as(app, make, Role.OFFICER, "anna@example.org")
    bruno = _as(app, make, Role.OFFICER, "bruno@example.org")
    url = f"/commons/{commons.id}/dossier"
    assert post_form(anna, url, DOSSIER).status_code == 302

    anna_page = anna.get(url).get_data(as_text=True)
    bruno_page = bruno.get(url).get_data(as_text=True)
    token = csrf_token(anna, url)
    bruno_saves = {
        **DOSSIER,
        "max_occupancy": "80",
        "base_version": hidden_value(bruno_page, "base_version"),
        "csrf_token": csrf_token(bruno, url),
    }
    assert bruno.post(url, data=bruno_saves).status_code == 302

    mine = {**DOSSIER, "permitted_uses": "Anna's uses", "csrf_token": token}
    refused = anna.post(url, data={**mine, "base_version": hidden_value(anna_page, "base_version")})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved a change to this after you opened it" in page
    assert "Anna&#39;s uses" in page  # what Anna typed is kept
    assert re.findall(r"<dt>([^<]*)</dt>", page) == [
        "Maximum occupancy (people)",
        "Permitted uses",
    ]
    db.session.expire_all()
    assert db.session.get(AssetDossier, commons.id).max_occupancy == 80

    again = anna.post(url, data={**mine, "base_version": hidden_value(page, "base_version")})
    assert again.status_code == 302
    db.session.expire_all()
    stored = db.session.get(AssetDossier, commons.id)
    # Anna saved knowingly from Bruno's version: her form still held 120.
    assert (stored.permitted_uses, stored.max_occupancy) == ("Anna's uses", 120)


def test_a_form_opened_on_no_dossier_does_not_overwrite_one_made_meanwhile(app, make):
    commons = make.commons(kind="building")
    anna = _as(app, make, Role.OFFICER, "anna@example.org")
    bruno = _as(app, make, Role.OFFICER, "bruno@example.org")
    url = f"/commons/{commons.id}/dossier"
    token = csrf_token(anna, url)
    assert post_form(bruno, url, DOSSIER).status_code == 302
    refused = anna.post(url, data={**DOSSIER, "year_built": "1971", "csrf_token": token})
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(AssetDossier, commons.id).year_built == 1968


def test_inspections_are_dated_records_listed_on_the_dossier(app, make):
    commons = make.commons(kind="building")
    officer = _as(app, make, Role.OFFICER, "anna@example.org")
    url = f"/commons/{commons.id}/inspections/new"
    refused = post_form(officer, url, {"inspected_on": "", "inspector": "Ing. Verdi"})
    assert refused.status_code == 422 and 'value="Ing. Verdi"' in refused.get_data(as_text=True)
    for day, rating, notes in (("2025-05-02", "fair", "Dry."), ("2026-02-11", "poor", "Leaks.")):
        data = {"inspected_on": day, "inspector": "Ing. Verdi", "rating": rating, "notes": notes}
        assert post_form(officer, url, data).status_code == 302
    inspections = db.session.scalars(select(Inspection)).all()
    assert {i.inspected_on for i in inspections} == {date(2025, 5, 2), date(2026, 2, 11)}
    public = app.test_client().get(f"/commons/{commons.id}").get_data(as_text=True)
    assert public.index("Leaks.") < public.index("Dry.")  # latest first
    assert "Ing. Verdi" not in public  # the inspector's name is for staff
    assert "Ing. Verdi" in officer.get(f"/commons/{commons.id}").get_data(as_text=True)
    triggers = db.session.scalars(
        select(AuditEvent.trigger).where(AuditEvent.trigger == "inspection_recorded")
    ).all()
    assert len(triggers) == 2


def test_the_api_detail_carries_the_public_dossier(app, make, client):
    commons = make.commons(kind="building")
    officer = _as(app, make, Role.OFFICER, "anna@example.org")
    assert post_form(officer, f"/commons/{commons.id}/dossier", DOSSIER).status_code == 302
    data = {"inspected_on": "2026-02-11", "inspector": "Ing. Verdi", "rating": "poor"}
    assert post_form(officer, f"/commons/{commons.id}/inspections/new", data).status_code == 302
    response = client.get(f"/api/v1/commons/{commons.id}")
    body = response.get_json()
    assert body["dossier"]["vacant_since"] == "2019-09-01"
    assert body["dossier"]["floor_area_m2"] == 640.5
    assert body["dossier"]["owner_name"] == "Immobiliare Navile srl"
    assert body["dossier"]["reliability"]["floor_area"] == "surveyed"
    assert body["inspections"] == [{"inspected_on": "2026-02-11", "rating": "poor", "notes": ""}]
    text = response.get_data(as_text=True)
    assert not any(secret in text for secret in (*PRIVATE, "Ing. Verdi"))
    assert client.get(f"/api/v1/commons/{make.commons().id}").get_json()["dossier"] is None
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "owner_contact" not in schema["DossierOut"]["properties"]
    assert "vacant_since" in schema["DossierOut"]["properties"]
