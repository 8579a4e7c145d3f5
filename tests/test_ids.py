"""An id in an address that no row can have answers 404, never a database error."""

from __future__ import annotations

import pytest

from tests.conftest import login

# Beyond every integer column: SQLite and PostgreSQL BIGINT stop at 2**63 - 1.
HUGE = [2**63, 10**30]
# Within 64 bits but beyond PostgreSQL's INTEGER, the type of the id columns.
BEYOND_INTEGER = [2**31, 2**63 - 1]


@pytest.mark.parametrize("number", HUGE + BEYOND_INTEGER)
@pytest.mark.parametrize(
    "address",
    [
        "/pacts/{n}",
        "/commons/{n}",
        "/proposals/{n}",
        "/proposals/{n}/pact",
        "/api/v1/proposals/{n}",
        "/api/v1/commons/{n}",
    ],
)
def test_an_id_out_of_range_is_not_found(app, client, make, address, number):
    response = client.get(address.format(n=number))
    assert response.status_code == 404


def test_an_id_out_of_range_behind_a_login_is_not_found(app, client, make):
    from commons.auth.models import Role

    make.user(Role.OFFICER, email="officer@example.org")
    login(client, "officer@example.org")
    for number in HUGE + BEYOND_INTEGER:
        assert client.get(f"/groups/{number}").status_code == 404
        assert client.post(f"/notifications/{number}/read").status_code == 404
