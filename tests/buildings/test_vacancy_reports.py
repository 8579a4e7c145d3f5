"""Reports of empty places: a citizen reports one with a photo and a position, the office lists
it as a vacant commons of the register or declines it with a reason the reporter is told; only
the office moderates, and a form sent back keeps what was typed (the photo too)."""

from __future__ import annotations

import io

from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.auth.models import Role
from commons.extensions import db
from commons.notifications.models import Notification
from commons.registry.models import Commons, VacancyReport
from tests import factories
from tests.conftest import csrf_token, login

REPORT = {
    "address": "Via del Lavoro 12",
    "latitude": "44,5012",
    "longitude": "11.3561",
    "place_kind": "building",
    "description": "A closed cinema: boarded doors, posters from 2019.",
    "empty_for": "over_five_years",
}


def _logged_in(app, person):
    browser = app.test_client()
    login(browser, person.email)
    return browser


def _report(browser, data=REPORT, photo: bytes | None = None):
    form = {**data, "csrf_token": csrf_token(browser, "/commons/report-vacant")}
    if photo is not None:
        form["photo"] = (io.BytesIO(photo), "cinema.png")
    return browser.post("/commons/report-vacant", data=form, content_type="multipart/form-data")


def _pending(app, citizen):
    answer = _report(_logged_in(app, citizen), photo=factories.photo())
    assert answer.status_code == 302
    return db.session.scalars(select(VacancyReport)).one()


def test_a_reported_place_listed_by_the_office_is_vacant_on_the_register(app):
    citizen = factories.user(name="Carla Citizen")
    officer = factories.user(Role.OFFICER, name="Olga Officer")
    browser = _logged_in(app, citizen)
    register = browser.get("/commons/").get_data(as_text=True)
    assert 'href="/commons/report-vacant">Report an empty place' in register
    answer = _report(browser, photo=factories.photo())
    assert answer.status_code == 302
    page = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Your report is sent to the office" in page or "your report is sent" in page
    assert "Waiting for the office" in page and "More than five years" in page
    report = db.session.scalars(select(VacancyReport)).one()
    assert browser.get(f"/commons/vacancy-reports/{report.id}/photo").status_code == 200
    # Not public: someone else cannot read the report nor see its photo.
    stranger = _logged_in(app, factories.user())
    assert stranger.get(f"/commons/vacancy-reports/{report.id}").status_code == 403
    assert stranger.get(f"/commons/vacancy-reports/{report.id}/photo").status_code == 403
    assert app.test_client().get(f"/commons/vacancy-reports/{report.id}").status_code == 302

    office = _logged_in(app, officer)
    queue = office.get("/commons/vacancy-reports").get_data(as_text=True)
    assert "Via del Lavoro 12" in queue and "Carla Citizen" in queue
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "vacancy_to_moderate")
    ).one()
    assert told.recipient_role == "officer"
    page_url = f"/commons/vacancy-reports/{report.id}"
    answer = office.post(
        f"{page_url}/list",
        data={"csrf_token": csrf_token(office, page_url), "list-name": "Ex cinema Lavoro"},
    )
    assert answer.status_code == 302
    commons = db.session.scalars(select(Commons).where(Commons.name == "Ex cinema Lavoro")).one()
    assert answer.headers["Location"].endswith(f"/commons/{commons.id}")
    assert commons.kind == "building" and str(commons.latitude) == "44.501200"
    assert commons.dossier.is_vacant
    assert commons.dossier.reliability == {"vacant_since": "reported"}
    # Reported "more than five years" empty: vacant since at least five years before the report.
    reported_on = report.created_at.date()
    assert commons.dossier.vacant_since.year == reported_on.year - 5
    register = app.test_client().get("/commons/?vacant=1").get_data(as_text=True)
    assert "Ex cinema Lavoro" in register and "Vacant since" in register
    listed = db.session.scalars(
        select(Notification).where(
            Notification.kind == "vacancy_listed", Notification.recipient_id == citizen.id
        )
    ).one()
    assert "Ex cinema Lavoro" in listed.subject
    mine = browser.get("/commons/vacancy-reports").get_data(as_text=True)
    assert "Listed in the register" in mine
    triggers = db.session.scalars(
        select(AuditEvent.trigger)
        .where(AuditEvent.trigger != "user_created")
        .order_by(AuditEvent.seq)
    ).all()
    assert triggers[-4:] == [
        "vacancy_reported",
        "commons_created",
        "dossier_updated",
        "vacancy_listed",
    ]
    # Moderated: it leaves the queue, and a second decision is refused.
    assert "Via del Lavoro 12" not in office.get("/commons/vacancy-reports").get_data(as_text=True)
    late = office.post(
        f"{page_url}/decline",
        data={"csrf_token": csrf_token(office, page_url), "decline-reason": "Duplicate."},
    )
    assert late.status_code == 409
    assert "This report was already moderated: Olga Officer listed the place" in late.get_data(
        as_text=True
    )


