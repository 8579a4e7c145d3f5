"""The public summary: prepared from the application, edited by the office before admission,
published with the notice on the public page, the consultation list, the feeds and open data."""

from __future__ import annotations

import csv
import io
import json
import threading
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.audit.operations import verify_chain
from commons.auth.models import Role, User
from commons.errors import Conflict
from commons.extensions import db
from commons.proposals.models import Proposal
from commons.summaries.models import PublicSummary
from commons.summaries.operations import edit_summary
from tests.conftest import login, post_form
from tests.workflows.scenario import Cast, proposal_in

ATOM = "{http://www.w3.org/2005/Atom}"
TEXTS = {
    "objectives": "Bring the rose garden back to life.",
    "activities": "Pruning, watering and two open days a year.",
    "places": "The rose beds along the north wall of the garden.",
    "times": "Every Saturday morning from March to October.",
    "support": "Tools and insurance for the volunteers.",
}


def _case(cast: Cast | None = None):
    cast = cast or Cast()
    p = proposal_in("under_review", cast)
    p.objectives = "Keep the rose garden tidy."
    p.activities = "Weekly pruning."
    p.support_requested = ["tools"]
    db.session.commit()
    return cast, p


def _edit(client, p, language: str = "original", **texts):
    data = {**TEXTS, "base_version": "0", **texts}
    return post_form(
        client, f"/proposals/{p.id}/summary/{language}", data, token_from=f"/proposals/{p.id}"
    )


def _admit(client, p):
    db.session.refresh(p)
    response = post_form(
        client,
        f"/proposals/{p.id}/actions/admit",
        {"expected_version": str(p.lock_version)},
        token_from=f"/proposals/{p.id}",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()


def _logout(client) -> None:
    assert post_form(client, "/logout", {}, token_from="/").status_code == 302


def _pact_row(client, p) -> dict:
    text = client.get("/open-data/pacts.csv").get_data(as_text=True)
    return next(r for r in csv.DictReader(io.StringIO(text)) if r["id"] == str(p.id))


def _json_row(client, p) -> dict:
    rows = json.loads(client.get("/open-data/pacts.json").get_data(as_text=True))
    return next(r for r in rows if r["id"] == p.id)


def test_the_officer_finds_a_summary_prepared_from_the_application(client):
    cast, p = _case()
    login(client, cast.officer.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Public summary" in page
    assert "Prepared from the application and not yet reviewed" in page
    assert ">Keep the rose garden tidy.</textarea>" in page
    assert p.commons[0].name in page  # the places start from the commons of the application
    assert "Tools" in page  # and the support asked
    assert "Save the public summary" in page
    assert "Translation into Italiano" in page


def test_an_officer_edits_the_summary_and_the_edit_is_recorded_with_who_and_when(client):
    cast, p = _case()
    login(client, cast.officer.email)

    response = _edit(client, p)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{p.id}#public-summary")
    row = db.session.scalar(select(PublicSummary).where(PublicSummary.proposal_id == p.id))
    assert row.texts == TEXTS and row.version == 1 and row.edited_by_id == cast.officer.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.trigger == "summary_edited"))
    assert event.actor_id == cast.officer.id and event.public is False
    assert event.occurred_at is not None
    assert event.payload["summary"]["fields"] == list(TEXTS)
    assert verify_chain().ok
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "The public summary is saved." in page
    assert "Olga Officer edited the public summary of the proposal" in page
    assert "Reviewed by the office" in page

    # A second save changes one text: a second event naming only that text.
    _edit(client, p, base_version="1", times="Every Sunday.")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.trigger == "summary_edited").order_by(AuditEvent.seq)
    ).all()
    assert [e.payload["summary"]["fields"] for e in events] == [list(TEXTS), ["times"]]


def test_missing_objectives_are_refused_with_a_message_and_the_typed_text_is_kept(client):
    cast, p = _case()
    login(client, cast.officer.email)

    response = _edit(client, p, objectives="  ", activities="Typed with care, not lost.")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the objectives: the public reads them during the notice." in page
    assert "Typed with care, not lost.</textarea>" in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(select(PublicSummary)) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.trigger == "summary_edited")) is (
        None
    )


def test_an_edit_made_from_an_older_version_is_refused_not_saved_over_the_newer(client, make):
    cast, p = _case()
    other = make.user(Role.OFFICER, name="Otto Officer")
    login(client, other.email)
    assert _edit(client, p, objectives="Otto's objectives.").status_code == 302
    _logout(client)

    # Olga opened the page before Otto saved: her form still says version 0.
    login(client, cast.officer.email)
    response = _edit(client, p, objectives="Olga's objectives.")

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved the public summary while you were editing it." in page
    assert "Olga&#39;s objectives.</textarea>" in page  # her text is still in the form
    assert "Otto&#39;s objectives." in page  # next to what Otto saved
    db.session.expire_all()
    assert db.session.scalar(select(PublicSummary)).objectives == "Otto's objectives."
    # The form now carries Otto's version: saving again is a deliberate choice, and works.
    assert 'name="base_version" value="1"' in page
    assert _edit(client, p, base_version="1", objectives="Olga's objectives.").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(PublicSummary)).objectives == "Olga's objectives."


def test_personal_data_of_the_proponents_is_refused(client):
    cast, p = _case()
    login(client, cast.officer.email)

    response = _edit(client, p, activities=f"Ask {cast.member.email} for the keys.")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "take out the proponents&#39; personal data" in page
    assert cast.member.email in page  # the officer sees what to take out
    assert db.session.scalar(select(PublicSummary)) is None
    # The representative's name may appear.
    assert _edit(client, p, activities="Rita Representative leads the work.").status_code == 302


