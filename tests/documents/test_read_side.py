"""The read side: the rules lists share, written once (``Proposal.visible_to``,
``PactVersion.latest_for``), and used by the pages, the API and the documents alike."""

from __future__ import annotations

import copy

from sqlalchemy import select

from commons.auth.models import Role
from commons.documents.models import Document, PactVersion
from commons.documents.operations import save_version
from commons.extensions import db
from commons.proposals.models import Proposal
from commons.public.statistics import by_state
from commons.registry.views import pacts_over_time
from tests import factories
from tests.api.helpers import auth, token_for
from tests.workflows.scenario import Cast, approve_and_sign, proposal_in


def test_a_draft_is_in_no_list_of_an_outsider(app, client):
    cast = Cast()
    place = factories.commons(name="Giardino di via Roma")
    draft = factories.proposal(cast.group, title="Secret draft", commons=[place])
    filed = proposal_in("submitted", cast)
    db.session.commit()
    stranger = factories.user(Role.CITIZEN, name="Sara Stranger")
    db.session.commit()

    ids = set(db.session.scalars(select(Proposal.id).where(Proposal.visible_to(None))))
    assert draft.id not in ids and filed.id in ids
    assert set(db.session.scalars(select(Proposal.id).where(Proposal.visible_to(stranger)))) == ids
    assert draft.id in set(
        db.session.scalars(select(Proposal.id).where(Proposal.visible_to(cast.member)))
    )

    # The API's list, anonymous and with an outsider's token; the proponent sees the draft.
    for headers in ({}, auth(token_for(stranger)), auth(token_for(cast.auditor))):
        listed = client.get("/api/v1/proposals?limit=100", headers=headers).get_json()
        assert draft.id not in {p["id"] for p in listed["items"]}
        assert filed.id in {p["id"] for p in listed["items"]}
    mine = client.get("/api/v1/proposals?limit=100", headers=auth(token_for(cast.member)))
    assert draft.id in {p["id"] for p in mine.get_json()["items"]}

    # The public register, statistics and pact pages.
    assert draft not in pacts_over_time(place)
    assert "draft" not in dict(by_state(db.session))
    assert client.get(f"/pacts/{draft.id}").status_code == 404
    assert client.get(f"/pacts/{draft.id}/verify").status_code == 404
    assert "Secret draft" not in client.get(f"/commons/{place.id}").get_data(as_text=True)


def test_the_latest_version_is_the_one_web_api_and_pdf_show(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    db.session.commit()
    first = PactVersion.latest_for(p)
    base = first.number if first else 0
    for text in ("second", "third"):
        content = copy.deepcopy(PactVersion.latest_for(p).content)
        content["sections"][0]["articles"].append({"title": text, "text": f"The {text} text."})
        version = save_version(
            p, author=cast.officer, content=content, comment=text, base_version=base
        )
        base = version.number
    db.session.commit()
    latest = PactVersion.latest_for(p)
    assert latest.number == base == max(v.number for v in PactVersion.all_for(p))
    assert PactVersion.all_for(p)[0] == latest
    assert PactVersion.numbered(p, latest.number) == latest
    assert PactVersion.numbered(p, 2**40) is None
    assert PactVersion.latest_for(p, frozen=True) is None

    listed = client.get(
        f"/api/v1/proposals/{p.id}/pact-versions", headers=auth(token_for(cast.officer))
    ).get_json()
    assert listed[0]["number"] == latest.number
    assert listed[0]["content_hash"] == latest.content_hash


def test_approval_freezes_the_latest_version_and_the_pdf_prints_it(app):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    db.session.commit()
    latest = PactVersion.latest_for(p)
    assert PactVersion.latest_for(p, frozen=True) is None
    approve_and_sign(cast, p)
    frozen = PactVersion.latest_for(p, frozen=True)
    assert frozen == latest == PactVersion.latest_for(p)
    issued = db.session.scalars(select(Document).where(Document.proposal_id == p.id)).all()
    assert {d.kind for d in issued} == {"final", "signed"}
    assert {d.version_id for d in issued} == {frozen.id}
