"""``commons impact check``: the shipped frameworks pass; a broken file is refused naming the
file and the key, and the command exits non-zero."""

from __future__ import annotations

from pathlib import Path

import pytest

from commons.impact.framework import FRAMEWORKS_DIR

DEFAULT = (FRAMEWORKS_DIR / "default.toml").read_text()


def test_the_shipped_frameworks_pass(runner):
    result = runner.invoke(args=["impact", "check"])
    assert result.exit_code == 0, result.output
    assert "default.toml: default version 2, 6 indicators: OK" in result.output
    assert "default-1.toml: default version 1, 3 indicators: OK" in result.output


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'id = "meetings"\ntype = "count"',
            'id = "meetings"\ntype = "headcount"',
            "default.toml: indicators.meetings.type: unknown type 'headcount'",
        ),
        (
            'labels = { en = "Partner organisations", it = "Organizzazioni partner" }',
            'labels = { en = "Partner organisations" }',
            "default.toml: indicators.partner_organisations.labels: no label in it",
        ),
        (
            'breakdowns = ["gender"]',
            'breakdowns = ["income"]',
            "default.toml: indicators.volunteer_hours.breakdowns: unknown name 'income'",
        ),
        (
            'states = ["active", "renewal_review", "renewal_granted"]',
            'states = ["active", "on_holiday"]',
            "default.toml: indicators.area_restored.states: unknown name 'on_holiday'",
        ),
        (
            "max = 10_000\n",
            "min = 50\nmax = 10\n",
            "default.toml: indicators.partner_organisations.max: is below min",
        ),
        ("version = 2", "version = 0", "default.toml: version: must be a whole number"),
    ],
)
def test_a_broken_framework_is_refused_naming_file_and_key(
    runner, tmp_path: Path, old, new, message
):
    assert old in DEFAULT
    (tmp_path / "default.toml").write_text(DEFAULT.replace(old, new, 1))
    result = runner.invoke(args=["impact", "check", str(tmp_path / "default.toml")])
    assert result.exit_code != 0
    assert message in result.output
    assert "1 of 1 framework files refused" in result.output


def test_two_files_with_the_same_version_are_refused(runner, tmp_path: Path):
    (tmp_path / "a.toml").write_text(DEFAULT)
    (tmp_path / "b.toml").write_text(DEFAULT)
    result = runner.invoke(args=["impact", "check", str(tmp_path)])
    assert result.exit_code != 0
    assert "b.toml: version: default version 2 is also in a.toml" in result.output
