"""An officer corrects an imported proposal; the correction and its reason are in the history."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.audit.operations import append_event, verify_chain
from commons.extensions import db
from commons.proposals.models import Proposal
from tests.conftest import hidden_value, login, post_form

ROOT = Path(__file__).resolve().parents[2]
COMMA = ROOT / "tests" / "data" / "registro_patti_comma.csv"
MAPPING = ROOT / "docs" / "import-mapping-it.toml"


def _imported(runner, source_id: str) -> Proposal:
    args = ["import", "register", str(COMMA), "--mapping", str(MAPPING), "--skip-invalid"]
    assert runner.invoke(args=args).exit_code == 0
    return db.session.scalar(select(Proposal).where(Proposal.protocol_number == f"IMP/{source_id}"))


def _form(proposal, **changes) -> dict:
    data = {
        "status": proposal.status,
        "commons": proposal.commons[0].name,
        "proponent": proposal.representative.full_name,
        "proponent_kind": proposal.group.kind,
        "start_date": "",
        "end_date": "",
        "act_number": "",
        "act_date": "",
        "reason": "",
    }
    data.update(changes)
    return data


def test_an_officer_corrects_state_commons_proponent_and_dates(runner, client, make):
    proposal = _imported(runner, "205")  # archived, Via Libia 60, Franco Neri
    url = f"/office/imported/{proposal.id}/correct"
    make.user("officer", email="officer@example.org")
    login(client, "officer@example.org")
    page = client.get(url).get_data(as_text=True)
    version = hidden_value(page, "base_version")
    # No reason: refused, and what was typed is kept.
    data = _form(proposal, status="active", commons="via zamboni 1", end_date="2027-06-30")
    data["base_version"] = version
    response = post_form(client, url, data, token_from=url)
    assert response.status_code == 422
    assert "2027-06-30" in response.get_data(as_text=True)

    data.update(reason="The register's row was copied from the wrong line", proponent="Franca Neri")
    response = post_form(client, url, data, token_from=url)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    assert proposal.status == "active" and proposal.end_date.isoformat() == "2027-06-30"
    assert proposal.commons[0].address == "Via Zamboni 1"
    assert proposal.commons[0].availability == "in_pact"
    assert proposal.representative.full_name == "Franca Neri"
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.proposal_id == proposal.id, AuditEvent.trigger == "import_corrected"
        )
    )
    assert (event.from_state, event.to_state) == ("archived", "active")
    assert event.payload["reason"] == "The register's row was copied from the wrong line"
    assert set(event.payload["changes"]) == {"status", "commons_id", "group_id", "end_date"}
    assert verify_chain().ok
    history = client.get(f"/pacts/{proposal.id}").get_data(as_text=True)
    assert "corrected what the import recorded" in history


def test_once_acted_on_the_lifecycle_takes_over(app, runner, client, make):
    proposal = _imported(runner, "202")
    append_event("comment_added", actor_role="officer", proposal=proposal, payload={})
    db.session.commit()
    make.user("officer", email="officer@example.org")
    login(client, "officer@example.org")
    url = f"/office/imported/{proposal.id}/correct"
    page = client.get(url).get_data(as_text=True)
    assert "was acted on after its import: change it through its lifecycle" in page
    assert "Save the correction" not in page
    make.user("citizen", email="citizen@example.org")
    citizen = app.test_client()
    login(citizen, "citizen@example.org")
    assert citizen.get(url).status_code == 403
