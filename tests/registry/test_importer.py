"""`commons import register`: a city's existing register brought in, all-or-nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commons.audit.models import AuditEvent
from commons.audit.operations import verify_chain
from commons.auth.models import User
from commons.auth.operations import authenticate
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.proposals.models import Proposal
from commons.registry.models import Commons

ROOT = Path(__file__).resolve().parents[2]
MESSY = ROOT / "tests" / "data" / "registro_patti_messy.csv"
MAPPING = ROOT / "docs" / "import-mapping-it.toml"
VALID_IDS = {"101", "102", "103", "104", "105", "106", "108", "110", "111", "112", "113"}
VALID_IDS |= {"114", "115"}


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Commons, ProponentGroup, User, Proposal, AuditEvent)
    }


def run(runner, *extra, path=MESSY, mapping=MAPPING):
    return runner.invoke(args=["import", "register", str(path), "--mapping", str(mapping), *extra])


def assert_three_errors(output: str) -> None:
    assert "row 9, column 'Stato': unknown status word 'in valutazione'" in output
    assert "row 11, column 'ID': duplicate id '105' (already on row 7)" in output
    assert "row 12, column 'Latitudine': '44,5N' is not a coordinate" in output
    assert output.count("ERROR row") == 3


def test_dry_run_lists_every_error_and_creates_nothing(runner):
    before = counts()
    result = run(runner, "--dry-run")
    assert result.exit_code == 1, result.output
    assert_three_errors(result.output)
    assert "16 rows (2 blank lines ignored): 13 to import, 0 already imported, 3 invalid" in (
        result.output
    )
    assert "row 2: id 101 would import as active: 'Cura delle aiuole di via del Pratello'" in (
        result.output
    )
    assert "Dry run, nothing created. Would create 13 proposals" in result.output
    assert counts() == before


def test_real_run_with_errors_is_all_or_nothing(runner):
    before = counts()
    result = run(runner)
    assert result.exit_code == 1
    assert_three_errors(result.output)
    assert "Nothing imported: 3 error(s) in 3 row(s)" in result.output
    assert counts() == before


def test_skip_invalid_imports_the_valid_rows_in_their_states(runner):
    result = run(runner, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Created 13 proposals" in result.output
    assert "3 invalid row(s) skipped" in result.output
    proposals = {p.protocol_number: p for p in db.session.scalars(select(Proposal))}
    assert set(proposals) == {f"IMP/{i}" for i in VALID_IDS}
    states = {key[4:]: p.status for key, p in proposals.items()}
    assert states == {
        "101": "active",
        "102": "under_review",
        "103": "awaiting_integration",
        "104": "rejected",
        "105": "active",
        "106": "active",
        "108": "archived",
        "110": "under_review",
        "111": "active",
        "112": "active",
        "113": "awaiting_integration",
        "114": "rejected",
        "115": "active",
    }

    pratello = proposals["IMP/101"]
    assert pratello.title == "Cura delle aiuole di via del Pratello"
    assert pratello.group.name == "Maria Rossi" and pratello.group.kind == "association"
    # Same representative and type: one group for both of Maria Rossi's pacts.
    assert proposals["IMP/106"].group_id == pratello.group_id
    (commons,) = pratello.commons
    assert commons.address == "Via del Pratello 34" and commons.district == "Porto-Saragozza"
    assert commons.neighbourhood == "Saragozza" and commons.availability == "in_pact"
    assert commons.latitude == Decimal("44.497312") and commons.longitude == Decimal("11.331870")
    # Two pacts on the same address share the commons.
    assert proposals["IMP/108"].commons[0].id == proposals["IMP/105"].commons[0].id
    assert proposals["IMP/103"].commons[0].latitude is None
    assert proposals["IMP/110"].group.name == "Proponente non indicato 110"

    # The representative's account exists only to hold the name: it cannot log in.
    user = pratello.representative
    assert user.full_name == "Maria Rossi" and not user.active
    assert user.email.endswith("@invalid")
    assert authenticate(user.email, "") is None

    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.proposal_id == pratello.id, AuditEvent.trigger == "imported"
        )
    )
    assert event.public and event.from_state is None and event.to_state == "active"
    assert event.payload["source_row"]["Stato"] == "Patto sottoscritto"
    assert event.payload["source_row"]["Referente"] == "Maria Rossi"
    assert event.payload["row"] == 2 and event.payload["file"] == MESSY.name
    assert event.payload["pdf_url"] == "https://www.comune.bologna.it/patti/101-firmato.pdf"
    assert event.payload["acts_notes"].startswith("Determina DD/PRO/2023/1234")
    assert verify_chain().ok


def test_reimport_changes_nothing(runner):
    assert run(runner, "--skip-invalid").exit_code == 0
    before = counts()
    result = run(runner, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "0 to import, 13 already imported" in result.output
    assert "row 2: id 101 already imported (IMP/101), unchanged" in result.output
    assert "Created 0 proposals, 0 commons" in result.output
    assert counts() == before
    assert verify_chain().ok


SHORT_MAPPING = """
[columns]
id = "ID"
title = "Titolo proposta"
status = "stato"
address = "Indirizzo"
proponent_type = "Tipologia proponente"
representative = "Referente"
latitude = "Latitudine"
longitude = "Longitudine"
[status]
"Patto  Sottoscritto" = "active"
respinto = "rejected"
archiviato = "archived"
[proponent_types]
associazione = "association"
scuola = "school"
"""


def test_clean_comma_file_imports_without_flags_and_reuses_commons(runner, make, tmp_path):
    existing = make.commons(name="Via Zamboni 1", address="Via Zamboni 1", availability="available")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(SHORT_MAPPING, encoding="utf-8")
    clean = tmp_path / "clean.csv"
    clean.write_text(
        "ID,Titolo proposta,Stato,Indirizzo,Tipologia proponente,Referente,Latitudine,Longitudine\n"
        '7,Portico pulito,Patto sottoscritto,Via Zamboni 1,Associazione,Ada Neri,"44,5","11,3"\n'
        "8,Panchine nuove,Respinto,Via Irnerio 2,Scuola,,,\n",
        encoding="utf-8",
    )
    result = run(runner, path=clean, mapping=mapping)
    assert result.exit_code == 0, result.output
    assert "Created 2 proposals, 1 commons (1 reused), 2 groups" in result.output
    p7 = db.session.scalar(select(Proposal).where(Proposal.protocol_number == "IMP/7"))
    assert p7.commons[0].id == existing.id
    assert db.session.get(Commons, existing.id).availability == "in_pact"
    assert verify_chain().ok


def test_signed_pact_needs_a_representative(runner, tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(SHORT_MAPPING, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ID;Titolo proposta;Stato;Indirizzo;Tipologia proponente;Referente;Latitudine;Longitudine\n"
        "9;Orto;Patto sottoscritto;Via Roma 1;Associazione;;;\n"
        "10;Orto 2;Archiviato;Via Roma 2;Club;Ada;44,1;\n",
        encoding="utf-8",
    )
    result = run(runner, path=bad, mapping=mapping)
    assert result.exit_code == 1
    assert "row 2, column 'Referente': the representative's name is required" in result.output
    assert "row 3, column 'Tipologia proponente': unknown proponent type 'Club'" in result.output
    assert "row 3, column 'Longitudine': give both coordinates, or neither" in result.output


def test_names_with_a_bidi_control_are_row_errors(runner, tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(SHORT_MAPPING, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ID;Titolo proposta;Stato;Indirizzo;Tipologia proponente;Referente;Latitudine;Longitudine\n"
        "9;Orto;Patto sottoscritto;Via Roma 1;Associazione;Ada \u202eiren;;\n"
        "10;Orto 2;Respinto;Via \u2067Roma 2;Associazione;;;\n",
        encoding="utf-8",
    )
    before = counts()
    result = run(runner, path=bad, mapping=mapping)
    assert result.exit_code == 1, result.output
    assert "row 2, column 'Referente': the name holds a bidi control character (U+202E)" in (
        result.output
    )
    assert "row 3, column 'Indirizzo': the name holds a bidi control character (U+2067)" in (
        result.output
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("mapping_text", "message"),
    [
        (
            '[columns]\nid = "ID"\ntitle = "Titolo proposta"\nstatus = "Stato"\n'
            '[status]\n"patto sottoscritto" = "signed"\n',
            "[status] 'patto sottoscritto' = 'signed': unknown state",
        ),
        (
            '[columns]\nid = "ID"\ntitle = "Titolo"\nstatus = "Stato"\n'
            '[status]\n"respinto" = "rejected"\n',
            "the file's header lacks columns named in [columns]: title = 'Titolo'",
        ),
        (
            '[columns]\nid = "ID"\nstatus = "Stato"\n[status]\n"respinto" = "rejected"\n',
            "[columns] title: required",
        ),
    ],
)
def test_mapping_errors_are_reported_clearly(runner, tmp_path, mapping_text, message):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(mapping_text, encoding="utf-8")
    before = counts()
    result = run(runner, mapping=mapping)
    assert result.exit_code == 1
    assert message in result.output
    assert counts() == before


def test_large_file_shows_a_progress_bar_on_a_terminal(runner, tmp_path, monkeypatch):
    import io
    import sys
    import types

    import commons.imports.cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(
        commons.imports.cli, "sys", types.SimpleNamespace(stderr=terminal, exit=sys.exit)
    )
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(SHORT_MAPPING, encoding="utf-8")
    big = tmp_path / "big.csv"
    lines = [
        "ID;Titolo proposta;Stato;Indirizzo;Tipologia proponente;Referente;Latitudine;Longitudine"
    ]
    lines += [f"{n};Patto {n};respinto;Via Roma {n};Scuola;Ada {n % 7};;" for n in range(60)]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(runner, path=big, mapping=mapping)
    assert result.exit_code == 0, result.output
    assert "Created 60 proposals, 60 commons (0 reused), 7 groups (53 reused)" in result.output
    assert "Importing" in terminal.getvalue()
