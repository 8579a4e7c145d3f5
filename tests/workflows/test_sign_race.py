"""A double-clicked "Sign": one signature, in the signer's own role, and the pact goes on.

Observed before: two `sign` requests by the representative 50 ms apart both succeeded and the
second was stored as the city's (legal) signature; the legal officer was then refused and the
pact could never become active. These tests press the button many times at once, on real
parallel connections (the PostgreSQL pass).
"""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from commons.audit.operations import verify_chain
from commons.documents.models import Signature
from commons.extensions import db
from commons.proposals.models import Proposal
from tests import factories
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, proposal_in
from workflows import fire


def _postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent connections: runs in the PostgreSQL pass")


def _signatures(proposal_id: int) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [
        (s.signer_role, s.signer_id)
        for s in db.session.scalars(
            select(Signature).where(Signature.proposal_id == proposal_id).order_by(Signature.id)
        )
    ]


def _press_sign(app, client, proposal_id: int, who, times: int) -> list[tuple[int, str]]:
    """``times`` clients sharing one browser session post the same sign form at once."""
    url = f"/proposals/{proposal_id}"
    token = csrf_token(client, url)
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    form = {
        "csrf_token": token,
        "expected_version": version,
        "full_name": who.full_name,
        "consent": "y",
        "password": factories.PASSWORD,
    }
    barrier = threading.Barrier(times)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def press() -> None:
        browser = app.test_client()
        browser._cookies.update(client._cookies)  # the same logged-in browser session
        barrier.wait()
        response = browser.post(f"{url}/actions/sign", data=form)
        with lock:
            answers.append((response.status_code, response.headers.get("Location", "")))

    threads = [threading.Thread(target=press) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


@pytest.mark.parametrize("times", [2, 20])
def test_simultaneous_signs_by_one_person_give_one_signature(app, times):
    _postgresql_only()
    cast = Cast()
    proposal = proposal_in("awaiting_signatures", cast)
    pid = proposal.id
    client = app.test_client()
    login(client, cast.representative.email)

    answers = _press_sign(app, client, pid, cast.representative, times)

    # Every press answers as the first did: the case page with the confirmation, no error.
    assert [status for status, _ in answers] == [302] * times, answers
    assert all(location.endswith(f"/proposals/{pid}") for _, location in answers)
    assert _signatures(pid) == [("representative", cast.representative.id)]

    # The city's legal officer is not blocked: the pact becomes active.
    legal = app.test_client()
    login(legal, cast.legal.email)
    answers = _press_sign(app, legal, pid, cast.legal, times)
    assert [status for status, _ in answers] == [302] * times, answers
    assert _signatures(pid) == [
        ("representative", cast.representative.id),
        ("legal", cast.legal.id),
    ]
    assert db.session.get(Proposal, pid).status == "active"
    assert verify_chain().ok


def test_engine_serialises_signs_that_change_no_proposal_column(app):
    """Without the web form's version: one firing wins, the others are refused cleanly."""
    _postgresql_only()
    from commons.auth.models import User
    from workflows import WorkflowError

    cast = Cast()
    pid = proposal_in("awaiting_signatures", cast).id
    rep_id = cast.representative.id
    workers = 8
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        with app.app_context():
            proposal = db.session.get(Proposal, pid)
            rep = db.session.get(User, rep_id)
            barrier.wait()
            try:
                fire(
                    proposal,
                    "sign",
                    rep,
                    full_name=rep.full_name,
                    consent="y",
                    password=factories.PASSWORD,
                )
                db.session.commit()
                outcome = "signed"
            except WorkflowError as error:
                db.session.rollback()
                outcome = f"refused ({error.status_code})"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes.count("signed") == 1, outcomes
    assert all(o in ("refused (409)", "refused (422)") for o in outcomes if o != "signed")
    assert _signatures(pid) == [("representative", rep_id)]


def test_a_sign_that_is_not_the_last_moves_the_version(app):
    """The serialisation point: every firing writes the proposal's row (both databases)."""
    cast = Cast()
    proposal = proposal_in("awaiting_signatures", cast)
    before = proposal.lock_version
    fire(
        proposal,
        "sign",
        cast.representative,
        full_name=cast.representative.full_name,
        consent="y",
        password=factories.PASSWORD,
    )
    db.session.commit()
    assert proposal.status == "awaiting_signatures"
    assert proposal.lock_version == before + 1


def test_a_repeated_sign_from_a_stale_page_shows_the_same_confirmation(app):
    """The second click arrives after the first has landed: same answer, no second signature."""
    cast = Cast()
    pid = proposal_in("awaiting_signatures", cast).id
    client = app.test_client()
    login(client, cast.representative.email)
    url = f"/proposals/{pid}"
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    form = {
        "csrf_token": csrf_token(client, url),
        "expected_version": version,
        "full_name": cast.representative.full_name,
        "consent": "y",
        "password": factories.PASSWORD,
    }
    first = client.post(f"{url}/actions/sign", data=form)
    second = client.post(f"{url}/actions/sign", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _signatures(pid) == [("representative", cast.representative.id)]
    # Someone else's click from the same stale page is still told it changed.
    other = app.test_client()
    login(other, cast.legal.email)
    stale = other.post(
        f"{url}/actions/sign",
        data={**form, "csrf_token": csrf_token(other, url), "full_name": cast.legal.full_name},
    )
    assert stale.status_code == 409
