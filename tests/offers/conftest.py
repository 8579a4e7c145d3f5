"""A group with a representative and a member, two officers, a citizen who can help, and the
commons their posts are about."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from commons.auth.models import Role, User
from commons.auth.operations import add_member
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.registry.models import Commons
from tests.conftest import login, post_form


@dataclass
class People:
    rep: User
    member: User
    officer: User
    second_officer: User
    helper: User
    outsider: User
    group: ProponentGroup
    garden: Commons


@pytest.fixture
def people(app, make) -> People:
    rep = make.user(name="Rita Rossi", email="rita@example.org")
    member = make.user(name="Mario Bianchi", email="mario@example.org")
    group = make.group(rep, name="Amici del parco")
    add_member(group, full_name=member.full_name, email=member.email, user=member)
    db.session.commit()
    return People(
        rep=rep,
        member=member,
        officer=make.user(Role.OFFICER, name="Olga Officer"),
        second_officer=make.user(Role.OFFICER, name="Otto Officer"),
        helper=make.user(name="Carla Verdi", email="carla@example.org"),
        outsider=make.user(name="Ugo Estraneo"),
        group=group,
        garden=make.commons(name="Giardino dei tigli", district="Navile"),
    )


NEED = {
    "kind": "need",
    "category": "volunteers",
    "title": "Six volunteers for the spring clean-up",
    "description": "We clear the lawns and the paths; gloves are provided.",
    "quantity": "6 people",
    "timing": "Saturday 14 March, 9-12",
}


def post_need(client, commons_id: int, on_behalf, **changes):
    """The group's member posts a need about a commons through the form."""
    url = f"/offers/new?commons={commons_id}"
    data = {**NEED, "on_behalf": str(on_behalf), "commons_id": str(commons_id), **changes}
    return post_form(client, url, data, token_from=url)


def logged_in(app, user):
    client = app.test_client()
    login(client, user.email)
    return client
