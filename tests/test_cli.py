"""The `commons` command: users, demo city."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from commons.auth.models import Role, User
from commons.db import Base
from commons.demo import COMMONS, GROUPS, USERS
from commons.extensions import db
from commons.proposals.models import Proposal
from commons.registry.models import Commons
from tests.conftest import login


def test_users_create_with_password_on_stdin(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Legal@Example.org",
            "--name",
            "Giulia Romano",
            "--role",
            "legal",
            "--role",
            "citizen",
            "--password-stdin",
        ],
        input="granite swallow river\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "legal@example.org"))
    assert user.roles == {Role.LEGAL, Role.CITIZEN}
    listing = runner.invoke(args=["users", "list"])
    assert "legal@example.org" in listing.output and "citizen,legal" in listing.output


def test_users_create_refuses_clearly(runner, make):
    make.user(email="taken@example.org")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "taken@example.org",
            "--name",
            "X",
            "--role",
            "officer",
            "--password-stdin",
        ],
        input="granite swallow river\n",
    )
    assert result.exit_code == 1
    assert "already exists" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "new@example.org",
            "--name",
            "X",
            "--role",
            "officer",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert result.exit_code == 1 and "at least 10 characters" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "new@example.org",
            "--name",
            "X",
            "--role",
            "mayor",
            "--password-stdin",
        ],
        input="x\n",
    )
    assert result.exit_code == 2


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.xdist_group("demo")
def test_demo_loads_once_and_its_logins_work(demo_app, demo_snapshot):
    # `commons demo` on an empty database, run once per worker (demo_snapshot: it exited 0);
    # demo_app is a copy of what it made.
    first = demo_snapshot["output"]
    assert "Demo city loaded: " in first, first
    app, runner = demo_app, demo_app.test_cli_runner()
    assert _count(Commons) == len(COMMONS) >= 30
    assert _count(User) == len(USERS)
    assert _count(Proposal) >= 5
    assert _count(Base.metadata.tables["proponent_groups"]) == len(GROUPS) == 10
    # Commons are laid out like a real city: coordinates in a compact area, several districts.
    lats = [c[5] for c in COMMONS]
    assert max(lats) - min(lats) < 0.1
    assert len({c[3] for c in COMMONS}) >= 5
    # Proposals in every state of the default profile, reached by firing real transitions.
    import workflows
    from commons.audit.operations import verify_chain

    states = set(db.session.scalars(select(Proposal.status)))
    assert states == set(workflows.get_profile("labsus").states)
    assert verify_chain().ok
    second = runner.invoke(args=["demo"])
    assert "already loaded" in second.output
    assert _count(Commons) == len(COMMONS) and _count(User) == len(USERS)
    for email, _name, roles, password in USERS:
        assert email in second.output and password in second.output
        client = app.test_client()
        assert login(client, email, password).status_code == 302, email
        if Role.ADMIN in roles:
            assert client.get("/admin/users").status_code == 200
        if Role.OFFICER in roles:
            assert client.get("/commons/new").status_code == 200


def test_workflow_diagram_and_check(runner):
    result = runner.invoke(args=["workflow", "diagram"])
    assert result.exit_code == 0
    assert result.output.startswith("stateDiagram-v2")
    assert "[*] --> draft" in result.output and "political_approval" in result.output
    simplified = runner.invoke(args=["workflow", "diagram", "--profile", "simplified"])
    assert "political_approval" not in simplified.output
    unknown = runner.invoke(args=["workflow", "diagram", "--profile", "atlantis"])
    assert unknown.exit_code == 1 and "unknown profile 'atlantis'" in unknown.output
    check = runner.invoke(args=["workflow", "check"])
    assert "labsus: 20 states" in check.output and "simplified: 18 states" in check.output


def test_every_area_command_is_registered(app):
    """Each area defines its commands in its own cli.py; the app's command has them all."""
    commands = app.cli.list_commands(None)
    assert set(commands) >= {
        "audit",
        "demo",
        "import",
        "init",
        "notifications",
        "pacts",
        "tick",
        "uploads",
        "users",
        "workflow",
    }
    subcommands = {
        name: sorted(app.cli.get_command(None, name).commands)
        for name in ("audit", "import", "notifications", "pacts", "uploads", "users", "workflow")
    }
    assert subcommands == {
        "audit": ["export", "verify", "verify-bundle", "worker"],
        "import": ["register", "undo"],
        "notifications": ["send"],
        "pacts": ["list", "render", "seal-certificate", "trust-roots", "verify"],
        "uploads": ["clean"],
        "users": ["create", "list"],
        "workflow": ["check", "diagram"],
    }


def test_commands_say_a_bad_now_clearly(runner):
    """--now is parsed the same way by every command that takes it (commons/cliutils.py)."""
    for args in (["tick"], ["notifications", "send"], ["uploads", "clean"]):
        result = runner.invoke(args=[*args, "--now", "yesterday"])
        assert result.exit_code == 2, (args, result.output)
        assert "use ISO 8601, e.g. 2026-11-21T09:00:00+01:00" in result.output
