"""Vacancy reports: anyone logged in reports an empty or derelict place; the office lists it
as a commons (its dossier marked vacant) or declines it with a reason."""

from __future__ import annotations

import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from commons.auth.permissions import can, ensure
from commons.extensions import db
from commons.forms import FormTransaction, form_status
from commons.proposals.standing import city_today
from commons.registry import operations
from commons.registry.forms import (
    EMPTY_FOR_LABELS,
    KIND_LABELS,
    REPORT_STATUS_LABELS,
    DeclineVacancyForm,
    ListVacancyForm,
    VacancyReportForm,
)
from commons.registry.models import VacancyReport
from commons.registry.queries import (
    VACANCY_PHOTO,
    city_centre,
    pending_vacancy_photo,
    pending_vacancy_reports,
    vacancy_reports_of,
)
from commons.registry.views import registry_bp
from commons.transactions import commit_step
from commons.uploads import operations as uploads
from commons.uploads.views import serve


def _report_form() -> VacancyReportForm:
    form = VacancyReportForm()
    form.photo.description = _(
        "A JPEG or PNG image, at most %(mb)d MB. Only the office and you see it.",
        mb=current_app.config["MAX_UPLOAD_MB"],
    )
    return form


def _form_page(form: VacancyReportForm, photo, status: int = 200):
    return render_template(
        "registry/vacancy_form.html",
        form=form,
        photo=photo,
        map_centre=json.dumps(city_centre()),
        tile_url=current_app.config.get("TILE_URL") or "",
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
    ), status


@registry_bp.route("/report-vacant", methods=["GET", "POST"])
@login_required
def report_vacant():
    """Report an empty or derelict place. A photo accepted while other answers need
    correcting is kept (its id in the form), so nobody has to choose it again."""
    ensure("vacancy.report")
    form = _report_form()
    if request.method == "GET":
        return _form_page(form, None)
    photo = pending_vacancy_photo(request.form.get("photo_id"), owner=current_user)
    valid = form.validate_on_submit()
    chosen = request.files.get(form.photo.name)
    if valid or not form.csrf_token.errors:
        if chosen is not None and not uploads.is_empty(chosen):
            try:
                photo = uploads.save_upload(
                    chosen,
                    owner=current_user,
                    purpose=VACANCY_PHOTO,
                    field="photo",
                    images_only=True,
                )
            except uploads.UploadRejected as error:
                form.photo.errors = [error.message]
            else:
                commit_step()  # an accepted photo is kept even if the report needs correcting
    if not valid or form.photo.errors:
        return _form_page(form, photo, 422)
    with FormTransaction(form) as saved:
        report = operations.report_vacancy(
            reporter=current_user,
            description=form.description.data,
            address=form.address.data,
            place_kind=form.place_kind.data,
            latitude=form.latitude.value,
            longitude=form.longitude.value,
            empty_for=form.empty_for.data or None,
            photo=photo,
        )
    if not saved:
        return _form_page(form, photo, form_status(form))
    flash(
        _(
            "Thank you: your report is sent to the office, which checks the place. You will be "
            "told whether it is listed."
        ),
        "success",
    )
    return redirect(url_for("registry.vacancy_report", report_id=report.id))


def _load_report(report_id: int) -> VacancyReport:
    report = db.session.get(VacancyReport, report_id) or abort(404)
    ensure("vacancy.view", report)
    return report


def _report_page(
    report: VacancyReport,
    *,
    list_form: ListVacancyForm | None = None,
    decline_form: DeclineVacancyForm | None = None,
    problem: str | None = None,
    status: int = 200,
):
    if list_form is None:
        list_form = ListVacancyForm(prefix="list")
        if not list_form.is_submitted():
            list_form.name.data = report.address
    return render_template(
        "registry/vacancy_report.html",
        report=report,
        kinds=KIND_LABELS,
        empty_for_labels=EMPTY_FOR_LABELS,
        status_labels=REPORT_STATUS_LABELS,
        list_form=list_form,
        decline_form=decline_form or DeclineVacancyForm(prefix="decline"),
        moderator=can(current_user, "vacancy.moderate", report),
        problem=problem,
    ), status


@registry_bp.get("/vacancy-reports")
@login_required
def vacancy_reports():
    """The office's queue of pending reports (oldest first); anyone else, their own reports."""
    moderator = can(current_user, "vacancy.moderate")
    if not moderator:
        ensure("vacancy.report")
    reports = pending_vacancy_reports() if moderator else vacancy_reports_of(current_user)
    return render_template(
        "registry/vacancy_reports.html",
        reports=reports,
        moderator=moderator,
        kinds=KIND_LABELS,
        status_labels=REPORT_STATUS_LABELS,
    )


@registry_bp.get("/vacancy-reports/<int:report_id>")
@login_required
def vacancy_report(report_id: int):
    """A report's page, for the staff and for whoever reported the place."""
    return _report_page(_load_report(report_id))


@registry_bp.get("/vacancy-reports/<int:report_id>/photo")
@login_required
def vacancy_photo(report_id: int):
    """The report's photo: never public (it may show people or a private property)."""
    report = _load_report(report_id)
    if report.photo is None:
        abort(404)
    return serve(report.photo)


@registry_bp.post("/vacancy-reports/<int:report_id>/list")
@login_required
def list_vacancy(report_id: int):
    report = _load_report(report_id)
    ensure("vacancy.moderate", report)
    form = ListVacancyForm(prefix="list")
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            commons = operations.list_vacancy(
                report,
                actor=current_user,
                name=form.name.data,
                district=form.district.data,
                today=city_today(),
            )
        if saved:
            flash(_("%(name)s is listed in the register as a vacant place.", name=commons.name))
            return redirect(url_for("registry.detail", commons_id=commons.id))
        return _report_page(
            report, list_form=form, problem=saved.error.message, status=saved.status
        )
    return _report_page(report, list_form=form, status=form_status(form))


@registry_bp.post("/vacancy-reports/<int:report_id>/decline")
@login_required
def decline_vacancy(report_id: int):
    report = _load_report(report_id)
    ensure("vacancy.moderate", report)
    form = DeclineVacancyForm(prefix="decline")
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            operations.decline_vacancy(report, actor=current_user, reason=form.reason.data)
        if saved:
            flash(_("The report is declined: its reporter is told why."), "success")
            return redirect(url_for("registry.vacancy_reports"))
        return _report_page(
            report, decline_form=form, problem=saved.error.message, status=saved.status
        )
    return _report_page(report, decline_form=form, status=form_status(form))
