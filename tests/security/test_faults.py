"""A full or read-only storage disk during the final signature: told, nothing half-done."""

from __future__ import annotations

import errno
import re

import pytest
from sqlalchemy import select

from commons.documents import storage
from commons.documents.models import Signature
from commons.extensions import db
from commons.proposals.models import Proposal
from tests import factories
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, proposal_in


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_storage_failure_at_the_last_signature_says_nothing_changed(app, monkeypatch, code):
    cast = Cast()
    pid = proposal_in("awaiting_signatures", cast, for_signer="legal").id
    client = app.test_client()
    login(client, cast.legal.email)
    url = f"/proposals/{pid}"
    page = client.get(url).get_data(as_text=True)
    form = {
        "csrf_token": csrf_token(client, url),
        "expected_version": re.search(r'name="expected_version" value="(\d+)"', page).group(1),
        "full_name": cast.legal.full_name,
        "consent": "y",
        "password": factories.PASSWORD,
    }
    real_store = storage.store

    def broken_disk(*args, **kwargs):
        raise OSError(code, "No space left on device" if code == errno.ENOSPC else "Read-only")

    monkeypatch.setattr(storage, "store", broken_disk)
    response = client.post(f"{url}/actions/sign", data=form)
    text = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Nothing was changed: you can repeat the action" in text
    reference = response.headers["X-Request-Id"]
    assert reference and reference in text
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status == "awaiting_signatures"
    roles = db.session.scalars(select(Signature.signer_role).where(Signature.proposal_id == pid))
    assert list(roles) == ["representative"]

    # Once the disk is back, the same action goes through.
    monkeypatch.setattr(storage, "store", real_store)
    assert client.post(f"{url}/actions/sign", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, pid).status == "active"


def test_a_client_request_id_is_kept_only_when_it_is_a_plain_token(client):
    assert client.get("/", headers={"X-Request-Id": "proxy-42.a:b"}).headers["X-Request-Id"] == (
        "proxy-42.a:b"
    )
    forged = client.get("/", headers={"X-Request-Id": "x 500 admin logged in"})
    assert re.fullmatch(r"[0-9a-f]{12}", forged.headers["X-Request-Id"])


def test_a_lost_race_is_logged_without_what_people_typed():
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from commons.db import race_summary

    duplicate = IntegrityError(
        "INSERT INTO signatures (typed_name) VALUES (%(typed_name)s)",
        {"typed_name": "Maria Rossi"},
        Exception('duplicate key value violates unique constraint "uq_sig"\nDETAIL: Key ...'),
    )
    said = race_summary(duplicate)
    assert said == 'IntegrityError: duplicate key value violates unique constraint "uq_sig"'
    assert "Maria Rossi" not in said and "INSERT" not in said
    stale = StaleDataError("UPDATE statement on table 'commons' expected to update 1 row(s)")
    assert race_summary(stale).startswith("StaleDataError: UPDATE statement on table 'commons'")
