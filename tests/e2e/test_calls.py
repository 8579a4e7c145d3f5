"""A citizen finds an open call on the register's map filter and applies as a consortium; an
evaluator scores on a phone-width screen; axe finds nothing serious on the call pages."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

import workflows
from commons.auth.models import Role
from commons.calls import callfile
from commons.calls import operations as call_ops
from commons.extensions import db
from tests import factories
from tests.calls.conftest import NOW, call_text
from tests.e2e.conftest import axe_violations, log_in, log_out


def _calls(live):
    with live.data():
        chair = factories.user(Role.OFFICER)
        evaluator = factories.user(Role.EVALUATOR, name="Eva Phone")
        other = factories.user(Role.EVALUATOR)
        places = [factories.commons(kind="building"), factories.commons(kind="building")]
        emails = [evaluator.email, other.email]
        open_call = call_ops.load_call(
            callfile.parse(call_text([p.id for p in places], chair.email, emails))
        )
        call_ops.publish(open_call, actor=chair)
        call_ops.open_call(open_call, actor=chair, now=NOW)
        text = call_text([places[1].id, places[0].id], chair.email, emails)
        scored = call_ops.load_call(callfile.parse(text))
        call_ops.publish(scored, actor=chair)
        call_ops.open_call(scored, actor=chair, now=NOW)
        group = factories.group(kind="association")
        application = call_ops.apply_to_call(
            scored,
            representative=group.representative,
            group=group,
            title="Theatre in the old school",
            theme="culture",
            commons_ids=[places[0].id],
            answers={"hours": "9"},
            no_advantage=True,
            now=NOW,
            objectives="Open it.",
            activities="Plays.",
            requested_duration_months=12,
        )
        workflows.fire(application.proposal, "submit", group.representative, now=NOW)
        call_ops.close_batches(scored, now=scored.batches[-1].deadline + timedelta(minutes=1))
        call_ops.start_evaluation(scored, actor=chair)
        citizen = factories.user(name="Carla Citizen")
        lead = factories.group(citizen, kind="association", name="Carla's association")
        db.session.commit()
        found = (open_call.id, open_call.title, places[0].name, scored.id, application.id)
        found += (citizen.email, lead.name, evaluator.email)
        db.session.remove()
    return found


def test_a_citizen_applies_as_a_consortium_and_an_evaluator_scores_on_a_phone(page, live):
    call_id, title, place, scored_id, application_id, citizen, lead, evaluator = _calls(live)
    log_in(page, live, citizen)
    page.goto(f"{live.url}/commons/?call=open")
    expect(page.get_by_role("link", name=place)).to_be_visible()
    expect(page.get_by_text("offered by a call", exact=True).first).to_be_visible()
    page.goto(f"{live.url}/")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Apply to this call").click()
    page.get_by_label("Title of the proposal").fill("Music house")
    page.get_by_label("Partner group 1: name").fill("Park friends")
    page.get_by_label("Partner group 1: kind").select_option("informal_group")
    page.get_by_label("How many hours a week will the building be open?").fill("20")
    page.get_by_label("We declare that the proposal brings no direct").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Start the application").click()
    expect(page.get_by_text("is started as a draft")).to_be_visible()
    log_out(page)

    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, live, evaluator)
    page.goto(f"{live.url}/calls/{scored_id}/evaluate/{application_id}")
    page.get_by_label("I declare that I have no conflict of interest").check()
    page.get_by_role("button", name="Send the declaration").click()
    for field in ("Quality of the proposal", "Social impact", "Network of partners"):
        page.get_by_label(f"{field}: points").fill("30")
        page.get_by_label(f"{field}: reason").fill("Clear plan")
    assert axe_violations(page) == []
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360
    page.get_by_role("button", name="Submit my scores").click()
    expect(page.get_by_text("Your scores are submitted.").first).to_be_visible()
