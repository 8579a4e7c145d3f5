"""Representatives' names stay private until the pact is signed and the city publishes them;
the words for districts and neighbourhoods are the city's."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from commons.extensions import db
from commons.proposals.models import Proposal

ROOT = Path(__file__).resolve().parents[2]
COMMA = ROOT / "tests" / "data" / "registro_patti_comma.csv"
MAPPING = ROOT / "docs" / "import-mapping-it.toml"


def _import(runner) -> dict[str, Proposal]:
    args = ["import", "register", str(COMMA), "--mapping", str(MAPPING), "--skip-invalid"]
    assert runner.invoke(args=args).exit_code == 0
    return {p.protocol_number[4:]: p for p in db.session.scalars(select(Proposal))}


def _pacts_csv(client) -> dict[str, dict]:
    text = client.get("/open-data/pacts.csv").get_data(as_text=True)
    return {row["protocol_number"]: row for row in csv.DictReader(io.StringIO(text))}


def test_a_representatives_name_is_public_only_on_a_signed_pact(runner, client):
    proposals = _import(runner)
    signed, reviewed = proposals["201"], proposals["204"]  # active; rejected before signing
    api = client.get(f"/api/v1/proposals/{reviewed.id}").get_json()
    assert api["group_name"] is None  # "Marco Conti", a person's name, on an unsigned proposal
    assert "Marco Conti" not in client.get(f"/pacts/{reviewed.id}").get_data(as_text=True)
    assert _pacts_csv(client)["IMP/204"]["representative"] == ""
    api = client.get(f"/api/v1/proposals/{signed.id}").get_json()
    assert api["group_name"] == "Maria Rossi"
    assert "Maria Rossi" in client.get(f"/pacts/{signed.id}").get_data(as_text=True)
    assert _pacts_csv(client)["IMP/201"]["representative"] == "Maria Rossi"


def test_a_city_that_does_not_publish_representatives(app, runner, client):
    proposals = _import(runner)
    app.config["PUBLISH_REPRESENTATIVES"] = False
    signed = proposals["201"]
    assert client.get(f"/api/v1/proposals/{signed.id}").get_json()["group_name"] is None
    assert "Maria Rossi" not in client.get(f"/pacts/{signed.id}").get_data(as_text=True)
    assert _pacts_csv(client)["IMP/201"]["representative"] == ""


def test_district_and_neighbourhood_words_are_the_citys(app, client, make):
    commons = make.commons(name="Orto", district="Navile", neighbourhood="Bolognina")
    app.config.update(DISTRICT_LABEL="Municipio", NEIGHBOURHOOD_LABEL="Quartiere")
    page = client.get(f"/commons/{commons.id}").get_data(as_text=True)
    assert "Municipio</dt>" in page and "Quartiere</dt>" in page
    assert "District</dt>" not in page
