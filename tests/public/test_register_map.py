"""The public register: full-text search, the pacts filter, keyset pages and the map's GeoJSON."""

from __future__ import annotations

import json
import re
from datetime import date

import geojson
import pytest

from commons import create_app
from commons.extensions import db
from commons.public.maps import tile_origin
from commons.registry import operations as registry_ops
from commons.registry import search
from tests import conftest
from tests.workflows.scenario import Cast, proposal_in


def _names(page: str) -> list[str]:
    """The commons named in the register's table, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/commons/\d+">([^<]+)</a>', body)


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_search_matches_word_prefixes_in_every_column_and_needs_every_word(client, make):
    make.commons(name="Giardino delle Rose", address="Via Mascarella 3", neighbourhood="Irnerio")
    make.commons(name="Parco della Montagnola", address="Via Irnerio 2", neighbourhood="Centro")
    make.commons(
        name="Piazza Verdi", address="Piazza Verdi 1", description="Piazza con alberi di tiglio"
    )

    assert _names(_get(client, "/commons/?q=giard")) == ["Giardino delle Rose"]
    assert _names(_get(client, "/commons/?q=irnerio")) == [
        "Giardino delle Rose",
        "Parco della Montagnola",
    ]
    assert _names(_get(client, "/commons/?q=irnerio+parco")) == ["Parco della Montagnola"]
    assert _names(_get(client, "/commons/?q=TIGLIO")) == ["Piazza Verdi"]
    assert _names(_get(client, "/commons/?q=nowhere")) == []
    # Punctuation and FTS operators are words, not syntax: no error, no surprise.
    assert _names(_get(client, '/commons/?q="rose"*(')) == ["Giardino delle Rose"]
    assert _names(_get(client, "/commons/?q=rose+OR+parco")) == []
    assert "No commons matches these filters." in _get(client, "/commons/?q=zzz")


def test_search_ignores_accents_on_every_database(client, make):
    make.commons(name="Orto della Città", address="Via Niccolò Tommaseo 3")
    make.commons(name="Piazza Citta Vecchia", address="Via Roma 1")
    make.commons(name="Giardino Rossi", address="Via Emilia 2")
    both = ["Orto della Città", "Piazza Citta Vecchia"]
    assert _names(_get(client, "/commons/?q=citta")) == both
    assert _names(_get(client, "/commons/?q=CITTÀ")) == both
    assert _names(_get(client, "/commons/?q=niccolo+tommaseo")) == ["Orto della Città"]
    assert _names(_get(client, "/commons/?q=niccolò")) == ["Orto della Città"]
    searched = json.loads(client.get("/commons/map.geojson?q=citt").get_data(as_text=True))
    assert sorted(f["properties"]["name"] for f in searched["features"]) == both


def _all_pages(client, url: str) -> list[str]:
    names, seen = [], set()
    while url:
        page = _get(client, url)
        names += _names(page)
        found = re.search(r'rel="next" href="([^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
        assert url not in seen
        seen.add(url)
    return names


@pytest.mark.parametrize("strategy", ["walk", "collect"])
def test_both_search_strategies_page_the_same_matches_in_name_order(
    client, make, monkeypatch, strategy
):
    """A search's pages are found either by walking the (name, id) index or by collecting
    every match (commons/registry/search.py): both give every match once, in (name, id)
    order, with and without the other filters, over pages that neither skip nor repeat."""
    ended = proposal_in("expired", Cast())
    ended.commons[0].name = "Giardino Zeta"
    ended.commons[0].district = "Navile"
    db.session.commit()
    navile, savena = ["Giardino Zeta"], []
    for n in range(36):
        # Every name twice: the id breaks the tie, and the cursor must keep both.
        name = f"Giardino {n // 2:02d}"
        district = "Navile" if n % 3 else "Savena"
        make.commons(name=name, district=district, description="aiuole e panchine")
        (navile if district == "Navile" else savena).append(name)
    for n in range(20):
        make.commons(name=f"Area {n:02d}", district="Navile", description="prato")
    # The share of matches decides the strategy: forced here.
    share = 0.0 if strategy == "walk" else 2.0
    monkeypatch.setitem(search.WALK_SHARE, db.engine.dialect.name, share)

    assert _all_pages(client, "/commons/?q=giard") == sorted(navile + savena)
    assert _all_pages(client, "/commons/?q=giard&district=Navile") == sorted(navile)
    assert _all_pages(client, "/commons/?q=giard&pacts=ended") == ["Giardino Zeta"]
    assert _all_pages(client, "/commons/?q=giard&pacts=none&district=Savena") == sorted(savena)
    assert _all_pages(client, "/commons/?q=panchine+giard&pacts=none") == sorted(
        navile[1:] + savena
    )
    assert _all_pages(client, "/commons/?q=prato+giard") == []


def test_search_follows_changes_and_removals(client, make):
    commons = make.commons(name="Orto Sociale", address="Via Libia 5")
    assert _names(_get(client, "/commons/?q=orto")) == ["Orto Sociale"]
    values = {
        "name": "Giardino Libia",
        "kind": commons.kind,
        "description": "",
        "address": commons.address,
        "district": commons.district,
        "neighbourhood": commons.neighbourhood,
        "latitude": commons.latitude,
        "longitude": commons.longitude,
        "geometry": None,
        "cadastral_reference": None,
        "owner_office": None,
        "availability": commons.availability,
    }
    registry_ops.update_commons(commons, actor=None, base_version=commons.version, **values)
    db.session.commit()
    assert _names(_get(client, "/commons/?q=orto")) == []
    assert _names(_get(client, "/commons/?q=giardino+libia")) == ["Giardino Libia"]
    db.session.delete(commons)
    db.session.commit()
    assert _names(_get(client, "/commons/?q=libia")) == []


def test_pacts_filter_picks_commons_by_the_state_of_their_pacts(client, make):
    cast = Cast()
    active = proposal_in("active", cast)
    notice = proposal_in("public_notice", cast)
    expired = proposal_in("expired", cast)
    draft = proposal_in("draft", cast)
    lonely = make.commons(name="Nessuno")
    name = {p.id: p.commons[0].name for p in (active, notice, expired, draft)}

    assert _names(_get(client, "/commons/?pacts=in_force")) == [name[active.id]]
    assert _names(_get(client, "/commons/?pacts=public_notice")) == [name[notice.id]]
    assert _names(_get(client, "/commons/?pacts=ended")) == [name[expired.id]]
    # A draft is not public: its commons counts as having no proposal.
    assert _names(_get(client, "/commons/?pacts=none")) == sorted([name[draft.id], lonely.name])
    page = _get(client, "/commons/?pacts=bogus")
    assert len(_names(page)) == 5  # an unknown choice is ignored, not an error
    # The list shows how many pacts are in force on each commons.
    row = _get(client, "/commons/?pacts=in_force").split(name[active.id], 1)[1]
    assert re.search(r"<td>1</td>\s*</tr>", row)


def test_keyset_pages_keep_the_filters_and_never_repeat_a_row(client, make):
    for n in range(30):
        make.commons(name=f"Aiuola {n:02d}", district="Navile")
    make.commons(name="Aiuola fuori", district="Savena")
    first = _get(client, "/commons/?district=Navile&q=aiuola")
    names = _names(first)
    assert len(names) == 25 and names == sorted(names)
    link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "district=Navile" in link and "q=aiuola" in link
    second = _get(client, link)
    assert _names(second) == [f"Aiuola {n:02d}" for n in range(25, 30)]
    assert 'rel="next"' not in second
    assert "First page" in second
    # A forged cursor is ignored: the first page again.
    assert _names(_get(client, "/commons/?after=bm90LWEtbGlzdA")) == _names(
        _get(client, "/commons/")
    )


def test_the_district_choices_are_every_district_once_in_order(client, make):
    for district in ("Savena", "Navile", "Savena", "Borgo Panigale-Reno"):
        make.commons(district=district)
    make.commons(district=None)
    page = _get(client, "/commons/")
    select_html = page.split('id="district"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r"<option >([^<]+)</option>", select_html) == [
        "Borgo Panigale-Reno",
        "Navile",
        "Savena",
    ]


def test_the_list_works_without_javascript_and_the_map_reads_the_same_filters(client, make):
    make.commons(name="Parco Nord", district="Navile", kind="park")
    page = _get(client, "/commons/?district=Navile&kind=park")
    # The list is plain HTML; the map is an enhancement with a text alternative.
    assert "<table" in page and "Parco Nord" in page
    assert 'id="map-status"' in page and "The map needs JavaScript" in page
    url = re.search(r'data-geojson-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert url.startswith("/commons/map.geojson?")
    assert "district=Navile" in url and "kind=park" in url
    assert "vendor/leaflet/leaflet.js" in page and "js/commons-map.js" in page
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/static/vendor/leaflet/LICENSE").status_code == 200
    assert client.get("/static/js/commons-map.js").status_code == 200


def test_map_geojson_has_markers_and_outlines_of_the_filtered_commons(client, make):
    outline = {
        "type": "Polygon",
        "coordinates": [[[11.34, 44.49], [11.35, 44.49], [11.35, 44.50], [11.34, 44.49]]],
    }
    park = make.commons(name="Parco Nord", district="Navile", kind="park", geometry=outline)
    make.commons(name="Piazza Sud", district="Savena", kind="square")
    make.commons(name="Senza coordinate", district="Navile", latitude=None, longitude=None)

    response = client.get("/commons/map.geojson?district=Navile")
    assert response.status_code == 200
    assert response.content_type.startswith("application/geo+json")
    data = geojson.loads(response.get_data(as_text=True))
    assert data.is_valid, data.errors()
    features = data["features"]
    assert {f["properties"]["name"] for f in features} == {"Parco Nord"}
    kinds = sorted(f["geometry"]["type"] for f in features)
    assert kinds == ["Point", "Polygon"]
    marker = next(f for f in features if f["geometry"]["type"] == "Point")
    assert marker["geometry"]["coordinates"] == [11.34, 44.49]
    assert marker["properties"]["url"] == f"/commons/{park.id}"
    everything = json.loads(client.get("/commons/map.geojson").get_data(as_text=True))
    assert {f["properties"]["name"] for f in everything["features"]} == {"Parco Nord", "Piazza Sud"}
    searched = json.loads(client.get("/commons/map.geojson?q=piazza").get_data(as_text=True))
    assert [f["properties"]["name"] for f in searched["features"]] == ["Piazza Sud"]


def test_without_a_tile_server_the_map_has_no_tiles_and_the_csp_only_self(client, make):
    make.commons(name="Parco Nord")
    response = client.get("/commons/")
    assert 'data-tile-url=""' in response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in csp


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "https://*.tiles.example.org"),
        ("http://127.0.0.1:8080/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_tile_origin(url, origin):
    assert tile_origin(url) == origin


def test_a_configured_tile_server_is_used_and_allowed_by_the_csp(database_url):
    config = conftest.test_config(database_url) | {
        "TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "TILE_ATTRIBUTION": "© OpenStreetMap contributors",
    }
    app = create_app(config)
    with app.app_context():
        response = app.test_client().get("/commons/")
        db.session.remove()
    page = response.get_data(as_text=True)
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "© OpenStreetMap contributors" in page
    csp = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in csp
    assert "script-src 'self';" in csp


def test_commons_page_shows_its_pacts_over_time_but_no_drafts(client, make):
    cast = Cast()
    commons = make.commons(name="Giardino Comune")
    older = proposal_in("expired", cast)
    newer = proposal_in("public_notice", cast)
    draft = proposal_in("draft", cast)
    for p, submitted in ((older, date(2024, 3, 1)), (newer, date(2026, 4, 1))):
        p.commons = [commons]
        p.submitted_at = p.review_started_at = p.submitted_at.replace(
            year=submitted.year, month=submitted.month, day=submitted.day
        )
    draft.commons = [commons]
    db.session.commit()

    page = _get(client, f"/commons/{commons.id}")
    assert "Pacts and proposals over time" in page
    assert page.index(older.title) < page.index(newer.title)
    assert draft.title not in page
    assert f"/pacts/{older.id}" in page and f"/pacts/{newer.id}" in page
    assert "submitted on 1 March 2024" in page and "submitted on 1 April 2026" in page
    assert "term from 1 September 2025 to 1 July 2026" in page
    assert "Expired" in page and "Public notice" in page
    # Its marker goes to the map inline (no second request for one commons).
    inline = re.search(r'data-geojson="([^"]+)"', page).group(1).replace("&#34;", '"')
    assert json.loads(inline)["features"][0]["geometry"]["type"] == "Point"


def test_commons_page_without_proposals_says_so(client, make):
    commons = make.commons(name="Vuoto")
    assert "No proposal has been made on this commons yet." in _get(
        client, f"/commons/{commons.id}"
    )


def _statements(client, url: str) -> int:
    """How many SQL statements one request runs."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_list_pages_run_the_same_few_queries_whatever_the_number_of_rows(client, make):
    cast = Cast()
    proposal_in("active", cast)
    proposal_in("public_notice", cast)
    urls = ("/commons/", "/commons/?pacts=in_force&q=garden", "/consultation")
    few = [_statements(client, url) for url in urls]
    for _ in range(6):
        proposal_in("active", cast)
        proposal_in("public_notice", cast)
    many = [_statements(client, url) for url in urls]
    assert many == few
    # The register also asks for the calls open now (their offered commons are highlighted)
    # and, once a page, which of its rows are vacant (their dossiers): 8 on PostgreSQL.
    assert max(many) <= 8
