"""Vacancy on the register: the filters, the map layer "Vacant places" and vacant-places.csv
(public fields only)."""

from __future__ import annotations

import csv
import io
from datetime import date

from commons.extensions import db
from commons.registry import operations

TODAY = date(2026, 12, 4)


def _building(make, name, *, vacant=True, condition="poor", area="500", **more):
    commons = make.commons(name=name, kind="building", **more.pop("commons", {}))
    operations.save_dossier(
        commons,
        base_version=None,
        today=TODAY,
        vacant_since=date(2020, 1, 15) if vacant else None,
        condition=condition,
        floor_area_m2=area,
        owner_kind="private",
        owner_name="Immobiliare Navile srl",
        owner_contact="051 555 0101",
        access_notes="code 4711",
        cadastral_detail="parcel 345",
        reliability={"floor_area": "surveyed"},
        **more,
    )
    db.session.commit()
    return commons


def test_the_register_filters_vacant_places_by_condition_and_floor_area(client, make):
    _building(make, "Ex cinema Nuovo", condition="unsafe", area="1200")
    _building(make, "Ex scuola Longo", condition="poor", area="640")
    _building(make, "Casa di quartiere", vacant=False, condition="good", area="300")
    make.commons(name="Parco Nord", kind="park")

    def names(query):
        page = client.get(f"/commons/?{query}").get_data(as_text=True)
        found = ("Ex cinema Nuovo", "Ex scuola Longo", "Casa di quartiere", "Parco Nord")
        return [name for name in found if name in page]

    assert names("vacant=1") == ["Ex cinema Nuovo", "Ex scuola Longo"]
    assert names("condition=good") == ["Casa di quartiere"]
    assert names("vacant=1&area_min=1000") == ["Ex cinema Nuovo"]
    assert names("area_min=250&area_max=700") == ["Ex scuola Longo", "Casa di quartiere"]
    assert names("area_max=650,5") == ["Ex scuola Longo", "Casa di quartiere"]
    # A bound that is not a number is ignored, not an error.
    assert len(names("area_min=lots")) == 4
    page = client.get("/commons/?vacant=1&condition=poor").get_data(as_text=True)
    assert page.count("Vacant since") == 1  # the row says since when
    assert 'id="vacant" name="vacant" value="1" checked' in page
    assert '<option value="poor" selected>' in page
    page = client.get("/commons/?area_max=650,5").get_data(as_text=True)
    assert 'name="area_max" inputmode="decimal" value="650,5"' in page  # kept as typed
    # The register's map reads the same filters.
    shown = client.get("/commons/map.geojson?vacant=1").get_json()
    assert sorted(f["properties"]["name"] for f in shown["features"]) == [
        "Ex cinema Nuovo",
        "Ex scuola Longo",
    ]


def test_the_map_layer_of_vacant_places(client, make):
    cinema = _building(make, "Ex cinema Nuovo", condition="unsafe", area="1200")
    _building(make, "Casa di quartiere", vacant=False)
    _building(make, "Senza posizione", commons={"latitude": None, "longitude": None})
    page = client.get("/commons/").get_data(as_text=True)
    assert 'data-layer-url="/commons/vacant.geojson"' in page and "Vacant places" in page
    response = client.get("/commons/vacant.geojson")
    assert response.content_type.startswith("application/geo+json")
    features = response.get_json()["features"]
    assert [f["properties"]["name"] for f in features] == ["Ex cinema Nuovo"]
    props = features[0]["properties"]
    assert props["detail"] == "Unsafe: not usable · 1200.0 m²"
    assert props["url"] == f"/commons/{cinema.id}" and props["vacant_since"] == "2020-01-15"
    assert "4711" not in response.get_data(as_text=True)


def test_vacant_places_csv_has_public_fields_only(client, make):
    _building(make, "Ex cinema Nuovo", condition="unsafe", area="1200", year_built=1962)
    _building(make, "Casa di quartiere", vacant=False)
    response = client.get("/open-data/vacant-places.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["Ex cinema Nuovo"]
    row = rows[0]
    assert (row["vacant_since"], row["condition"], row["floor_area_m2"]) == (
        "2020-01-15",
        "unsafe",
        "1200.0",
    )
    assert row["year_built"] == "1962" and row["owner_name"] == "Immobiliare Navile srl"
    assert row["reliability"] == "floor_area=surveyed"
    for secret in ("051 555 0101", "4711", "parcel 345"):
        assert secret not in text
    assert not {"owner_contact", "access_notes", "cadastral_detail"} & set(row)
    package = client.get("/open-data/datapackage.json").get_json()
    assert "vacant-places" in [r["name"] for r in package["resources"]]
