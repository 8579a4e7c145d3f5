"""The order of the online application's steps (commons/apply/steps.py)."""

from __future__ import annotations

from commons.apply.steps import STEP_NAMES, step_after


def test_next_and_back_follow_the_steps_and_stop_at_the_ends():
    assert STEP_NAMES[0] == "start" and STEP_NAMES[-1] == "check"
    assert step_after("start", "next") == "places"
    assert step_after("places", "back") == "start"
    assert step_after("start", "back") == "start"
    assert step_after("check", "next") == "check"
    assert [step_after(name, "next") for name in STEP_NAMES[:-1]] == STEP_NAMES[1:]
