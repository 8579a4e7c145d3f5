"""Helpers shared by the forms of every area."""

from __future__ import annotations

import logging

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from commons.errors import Conflict, DomainError
from commons.extensions import db

log = logging.getLogger(__name__)


def attach_error(form, error: DomainError) -> None:
    """Show a domain error next to the field it names, else at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


class FormTransaction:
    """The one way a view runs the domain operations of a submitted form.

    ::

        with FormTransaction(form) as saved:
            group = operations.new_group(...)
        if saved:
            flash(...)
            return redirect(...)
        return render_form(...)

    When the block ends normally the transaction is committed and the outcome is true. When an
    operation refuses with a DomainError, the transaction is rolled back, the message is shown next
    to the field it names (or at the top of the form), the error is kept in ``error`` and the
    outcome is false: the form is shown again with everything the user typed. Any other exception
    propagates (and the request's teardown rolls back).
    """

    def __init__(self, form) -> None:
        self.form = form
        self.ok = False
        self.error: DomainError | None = None

    def __enter__(self) -> FormTransaction:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            try:
                db.session.commit()
            except (StaleDataError, IntegrityError) as error:
                return self._conflict(error)
            self.ok = True
            return False
        if isinstance(exc, DomainError):
            db.session.rollback()
            self.error = exc
            attach_error(self.form, exc)
            return True
        if isinstance(exc, StaleDataError | IntegrityError):
            return self._conflict(exc)
        return False

    def _conflict(self, error: Exception) -> bool:
        """Someone saved the same thing first: say so, keep what was typed, answer 409."""
        db.session.rollback()
        log.info("form save refused as a conflict: %s", error)
        self.error = Conflict(
            _(
                "Someone else saved a change to this at the same moment, so yours was not "
                "saved. What you typed is kept below: check it against the current version "
                "and save again."
            )
        )
        self.form.conflict = True
        self.form.form_errors.append(self.error.message)
        return True

    def __bool__(self) -> bool:
        return self.ok


def form_status(form) -> int:
    """The status of a form page: 409 after a lost race, 422 with errors, else 200."""
    if form is None:
        return 200
    if getattr(form, "conflict", False):
        return 409
    return 422 if form.errors or form.form_errors else 200


def render_form(template: str, form, **context):
    """Render a form page; 422 when it carries errors so clients can tell."""
    return render_template(template, form=form, **context), form_status(form)


def strip(value):
    """WTForms filter: trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


def error_summary_title() -> str:
    return _("There is a problem")


def choices(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]
