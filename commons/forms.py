"""Helpers shared by the forms of every area."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, SelectChoice

from commons.db import race_summary
from commons.errors import REFUSALS, Conflict, DomainError, StaleVersion
from commons.extensions import db
from commons.versioning import version_of

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

    With ``edited`` (a versioned row) and ``stored`` (that row -> {field name: value}), a
    save refused because someone else saved first also moves the form's ``base_version`` to
    the version now stored (the next save is made knowingly) and lists, field by field, what
    is stored now where it differs from what was typed (``form.stored_meanwhile``).
    """

    def __init__(self, form, *, edited=None, stored: Callable[[object], Mapping] | None = None):
        self.form = form
        self.edited = edited
        self.stored = stored
        self.ok = False
        self.error: DomainError | None = None

    def __enter__(self) -> FormTransaction:
        return self

    @property
    def status(self) -> int:
        """The status of the form page shown again: the refusal's (409 when it was done
        meanwhile), else the form's (422 with field errors)."""
        return self.error.status_code if self.error is not None else form_status(self.form)

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            try:
                db.session.commit()
            except (StaleDataError, IntegrityError) as error:
                return self._conflict(error)
            self.ok = True
            return False
        if isinstance(exc, REFUSALS):
            db.session.rollback()
            self.error = exc
            attach_error(self.form, exc)
            if isinstance(exc, StaleVersion):
                self._show_stored()
            return True
        if isinstance(exc, StaleDataError | IntegrityError):
            return self._conflict(exc)
        return False

    def _conflict(self, error: Exception) -> bool:
        """Someone saved the same thing first: say so, keep what was typed, answer 409."""
        db.session.rollback()
        log.info("form save refused as a conflict: %s", race_summary(error))
        self.error = Conflict(
            _(
                "Someone else saved a change to this at the same moment, so yours was not "
                "saved. What you typed is kept below: check it against the current version "
                "and save again."
            )
        )
        self.form.conflict = True
        self.form.form_errors.append(self.error.message)
        self._show_stored()
        return True

    def _show_stored(self) -> None:
        """After a lost race: the version now stored becomes the form's base, and what differs
        from the typed values is listed so the person can re-apply what they meant."""
        self.form.conflict = True
        if self.edited is None or not hasattr(self.form, "base_version"):
            return
        db.session.expire(self.edited)  # read what the other person saved
        self.form.base_version.data = str(version_of(self.edited))
        if self.stored is not None:
            self.form.stored_meanwhile = stored_meanwhile(self.form, self.stored(self.edited))

    def __bool__(self) -> bool:
        return self.ok


class VersionedForm:
    """A form that edits a versioned row: it carries the version it was loaded from.

    Mix it into the form class; on the page that shows the form call ``start_from(row)``; the
    view passes ``version()`` to the operation as ``base_version``.
    """

    # The version the values were read at: saving refuses when someone saved another since.
    base_version = HiddenField()

    def start_from(self, row) -> None:
        self.base_version.data = str(version_of(row))

    def version(self) -> int | None:
        """The version sent with the form; None when the page sent none; -1 when tampered
        with (refused as stale, never saved over another)."""
        raw = (self.base_version.data or "").strip()
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            return -1


def _shown(field, value) -> str:
    """A value as the form shows it: a choice by its label, lists joined, JSON compact."""
    if value is None:
        return ""
    labels = (
        {str(c[0]): str(c[1]) for c in field.iter_choices()}
        if getattr(field, "choices", None)
        else {}
    )
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(labels.get(str(v), str(v)) for v in sorted(value, key=str))
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return labels.get(str(value), str(value)).strip()


def _typed(field):
    """What was typed, as parsed by the field when it parses (coordinates, GeoJSON)."""
    for attr in ("parsed", "value"):
        if hasattr(field, attr):
            return getattr(field, attr)
    return field.data


def stored_meanwhile(form, stored: Mapping) -> list[tuple[str, str]]:
    """(field label, value stored now) for each field whose stored value is not what was
    typed; ``stored`` maps field names of ``form`` to the row's values."""
    rows = []
    for name, value in stored.items():
        field = form[name]
        now = _shown(field, value)
        if now != _shown(field, _typed(field)):
            rows.append((str(field.label.text), now or _("(empty)")))
    return rows


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
