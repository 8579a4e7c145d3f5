"""Profiles are data; a broken one is refused at start-up with the file and the key named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import workflows
from workflows.errors import ProfileError
from workflows.profile import PROFILES_DIR

LABSUS = (PROFILES_DIR / "labsus.toml").read_text()


def _write(tmp_path: Path, text: str, name: str = "labsus") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return tmp_path


@pytest.fixture(autouse=True)
def restore_profiles():
    yield
    workflows.configure()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('target = "submitted"', 'target = "nowhere"'),
            "labsus.toml: transitions[0] (submit): unknown state 'nowhere'",
        ),
        (
            (
                'roles = ["officer"]\neffects = ["assign_case_officer"]',
                'roles = []\neffects = ["assign_case_officer"]',
            ),
            "transitions[1] (take_in_charge).roles: no role may fire this trigger",
        ),
        (
            ('guards = ["integration_deadline_passed"]', 'guards = ["the_moon_is_full"]'),
            "transitions[4] (archive).guards: unknown guard 'the_moon_is_full'",
        ),
        (
            ('effects = ["assign_case_officer"]', 'effects = ["make_coffee"]'),
            "transitions[1] (take_in_charge).effects: unknown effect 'make_coffee'",
        ),
        (
            (
                'sources = ["draft"]\ntarget = "submitted"',
                'sources = ["rejected"]\ntarget = "submitted"',
            ),
            "terminal state 'rejected' cannot have exits",
        ),
        (
            (
                'roles = ["officer"]\neffects = ["assign_case_officer"]',
                'roles = ["mayor"]\neffects = ["assign_case_officer"]',
            ),
            "unknown role 'mayor'",
        ),
        (("review_days = 30\n", ""), "labsus.toml: clocks: missing review_days"),
    ],
)
def test_broken_profile_is_refused_naming_file_and_key(tmp_path, change, message):
    old, new = change
    assert old in LABSUS
    _write(tmp_path, LABSUS.replace(old, new, 1))
    with pytest.raises(ProfileError) as error:
        workflows.configure(profiles_dir=tmp_path)
    assert message in str(error.value)


def test_a_profile_changed_or_checked_against_other_names_is_checked_again(tmp_path):
    """Configuring again reuses what unchanged files gave; an edited file, or a guard no
    longer registered, is read and refused again."""
    from workflows.guards import GUARDS

    _write(tmp_path, LABSUS)
    workflows.configure(profiles_dir=tmp_path)
    first = workflows.get_profile("labsus")
    workflows.configure(profiles_dir=tmp_path)
    assert workflows.get_profile("labsus") is first
    _write(tmp_path, LABSUS.replace('target = "submitted"', 'target = "nowhere"', 1))
    with pytest.raises(ProfileError, match="unknown state 'nowhere'"):
        workflows.configure(profiles_dir=tmp_path)
    _write(tmp_path, LABSUS)
    guard = GUARDS.pop("integration_deadline_passed")
    try:
        with pytest.raises(ProfileError, match="unknown guard 'integration_deadline_passed'"):
            workflows.configure(profiles_dir=tmp_path)
    finally:
        GUARDS["integration_deadline_passed"] = guard
    workflows.configure(profiles_dir=tmp_path)
    assert workflows.get_profile("labsus") is first


def test_unreachable_state_is_refused(tmp_path):
    text = LABSUS.replace('"renewal_granted",\n', '"renewal_granted", "limbo",\n', 1)
    text = text.replace('terminal = ["rejected"', 'terminal = ["limbo", "rejected"', 1)
    _write(tmp_path, text)
    with pytest.raises(ProfileError, match="labsus.toml: states: unreachable from 'draft': limbo"):
        workflows.configure(profiles_dir=tmp_path)


def test_invalid_toml_is_refused(tmp_path):
    _write(tmp_path, LABSUS + "\n[[transitions]\n")
    with pytest.raises(ProfileError, match="labsus.toml: not valid TOML"):
        workflows.configure(profiles_dir=tmp_path)


def test_app_refuses_to_start_with_a_broken_profile(tmp_path, monkeypatch):
    from commons import create_app

    _write(tmp_path, LABSUS.replace('target = "submitted"', 'target = "nowhere"', 1))
    monkeypatch.setattr("workflows.engine.PROFILES_DIR", tmp_path)
    with pytest.raises(ProfileError, match="labsus.toml"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_unknown_configured_profile_is_refused():
    with pytest.raises(ProfileError, match="COMMONS_PROFILE: unknown profile 'atlantis'"):
        workflows.configure(default_profile="atlantis")


def test_a_city_changes_its_regulation_by_data_alone(tmp_path):
    shutil.copy(PROFILES_DIR / "labsus.toml", tmp_path / "labsus.toml")
    text = LABSUS.replace('name = "labsus"', 'name = "turin"').replace(
        "max_term_months = 48", "max_term_months = 108"
    )
    (tmp_path / "turin.toml").write_text(text)
    workflows.configure(profiles_dir=tmp_path)
    assert workflows.get_profile("turin").clocks["max_term_months"] == 108
    assert set(workflows.profile_names()) == {"labsus", "turin"}


def test_simplified_profile_skips_notice_and_deliberation():
    profile = workflows.get_profile("simplified")
    assert "public_notice" not in profile.states
    assert "political_approval" not in profile.states
    assert profile.clocks["review_days"] == 60
    assert profile.pact_types == ("ordinary",)
