"""Two officers press the same button at once: one transition, one clear conflict."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from commons.audit.models import AuditEvent
from commons.audit.operations import verify_chain
from commons.extensions import db
from commons.proposals.models import Proposal
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import StaleProposal, TransitionNotAllowed, fire

WORKERS = 6


def _race(app, proposal_id: int, officer_ids: list[int]) -> list[str]:
    """Each worker, on its own connection, loads the proposal and fires at the same moment."""
    from commons.auth.models import User

    barrier = threading.Barrier(len(officer_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(officer_id: int) -> None:
        with app.app_context():
            proposal = db.session.get(Proposal, proposal_id)
            officer = db.session.get(User, officer_id)
            version = proposal.lock_version
            barrier.wait()
            try:
                fire(proposal, "take_in_charge", officer, expected_version=version, now=NOW)
                db.session.commit()
                outcome = "done"
            except (StaleProposal, TransitionNotAllowed) as error:
                db.session.rollback()
                outcome = f"conflict: {error.message}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=work, args=(oid,)) for oid in officer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_same_trigger_from_several_connections_succeeds_once(app, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent connections: runs in the PostgreSQL pass")
    from commons.auth.models import Role

    cast = Cast()
    officers = [cast.officer.id] + [make.user(Role.OFFICER).id for _ in range(WORKERS - 1)]
    proposal = proposal_in("submitted", cast)
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    outcomes = _race(app, proposal.id, officers)
    assert len(outcomes) == WORKERS
    assert outcomes.count("done") == 1, outcomes
    assert all("changed by someone else" in o for o in outcomes if o != "done")
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "under_review"
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert events == before + 1
    assert verify_chain().ok


def test_concurrent_firings_on_different_proposals_keep_the_chain_linear(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent connections: runs in the PostgreSQL pass")
    from commons.auth.models import User

    cast = Cast()
    proposals = [proposal_in("draft", cast).id for _ in range(WORKERS)]
    rep_id = cast.representative.id
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def submit(pid: int) -> None:
        with app.app_context():
            try:
                p = db.session.get(Proposal, pid)
                rep = db.session.get(User, rep_id)
                barrier.wait()
                fire(p, "submit", rep, now=NOW)
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(pid,)) for pid in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = db.session.scalars(
        select(Proposal.protocol_number).where(Proposal.id.in_(proposals))
    ).all()
    assert len(set(numbers)) == WORKERS  # distinct protocol numbers under concurrency
    assert verify_chain().ok


def test_a_repeated_admission_shows_the_same_confirmation(app):
    """Admission publishes the summary after its own event: a double click is still a repeat.

    Found by the stateful test: the engine's hook appends ``summary_published`` after the
    ``admit`` event, so the second click was answered "changed by someone else" (409).
    """
    import re

    from tests.conftest import csrf_token, login

    cast = Cast()
    pid = proposal_in("under_review", cast).id
    client = app.test_client()
    login(client, cast.officer.email)
    url = f"/proposals/{pid}"
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    form = {"csrf_token": csrf_token(client, url), "expected_version": version}
    first = client.post(f"{url}/actions/admit", data=form)
    second = client.post(f"{url}/actions/admit", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status == "public_notice"
    admissions = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.proposal_id == pid, AuditEvent.trigger == "admit")
    )
    assert admissions == 1


def test_a_repeated_admission_by_api_gets_the_first_answer(app):
    """The API's retry of the same request: the same event, not a 409."""
    from tests.api.helpers import Caller, token_for

    cast = Cast()
    p = proposal_in("under_review", cast)
    pid, version = p.id, p.lock_version
    officer = Caller(app.test_client(), token_for(cast.officer))
    first = officer.fire(pid, "admit", version)
    second = officer.fire(pid, "admit", version)
    assert first.status_code == second.status_code == 200, second.get_json()
    assert first.get_json()["event"] == second.get_json()["event"]
    assert second.get_json()["proposal"]["status"] == "public_notice"
