"""The monitoring report form: text, validated indicators, photos; filed through the engine."""

from __future__ import annotations

import io
import re

from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.uploads.models import Attachment
from tests import factories
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, proposal_in

PNG = factories.photo()


def _send(client, p, data, files=()):
    url = f"/proposals/{p.id}/report"
    payload = {"csrf_token": csrf_token(client, url), **data}
    if files:
        payload["photos"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(url, data=payload, content_type="multipart/form-data")


def test_the_representative_files_a_report_with_figures_and_photos(app, client):
    cast = Cast()
    p = proposal_in("active", cast)
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert f'href="/proposals/{p.id}/report"' in page  # the case page leads to the form
    response = _send(
        client,
        p,
        {
            "report_text": "Twelve clean-ups and a party.",
            "participants": "25",
            "volunteer_hours": "140",
            "events_held": "3",
            "publish_photos": "y",
        },
        files=[(PNG, "party.png"), (PNG, "clean-up.png")],
    )
    assert response.status_code == 302
    report = db.session.scalars(db.select(MonitoringReport)).one()
    assert report.indicators == {"participants": 25, "volunteer_hours": 140, "events_held": 3}
    assert report.photos_public  # the consent to publish them, kept with the report
    photos = db.session.scalars(db.select(Attachment)).all()
    assert {a.linked_id for a in photos} == {report.id}
    assert {a.purpose for a in photos} == {"report_photo"}
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Monitoring reports" in page and "Twelve clean-ups and a party." in page
    assert "Volunteer hours: 140" in page and "party.png" in page
    db.session.refresh(p)
    assert p.status == "active" and p.next_report_due_on is not None


def test_bad_figures_and_a_fake_photo_are_refused_keeping_the_rest(app, client):
    cast = Cast()
    p = proposal_in("active", cast)
    login(client, cast.representative.email)
    response = _send(
        client,
        p,
        {"report_text": "Kept text", "participants": "-3", "volunteer_hours": "many"},
        files=[(PNG, "good.png"), (b"%PDF-1.4 not a photo", "fake.png")],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kept text" in page
    assert "Enter a whole number from 0 to 10,000,000." in page
    assert "fake.png" in page and "not a photo" in page
    # The good photo is kept, listed with its id so it is not chosen again.
    kept = db.session.scalars(db.select(Attachment)).one()
    assert kept.original_name == "good.png" and kept.linked_id is None
    assert f'name="photo_ids" value="{kept.id}"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(MonitoringReport)) == 0

    response = _send(client, p, {"report_text": "Kept text", "photo_ids": str(kept.id)})
    assert response.status_code == 302
    report = db.session.scalars(db.select(MonitoringReport)).one()
    db.session.refresh(kept)
    assert kept.linked_id == report.id and not report.photos_public


def test_a_damaged_photo_is_refused_keeping_the_report(app, client):
    cast = Cast()
    p = proposal_in("active", cast)
    login(client, cast.representative.email)
    damaged = PNG[: len(PNG) // 2]  # the right first bytes, half an image
    response = _send(
        client,
        p,
        {"report_text": "Kept text", "publish_photos": "y"},
        files=[(damaged, "half.png")],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Kept text" in page
    assert "half.png: The photo cannot be read" in page
    assert 'name="publish_photos" checked' in page or "checked" in re.search(
        r'<input[^>]*name="publish_photos"[^>]*>', page
    ).group(0)
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_a_report_needs_its_text(app, client):
    cast = Cast()
    p = proposal_in("active", cast)
    login(client, cast.representative.email)
    response = _send(client, p, {"report_text": " ", "participants": "4"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Say what was done." in page and 'value="4"' in page


def test_only_the_representative_of_an_active_pact_reports(app, client):
    cast = Cast()
    p = proposal_in("active", cast)
    login(client, cast.member.email)
    assert client.get(f"/proposals/{p.id}/report").status_code == 403
    other = app.test_client()
    draft = proposal_in("co_design", cast)
    login(other, cast.representative.email)
    assert other.get(f"/proposals/{draft.id}/report").status_code == 403
