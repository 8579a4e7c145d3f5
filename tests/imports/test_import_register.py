"""Importing a messy comma-separated register (and the same as XLSX and ODS), as a city would."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from commons.audit.operations import verify_chain
from commons.extensions import db
from commons.imports.models import ImportedPact
from commons.proposals.models import Proposal
from commons.registry.models import Commons
from tests.imports.spreadsheets import rows_of, write_ods, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
COMMA = ROOT / "tests" / "data" / "registro_patti_comma.csv"
MAPPING = ROOT / "docs" / "import-mapping-it.toml"
ERRORS = (
    "row 7, column 'Stato': unknown status word 'In valutazione'",
    "row 10, column 'Data sottoscrizione': '31/02/2024' is not a date",
    "row 11, column 'Stato': unknown status word 'IN VALUTAZIONE'",
)
STATES = {
    "201": "active",
    "202": "under_review",
    "203": "withdrawn",
    "204": "rejected",
    "205": "archived",
    "207": "active",
    "208": "active",
}


def run(runner, path, *extra, mapping=MAPPING):
    args = ["import", "register", str(path), "--mapping", str(mapping), *extra]
    return runner.invoke(args=args)


def without_merge(tmp_path) -> Path:
    text = MAPPING.read_text(encoding="utf-8").split("[commons_merge]")[0]
    rest = MAPPING.read_text(encoding="utf-8").split("[commons_merge]")[1].split("\n", 2)[2]
    path = tmp_path / "mapping.toml"
    path.write_text(text + rest, encoding="utf-8")
    return path


def imported() -> dict[str, Proposal]:
    proposals = db.session.scalars(select(Proposal).where(Proposal.protocol_number.is_not(None)))
    return {p.protocol_number[4:]: p for p in proposals}


def test_dry_run_of_the_comma_file(runner, tmp_path):
    result = run(runner, COMMA, "--dry-run", mapping=without_merge(tmp_path))
    assert result.exit_code == 1, result.output
    # Rows as the spreadsheet numbers them: the two-line cells of rows 2 and 5 shift nothing.
    for line in ERRORS:
        assert line in result.output
    assert "10 rows (0 blank lines ignored): 7 to import, 0 already imported, 3 invalid" in (
        result.output
    )
    assert "Status words not in the mapping (rows):\n  'in valutazione': 2" in result.output
    assert (
        "Possible duplicate commons (merge them with [commons_merge] in the mapping):\n"
        "  'Giardino del Guasto, Via del Guasto 3' ~ 'Via del Guasto 3'"
    ) in result.output
    # One commons for "Piazza Borsa", "piazza  borsa" and "Piazza Bórsa"; one group for
    # "Maria Rossi" and "MARIA ROSSI", created by row 2 (not "existing" on an empty registry).
    assert "row 3: id 202 would import as under_review" in result.output
    assert "commons 'Piazza Borsa' (same as above), group 'Proponente non indicato 202'" in (
        result.output
    )
    assert (
        "row 9: id 208 would import as active: 'Cura del giardino del Guasto'\n      commons "
        "'Via del Guasto 3' (new), group 'Maria Rossi' association (same as above)"
    ) in result.output
    assert "(existing)" not in result.output
    assert "Would create 7 proposals, 5 commons (2 reused), 5 groups (2 reused)" in result.output


@pytest.mark.parametrize("kind", ["csv", "xlsx", "ods"])
def test_the_same_register_imports_alike_from_csv_xlsx_and_ods(runner, tmp_path, kind):
    path = COMMA
    extra = []
    if kind == "xlsx":
        path = write_xlsx(rows_of(COMMA), tmp_path / "registro.xlsx")
        extra = ["--sheet", "registro"]
    elif kind == "ods":
        path = write_ods(rows_of(COMMA), tmp_path / "registro.ods")
        extra = ["--sheet", "Registro"]
    result = run(runner, path, "--skip-invalid", *extra)
    assert result.exit_code == 0, result.output
    for line in ERRORS:
        assert line in result.output
    assert "Created 7 proposals, 4 commons (3 reused)" in result.output
    proposals = imported()
    assert {key: p.status for key, p in proposals.items()} == STATES

    borsa = proposals["201"]
    assert {p.commons[0].id for k, p in proposals.items() if k in ("201", "202", "203")} == {
        borsa.commons[0].id
    }
    assert borsa.start_date == date(2024, 1, 15) and borsa.end_date == date(2026, 12, 31)
    assert borsa.decision_number == "DD/PRO/2024/12" and borsa.decision_date == date(2024, 1, 10)
    facts = db.session.get(ImportedPact, borsa.id)
    assert facts.signed_document_url == "https://www.comune.bologna.it/patti/201.pdf"
    assert facts.signed_on == date(2024, 1, 15) and facts.notes == "Rinnovabile"
    assert facts.acts_notes == (
        "Determina DD/PRO/2024/12 del 10/01/2024,\nalbo pretorio dal 12/01/2024"
    )
    assert facts.row == 2
    # Start and duration give the end: the expiry clock of a pact in force.
    assert proposals["207"].end_date == date(2025, 3, 1)
    # [commons_merge]: the garden's two spellings are one commons.
    assert proposals["207"].commons[0].id == proposals["208"].commons[0].id
    assert proposals["208"].group_id == borsa.group_id
    assert verify_chain().ok


def test_expired_term_expires_at_the_tick(runner, make):
    from commons.monitoring.operations import tick

    assert run(runner, COMMA, "--skip-invalid").exit_code == 0
    tick(datetime(2026, 1, 10, 9, tzinfo=UTC))
    db.session.expire_all()
    proposals = imported()
    assert proposals["208"].status == "expired"  # ended 31/12/2025
    assert proposals["201"].status == "active"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("# delimiter", "delimter", "[csv] delimter: unknown key (known: delimiter, encoding)"),
        ("pact_type =", "pact_tipe =", "[defaults] pact_tipe: unknown key (known: pact_type"),
        ("[columns]", "[colums]", "[colums]: unknown table (known: csv, spreadsheet, columns"),
        ('value = "ritirato"', "", "[[status_rules]] #2: give either value or contains"),
    ],
)
def test_unknown_mapping_keys_are_errors(runner, tmp_path, old, new, message):
    mapping = tmp_path / "mapping.toml"
    text = MAPPING.read_text(encoding="utf-8")
    assert old in text
    mapping.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run(runner, COMMA, "--dry-run", mapping=mapping)
    assert result.exit_code == 1
    assert message in result.output


def test_a_sheet_that_does_not_exist_is_named(runner, tmp_path):
    path = write_xlsx(rows_of(COMMA), tmp_path / "registro.xlsx")
    result = run(runner, path, "--sheet", "Patti")
    assert result.exit_code == 1
    assert "has no sheet named 'Patti'; its sheets are: 'Copertina', 'Registro'" in result.output


def test_undo_takes_a_whole_import_back_until_someone_acts(runner, make):
    before = db.session.scalar(select(db.func.count()).select_from(Commons))
    result = run(runner, COMMA, "--skip-invalid")
    assert "Import id 1: undo it with `commons import undo 1`" in result.output
    result = runner.invoke(args=["import", "undo", "1", "--reason", "wrong file"])
    assert result.exit_code == 0, result.output
    assert "Import 1 of registro_patti_comma.csv undone: 7 proposal(s) taken back" in result.output
    db.session.expire_all()
    assert all(
        not p.is_public and p.protocol_number is None for p in db.session.scalars(select(Proposal))
    )
    assert db.session.scalar(select(db.func.count()).select_from(Commons)) == before
    assert verify_chain().ok
    # The corrected file imports again; once someone acts on a row, undo is refused.
    assert run(runner, COMMA, "--skip-invalid").exit_code == 0
    proposal = imported()["202"]
    from commons.audit.operations import append_event

    append_event("comment_added", actor_role="officer", proposal=proposal, payload={})
    db.session.commit()
    result = runner.invoke(args=["import", "undo", "2"])
    assert result.exit_code == 1
    assert "import 2 cannot be undone: 1 of its proposals were acted on since (IMP/202)" in (
        result.output
    )
    assert runner.invoke(args=["import", "undo", "1"]).exit_code == 1


def test_an_imported_signed_pact_shows_the_document_the_city_keeps(runner, client):
    import csv
    import io

    assert run(runner, COMMA, "--skip-invalid").exit_code == 0
    borsa = imported()["201"]
    page = client.get(f"/pacts/{borsa.id}").get_data(as_text=True)
    assert "Signed document, kept by the city at" in page
    assert 'href="https://www.comune.bologna.it/patti/201.pdf"' in page
    assert "published here once both parties have signed" not in page
    rows = csv.DictReader(io.StringIO(client.get("/open-data/pacts.csv").get_data(as_text=True)))
    by_protocol = {row["protocol_number"]: row for row in rows}
    assert by_protocol["IMP/201"]["signed_pdf_url"] == "https://www.comune.bologna.it/patti/201.pdf"
    assert by_protocol["IMP/201"]["end_date"] == "2026-12-31"
    assert by_protocol["IMP/202"]["signed_pdf_url"] == ""
