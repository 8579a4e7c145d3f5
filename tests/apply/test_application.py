"""The online application: steps that save a draft, check your answers, submit, receipt."""

from __future__ import annotations

import html
import io
import json
import re

import pypdf

from commons.extensions import db
from commons.proposals.models import Proposal
from tests.conftest import csrf_token, login


def _post(client, url, data, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data}, **kwargs)


def _only_proposal() -> Proposal:
    return db.session.scalars(db.select(Proposal)).one()


def test_a_citizen_applies_step_by_step_and_gets_a_protocol_and_receipt(app, client, make):
    user = make.user(name="Carla Citizen")
    garden = make.commons(name="Giardino Lame", district="Navile")
    make.commons(name="Piazza Verdi", district="Santo Stefano")
    login(client, user.email)

    page = client.get("/apply/").get_data(as_text=True)
    assert "Step 1 of 8" in page and 'for="title"' in page
    response = _post(
        client,
        "/apply/",
        {
            "title": "Care of Giardino Lame",
            "group": "new",
            "new_group_name": "Amici delle Lame",
            "new_group_kind": "informal_group",
            "privacy": "y",
            "notice_version": "0",
            "go": "next",
        },
    )
    p = _only_proposal()
    assert response.headers["Location"].endswith(f"/apply/{p.id}/places")
    assert p.status == "draft" and p.group.name == "Amici delle Lame"
    assert p.group.representative_id == user.id

    # The list filters by district without JavaScript.
    page = client.get(f"/apply/{p.id}/places?district=Navile").get_data(as_text=True)
    assert "Giardino Lame" in page and "Piazza Verdi" not in page
    response = _post(client, f"/apply/{p.id}/places", {"commons": str(garden.id), "go": "next"})
    assert response.headers["Location"].endswith(f"/apply/{p.id}/objectives")

    _post(client, f"/apply/{p.id}/objectives", {"objectives": "A clean, lively garden."})
    _post(client, f"/apply/{p.id}/activities", {"activities": "Weekly clean-up, a summer party."})
    _post(
        client,
        f"/apply/{p.id}/support",
        {"support_requested": ["tools", "insurance"], "support_notes": "Rakes and gloves."},
    )
    response = _post(
        client,
        f"/apply/{p.id}/duration",
        {"requested_duration_months": "24", "pact_type": "ordinary"},
    )
    assert response.headers["Location"].endswith(f"/apply/{p.id}/attachments")
    _post(
        client,
        f"/apply/{p.id}/attachments",
        {
            "purpose": "photo",
            "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"1" * 50), "lame.png"),
            "go": "next",
        },
        content_type="multipart/form-data",
    )

    page = client.get(f"/apply/{p.id}/check").get_data(as_text=True)
    for text in (
        "Care of Giardino Lame",
        "Amici delle Lame",
        "Giardino Lame",
        "A clean, lively garden.",
        "Weekly clean-up",
        "Insurance, Tools",
        "Rakes and gloves.",
        "24 months",
        "lame.png",
    ):
        assert text in page, text
    assert f'href="/apply/{p.id}/objectives"' in page  # a change link per answer

    db.session.refresh(p)
    response = client.post(
        f"/apply/{p.id}/submit",
        data={
            "csrf_token": csrf_token(client, f"/apply/{p.id}/check"),
            "expected_version": p.lock_version,
        },
    )
    assert response.headers["Location"].endswith(f"/apply/{p.id}/submitted")
    db.session.refresh(p)
    assert p.status == "submitted" and p.protocol_number
    page = client.get(f"/apply/{p.id}/submitted").get_data(as_text=True)
    assert p.protocol_number in page and "receipt" in page.lower()

    receipt = client.get(f"/apply/{p.id}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    text = "".join(pg.extract_text() for pg in pypdf.PdfReader(io.BytesIO(receipt.data)).pages)
    assert p.protocol_number in text and "Care of Giardino Lame" in text and "lame.png" in text

    # Submitted: the steps no longer change it.
    response = client.get(f"/apply/{p.id}/objectives")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/proposals/{p.id}"
    )


