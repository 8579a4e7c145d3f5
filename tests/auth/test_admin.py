"""User administration and who may reach it."""

from __future__ import annotations

from sqlalchemy import select

from commons.auth.models import Role, User
from commons.extensions import db
from tests.conftest import login, post_form
from tests.factories import PASSWORD


def test_citizen_gets_403_on_admin_pages(client, make):
    make.user(Role.CITIZEN, email="c@example.org")
    login(client, "c@example.org")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.get("/admin/users/1").status_code == 403


def test_staff_other_than_admin_get_403(app, make):
    for role in (Role.OFFICER, Role.LEGAL, Role.AUDITOR):
        make.user(role, email=f"{role.value}@example.org")
        client = app.test_client()
        login(client, f"{role.value}@example.org")
        assert client.get("/admin/users").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_admin_lists_filters_and_edits_roles(client, make):
    make.user(Role.ADMIN, email="admin@example.org")
    officer = make.user(Role.CITIZEN, email="paolo@example.org", name="Paolo Neri")
    login(client, "admin@example.org")
    page = client.get("/admin/users?q=paolo").get_data(as_text=True)
    assert "Paolo Neri" in page and "admin@example.org" not in page
    response = post_form(
        client, f"/admin/users/{officer.id}", {"roles": ["officer", "citizen"], "active": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, officer.id).roles == {Role.OFFICER, Role.CITIZEN}
    page = client.get("/admin/users?role=officer").get_data(as_text=True)
    assert "Paolo Neri" in page


def test_admin_creates_user_with_clear_errors(client, make):
    make.user(Role.ADMIN, email="admin@example.org")
    login(client, "admin@example.org")
    response = post_form(
        client,
        "/admin/users/new",
        {
            "full_name": "Legal Person",
            "email": "admin@example.org",
            "password": "granite swallow river",
            "roles": ["legal"],
        },
    )
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    response = post_form(
        client,
        "/admin/users/new",
        {
            "full_name": "Legal Person",
            "email": "legal@example.org",
            "password": "granite swallow river",
            "roles": ["legal"],
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "legal@example.org"))
    assert user.roles == {Role.LEGAL}


def test_deactivating_a_user_ends_their_sessions(app, make):
    make.user(Role.ADMIN, email="admin@example.org")
    target = make.user(email="anna@example.org")
    admin, anna = app.test_client(), app.test_client()
    login(admin, "admin@example.org")
    login(anna, "anna@example.org")
    assert anna.get("/account").status_code == 200
    post_form(admin, f"/admin/users/{target.id}", {"roles": ["citizen"]})  # active unticked
    assert anna.get("/account").status_code == 302
    assert login(anna, "anna@example.org", PASSWORD).status_code == 422


def test_admin_cannot_lock_themselves_out(client, make):
    admin = make.user(Role.ADMIN, email="admin@example.org")
    login(client, "admin@example.org")
    response = post_form(client, f"/admin/users/{admin.id}", {"roles": ["citizen"], "active": "y"})
    assert response.status_code == 422
    assert "cannot remove your own administrator role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert Role.ADMIN in db.session.get(User, admin.id).roles
