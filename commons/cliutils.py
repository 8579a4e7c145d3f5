"""What the per-area ``cli.py`` modules share."""

from __future__ import annotations

from datetime import UTC, datetime

import click


def parse_now(value: str | None):
    """The time given by a command's --now option (ISO 8601, naive is UTC), or now."""
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2026-11-21T09:00:00+01:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
