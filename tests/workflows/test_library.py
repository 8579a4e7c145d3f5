"""The engine is a library: it loads a profile and fires on plain objects with no application.

Run in a fresh interpreter, so that nothing the test suite imported (the app, Flask,
SQLAlchemy) can make it pass: the script asserts none of them was imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROFILE = """
name = "toy"
initial = "draft"
states = ["draft", "submitted", "under_review", "closed"]
terminal = ["closed"]
in_force = []

[clocks]
review_days = 10
integration_reply_days = 10
notice_days = 0
deliberation_days = 10
report_interval_months = 6
renewal_window_days = 30
max_term_months = 12
withdrawal_notice_days = 10
suspension_notice_hours = 24

[[transitions]]
trigger = "submit"
sources = ["draft"]
target = "submitted"
roles = ["representative"]
guards = ["has_a_title"]
effects = ["stamp", "start_review_clock"]

[[transitions]]
trigger = "take_in_charge"
sources = ["submitted"]
target = "under_review"
roles = ["officer"]
effects = ["assign_case_officer"]

[[transitions]]
trigger = "close"
sources = ["under_review"]
target = "closed"
roles = ["officer"]
requires = ["reasons"]
"""

SCRIPT = """
import sys
from datetime import UTC, datetime
from pathlib import Path

import workflows
from workflows import signals

profiles = Path(sys.argv[1])


@workflows.register_guard
def has_a_title(ctx):
    return None if ctx.proposal.title else "A title is needed."


@workflows.register_effect("stamp")
def _stamp(ctx):
    ctx.payload["stamped"] = True


class Person:
    is_authenticated = True
    is_active = True

    def __init__(self, pid, *roles):
        self.id, self.roles, self.full_name = pid, set(roles), f"person {pid}"

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))


class Proposal:
    profile = "toy"
    status = "draft"
    lock_version = 1
    title = ""
    representative_id = 1
    review_started_at = review_paused_at = review_stopped_at = None
    review_paused_seconds = 0
    case_officer_id = None


heard = []
signals.transitioned.connect(
    lambda trigger, **kw: heard.append((trigger, kw["from_state"], kw["proposal"].status)),
    weak=False,
)
workflows.configure(profiles_dir=profiles, default_profile="toy")
assert workflows.profile_names() == ["toy"]

rep, officer = Person(1), Person(2, "officer")
p = Proposal()
now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
try:
    workflows.fire(p, "submit", rep, now=now)
except workflows.GuardRefused as error:
    assert error.rule == "has_a_title" and error.status_code == 422, error
else:
    raise AssertionError("the guard did not refuse")
assert p.status == "draft" and heard == []

p.title = "A garden"
try:
    workflows.fire(p, "submit", officer, now=now)
except workflows.WorkflowError as error:
    assert error.status_code == 403, error
else:
    raise AssertionError("an officer submitted")

event = workflows.fire(p, "submit", rep, expected_version=1, now=now)
assert (p.status, p.lock_version, p.review_started_at) == ("submitted", 2, now)
assert (event.from_state, event.to_state, event.payload["stamped"]) == ("draft", "submitted", True)
try:
    workflows.fire(p, "take_in_charge", officer, expected_version=1, now=now)
except workflows.StaleProposal as error:
    assert error.status_code == 409
else:
    raise AssertionError("a stale version was accepted")
workflows.fire(p, "take_in_charge", officer, now=now)
assert p.case_officer_id == 2
assert [i.trigger for i in workflows.allowed_triggers(p, officer, now=now)] == ["close"]
try:
    workflows.fire(p, "close", officer, now=now)
except workflows.GuardRefused as error:
    assert "reasons" in error.fields, error.fields
else:
    raise AssertionError("closed without reasons")
workflows.fire(p, "close", officer, now=now, reasons="Done.")
assert p.status == "closed"
assert heard == [
    ("submit", "draft", "submitted"),
    ("take_in_charge", "submitted", "under_review"),
    ("close", "under_review", "closed"),
], heard

loaded = sorted(m for m in ("commons", "flask", "sqlalchemy") if m in sys.modules)
assert not loaded, f"the engine imported {loaded}"
print("ok")
"""


def test_the_engine_runs_a_toy_profile_without_the_application(tmp_path):
    (tmp_path / "toy.toml").write_text(PROFILE)
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(SCRIPT))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_profile_naming_an_unregistered_guard_is_refused_without_the_application(tmp_path):
    (tmp_path / "toy.toml").write_text(PROFILE)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, workflows\n"
            "try:\n"
            "    workflows.configure(profiles_dir=sys.argv[1])\n"
            "except workflows.ProfileError as error:\n"
            "    print(error)\n",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "toy.toml: transitions[0] (submit).guards: unknown guard 'has_a_title'" in done.stdout
