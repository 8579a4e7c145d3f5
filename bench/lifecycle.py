"""Lifecycle paths of generated proposals, derived from the regulation profile.

The states, the transitions (which trigger leads where from which state, under which
condition), who may fire each, the signers and their order, the terminal and in-force states
and the clocks all come from the profile (``workflows.get_profile``, the file
``workflows/profiles/labsus.toml``): a path can only take a transition the profile has, by a
role the profile allows, and its target is the one the profile's condition picks. What is the
generator's own is how long each step takes and how often a proposal takes a detour.
"""

from __future__ import annotations

import random
from collections import deque
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import commons.lifecycle  # noqa: F401 - registers the app's conditions the profile names
from workflows import get_profile
from workflows.guards import CONDITIONS, Context

PROFILE_NAME = "labsus"
PROFILE = get_profile(PROFILE_NAME)
TERMINAL = PROFILE.terminal
IN_PACT = PROFILE.in_force
# The engine records every transition it fires as a public event; the proposal's creation is
# recorded by its operation as a private one.
FIRED = frozenset(PROFILE.triggers)


def is_public(trigger: str) -> bool:
    return trigger in FIRED


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = 60_000_000  # microseconds: event times are integers until they are written
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# who (in a step) -> the profile's role
ROLES = {"rep": "representative", "officer": "officer", "legal": "legal", "system": "system"}
WHO = {role: who for who, role in ROLES.items()}
SIGNER_NAMES = {"representative": "representative", "legal": "city"}  # in the sign payload

# Days each step of the main line takes (low, high): the generator's own figures.
DELAYS = {
    "submit": (1, 60),
    "take_in_charge": (1, 20),
    "admit": (3, 25),
    "agree_draft": (14, 120),
    "record_deliberation": (5, 30),
    "approve": (5, 30),
    "sign": (1, 10),
}


def _dt(us: int) -> datetime:
    """An aware UTC datetime from microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=us)


def _us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _day_date(day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=day)


def _add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def _holds(condition: str | None, pact_type: str, signed: frozenset[str]) -> bool:
    """A ``when`` of the profile, evaluated by the registered condition itself."""
    if condition is None:
        return True
    ctx = Context(
        proposal=SimpleNamespace(id=None, pact_type=pact_type),
        actor=None,
        values={},
        now=EPOCH,
        profile=PROFILE,
        session=None,
        settings={},
        signatures=dict.fromkeys(signed, True),
    )
    return CONDITIONS[condition](ctx)


def target_of(state: str, trigger: str, pact_type: str, signed=frozenset()):
    """The profile's transition ``trigger`` takes from ``state``; None when there is none."""
    for spec in PROFILE.specs_for(trigger, state):
        if _holds(spec.when, pact_type, frozenset(signed)):
            return spec
    return None


CALL_TRIGGERS = ("admit_by_call", "refuse_by_call")


def route(state: str, goal: str, pact_type: str) -> list[str]:
    """The triggers of the shortest way from ``state`` to ``goal`` in the profile (signing
    counts as one step: every signer in turn), in the profile's order of transitions."""
    seen, queue = {state: []}, deque([state])
    while queue:
        here = queue.popleft()
        if here == goal:
            return seen[here]
        for trigger in PROFILE.triggers:
            if trigger in CALL_TRIGGERS:
                continue  # only a call's admitting act fires them (commons/calls)
            signed = frozenset(PROFILE.signers[:-1]) if trigger == "sign" else frozenset()
            spec = target_of(here, trigger, pact_type, signed)
            if spec and spec.target not in seen:
                seen[spec.target] = [*seen[here], trigger]
                queue.append(spec.target)
    raise RuntimeError(f"profile {PROFILE_NAME}: no way from {state} to {goal}")


