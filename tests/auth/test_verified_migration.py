"""The migration adding e-mail verification marks the accounts that existed as verified."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, inspect, text

from tests.test_migrations import _config, migration_url  # noqa: F401 - the fixture


def test_existing_accounts_are_verified_and_the_step_goes_back(migration_url):  # noqa: F811
    cfg = _config(migration_url)
    command.upgrade(cfg, "c0c4ec6b0001")  # the revision before account tokens
    engine = create_engine(migration_url)
    created = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, full_name, password_hash, session_token,"
                    " active, created_at, updated_at) VALUES (1, 'r@example.org', 'R', 'x',"
                    " 't', :yes, :at, :at)"
                ),
                {"yes": True, "at": created},
            )
        command.upgrade(cfg, "a11c0e7d0001")
        with engine.connect() as conn:
            verified = conn.execute(text("SELECT email_verified_at FROM users")).scalar_one()
        assert verified is not None
        assert "account_tokens" in inspect(engine).get_table_names()
        command.downgrade(cfg, "c0c4ec6b0001")
        engine.dispose()
        inspector = inspect(engine)
        assert "account_tokens" not in inspector.get_table_names()
        assert "email_verified_at" not in {c["name"] for c in inspector.get_columns("users")}
    finally:
        engine.dispose()
