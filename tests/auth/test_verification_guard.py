"""An account whose address is not confirmed may draft, but not submit or sign."""

from __future__ import annotations

import pytest

from commons.db import utcnow
from commons.extensions import db
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire
from workflows.errors import GuardRefused


def test_an_unverified_representative_cannot_submit_until_verified(app):
    cast = Cast()
    p = proposal_in("draft", cast)
    cast.representative.email_verified_at = None
    db.session.commit()
    with pytest.raises(GuardRefused) as refused:
        fire(p, "submit", cast.representative, now=NOW)
    assert "Confirm your e-mail address first" in refused.value.message
    assert cast.representative.email in refused.value.message
    db.session.rollback()
    assert p.status == "draft"
    cast.representative.email_verified_at = utcnow()
    fire(p, "submit", cast.representative, now=NOW)
    assert p.status == "submitted"


def test_an_unverified_representative_cannot_sign_until_verified(app):
    cast = Cast()
    p = proposal_in("awaiting_signatures", cast)
    cast.representative.email_verified_at = None
    db.session.commit()
    data = {"full_name": cast.representative.full_name, "consent": True}
    with pytest.raises(GuardRefused) as refused:
        fire(p, "sign", cast.representative, now=NOW, password="correct horse battery", **data)
    assert "Confirm your e-mail address first" in refused.value.message
    db.session.rollback()
    cast.representative.email_verified_at = utcnow()
    fire(p, "sign", cast.representative, now=NOW, password="correct horse battery", **data)
    assert p.status == "awaiting_signatures"  # the city signs next
