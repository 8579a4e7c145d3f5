"""Photos and plans on the information sheet of each commons a call offers: the office uploads
them (size-capped, type-sniffed, described), the public sees them on the call's page."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.auth.models import Role
from commons.calls.models import SheetFile
from commons.extensions import db
from commons.uploads.models import Attachment
from commons.uploads.operations import path_of
from tests.conftest import login, post_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _send(client, call, offer, content: bytes, name: str, description: str):
    url = f"/calls/{call.id}/sheets"
    data = {
        "offer": str(offer.id),
        "file": (io.BytesIO(content), name),
        "description": description,
    }
    return post_form(client, url, data)


def test_the_office_adds_photos_and_plans_and_the_public_sees_them(app, client, make, open_call):
    officer = make.user(Role.OFFICER)
    login(client, officer.email)
    offer = open_call.offers[0]
    page = client.get(f"/calls/{open_call.id}").get_data(as_text=True)
    assert "Photos and plans of the sheets" in page
    photo = _send(client, open_call, offer, PNG, "facade.png", "The facade seen from the square")
    assert photo.status_code == 302
    plan = _send(client, open_call, offer, PDF, "ground.pdf", "Ground floor, scale 1:100")
    assert plan.status_code == 302
    photo_file, plan_file = db.session.scalars(select(SheetFile).order_by(SheetFile.id)).all()
    assert photo_file.is_photo and not plan_file.is_photo
    assert photo_file.attachment.purpose == "call_sheet"
    assert photo_file.attachment.linked_id == offer.id

    public = app.test_client()
    page = public.get(f"/calls/{open_call.id}").get_data(as_text=True)
    photo_url = f"/calls/{open_call.id}/sheets/{photo_file.id}"
    assert re.search(rf'<img src="{photo_url}" alt="The facade seen from the square"', page), (
        "the photo is shown with its alternative text"
    )
    assert "Ground floor, scale 1:100" in page and "Photos and plans of the sheets" not in page
    image = public.get(photo_url)
    assert image.status_code == 200 and image.data == PNG
    assert image.mimetype == "image/png" and image.headers["X-Content-Type-Options"] == "nosniff"
    pdf = public.get(f"/calls/{open_call.id}/sheets/{plan_file.id}")
    assert pdf.data == PDF and pdf.headers["Content-Disposition"].startswith("attachment")
    offers = public.get(f"/api/v1/calls/{open_call.id}").get_json()["offers"]
    assert [(f["kind"], f["description"], f["url"]) for f in offers[0]["files"]] == [
        ("photo", "The facade seen from the square", photo_url),
        ("plan", "Ground floor, scale 1:100", f"/calls/{open_call.id}/sheets/{plan_file.id}"),
    ]
    added = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.trigger == "call_sheet_file_added")
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.payload["file"] for e in added] == ["facade.png", "ground.pdf"]

    # Removing a photo takes it off the page and deletes the file.
    stored = path_of(photo_file.attachment)
    removed = post_form(
        client,
        f"/calls/{open_call.id}/sheets/{photo_file.id}/delete",
        {},
        token_from=f"/calls/{open_call.id}/sheets",
    )
    assert removed.status_code == 302 and not stored.exists()
    assert public.get(photo_url).status_code == 404
    assert "The facade seen" not in public.get(f"/calls/{open_call.id}").get_data(as_text=True)


def test_a_file_that_is_not_a_photo_or_plan_too_large_or_undescribed_is_refused(
    app, client, make, open_call
):
    officer = make.user(Role.OFFICER)
    login(client, officer.email)
    offer = open_call.offers[1]
    disguised = _send(client, open_call, offer, b"MZ\x90\x00 a program", "photo.png", "A photo")
    text = disguised.get_data(as_text=True)
    assert disguised.status_code == 422 and "not a PDF, JPEG or PNG" in text
    assert 'value="A photo"' in text  # what was typed is kept
    app.config["MAX_UPLOAD_MB"] = 1
    big = PNG + b"\x00" * (1024 * 1024)
    too_large = _send(client, open_call, offer, big, "big.png", "A large photo")
    assert too_large.status_code == 422 and "too large" in too_large.get_data(as_text=True)
    undescribed = _send(client, open_call, offer, PNG, "photo.png", "  ")
    assert undescribed.status_code == 422
    assert "Describe the file" in undescribed.get_data(as_text=True)
    assert db.session.scalars(select(SheetFile)).all() == []
    assert db.session.scalars(select(Attachment)).all() == []


def test_only_the_office_changes_the_sheets(app, client, make, panel, open_call):
    chair, evaluator, second = panel
    citizen = make.user()
    login(client, citizen.email)
    assert client.get(f"/calls/{open_call.id}/sheets").status_code == 403
    refused = _send(client, open_call, open_call.offers[0], PNG, "p.png", "A photo")
    assert refused.status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(f"/calls/{open_call.id}/sheets").status_code == 302  # to log in
    assert db.session.scalars(select(SheetFile)).all() == []
