"""``commons workflow check PATH``: a profile naming something that does not exist is refused,
saying the file, the transition or key, the unknown name and the known ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.guards import CONDITIONS, EFFECTS, GUARDS, OPTIONAL, REQUIREMENTS
from workflows.profile import PROFILES_DIR, RECIPIENTS, ROLES, TAGS

LABSUS = (PROFILES_DIR / "labsus.toml").read_text()


def _known(names) -> str:
    return "known: " + ", ".join(sorted(names))


def _check(runner, tmp_path: Path, old: str, new: str):
    assert old in LABSUS
    (tmp_path / "labsus.toml").write_text(LABSUS.replace(old, new, 1))
    return runner.invoke(args=["workflow", "check", str(tmp_path / "labsus.toml")])


@pytest.mark.parametrize(
    ("old", "new", "where", "unknown", "known"),
    [
        (
            'guards = ["integration_deadline_passed"]',
            'guards = ["the_moon_is_full"]',
            "transitions[4] (archive).guards",
            "unknown guard 'the_moon_is_full'",
            GUARDS,
        ),
        (
            'effects = ["assign_case_officer"]',
            'effects = ["make_coffee"]',
            "transitions[1] (take_in_charge).effects",
            "unknown effect 'make_coffee'",
            EFFECTS,
        ),
        (
            'when = "has_notice_period"',
            'when = "is_sunny"',
            "transitions[5] (admit).when",
            "unknown condition 'is_sunny'",
            CONDITIONS,
        ),
        (
            'requires = ["message"]',
            'requires = ["horoscope"]',
            "transitions[2] (request_integration).requires",
            "unknown requirement 'horoscope'",
            REQUIREMENTS,
        ),
        (
            'roles = ["officer"]\neffects = ["assign_case_officer"]',
            'roles = ["mayor"]\neffects = ["assign_case_officer"]',
            "transitions[1] (take_in_charge).roles",
            "unknown role 'mayor'",
            ROLES,
        ),
        (
            'optional = ["effective_from"]',
            'optional = ["weather"]',
            "transitions[18] (suspend).optional",
            "unknown optional input 'weather'",
            OPTIONAL,
        ),
        (
            '{ message = "archived", to = "representative" }',
            '{ message = "archived", to = "the_press" }',
            "transitions[4] (archive).notify[0]",
            "unknown recipient 'the_press'",
            RECIPIENTS,
        ),
        (
            "running = [",
            "sleeping = [",
            "tags",
            "unknown tag 'sleeping'",
            TAGS,
        ),
    ],
)
def test_check_refuses_an_unknown_name_saying_where_and_what_is_known(
    runner, tmp_path, old, new, where, unknown, known
):
    result = _check(runner, tmp_path, old, new)
    assert result.exit_code == 1
    assert f"{tmp_path}/labsus.toml: {where}: {unknown}; {_known(known)}" in result.output
    assert "1 of 1 profiles refused" in result.output


def test_check_refuses_an_unknown_message_listing_the_notification_kinds(runner, tmp_path):
    from commons.notifications.messages import MESSAGES

    result = _check(
        runner,
        tmp_path,
        '{ message = "archived", to = "representative" }',
        '{ message = "postcard", to = "representative" }',
    )
    assert result.exit_code == 1
    assert (
        f"labsus.toml: transitions[4] (archive).notify[0]: unknown message 'postcard'; "
        f"{_known(MESSAGES)}" in result.output
    )


def test_check_refuses_a_tag_naming_an_unknown_state_or_two_for_a_single_one(runner, tmp_path):
    result = _check(runner, tmp_path, 'running = ["active"]', 'running = ["attivo"]')
    assert result.exit_code == 1
    assert "labsus.toml: tags.running: unknown state 'attivo'; known: active, archived" in (
        result.output
    )
    result = _check(runner, tmp_path, 'paused = ["suspended"]', 'paused = ["suspended", "active"]')
    assert result.exit_code == 1
    assert "labsus.toml: tags.paused: names at most one state" in result.output


def test_check_accepts_the_packaged_profiles_and_a_folder(runner):
    result = runner.invoke(
        args=["workflow", "check", str(PROFILES_DIR / "labsus.toml"), str(PROFILES_DIR)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "labsus: 20 states, 34 transitions: OK",
        "labsus: 20 states, 34 transitions: OK",
        "simplified: 18 states, 30 transitions: OK",
    ]