class _Path:
    """One proposal's history along the profile's lifecycle, in days from its creation.

    Built from a seed only, so the generator can plan with it and rebuild it later instead of
    keeping a million steps in memory. A step is (day, time of day, trigger, from, to, who,
    extra); who is rep, officer, legal or system.
    """

    MAX_STEPS = 200

    def __init__(self, seed: int, complex_: bool, term_days: int):
        self.rng = random.Random(seed)
        self.complex = complex_
        self.pact_type = "complex" if complex_ else "ordinary"
        self.term_days = term_days
        self.notice_days = PROFILE.notice_days(self.pact_type)
        self.state = PROFILE.initial
        self.day = 0
        self.version = 0
        self.signed: list[str] = []
        self.integrated = False
        self.returned = False
        self.created_tod = self.rng.randrange(7 * HOUR, 21 * HOUR)
        self.steps: list[tuple] = [(0, self.created_tod, "created", None, self.state, "rep", None)]
        self.active_day: int | None = None
        self.report_index: int | None = None
        self.report_from = self.report_to = 0
        self.natural_reports = 0
        self.idle = 0
        self.planned_start = self.rng.randint(45, 180)

    # moves -------------------------------------------------------------------------------
    def go(self, low: int, high: int, trigger: str, who: str | None = None, extra=None) -> None:
        self.go_at(self.day + self.rng.randint(low, high), trigger, who, extra)

    def go_at(self, day: int, trigger: str, who: str | None = None, extra=None) -> None:
        """Fire ``trigger`` on ``day``: the profile gives the target and who may fire it (the
        clock, when it may, four times out of five, unless ``who`` is given)."""
        spec = target_of(self.state, trigger, self.pact_type, frozenset(self.signed))
        if spec is None:
            raise RuntimeError(f"profile {PROFILE_NAME}: no {trigger} from {self.state}")
        if who is None:
            if "system" not in spec.roles:
                who = WHO[spec.roles[0]]
            else:  # the clock, or now and then an officer doing it by hand where allowed
                who = self.clock() if "officer" in spec.roles else "system"
        if ROLES[who] not in spec.roles:
            raise RuntimeError(f"profile {PROFILE_NAME}: {who} may not {trigger}")
        if who == "system":  # the nightly clock tick
            tod = HOUR + self.rng.randrange(15 * MINUTE)
        else:  # office hours, Rome time
            tod = self.rng.randrange(7 * HOUR, 17 * HOUR)
        self.day = day
        self.steps.append((day, tod, trigger, self.state, spec.target, who, extra))
        self.state = spec.target
        if len(self.steps) > self.MAX_STEPS:
            raise RuntimeError("lifecycle path does not end")

    def clock(self) -> str:
        return "system" if self.rng.random() < 0.8 else "officer"

    def request_integration(self) -> None:
        self.go(3, 20, "request_integration")

    def advance(self, goal: str) -> None:
        """One step along the profile's shortest way towards ``goal``, with its detours."""
        rng, state = self.rng, self.state
        trigger = route(state, goal, self.pact_type)[0]
        if trigger == "admit" and not self.integrated and rng.random() < 0.25:
            self.integrated = True
            self.request_integration()
            self.go(2, 28, "integrate")
        elif trigger == "approve" and not self.returned and rng.random() < 0.1:
            self.returned = True
            self.go(5, 20, "return_to_co_design")
        elif trigger == "close_notice":
            self.go(self.notice_days, self.notice_days + 1, trigger)
        elif trigger in ("agree_draft", "approve"):
            self.version += int(trigger == "agree_draft")
            self.go(*DELAYS[trigger], trigger, extra={"version": self.version})
        elif trigger == "sign":
            self.sign()
        else:
            self.go(*DELAYS[trigger], trigger)

    def sign(self, count: int | None = None) -> None:
        """The next ``count`` signatures (all that are missing by default), in the profile's
        order of signers."""
        missing = [role for role in PROFILE.signers if role not in self.signed]
        for role in missing[:count]:
            extra = {"signer": SIGNER_NAMES[role], "version": self.version}
            self.go(*DELAYS["sign"], "sign", WHO[role], extra)
            self.signed.append(role)

    def walk(self, target: str) -> None:
        while self.state != target:
            self.advance(target)

    def activate(self) -> None:
        self.walk("active")
        self.active_day = self.day

    def report_window(self, days: int) -> None:
        """Time spent active; monitoring reports (one per report interval) fall inside it."""
        days = max(1, days)
        self.report_index = len(self.steps)
        self.report_from, self.report_to = self.day, self.day + days
        self.natural_reports = days // (PROFILE.clocks["report_interval_months"] * 365 // 12)
        self.day += days

    # results -----------------------------------------------------------------------------
    def with_reports(self, count: int, seed: int) -> list[tuple]:
        """The steps with ``count`` monitoring reports spread over the active window."""
        if not count or self.report_index is None:
            return self.steps
        rng = random.Random(seed ^ 0x5EED_5EED)
        span = self.report_to - self.report_from
        report = target_of("active", "file_report", self.pact_type)
        reports = []
        for j in range(count):
            day = self.report_from + 1 + int((j + rng.random()) * span / count)
            reports.append(
                (
                    min(day, self.report_to),
                    rng.randrange(7 * HOUR, 17 * HOUR),
                    "file_report",
                    "active",
                    report.target,
                    WHO[report.roles[0]],
                    {"report": j + 1},
                )
            )
        reports.sort(key=lambda step: (step[0], step[1]))
        i = self.report_index
        return self.steps[:i] + reports + self.steps[i:]


