"""FormTransaction: the one way views run a form's operations (commons/forms.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from commons.auth.forms import ProfileForm
from commons.errors import DomainError
from commons.extensions import db
from commons.forms import FormTransaction
from commons.registry.models import Commons


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Commons))


def _form(app):
    with app.test_request_context(method="POST"):
        return ProfileForm(meta={"csrf": False})


def test_a_block_that_ends_normally_is_committed(app):
    form = _form(app)
    with FormTransaction(form) as saved:
        from commons.registry import operations

        operations.create_commons(
            name="Kept garden", kind="garden", district="Centro", address="Via Roma 1"
        )
    assert saved and saved.error is None
    db.session.rollback()  # nothing pending is left to roll back: it was committed
    assert _count() == 1
    assert not form.form_errors


def test_a_refusal_is_rolled_back_and_shown_by_its_field(app):
    from commons.registry import operations

    form = _form(app)
    with FormTransaction(form) as saved:
        operations.create_commons(
            name="Lost garden", kind="garden", district="Centro", address="Via Roma 1"
        )
        raise DomainError("Full name is needed.", field="full_name")
    assert not saved
    assert saved.error.message == "Full name is needed."
    assert form.full_name.errors[-1] == "Full name is needed."
    assert _count() == 0


def test_a_refusal_without_a_field_goes_to_the_top_of_the_form(app):
    form = _form(app)
    with FormTransaction(form) as saved:
        raise DomainError("Something in the whole form is wrong.")
    assert not saved
    assert form.form_errors == ["Something in the whole form is wrong."]


def test_any_other_exception_propagates(app):
    form = _form(app)
    with pytest.raises(ZeroDivisionError), FormTransaction(form):
        1 / 0  # noqa: B018
