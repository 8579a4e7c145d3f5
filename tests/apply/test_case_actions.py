"""A proponent's actions on the case page: answer an integration request (with files), sign,
ask for renewal, withdraw."""

from __future__ import annotations

import io

from commons.extensions import db
from commons.uploads.models import Attachment
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD
from tests.workflows.scenario import Cast, proposal_in

PDF = b"%PDF-1.4\n%%EOF\n"


def _answer(client, p, data, files=()):
    url = f"/proposals/{p.id}"
    payload = {"csrf_token": csrf_token(client, url), "expected_version": p.lock_version, **data}
    if files:
        payload["files"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(f"/apply/{p.id}/answer", data=payload, content_type="multipart/form-data")


def _act(client, p, trigger, data):
    url = f"/proposals/{p.id}"
    payload = {"csrf_token": csrf_token(client, url), "expected_version": p.lock_version, **data}
    return client.post(f"{url}/actions/{trigger}", data=payload)


def test_answering_an_integration_request_with_a_file(app, client):
    cast = Cast()
    p = proposal_in("under_review", cast)
    officer = app.test_client()
    login(officer, cast.officer.email)
    _act(officer, p, "request_integration", {"message": "Please send the group's statute."})
    db.session.refresh(p)
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "The office asked:" in page and "Please send the group&#39;s statute." in page
    assert f'action="/apply/{p.id}/answer"' in page and 'enctype="multipart/form-data"' in page

    response = _answer(client, p, {"answer": "Here it is."}, files=[(PDF, "statuto.pdf")])
    assert response.status_code == 302
    db.session.refresh(p)
    assert p.status == "under_review"
    attachment = db.session.scalars(db.select(Attachment)).one()
    assert attachment.purpose == "integration" and attachment.original_name == "statuto.pdf"
    page = officer.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "statuto.pdf" in page  # the office sees the file on the case page
    assert officer.get(f"/attachments/{attachment.id}").status_code == 200


def test_a_fake_file_with_the_answer_is_refused_keeping_the_answer(app, client):
    cast = Cast()
    p = proposal_in("awaiting_integration", cast)
    login(client, cast.representative.email)
    response = _answer(
        client, p, {"answer": "My careful answer"}, files=[(b"plain text", "statuto.pdf")]
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not a PDF, JPEG or PNG" in page and "My careful answer" in page
    assert 'id="integrate-files-error"' in page
    db.session.refresh(p)
    assert p.status == "awaiting_integration"
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0

    response = _answer(client, p, {"answer": "  "})
    assert response.status_code == 422 and "Write your answer to the office." in response.get_data(
        as_text=True
    )


def test_signing_from_the_case_page_needs_a_fresh_login(app, client):
    cast = Cast()
    p = proposal_in("awaiting_signatures", cast)
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Read the pact before you sign." in page
    response = _act(
        client, p, "sign", {"full_name": "Rita Representative", "consent": "y", "password": "wrong"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "password is needed again" in page and 'value="Rita Representative"' in page
    response = _act(
        client,
        p,
        "sign",
        {"full_name": "Rita Representative", "consent": "y", "password": PASSWORD},
    )
    assert response.status_code == 302


def test_asking_for_renewal_and_withdrawing_an_active_pact(app, client):
    cast = Cast()
    p = proposal_in("active", cast)
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Ask the city to renew the pact." in page
    assert "The pact ends 30 days after you ask" in page
    response = _act(client, p, "withdraw", {"reasons": ""})
    assert response.status_code == 422
    response = _act(client, p, "withdraw", {"reasons": "The group is dissolving."})
    assert response.status_code == 302
    db.session.refresh(p)
    assert p.status == "active" and p.withdrawal_effective_on is not None
    response = _act(client, p, "open_renewal", {})
    assert response.status_code == 302
    db.session.refresh(p)
    assert p.status == "renewal_review"


def test_withdrawing_a_proposal_says_it_is_final(app, client):
    cast = Cast()
    p = proposal_in("submitted", cast)
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "closed for good" in page and "btn-outline-danger" in page
    assert _act(client, p, "withdraw", {}).status_code == 302
    db.session.refresh(p)
    assert p.status == "withdrawn"
