"""A co-design meeting's minutes file: stored through uploads, linked, hashed, served to few."""

from __future__ import annotations

import hashlib
import io
import re

from commons.audit.models import AuditEvent
from commons.extensions import db
from commons.proposals.models import CoDesignMeeting
from commons.uploads import operations as uploads
from commons.uploads.models import Attachment
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, proposal_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"minutes " * 50


def _post_meeting(client, p, data: dict, file=None):
    case = f"/proposals/{p.id}"
    form = {"csrf_token": csrf_token(client, case), **data}
    if file is not None:
        form["minutes_file"] = (io.BytesIO(file[0]), file[1])
    return client.post(f"{case}/meetings", data=form, content_type="multipart/form-data")


def _meetings(p) -> list[CoDesignMeeting]:
    return db.session.scalars(
        db.select(CoDesignMeeting)
        .where(CoDesignMeeting.proposal_id == p.id)
        .order_by(CoDesignMeeting.id)
    ).all()


def test_a_meeting_with_a_minutes_file_links_it_and_records_its_hash(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast, pact_type="complex")
    p.meetings[0].minutes = ""  # the scenario's meeting has no minutes of its own here
    db.session.commit()
    login(client, cast.officer.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert 'type="file" id="meeting-minutes_file" name="minutes_file"' in page
    assert "A complex pact needs at least one co-design meeting with minutes." in page

    response = _post_meeting(
        client, p, {"held_on": "2026-11-10", "attendees": "Olga, Rita"}, (PDF, "verbale 10-11.pdf")
    )
    assert response.status_code == 302
    meeting = _meetings(p)[-1]
    attachment = db.session.scalars(db.select(Attachment)).one()
    assert attachment.purpose == "minutes" and attachment.linked_id == meeting.id
    assert attachment.proposal_id == p.id and attachment.original_name == "verbale 10-11.pdf"
    assert uploads.path_of(attachment).read_bytes() == PDF
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.trigger == "meeting_recorded")
    ).one()
    assert event.payload["minutes_file"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert event.payload["with_minutes"] is True

    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    link = f'<a href="/attachments/{attachment.id}">verbale 10-11.pdf</a>'
    assert page.count(link) == 2  # under the meeting, and in the history
    # The file counts as the meeting's minutes: only the draft's own conditions remain.
    assert "A complex pact needs at least one co-design meeting with minutes." not in page

    proponent = app.test_client()
    login(proponent, cast.representative.email)
    download = proponent.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF


def test_a_refused_file_says_why_and_keeps_what_was_typed(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    login(client, cast.officer.email)
    before = len(_meetings(p))
    response = _post_meeting(
        client,
        p,
        {"held_on": "2026-11-10", "attendees": "Olga, Rita", "minutes": "We agreed the plan."},
        (b"plain text pretending to be a PDF", "minutes.pdf"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="meeting-minutes_file-error"' in page and "not a PDF, JPEG or PNG" in page
    assert 'value="2026-11-10"' in page and 'value="Olga, Rita"' in page
    assert "We agreed the plan.</textarea>" in page
    assert len(_meetings(p)) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_an_accepted_file_is_kept_while_the_date_is_corrected(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    login(client, cast.officer.email)
    response = _post_meeting(client, p, {"held_on": "last Tuesday"}, (PDF, "minutes.pdf"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter the date of the meeting" in page
    assert "Kept: minutes.pdf" in page
    kept_id = re.search(r'name="minutes_file_id" value="(\d+)"', page).group(1)
    response = _post_meeting(client, p, {"held_on": "2026-11-10", "minutes_file_id": kept_id})
    assert response.status_code == 302
    attachment = db.session.scalars(db.select(Attachment)).one()  # not stored twice
    assert str(attachment.id) == kept_id and attachment.linked_id == _meetings(p)[-1].id


def test_the_minutes_file_is_not_served_to_others(app, client, make):
    cast = Cast()
    p = proposal_in("co_design", cast)
    login(client, cast.officer.email)
    _post_meeting(client, p, {"held_on": "2026-11-10"}, (PDF, "minutes.pdf"))
    attachment = db.session.scalars(db.select(Attachment)).one()
    url = f"/attachments/{attachment.id}"
    stranger = app.test_client()
    login(stranger, make.user().email)
    assert stranger.get(url).status_code == 403
    public_page = stranger.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert url not in public_page and "minutes.pdf" not in public_page
    assert app.test_client().get(url).status_code == 302  # anonymous: to the login page
