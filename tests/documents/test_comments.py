"""Proponents comment on pact drafts in co-design; the office sees them; what changed since."""

from __future__ import annotations

from commons.documents import operations as documents
from commons.documents.models import PactComment
from commons.extensions import db
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, proposal_in


def _comment(client, p, number, text):
    url = f"/proposals/{p.id}/pact/{number}"
    return client.post(
        f"{url}/comments", data={"csrf_token": csrf_token(client, url), "text": text}
    )


def test_members_comment_and_the_office_sees_it_then_what_changed(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    first = documents.save_version(p, author=cast.officer, content=documents.default_content(p))
    db.session.commit()
    login(client, cast.member.email)
    response = _comment(client, p, first.number, "Article 3: we can only clean on Saturdays.")
    assert response.status_code == 302
    comment = db.session.scalars(db.select(PactComment)).one()
    assert comment.author_id == cast.member.id and comment.version_id == first.id

    office = app.test_client()
    login(office, cast.officer.email)
    page = office.get(f"/proposals/{p.id}/pact").get_data(as_text=True)
    assert "Comments of the proponents" in page and "only clean on Saturdays" in page
    assert "Mario Member" in page

    content = documents.default_content(p)
    content["sections"][0]["articles"] = [{"title": "", "text": "Cleaning on Saturdays only."}]
    second = documents.save_version(p, author=cast.officer, content=content)
    db.session.commit()
    page = client.get(f"/proposals/{p.id}/pact").get_data(as_text=True)
    link = f"/proposals/{p.id}/pact/compare?a={first.number}&amp;b={second.number}"
    assert "the last one you commented on" in page and link in page
    assert client.get(link.replace("&amp;", "&")).status_code == 200


def test_an_empty_comment_is_refused_and_outsiders_cannot_comment(app, client, make):
    cast = Cast()
    p = proposal_in("co_design", cast)
    v = documents.save_version(p, author=cast.officer, content=documents.default_content(p))
    db.session.commit()
    login(client, cast.representative.email)
    response = _comment(client, p, v.number, "   ")
    assert response.status_code == 422 and "Write your comment." in response.get_data(as_text=True)
    officer = app.test_client()
    login(officer, cast.officer.email)
    assert _comment(officer, p, v.number, "Office note").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(PactComment)) == 0


def test_no_comments_outside_co_design(app, client):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    login(client, cast.representative.email)
    from commons.documents.models import PactVersion

    v = db.session.scalars(db.select(PactVersion).where(PactVersion.proposal_id == p.id)).first()
    assert v is not None
    page = client.get(f"/proposals/{p.id}/pact/{v.number}").get_data(as_text=True)
    assert "Send the comment" not in page
    assert _comment(client, p, v.number, "Too late?").status_code == 403
