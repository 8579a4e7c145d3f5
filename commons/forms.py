"""Helpers shared by the forms of every area."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from wtforms import SelectChoice

from commons.errors import DomainError


def attach_error(form, error: DomainError) -> None:
    """Show a domain error next to the field it names, else at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def render_form(template: str, form, **context):
    """Render a form page; 422 when it carries errors so clients can tell."""
    status = 422 if form.errors or form.form_errors else 200
    return render_template(template, form=form, **context), status


def strip(value):
    """WTForms filter: trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


def error_summary_title() -> str:
    return _("There is a problem")


def choices(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]
