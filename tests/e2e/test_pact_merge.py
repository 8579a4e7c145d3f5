"""In a real browser: the office saves while the representative edits; nothing is lost."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from commons.auth.models import User
from commons.documents.models import PactVersion
from commons.documents.operations import save_version
from commons.extensions import db
from commons.proposals.models import Proposal
from tests.e2e.conftest import axe_violations, log_in
from tests.e2e.scenarios import make_case


def _versions(live, proposal_id: int) -> list[PactVersion]:
    with live.data():
        versions = list(
            db.session.scalars(
                select(PactVersion)
                .where(PactVersion.proposal_id == proposal_id)
                .order_by(PactVersion.number)
            )
        )
        db.session.expunge_all()
        db.session.remove()
    return versions


def test_a_save_over_a_newer_version_shows_the_merge_and_saves_the_choice(page, live):
    case = make_case(live, "co_design")  # has version 1
    log_in(page, live, case.representative)
    page.goto(f"{live.url}/proposals/{case.id}/pact/edit")
    box = page.locator("textarea[name$='-text'][name^='s']").first
    si, ai = map(int, re.match(r"s(\d+)-a(\d+)-text", box.get_attribute("name")).groups())
    box.fill("The group's wording, typed in the browser.")
    other = page.locator("textarea[name$='-text'][name^='s']").nth(1)
    other_name = other.get_attribute("name")
    sj, aj = map(int, re.match(r"s(\d+)-a(\d+)-text", other_name).groups())
    other.fill("Only the group changed this one.")

    # Meanwhile the office saves version 2, changing the same article.
    with live.data():
        proposal = db.session.get(Proposal, case.id)
        officer = db.session.scalar(select(User).where(User.email == case.officer))
        v1 = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == case.id))
        content = {**v1.content, "sections": [dict(s) for s in v1.content["sections"]]}
        articles = [dict(a) for a in content["sections"][si]["articles"]]
        articles[ai]["text"] = "The office's wording."
        content["sections"][si] = {**content["sections"][si], "articles": articles}
        save_version(proposal, author=officer, content=content, base_version=1)
        db.session.commit()
        db.session.remove()

    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Version 2 was saved while you were editing")
    assert box.input_value() == "The group's wording, typed in the browser."
    expect(page.get_by_text("The office's wording.").first).to_be_visible()
    found = axe_violations(page)
    assert found == [], [(n["target"], n.get("failureSummary")) for v in found for n in v["nodes"]]

    page.get_by_label("Use version 2's text instead").check()
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Version 3 saved.").first).to_be_visible()
    versions = _versions(live, case.id)
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[2].content["sections"][si]["articles"][ai]["text"] == "The office's wording."
    assert versions[2].content["sections"][sj]["articles"][aj]["text"] == (
        "Only the group changed this one."
    )
