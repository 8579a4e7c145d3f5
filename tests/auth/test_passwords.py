"""The password policy: one rule (commons.auth.passwords.password_problem) for the forms and CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commons.auth.models import User
from commons.auth.passwords import (
    COMMON_PASSWORDS_FILE,
    MIN_LENGTH,
    common_passwords,
    password_problem,
)
from commons.extensions import db
from tests.conftest import login, post_form
from tests.factories import PASSWORD

MOST_USED = "among the most used"
GUESSABLE = "Add another word or two"


def test_the_shipped_list_says_where_it_comes_from_and_holds_long_breached_passwords():
    text = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8")
    assert text.startswith("#") and "zxcvbn" in text.splitlines()[1]
    listed = common_passwords()
    assert len(listed) > 1000
    assert {"password1234", "qwertyuiop", "1qaz2wsx3edc", "password123"} <= listed
    assert all(len(p) >= MIN_LENGTH for p in listed)  # shorter ones fail on length anyway


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short one", "Use at least 10 characters."),
        ("password1234", MOST_USED),
        ("PassWord1234", MOST_USED),  # the list is compared without case
        ("qwertyuiop", MOST_USED),
        ("aaaaaaaaaaaaaa", "Repeated characters"),
        ("abcdefghijklmn", "Sequences such as"),
        ("asdfghjkl;'", "Rows of neighbouring keys"),
        ("december 2024", GUESSABLE),
    ],
)
def test_weak_passwords_are_refused_saying_why(app, password, says):
    with app.test_request_context():
        problem = password_problem(password, email="anna@example.org", full_name="Anna Verdi")
    assert problem is not None and says in problem


def test_zxcvbn_is_given_the_name_and_e_mail(app):
    """A disguised name (l33t) passes the plain substring checks but not zxcvbn's user inputs."""
    with app.test_request_context():
        assert password_problem("g1u5epp3g4rib4ld1") is None
        problem = password_problem(
            "g1u5epp3g4rib4ld1", email="gg@example.org", full_name="Giuseppe Garibaldi"
        )
    assert problem is not None and "your name or e-mail" in problem


@pytest.mark.parametrize("password", [PASSWORD, "a long walk in the park", "granite-swallow-36"])
def test_good_passwords_pass(app, password):
    with app.test_request_context():
        assert password_problem(password, email="anna@example.org", full_name="Anna") is None


def test_the_italian_reason(app):
    with app.test_request_context(headers={"Accept-Language": "it"}):
        problem = password_problem("password1234")
    assert "più usate" in problem


def _register(client, password):
    data = {
        "full_name": "Maria Rossi",
        "email": "maria@example.org",
        "locale": "en",
        "privacy": "y",
        "notice_version": "0",
    }
    return post_form(client, "/register", {**data, "password": password, "confirm": password})


def test_register_refuses_password1234(client):
    response = _register(client, "password1234")
    assert response.status_code == 422
    assert MOST_USED in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "maria@example.org")) is None


def test_password_change_applies_the_same_rule(client, make):
    make.user(email="anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    response = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "password1234", "confirm": "password1234"},
    )
    assert response.status_code == 422
    assert MOST_USED in response.get_data(as_text=True)


def test_administrator_form_applies_the_same_rule(client, make):
    make.user("admin", email="admin@example.org")
    login(client, "admin@example.org", PASSWORD)
    response = post_form(
        client,
        "/admin/users/new",
        {
            "full_name": "Luca Neri",
            "email": "luca@example.org",
            "password": "abcdefghijklmn",
            "roles": ["citizen"],
        },
    )
    assert response.status_code == 422
    assert "Sequences such as" in response.get_data(as_text=True)


def test_cli_user_creation_applies_the_same_rule(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "x@example.org", "--name", "X Y", "--role", "admin"]
        + ["--password-stdin"],
        input="password1234\n",
    )
    assert result.exit_code != 0
    assert MOST_USED in result.output
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None
    result = runner.invoke(
        args=["users", "create", "--email", "x@example.org", "--name", "X Y", "--role", "admin"]
        + ["--password-stdin"],
        input="a long walk in the park\n",
    )
    assert result.exit_code == 0, result.output
