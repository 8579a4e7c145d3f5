"""Refusals that name a date write it as every page does, in the reader's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from commons.extensions import db
from tests.workflows.scenario import NOW, Cast, data_for, proposal_in
from workflows import GuardRefused, fire


@pytest.mark.parametrize(("language", "written"), [("en", "1 July 2026"), ("it", "01/07/2026")])
def test_a_pending_withdrawal_is_refused_with_its_date(app, language, written):
    cast = Cast()
    pact = proposal_in("active", cast)
    fire(pact, "withdraw", cast.representative, now=NOW, **data_for("withdraw", None))
    db.session.commit()
    with app.test_request_context(), force_locale(language):
        with pytest.raises(GuardRefused) as refused:
            fire(
                pact,
                "withdraw",
                cast.representative,
                now=NOW + timedelta(days=1),
                **data_for("withdraw", None),
            )
    assert written in refused.value.message
    assert "2026-07-01" not in refused.value.message
