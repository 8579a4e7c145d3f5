"""Signed pacts made once per module and copied for each test that reads them.

A module that sets ``SIGNED_PACTS`` (default 1) and asks for ``signed`` gets
``(cast, pact, ...)`` read from a fresh copy of its database; its tests run on that copy
when the module points ``app`` at ``signed_app``. Approving and signing a pact prints two
PDFs, some 2 seconds: made once, not once a test.
"""

from __future__ import annotations

import pytest

from commons.extensions import db
from commons.proposals.models import Proposal
from tests.conftest import app_on_copy, snapshot
from tests.workflows.scenario import Cast, approve_and_sign, proposal_in


def _signer(count: int):
    def sign(app) -> dict:
        cast = Cast()
        pacts = []
        for _ in range(count):
            p = proposal_in("legal_review", cast)
            approve_and_sign(cast, p)
            pacts.append(p.id)
        return {"cast": cast.ids(), "pacts": pacts}

    return sign


@pytest.fixture(scope="module")
def signed_settings() -> dict:
    """Settings the module's pacts are signed and read with; a module may override it (the
    sealed pacts of test_seal.py are signed with a seal configured)."""
    return {}


@pytest.fixture(scope="module")
def signed_snapshot(request, database_url, signed_settings):
    count = getattr(request.module, "SIGNED_PACTS", 1)
    label = "signed_" + request.module.__name__.rsplit(".", 1)[-1]
    with snapshot(label, _signer(count), **signed_settings) as made:
        yield {**made, "settings": signed_settings}


@pytest.fixture
def signed_app(signed_snapshot):
    """The app on a fresh copy of the module's signed pacts."""
    with app_on_copy(signed_snapshot, **signed_snapshot["settings"]) as app:
        yield app


@pytest.fixture
def signed(signed_app, signed_snapshot) -> tuple:
    """(cast, pact, ...) read from the copy."""
    ids = signed_snapshot["result"]
    return (Cast.read(ids["cast"]), *(db.session.get(Proposal, i) for i in ids["pacts"]))
