"""The demo city's monitoring reports are filled through the current impact framework, some
with breakdowns, and show them on the pact's case page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commons.extensions import db
from commons.impact.framework import current
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import Proposal


@pytest.mark.xdist_group("demo")
def test_the_demo_reports_use_the_framework_with_breakdowns(demo_app):
    reports = db.session.scalars(select(MonitoringReport)).all()
    assert reports
    version = current().version
    assert {(r.framework_id, r.framework_version) for r in reports} == {("default", version)}
    broken_down = [r for r in reports if r.breakdowns]
    assert broken_down
    report = broken_down[0]
    pact = db.session.get(Proposal, report.proposal_id)
    client = demo_app.test_client()  # the public page of the pact shows its reports
    page = client.get(f"/pacts/{pact.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "By age: " in page
    page = client.get(f"/pacts/{pact.id}", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert "Per età: " in page and "Partecipanti: " in page
