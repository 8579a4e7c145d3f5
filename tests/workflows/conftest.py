"""Fixtures running a test over every profile: the packaged ones and those written for tests.

``profile`` loads workflows/profiles/ and tests/workflows/profiles/ together and makes new
proposals use one of them (the app's ``PROFILE``, as ``commons.proposals.operations``
reads it); ``S`` maps labsus state names to that profile's (``scenario.state_map``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import workflows
from tests.workflows.scenario import state_map
from workflows.profile import PROFILES_DIR

TEST_PROFILES_DIR = Path(__file__).parent / "profiles"
ALL_PROFILES = sorted(p.stem for d in (PROFILES_DIR, TEST_PROFILES_DIR) for p in d.glob("*.toml"))
# The suite runs over every profile on SQLite. A profile is data the engine reads: the SQL it
# leads to (commons.lifecycle.states.status_in, the versioned UPDATE) is the same code for each,
# so the PostgreSQL pass runs the suite over the default profile only (a third of the time),
# and leaves out the whole lifecycle table (test_lifecycle_table.py says why).
PROFILE_NAMES = (
    ["labsus"] if os.environ.get("COMMONS_TEST_BACKEND") == "postgresql" else ALL_PROFILES
)


@pytest.fixture(params=PROFILE_NAMES)
def profile(request, app):
    workflows.configure(profiles_dir=[PROFILES_DIR, TEST_PROFILES_DIR])
    app.config["PROFILE"] = request.param
    yield workflows.get_profile(request.param)
    workflows.configure(profiles_dir=PROFILES_DIR)


@pytest.fixture
def S(profile):  # noqa: N802 - named like the map the tests index: S["submitted"]
    return state_map(profile)