def test_citizens_cannot_edit_the_summary(client, make):
    cast, p = _case()
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Public summary" in page and "Keep the rose garden tidy." in page  # they read it
    assert "Save the public summary" not in page
    assert _edit(client, p).status_code == 403
    _logout(client)
    stranger = make.user(Role.CITIZEN)
    login(client, stranger.email)
    assert "Public summary" not in client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert _edit(client, p).status_code == 403
    assert db.session.scalar(select(PublicSummary)) is None


def test_the_summary_is_not_public_before_admission_and_is_after(client, make):
    cast, p = _case()
    login(client, cast.officer.email)
    _edit(client, p)
    _logout(client)

    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "What is proposed" not in page and TEXTS["objectives"] not in page
    assert _pact_row(client, p)["summary_objectives"] == ""
    assert _json_row(client, p)["summary_objectives"] is None

    login(client, cast.officer.email)
    _admit(client, p)
    assert p.status == "public_notice"
    # Published: nobody changes it any more.
    assert _edit(client, p, base_version="1", objectives="Too late.").status_code == 403
    case_page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Published with the public notice on" in case_page
    _logout(client)

    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "What is proposed" in page
    for text in TEXTS.values():
        assert text in page
    assert "Support asked of the city" in page
    # Above the consultation, where people comment.
    assert page.index("What is proposed") < page.index('id="comments-title"')
    assert "published the public summary of the proposal with the notice" in page  # history
    assert TEXTS["objectives"] in client.get("/consultation").get_data(as_text=True)

    row = _pact_row(client, p)
    assert row["summary_objectives"] == TEXTS["objectives"]
    assert row["summary_places"] == TEXTS["places"]
    assert row["summary_times"] == TEXTS["times"]
    assert row["summary_support"] == TEXTS["support"]
    assert _json_row(client, p)["summary_activities"] == TEXTS["activities"]

    feed = ET.fromstring(client.get("/feeds/notice.atom").get_data())  # noqa: S314 - our own feed
    entry = next(
        e for e in feed.iter(f"{ATOM}entry") if e.find(f"{ATOM}id").text.endswith(f"/pacts/{p.id}")
    )
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "text"
    assert f"Objectives: {TEXTS['objectives']}" in content.text
    assert f"Times: {TEXTS['times']}" in content.text
    assert verify_chain().ok


def test_admission_publishes_the_prepared_summary_without_personal_data(client):
    cast, p = _case()
    p.activities = f"Weekly pruning; write to {cast.member.email} or ask Mario Member."
    db.session.commit()
    login(client, cast.officer.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "holds personal data of the proponents" in page  # the officer is warned first
    _admit(client, p)
    _logout(client)

    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "Keep the rose garden tidy." in page
    assert "Weekly pruning; write to […] or ask […]." in page
    assert cast.member.email not in page and "Mario Member" not in page
    row = _pact_row(client, p)
    assert cast.member.email not in json.dumps(row) and "Mario Member" not in json.dumps(row)
    assert row["summary_support"] == "Tools"


def test_a_translation_is_shown_to_readers_of_its_language(client):
    cast, p = _case()
    login(client, cast.officer.email)
    _edit(client, p)
    italian = {
        "objectives": "Riportare in vita il roseto.",
        "activities": "Potatura, irrigazione e due giornate aperte all'anno.",
    }
    assert _edit(client, p, "it", **italian).status_code == 302
    assert _edit(client, p, "xx").status_code == 404
    _admit(client, p)
    _logout(client)

    english = client.get(f"/pacts/{p.id}", headers={"Accept-Language": "en"})
    assert TEXTS["objectives"] in english.get_data(as_text=True)
    page = client.get(f"/pacts/{p.id}", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert "Riportare in vita il roseto." in page and TEXTS["objectives"] not in page
    assert 'lang="it"' in page
    # Open data carries the original text, whatever the reader's language.
    assert _pact_row(client, p)["summary_objectives"] == TEXTS["objectives"]


def test_a_proposal_put_under_notice_without_admission_shows_no_summary(client):
    """Only admission publishes: no summary row, nothing shown (and no error)."""
    cast = Cast()
    p = proposal_in("public_notice", cast)
    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "What is proposed" not in page
    feed = ET.fromstring(client.get("/feeds/notice.atom").get_data())  # noqa: S314 - our own feed
    assert all(e.find(f"{ATOM}content") is None for e in feed.iter(f"{ATOM}entry"))


def test_officers_saving_at_once_from_the_same_version_save_once(app, make):
    """Real parallel connections: one save lands, the others are told someone else saved."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent connections: runs in the PostgreSQL pass")
    cast, p = _case()
    officers = [cast.officer.id] + [make.user(Role.OFFICER).id for _ in range(3)]
    barrier = threading.Barrier(len(officers))
    outcomes: list[str] = []

    def work(officer_id: int) -> None:
        with app.app_context():
            proposal = db.session.get(Proposal, p.id)
            officer = db.session.get(User, officer_id)
            barrier.wait()
            try:
                edit_summary(
                    proposal,
                    actor=officer,
                    base_version=0,
                    texts={**TEXTS, "objectives": f"Saved by {officer.full_name}."},
                )
                db.session.commit()
                outcomes.append("saved")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(oid,)) for oid in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["conflict"] * (len(officers) - 1) + ["saved"]
    db.session.expire_all()
    rows = db.session.scalars(select(PublicSummary)).all()
    assert len(rows) == 1 and rows[0].version == 1
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.trigger == "summary_edited"))
    assert [e.actor_id for e in events] == [rows[0].edited_by_id]
    assert verify_chain().ok
