"""A city changes its framework by adding a version: new reports use it (a choice and a text
indicator here), reports filled with the older version keep their own labels; the engine
refuses values that do not fit the framework they name."""

from __future__ import annotations

import shutil

import pytest

import workflows
from commons.extensions import db
from commons.impact import framework as frameworks
from commons.monitoring.models import MonitoringReport
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, proposal_in

VERSION_3 = """
id = "default"
version = 3
labels = { en = "Impact framework 2027", it = "Quadro di impatto 2027" }

[[indicators]]
id = "volunteers"
type = "count"
labels = { en = "Volunteers", it = "Volontari" }
unit = { en = "people", it = "persone" }
required = true
max = 5000

[[indicators]]
id = "site_condition"
type = "choice"
labels = { en = "Condition of the site", it = "Stato del luogo" }
choices = [
  { id = "better", labels = { en = "Better than before", it = "Migliore di prima" } },
  { id = "same", labels = { en = "As before", it = "Come prima" } },
]

[[indicators]]
id = "lessons"
type = "text"
labels = { en = "What you learnt", it = "Che cosa avete imparato" }
"""


@pytest.fixture
def version_3(tmp_path, monkeypatch):
    for path in frameworks.FRAMEWORKS_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "default-3.toml").write_text(VERSION_3)
    monkeypatch.setattr(frameworks, "FRAMEWORKS_DIR", tmp_path)
    return tmp_path


def _send(client, p, data):
    url = f"/proposals/{p.id}/report"
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def test_a_new_version_is_used_and_older_reports_keep_their_labels(app, client, version_3):
    cast = Cast()
    p = proposal_in("active", cast)
    db.session.add(
        MonitoringReport(
            proposal_id=p.id,
            author_id=cast.representative.id,
            text="Filled with version 2.",
            indicators={"meetings": 4},
            framework_id="default",
            framework_version=2,
        )
    )
    db.session.commit()
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}/report").get_data(as_text=True)
    assert "Volunteers (people)" in page and "Better than before" in page
    assert 'name="meetings"' not in page
    # A required figure left empty is refused on its field, the choice kept.
    response = _send(client, p, {"report_text": "Spring.", "site_condition": "better"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Required." in page
    assert '<option selected value="better">' in page or 'value="better" selected' in page
    response = _send(
        client,
        p,
        {
            "report_text": "Spring.",
            "volunteers": "9",
            "site_condition": "better",
            "lessons": "Start earlier in the morning.",
        },
    )
    assert response.status_code == 302
    new = db.session.scalars(
        db.select(MonitoringReport).where(MonitoringReport.framework_version == 3)
    ).one()
    assert new.indicators == {
        "volunteers": 9,
        "site_condition": "better",
        "lessons": "Start earlier in the morning.",
    }
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Meetings of the group: 4 meetings" in page  # version 2's label
    assert "Condition of the site: Better than before" in page
    assert "What you learnt: Start earlier in the morning." in page


def test_the_engine_refuses_values_that_do_not_fit_their_framework(app):
    cast = Cast()
    p = proposal_in("active", cast)
    bad = {
        "framework": "default",
        "version": 2,
        "values": {"participants": 10},
        "breakdowns": {"participants": {"age_band": {"under_18": 11}}},
    }
    with pytest.raises(workflows.WorkflowError) as refused:
        workflows.fire(p, "file_report", cast.representative, report_text="x", impact=bad)
    assert "a breakdown of participants is above its total" in refused.value.message
    bad = {"framework": "default", "version": 9, "values": {}}
    with pytest.raises(workflows.WorkflowError) as refused:
        workflows.fire(p, "file_report", cast.representative, report_text="x", impact=bad)
    assert "unknown impact framework or version" in refused.value.message
