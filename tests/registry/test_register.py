"""The register of commons: browsing for everyone, editing for officers."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from commons.auth.models import Role
from commons.extensions import db
from commons.registry.models import Commons
from tests.conftest import login, post_form

FORM = {
    "name": "Giardino delle Rose",
    "kind": "garden",
    "description": "Rose garden.",
    "address": "Via delle Rose 3",
    "district": "Navile",
    "neighbourhood": "Bolognina",
    "latitude": "44.5123",
    "longitude": "11.3487",
    "geometry": "",
    "cadastral_reference": "F.1 p.2",
    "owner_office": "Green office",
    "availability": "available",
}


def test_register_lists_and_filters(client, make):
    make.commons(name="Parco Nord", district="Navile", kind="park")
    make.commons(name="Piazza Sud", district="Savena", kind="square", availability="unavailable")
    page = client.get("/commons/").get_data(as_text=True)
    assert "Parco Nord" in page and "Piazza Sud" in page
    page = client.get("/commons/?district=Savena").get_data(as_text=True)
    assert "Piazza Sud" in page and "Parco Nord" not in page
    page = client.get("/commons/?kind=park").get_data(as_text=True)
    assert "Parco Nord" in page and "Piazza Sud" not in page
    page = client.get("/commons/?availability=unavailable&q=piazza").get_data(as_text=True)
    assert "Piazza Sud" in page and "Parco Nord" not in page
    page = client.get("/commons/?q=nothing-like-this").get_data(as_text=True)
    assert "No commons matches these filters." in page


def test_register_pages_by_keyset(client, make):
    for i in range(30):
        make.commons(name=f"Aiuola {i:02d}")
    first = client.get("/commons/").get_data(as_text=True)
    assert "Aiuola 00" in first and "Aiuola 24" in first and "Aiuola 25" not in first
    import re

    link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(link).get_data(as_text=True)
    assert "Aiuola 25" in second and "Aiuola 29" in second and "Aiuola 24" not in second
    assert 'rel="next"' not in second
    # A forged cursor is ignored, not an error.
    assert client.get("/commons/?after=!!!").status_code == 200


def test_detail_page(client, make):
    c = make.commons(name="Parco Nord", cadastral_reference="F.9 p.1")
    page = client.get(f"/commons/{c.id}").get_data(as_text=True)
    assert "Parco Nord" in page and "F.9 p.1" in page
    assert client.get("/commons/999999").status_code == 404


def test_officer_adds_commons(client, make):
    make.user(Role.OFFICER, email="officer@example.org")
    login(client, "officer@example.org")
    response = post_form(client, "/commons/new", FORM)
    assert response.status_code == 302
    c = db.session.scalar(select(Commons).where(Commons.name == "Giardino delle Rose"))
    assert c.latitude == Decimal("44.512300") and c.district == "Navile"


def test_decimal_comma_coordinates_accepted(client, make):
    make.user(Role.OFFICER, email="officer@example.org")
    login(client, "officer@example.org")
    post_form(client, "/commons/new", {**FORM, "latitude": "44,5", "longitude": " 11,25 "})
    c = db.session.scalar(select(Commons).where(Commons.name == "Giardino delle Rose"))
    assert (c.latitude, c.longitude) == (Decimal("44.500000"), Decimal("11.250000"))


def test_malformed_coordinates_explained_and_input_kept(client, make):
    make.user(Role.OFFICER, email="officer@example.org")
    login(client, "officer@example.org")
    response = post_form(client, "/commons/new", {**FORM, "latitude": "44.5N", "longitude": "191"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a number such as 44.4949." in page
    assert "Enter a number between -180 and 180." in page
    assert 'id="latitude-error"' in page and 'id="longitude-error"' in page
    for kept in (
        'value="44.5N"',
        'value="191"',
        'value="Giardino delle Rose"',
        "Rose garden.",
        'value="Via delle Rose 3"',
    ):
        assert kept in page
    assert db.session.scalar(select(func.count()).select_from(Commons)) == 0


def test_half_coordinates_and_bad_geometry_refused(client, make):
    make.user(Role.OFFICER, email="officer@example.org")
    login(client, "officer@example.org")
    page = post_form(client, "/commons/new", {**FORM, "longitude": ""}).get_data(as_text=True)
    assert "Give both latitude and longitude, or neither." in page
    page = post_form(client, "/commons/new", {**FORM, "geometry": "{not json"}).get_data(
        as_text=True
    )
    assert "This is not valid JSON." in page
    page = post_form(
        client,
        "/commons/new",
        {**FORM, "geometry": '{"type": "Polygon", "coordinates": [[[200, 44], [11, 44]]]}'},
    ).get_data(as_text=True)
    assert "within range" in page


def test_geometry_saved(client, make):
    make.user(Role.OFFICER, email="officer@example.org")
    login(client, "officer@example.org")
    polygon = (
        '{"type": "Polygon", "coordinates": [[[11.34, 44.51], [11.35, 44.51], '
        "[11.35, 44.52], [11.34, 44.51]]]}"
    )
    post_form(client, "/commons/new", {**FORM, "geometry": polygon})
    c = db.session.scalar(select(Commons))
    assert c.geometry["type"] == "Polygon"


def test_officer_edits_commons(client, make):
    c = make.commons(name="Old name")
    make.user(Role.OFFICER, email="officer@example.org")
    login(client, "officer@example.org")
    form_page = client.get(f"/commons/{c.id}/edit").get_data(as_text=True)
    assert 'value="Old name"' in form_page and 'value="44.490000"' in form_page
    response = post_form(client, f"/commons/{c.id}/edit", {**FORM, "name": "New name"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Commons, c.id).name == "New name"


def test_citizens_and_public_cannot_edit(client, make):
    c = make.commons()
    assert client.get("/commons/new").status_code == 302  # to login
    make.user(Role.CITIZEN, email="c@example.org")
    login(client, "c@example.org")
    assert client.get("/commons/new").status_code == 403
    assert client.get(f"/commons/{c.id}/edit").status_code == 403
    page = client.get(f"/commons/{c.id}").get_data(as_text=True)
    assert f"/commons/{c.id}/edit" not in page


def test_register_page_query_count_does_not_grow_with_its_rows(client, make, count_queries):
    """The register's queries are pinned: one more commons, or a pact in force, adds none."""
    make.commons(name="Aiuola 1")
    with count_queries() as few:
        assert client.get("/commons/").status_code == 200
    for i in range(2, 8):
        make.commons(name=f"Aiuola {i}")
    make.proposal(state="active")  # its commons is shown with the pact in force
    with count_queries() as many:
        page = client.get("/commons/").get_data(as_text=True)
    assert "Aiuola 7" in page
    assert many.count == few.count, many
    # the page of commons, the districts, the pacts in force, the commons open calls offer,
    # the vacant ones among them
    assert few.count == 5, few
