"""My proposals: drafts to resume, state, the next action for me and the deadline."""

from __future__ import annotations

from datetime import date

from commons.extensions import db
from tests.conftest import login
from tests.workflows.scenario import Cast, proposal_in


def test_drafts_resume_at_the_first_missing_step(app, client, make):
    cast = Cast()
    draft = proposal_in("draft", cast)
    draft.activities = ""
    db.session.commit()
    login(client, cast.representative.email)
    page = client.get("/proposals/mine").get_data(as_text=True)
    assert "Drafts to finish" in page
    assert f'href="/apply/{draft.id}/activities"' in page
    assert 'href="/apply/"' in page  # start a new application


def test_state_next_action_and_deadline(app, client):
    cast = Cast()
    waiting = proposal_in("awaiting_integration", cast)
    active = proposal_in("active", cast)
    submitted = proposal_in("submitted", cast)
    active.next_report_due_on = date(2027, 3, 1)
    db.session.commit()
    login(client, cast.representative.email)
    page = client.get("/proposals/mine").get_data(as_text=True)
    rows = {
        p.id: page[page.index(f'/proposals/{p.id}"') :].split("</tr>")[0]
        for p in (waiting, active, submitted)
    }
    assert "Awaiting integration" in rows[waiting.id]
    assert "Send integration" in rows[waiting.id]
    assert waiting.integration_due_at.date().isoformat() in rows[waiting.id]
    assert "reply to the office by" in rows[waiting.id]
    assert "File monitoring report" in rows[active.id]
    assert "2027-03-01" in rows[active.id] and "next monitoring report due" in rows[active.id]
    assert "Nothing for you now" in rows[submitted.id]  # the office acts next
    # A member sees the proposals too, but the representative's actions are not theirs.
    member = app.test_client()
    login(member, cast.member.email)
    page = member.get("/proposals/mine").get_data(as_text=True)
    row = page[page.index(f'/proposals/{waiting.id}"') :].split("</tr>")[0]
    assert "Nothing for you now" in row
