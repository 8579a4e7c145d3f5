"""Factories that create objects through the real operations, with sensible defaults."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from commons import demo
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
        # The strength rule (zxcvbn, some 6 ms an account) is tested through the forms and the
        # API (tests/auth); the factories' password passes it (tests/test_factories.py).
        check_strength=False,
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


def proposal(group_=None, *, state: str = "draft", officer=None, legal=None, **overrides):
    """A proposal of ``group_`` (a new group by default) in ``state`` of the labsus profile.

    It gets there as a real one does: every transition fired through the engine
    (``workflows.fire``) by the person it needs, on the dated path the demo city takes to that
    state (``commons.demo.PATHS``), starting as many days ago as the demo's does, so its
    clocks, documents, signatures and audit events are all real. ``officer`` and ``legal``
    default to new users with those roles; ``make.proposal(state="active")``.
    """
    group_ = group_ or group()
    start = None
    if state != "draft":
        if state not in demo.PATHS:
            known = ", ".join(["draft", *sorted(demo.PATHS)])
            raise ValueError(f"no path to {state!r}; known states: {known}")
        pact_type, days_ago = _DEMO_START[state]
        overrides.setdefault("pact_type", pact_type)
        start = datetime.now(UTC) - timedelta(days=days_ago)
    values = {
        "title": f"Care of garden {next(_seq)}",
        "objectives": "Keep it clean.",
        "activities": "Weekly clean-up.",
        "requested_duration_months": 12,
        "commons": [commons()],
    }
    values.update(overrides)
    if start is not None:
        values["now"] = start - timedelta(hours=2)  # written a little before it was submitted
    created = proposal_ops.create_draft(
        representative=group_.representative, group=group_, **values
    )
    if start is not None:
        people = {
            "officer": officer or user(Role.OFFICER),
            "legal": legal or user(Role.LEGAL),
            "rep": group_.representative,
        }
        passwords = defaultdict(lambda: PASSWORD)
        ended = demo.walk(created, demo.PATHS[state], people, passwords, start)
        if state in demo.SUCCESSOR_PATHS:
            (successor,) = created.successors
            demo.walk(successor, demo.SUCCESSOR_PATHS[state], people, passwords, ended)
            demo.hand_over(created)
    db.session.commit()
    return created


# State: (pact type, days ago its path starts) of the demo's proposal in that state.
_DEMO_START = {state: (kind, days) for _g, _t, kind, _c, state, days in demo.LIFECYCLE}


def photo(kind: str = "PNG", size: tuple[int, int] = (8, 6), **save) -> bytes:
    """A real image made with Pillow (its left quarter blue, the rest red), saved as ``kind``
    with ``save``'s options (exif=, pnginfo=, comment=...)."""
    import io

    from PIL import Image

    width, height = size
    image = Image.new("RGB", size, (200, 20, 20))
    image.paste((20, 20, 200), (0, 0, max(1, width // 4), height))
    out = io.BytesIO()
    image.save(out, kind, **save)
    return out.getvalue()