# How a proposal that ended there got there: (state it came from, weight).
REJECTED_FROM = {"under_review": 40, "public_notice": 10, "co_design": 25, "legal_review": 20}
WITHDRAWN_FROM = {
    "submitted": 15,
    "under_review": 15,
    "awaiting_integration": 15,
    "public_notice": 5,
    "co_design": 20,
    "legal_review": 10,
    "awaiting_signatures": 5,
    "active": 15,
}


def build_path(seed: int, status: str, complex_: bool, term_days: int) -> _Path:
    """The history that brings a new proposal to ``status``; deterministic in its arguments."""
    p = _Path(seed, complex_, term_days)
    rng = p.rng
    clocks = PROFILE.clocks
    reply_days = clocks["integration_reply_days"]
    if status == PROFILE.initial:
        return p
    if status in (
        "submitted",
        "under_review",
        "public_notice",
        "co_design",
        "political_approval",
        "legal_review",
        "awaiting_signatures",
    ):
        p.walk(status)
        if status == "awaiting_signatures" and rng.random() < 0.5:
            p.sign(1)
        p.idle = rng.randint(0, p.notice_days - 1 if status == "public_notice" else 45)
    elif status in ("awaiting_integration", "archived"):
        p.walk("under_review")
        p.request_integration()
        if status == "archived":
            p.go(reply_days + 1, reply_days + 2, "archive")
        else:
            p.idle = rng.randint(0, reply_days - 1)
    elif status == "rejected":
        origins = dict(REJECTED_FROM)
        if complex_:
            origins["political_approval"] = 5
        origin = rng.choices(list(origins), list(origins.values()))[0]
        p.walk(origin)
        p.go(3, 40, "reject")
    elif status == "withdrawn":
        origin = rng.choices(list(WITHDRAWN_FROM), list(WITHDRAWN_FROM.values()))[0]
        if origin == "awaiting_integration":
            p.walk("under_review")
            p.request_integration()
        elif origin == "active":
            p.activate()
            p.report_window(rng.randint(30, max(31, term_days - 90)))
        else:
            p.walk(origin)
        p.go(1, 20, "withdraw")
        if p.state == "active":  # from a pact, withdrawal takes effect after the notice
            notice = clocks["withdrawal_notice_days"]
            p.go(notice + 1, notice + 1, "complete_withdrawal")
    else:
        _active_era(p, status)
    if p.state != status:
        raise RuntimeError(f"the path to {status} ended in {p.state}")
    return p


def _active_era(p: _Path, status: str) -> None:
    rng, term = p.rng, p.term_days
    before_end = PROFILE.clocks["renewal_window_days"] + 1  # the renewal window opens
    p.activate()
    if status == "active":
        p.report_window(rng.randint(1, max(1, term - before_end)))  # ongoing: now is its end
    elif status == "suspended":
        p.report_window(rng.randint(30, max(30, term - before_end)))
        p.go(1, 5, "suspend", extra={"public_interest": rng.random() < 0.5})
        p.idle = rng.randint(0, 40)
    elif status == "renewal_review":
        p.report_window(term - before_end)
        p.go(1, 1, "open_renewal", "system" if rng.random() < 0.7 else "rep")
        p.idle = rng.randint(0, 50)
    elif status in ("revoked", "terminated"):
        trigger = "revoke" if status == "revoked" else "terminate"
        p.report_window(rng.randint(30, max(30, term - 30)))
        if rng.random() < 0.3:
            p.go(1, 5, "suspend", extra={"public_interest": status == "terminated"})
            p.go(10, 60, trigger)
        else:
            p.go(1, 5, trigger)
    elif status == "expired":
        p.report_window(term - before_end)
        if rng.random() < 0.4:
            p.go(1, 1, "open_renewal", "system")
        p.go_at(p.active_day + term + 1, "expire")
    elif status in ("renewal_granted", "renewed"):
        p.report_window(term - before_end)
        p.go(1, 1, "open_renewal", "system" if rng.random() < 0.5 else "rep")
        p.go(10, 50, "renew")
        if status == "renewed":  # the old term ends, the successor has signed
            p.go_at(max(p.day + 1, p.active_day + term + 1), "complete_renewal")
        else:
            p.idle = rng.randint(0, 40)
    else:
        raise ValueError(f"unknown status {status}")
