"""Factories that create objects through the real operations, with sensible defaults."""

from __future__ import annotations

import itertools

from commons.auth import operations as auth_ops
from commons.auth.models import Role
from commons.extensions import db
from commons.proposals import operations as proposal_ops
from commons.registry import operations as registry_ops

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def user(
    *roles: Role | str,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    locale: str | None = None,
):
    n = next(_seq)
    created = auth_ops.create_user(
        email=email or f"user{n}@example.org",
        full_name=name or f"Test Person {n}",
        password=password,
        roles=roles or (Role.CITIZEN,),
        locale=locale,
    )
    db.session.commit()
    return created


def commons(**overrides):
    n = next(_seq)
    values = {
        "name": f"Garden {n}",
        "kind": "garden",
        "address": f"Via Roma {n}",
        "district": "Centro",
        "neighbourhood": "Duomo",
        "latitude": 44.49,
        "longitude": 11.34,
        "availability": "available",
    }
    values.update(overrides)
    created = registry_ops.create_commons(**values)
    db.session.commit()
    return created


def group(representative=None, **overrides):
    representative = representative or user()
    values = {"name": f"Friends of the garden {next(_seq)}", "kind": "informal_group"}
    values.update(overrides)
    created = auth_ops.create_group(representative=representative, **values)
    db.session.commit()
    return created


def proposal(group_=None, **overrides):
    group_ = group_ or group()
    values = {
        "title": f"Care of garden {next(_seq)}",
        "objectives": "Keep it clean.",
        "activities": "Weekly clean-up.",
        "requested_duration_months": 12,
        "commons": [commons()],
    }
    values.update(overrides)
    created = proposal_ops.create_draft(
        representative=group_.representative, group=group_, **values
    )
    db.session.commit()
    return created