def test_each_step_validates_and_keeps_what_was_typed(app, client, make):
    p = make.proposal(objectives="", activities="", requested_duration_months=None, commons=[])
    login(client, p.representative.email)
    response = _post(client, f"/apply/{p.id}/objectives", {"objectives": "   ", "go": "next"})
    assert response.status_code == 422
    assert "Say what you want to achieve." in response.get_data(as_text=True)

    response = _post(
        client,
        f"/apply/{p.id}/duration",
        {"requested_duration_months": "99", "start_date": "2027-01-15"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "At most 48 months." in page
    assert 'value="2027-01-15"' in page and 'value="99"' in page

    response = _post(
        client,
        f"/apply/{p.id}/places",
        {
            "new_place_address": "Via Nuova 3",
            "new_place_latitude": "44.5",
            "new_place_longitude": "",
            "go": "next",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "both latitude and longitude" in page
    assert 'value="Via Nuova 3"' in page

    response = _post(client, f"/apply/{p.id}/places", {"go": "next"})
    assert response.status_code == 422
    assert "Choose at least one commons" in response.get_data(as_text=True)


def test_a_new_place_without_javascript_and_back_and_leave(app, client, make):
    p = make.proposal(commons=[])
    login(client, p.representative.email)
    response = _post(
        client,
        f"/apply/{p.id}/places",
        {
            "new_place_address": "Via Nuova 3",
            "new_place_latitude": "44.501",
            "new_place_longitude": "11.35",
            "go": "back",
        },
    )
    assert response.headers["Location"].endswith(f"/apply/{p.id}/start")
    db.session.refresh(p)
    assert p.new_place_address == "Via Nuova 3" and float(p.new_place_latitude) == 44.501

    response = _post(
        client, f"/apply/{p.id}/objectives", {"objectives": "Half done", "go": "leave"}
    )
    assert response.headers["Location"].endswith("/proposals/mine")
    db.session.refresh(p)
    assert p.objectives == "Half done"

    response = client.post(
        f"/apply/{p.id}/submit",
        data={"csrf_token": csrf_token(client, f"/apply/{p.id}/check")},
    )
    assert response.status_code == 302  # a new place is enough for the commons guard
    db.session.refresh(p)
    assert p.status == "submitted"


def test_submitting_an_incomplete_draft_says_what_is_missing(app, client, make):
    p = make.proposal(activities="", commons=[])
    login(client, p.representative.email)
    response = client.post(
        f"/apply/{p.id}/submit", data={"csrf_token": csrf_token(client, f"/apply/{p.id}/check")}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cannot be submitted yet" in page and "activities" in page
    db.session.refresh(p)
    assert p.status == "draft"


def test_only_the_representative_edits_the_draft(app, client, make):
    p = make.proposal()
    login(client, make.user().email)
    assert client.get(f"/apply/{p.id}/objectives").status_code == 403
    officer = app.test_client()
    login(officer, make.user("officer").email)
    assert officer.get(f"/apply/{p.id}/objectives").status_code == 403


def test_only_groups_i_represent_can_propose(app, client, make):
    me = make.user()
    mine = make.group(me, name="Mine")
    other = make.group(name="Not mine")
    login(client, me.email)
    page = client.get("/apply/").get_data(as_text=True)
    assert "Mine" in page and "Not mine" not in page
    response = _post(client, "/apply/", {"title": "X", "group": str(other.id)})
    assert response.status_code == 422
    response = _post(client, "/apply/", {"title": "", "group": str(mine.id)})
    assert response.status_code == 422 and "Enter a title." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 0


def test_the_application_speaks_italian(app, client, make):
    user = make.user(locale="it")
    login(client, user.email)
    page = client.get("/apply/").get_data(as_text=True)
    assert "Salva e continua" in page and "Proponente e titolo" in page
    assert "Save and continue" not in page


def test_the_map_picker_is_hidden_without_javascript_and_gets_the_listed_commons(app, client, make):
    garden = make.commons(name="Giardino Lame", latitude=44.51, longitude=11.33)
    make.commons(name="Senza punto", latitude=None, longitude=None)
    p = make.proposal(commons=[])
    login(client, p.representative.email)
    page = client.get(f"/apply/{p.id}/places").get_data(as_text=True)
    # Without its script the map section stays hidden; the list and the fields are the inputs.
    assert re.search(r'<section [^>]*id="place-picker"[^>]*\bhidden\b', page)
    assert f'id="commons-{garden.id}"' in page and 'id="new_place_latitude"' in page
    markers = json.loads(html.unescape(re.search(r'data-markers="([^"]*)"', page)[1]))
    assert {"id": garden.id, "name": "Giardino Lame", "lat": 44.51, "lng": 11.33}.items() <= (
        next(m for m in markers if m["id"] == garden.id).items()
    )
    assert "Senza punto" in page and all(m["name"] != "Senza punto" for m in markers)

    # Filtered to nothing with a point, the map centres on the register's commons.
    page = client.get(f"/apply/{p.id}/places?q=Senza").get_data(as_text=True)
    assert 'data-markers="[]"' in page
    centre = json.loads(html.unescape(re.search(r'data-centre="([^"]*)"', page)[1]))
    assert centre is not None and 44 < centre[0] < 45 and 11 < centre[1] < 12
