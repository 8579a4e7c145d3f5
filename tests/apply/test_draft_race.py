"""Two saves of one draft at once: one lands, the other is told, nobody sees a server error.

Observed before: concurrent edits of one draft answered 500 (StaleDataError) in 10 of 20
requests of a race. Real parallel connections: the PostgreSQL pass.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm.exc import StaleDataError

from commons.extensions import db
from commons.proposals.models import Proposal
from tests import factories
from tests.api.helpers import auth, token_for
from tests.conftest import csrf_token, hidden_value, login
from tests.races import at_once, one_winner, postgresql_only


@pytest.mark.parametrize("clients", [2, 20])
def test_simultaneous_saves_of_a_draft_give_no_server_error(app, clients):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent connections: runs in the PostgreSQL pass")
    rep = factories.user(name="Rita Representative")
    proposal = factories.proposal(factories.group(rep))
    pid = proposal.id
    db.session.commit()
    browser = app.test_client()
    login(browser, rep.email)
    url = f"/apply/{pid}/objectives"
    token = csrf_token(browser, url)
    barrier = threading.Barrier(clients)
    statuses: list[int] = []
    lock = threading.Lock()

    def save(n: int) -> None:
        client = app.test_client()
        client._cookies.update(browser._cookies)
        barrier.wait()
        response = client.post(url, data={"csrf_token": token, "objectives": f"Version {n}"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == clients
    assert all(status in (302, 409) for status in statuses), statuses
    assert 302 in statuses
    db.session.expire_all()
    assert db.session.get(Proposal, pid).objectives.startswith("Version ")


def test_a_save_that_loses_a_race_keeps_the_text_and_answers_409(app, client, monkeypatch):
    """What the loser sees: the form again, with what they typed and why it was not saved."""
    rep = factories.user(name="Rita Representative")
    proposal = factories.proposal(factories.group(rep))
    db.session.commit()
    login(client, rep.email)
    url = f"/apply/{proposal.id}/objectives"
    token = csrf_token(client, url)
    real_commit = db.session.commit

    def lose_the_race():
        db.session.rollback()
        raise StaleDataError("UPDATE statement on table 'proposals' expected to update 1 row")

    monkeypatch.setattr(db.session, "commit", lose_the_race)
    response = client.post(url, data={"csrf_token": token, "objectives": "Plant 40 trees"})
    monkeypatch.setattr(db.session, "commit", real_commit)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Plant 40 trees" in page
    assert "Someone else saved a change to this at the same moment" in page


def test_twenty_saves_from_the_same_version_give_one_winner(app):
    """Twenty tabs opened on the same version save at once: one lands, nineteen are told
    someone else saved first (409, their text kept)."""
    postgresql_only()
    rep = factories.user(name="Rita Representative")
    pid = factories.proposal(factories.group(rep)).id
    browser = app.test_client()
    login(browser, rep.email)
    url = f"/apply/{pid}/objectives"
    base = hidden_value(browser.get(url).get_data(as_text=True), "base_version")
    token = csrf_token(browser, url)

    def save(client, n):
        data = {"csrf_token": token, "base_version": base, "objectives": f"Version {n}"}
        return client.post(url, data=data)

    answers = at_once(app, 20, save, cookies_from=browser)
    one_winner(answers, 302)
    assert all(
        "Someone else saved a change" in body and ">Version " in body
        for status, body in answers
        if status == 409
    )
    db.session.expire_all()
    stored = db.session.get(Proposal, pid)
    assert stored.lock_version == int(base) + 1 and stored.objectives.startswith("Version ")


def test_twenty_api_changes_from_the_same_version_give_one_winner(app):
    postgresql_only()
    rep = factories.user(name="Rita Representative")
    proposal = factories.proposal(factories.group(rep))
    pid, base = proposal.id, proposal.lock_version
    headers = auth(token_for(rep))

    def change(client, n):
        body = {"objectives": f"Version {n}", "expected_version": base}
        return client.patch(f"/api/v1/proposals/{pid}", json=body, headers=headers)

    one_winner(at_once(app, 20, change), 200)
    db.session.expire_all()
    assert db.session.get(Proposal, pid).lock_version == base + 1