def test_a_declined_report_tells_the_reporter_why(app):
    citizen = factories.user(name="Carla Citizen")
    report = _pending(app, citizen)
    office = _logged_in(app, factories.user(Role.OFFICER))
    page_url = f"/commons/vacancy-reports/{report.id}"
    token = csrf_token(office, page_url)
    empty = office.post(f"{page_url}/decline", data={"csrf_token": token, "decline-reason": " "})
    assert empty.status_code == 422
    assert "Say why the report is declined" in empty.get_data(as_text=True)
    answer = office.post(
        f"{page_url}/decline",
        data={"csrf_token": token, "decline-reason": "The building is already in use as a gym."},
    )
    assert answer.status_code == 302
    note = db.session.scalars(
        select(Notification).where(
            Notification.kind == "vacancy_declined", Notification.recipient_id == citizen.id
        )
    ).one()
    assert "already in use as a gym" in note.body
    page = _logged_in(app, citizen).get(page_url).get_data(as_text=True)
    assert "Declined" in page and "already in use as a gym" in page
    assert db.session.scalar(select(Commons.id)) is None


def test_only_the_office_moderates_a_report(app):
    citizen = factories.user()
    report = _pending(app, citizen)
    page_url = f"/commons/vacancy-reports/{report.id}"
    for person in (citizen, factories.user(Role.LEGAL), factories.user(Role.AUDITOR)):
        browser = _logged_in(app, person)
        token = csrf_token(browser, "/commons/vacancy-reports")
        assert "List the place" not in browser.get(page_url).get_data(as_text=True)
        answer = browser.post(f"{page_url}/list", data={"csrf_token": token, "list-name": "X"})
        assert answer.status_code == 403
    auditor = _logged_in(app, factories.user(Role.AUDITOR))
    assert auditor.get("/commons/report-vacant").status_code == 403
    db.session.expire_all()
    assert db.session.get(VacancyReport, report.id).status == "pending"


def test_bad_input_keeps_what_was_typed_and_the_photo(app):
    browser = _logged_in(app, factories.user())
    bad = {**REPORT, "description": "", "longitude": ""}
    answer = _report(browser, bad, photo=factories.photo())
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Describe the place" in page
    assert "Give both latitude and longitude, or neither." in page
    assert 'value="Via del Lavoro 12"' in page and 'value="44,5012"' in page
    assert "Photo kept: cinema.png" in page
    photo_id = page.split('name="photo_id" value="')[1].split('"')[0]
    not_a_photo = _report(browser, REPORT, photo=b"%PDF-1.4 not a photo")
    assert not_a_photo.status_code == 422
    assert "not a photo" in not_a_photo.get_data(as_text=True)
    assert db.session.scalar(select(VacancyReport.id)) is None
    answer = browser.post(
        "/commons/report-vacant",
        data={
            **REPORT,
            "photo_id": photo_id,
            "csrf_token": csrf_token(browser, "/commons/report-vacant"),
        },
    )
    assert answer.status_code == 302
    report = db.session.scalars(select(VacancyReport)).one()
    assert report.photo_id == int(photo_id) and report.photo.linked_id == report.id


def test_the_uploads_clean_up_keeps_a_reports_photo_and_drops_an_abandoned_one(app):
    from datetime import timedelta

    from commons.db import utcnow
    from commons.uploads.operations import clean_abandoned

    report = _pending(app, factories.user())
    browser = _logged_in(app, factories.user())
    assert _report(browser, {**REPORT, "address": ""}, photo=factories.photo()).status_code == 422
    later = utcnow() + timedelta(days=2)
    removed = clean_abandoned(later, step=db.session.commit)
    assert [purpose for _, purpose, _, _ in removed.attachments] == ["vacancy_photo"]
    db.session.expire_all()
    assert db.session.get(VacancyReport, report.id).photo is not None
