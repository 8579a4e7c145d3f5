"""can(): per role and per object."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from commons.auth.models import Role
from commons.auth.operations import add_member
from commons.auth.permissions import can
from commons.extensions import db


def test_unknown_action_is_an_error(app):
    with pytest.raises(KeyError):
        can(AnonymousUserMixin(), "launch.rockets")


def test_role_rules(app, make):
    anonymous = AnonymousUserMixin()
    citizen, officer, admin = make.user(), make.user(Role.OFFICER), make.user(Role.ADMIN)
    assert can(anonymous, "commons.view")
    assert not can(anonymous, "commons.edit")
    assert not can(citizen, "commons.edit") and can(officer, "commons.edit")
    assert can(admin, "admin.users") and not can(officer, "admin.users")
    assert can(citizen, "proposal.create") and not can(anonymous, "proposal.create")


def test_proponent_sees_only_their_own_private_parts(app, make):
    member, stranger, officer = make.user(), make.user(), make.user(Role.OFFICER)
    group = make.group()
    add_member(group, full_name=member.full_name, email=member.email)
    db.session.commit()
    proposal = make.proposal(group)
    rep = group.representative
    # A draft is the proponents' alone.
    assert can(rep, "proposal.view", proposal) and can(member, "proposal.view", proposal)
    assert not can(stranger, "proposal.view", proposal)
    assert not can(officer, "proposal.view_private", proposal)
    assert can(rep, "proposal.edit", proposal) and not can(member, "proposal.edit", proposal)
    # Once submitted, anyone reads the public summary; private parts stay with
    # proponents and staff.
    proposal.status = "co_design"  # test set-up only: real changes go through workflows.fire
    assert can(AnonymousUserMixin(), "proposal.view", proposal)
    assert can(member, "proposal.view_private", proposal)
    assert can(officer, "proposal.view_private", proposal)
    assert not can(stranger, "proposal.view_private", proposal)
    assert not can(AnonymousUserMixin(), "proposal.view_private", proposal)
    assert not can(rep, "proposal.edit", proposal)


def test_deactivated_user_may_nothing(app, make):
    officer = make.user(Role.OFFICER)
    officer.active = False
    assert not can(officer, "commons.edit")
