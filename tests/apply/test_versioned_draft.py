"""A draft edited in two tabs: the step saved from the older page is refused (409), keeps what
was typed and shows what the other tab saved; saving again from there succeeds.

Before: the draft's lock_version only caught saves racing at the same instant; a tab opened
before another save overwrote it without a word.
"""

from __future__ import annotations

import re

from commons.extensions import db
from commons.proposals.models import Proposal
from tests import factories
from tests.conftest import csrf_token, hidden_value, login


def _tab(app, email):
    client = app.test_client()
    login(client, email)
    return client


def _draft():
    rep = factories.user(name="Rita Representative")
    proposal = factories.proposal(factories.group(rep), objectives="Keep it clean.")
    db.session.commit()
    return rep, proposal


def _save(client, url, data, base):
    return client.post(
        url, data={"csrf_token": csrf_token(client, url), "base_version": base, **data}
    )


def test_a_stale_step_is_refused_with_the_input_kept_and_the_stored_text_shown(app):
    rep, proposal = _draft()
    url = f"/apply/{proposal.id}/objectives"
    first, second = _tab(app, rep.email), _tab(app, rep.email)
    base = hidden_value(first.get(url).get_data(as_text=True), "base_version")
    other = hidden_value(second.get(url).get_data(as_text=True), "base_version")
    assert _save(second, url, {"objectives": "Plant 40 trees"}, other).status_code == 302

    refused = _save(first, url, {"objectives": "Paint the benches"}, base)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved a change to this after you opened it" in page
    assert "Paint the benches</textarea>" in page  # what was typed, kept
    assert re.findall(r"<dt>([^<]*)</dt>", page) == ["Objectives"]
    assert "Plant 40 trees</dd>" in page
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).objectives == "Plant 40 trees"

    knowing = hidden_value(page, "base_version")
    again = _save(first, url, {"objectives": "Paint the benches"}, knowing)
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).objectives == "Paint the benches"


def test_choosing_other_commons_moves_the_version_so_a_stale_places_page_is_refused(app):
    rep, proposal = _draft()
    chosen = proposal.commons[0]
    another = factories.commons(name="Giardino Libia")
    url = f"/apply/{proposal.id}/places"
    first, second = _tab(app, rep.email), _tab(app, rep.email)
    base = hidden_value(first.get(url).get_data(as_text=True), "base_version")
    other = hidden_value(second.get(url).get_data(as_text=True), "base_version")
    # Only the link table changes: the version must move all the same.
    both = {"commons": [str(chosen.id), str(another.id)]}
    assert _save(second, url, both, other).status_code == 302

    refused = _save(first, url, {"commons": [str(chosen.id)]}, base)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    # What was ticked is kept; what is stored now is said.
    assert f'value="{chosen.id}" id="commons-{chosen.id}" checked' in page
    assert f'value="{another.id}" id="commons-{another.id}" checked' not in page
    assert re.findall(r"<dt>([^<]*)</dt>", page) == ["Commons in the register"]
    assert "Giardino Libia" in re.search(r"<dd[^>]*>([^<]*)</dd>", page).group(1)
    db.session.expire_all()
    stored = db.session.get(Proposal, proposal.id)
    assert {c.id for c in stored.commons} == {chosen.id, another.id}
    assert stored.lock_version == int(base) + 1
