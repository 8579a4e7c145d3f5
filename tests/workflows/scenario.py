"""Put a proposal in any state of its profile, with the data its exits need.

Test set-up only: real proposals reach their states through workflows.fire. Here the status
column is set directly so that every (state, trigger, role) can be tried in isolation.

Tests speak of states by their labsus names; ``state_map`` translates them into another
profile's (``S["submitted"]``), found from that profile's tags and transitions, so the same
test runs over every profile (tests/workflows/conftest.py, fixtures ``profile`` and ``S``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import workflows
from commons.auth.models import Role, User
from commons.documents import operations as documents
from commons.documents.models import PactVersion, Signature
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import CoDesignMeeting, ProtocolCounter
from tests import factories
from workflows.guards import content_hash

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)

REFERENCE = "labsus"


class StateMap(dict):
    """labsus state name -> the same state in ``profile``; a state it lacks is a clear error."""

    def __init__(self, profile, pairs):
        super().__init__(pairs)
        self.profile = profile

    def __missing__(self, name):
        raise KeyError(f"profile {self.profile.name!r} has no state like labsus's {name!r}")


def _edges(profile) -> set[tuple[str, str, str]]:
    return {(t.trigger, s, t.target) for t in profile.transitions for s in t.sources}


def _marks(profile, state: str) -> tuple:
    tags = frozenset(tag for tag, states in profile.tags.items() if state in states)
    return (state == profile.initial, state in profile.terminal, state in profile.in_force, tags)


def state_map(profile) -> StateMap:
    """The profile's state for each labsus state, found from the profile itself.

    A labsus state's candidates are the profile's states with the same marks (initial,
    terminal, in force, tags); then a candidate is kept only while each labsus transition into
    or out of the state has one with the same trigger in the profile, between candidates
    (transitions touching a state the profile lacks do not count). Each state left must have
    exactly one candidate, and no two the same one: otherwise the profile is ambiguous and the
    map is refused rather than guessed.
    """
    reference = workflows.get_profile(REFERENCE)
    marks = {s: _marks(profile, s) for s in profile.states}
    candidates = {
        s: {p for p in profile.states if marks[p] == _marks(reference, s)} for s in reference.states
    }
    theirs, ours = _edges(profile), _edges(reference)
    changed = True
    while changed:
        changed = False
        for trigger, source, target in ours:
            sources, targets = candidates[source], candidates[target]
            if not sources or not targets:
                continue
            kept_sources = {a for a in sources if any((trigger, a, b) in theirs for b in targets)}
            kept_targets = {b for b in targets if any((trigger, a, b) in theirs for a in sources)}
            if (kept_sources, kept_targets) != (sources, targets):
                candidates[source], candidates[target] = kept_sources, kept_targets
                changed = True
    ambiguous = {s: sorted(c) for s, c in candidates.items() if len(c) > 1}
    if ambiguous:
        raise ValueError(f"profile {profile.name!r}: ambiguous states {ambiguous}")
    pairs = {s: next(iter(c)) for s, c in candidates.items() if c}
    if len(set(pairs.values())) != len(pairs):
        raise ValueError(f"profile {profile.name!r}: two labsus states map to one: {pairs}")
    return StateMap(profile, pairs)


def has_transition(profile, S, trigger: str, source: str, target: str | None = None) -> bool:
    """Whether ``profile`` has ``trigger`` from labsus's ``source`` (to labsus's ``target``)."""
    if source not in S or (target is not None and target not in S):
        return False
    return any(
        target is None or spec.target == S[target] for spec in profile.specs_for(trigger, S[source])
    )


def require(profile, S, *steps: tuple) -> None:
    """Skip the test, naming the transition, when ``profile`` lacks one of ``steps``.

    Each step is ``(trigger, source)`` or ``(trigger, source, target)``, in labsus names.
    """
    for trigger, source, *target in steps:
        if not has_transition(profile, S, trigger, source, *target):
            to = f" -> {target[0]}" if target else ""
            pytest.skip(f"profile {profile.name} has no transition {trigger}: {source}{to}")


class Cast:
    """The people of a scenario, one per capacity."""

    def __init__(self):
        self.representative = factories.user(Role.CITIZEN, name="Rita Representative")
        self.member = factories.user(Role.CITIZEN, name="Mario Member")
        self.officer = factories.user(Role.OFFICER, name="Olga Officer")
        self.legal = factories.user(Role.LEGAL, name="Leo Legal")
        self.auditor = factories.user(Role.AUDITOR, name="Aldo Auditor")
        self.admin = factories.user(Role.ADMIN, name="Ada Admin")
        self.group = factories.group(self.representative)
        from commons.auth.operations import add_member

        add_member(self.group, full_name=self.member.full_name, email=self.member.email)
        db.session.commit()

    PEOPLE = ("representative", "member", "officer", "legal", "auditor", "admin")

    def ids(self) -> dict:
        """What finds the cast again in a copy of its database (see ``read``)."""
        return {
            "people": {name: getattr(self, name).id for name in self.PEOPLE},
            "group": self.group.id,
        }

    @classmethod
    def read(cls, ids: dict) -> Cast:
        """The cast ``ids()`` named, read from the database (a snapshot's copy), not made."""
        cast = cls.__new__(cls)
        for name, user_id in ids["people"].items():
            setattr(cast, name, db.session.get(User, user_id))
        cast.group = db.session.get(ProponentGroup, ids["group"])
        return cast


def data_for(trigger: str, actor) -> dict:
    """Valid data for a trigger, as a person would type it."""
    return {
        "request_integration": {"message": "Please send the group's statute."},
        "integrate": {"answer": "Statute attached."},
        "record_deliberation": {
            "deliberation_number": "DG 12/2026",
            "deliberation_date": "2026-05-20",
        },
        "return_to_co_design": {"reasons": "Clarify the safety clause."},
        "approve": {"act_number": "DD 77/2026", "act_date": "2026-05-25"},
        "sign": {
            "full_name": getattr(actor, "full_name", ""),
            "consent": "y",
            "password": factories.PASSWORD,
        },
        "file_report": {"report_text": "Six clean-ups, 20 volunteers.", "final": "y"},
        "suspend": {"reasons": "Works on the water mains.", "grounds": "safety"},
        "resume": {"reasons": "Works finished."},
        "extend": {"act_number": "DD 90/2026", "new_end_date": "2028-12-31"},
        "renew": {"act_number": "DD 99/2026"},
        "reject": {"reasons": "Outside the regulation's scope."},
        "admit_by_call": {"act_number": "DG 3/2026", "act_date": "2026-05-25"},
        "refuse_by_call": {
            "act_number": "DG 3/2026",
            "act_date": "2026-05-25",
            "reasons": "Below the call's threshold.",
        },
        "withdraw": {"reasons": "The group has dissolved."},
        "revoke": {"reasons": "Repeated breach of safety rules."},
        "terminate": {"reasons": "The building is needed for a school."},
    }.get(trigger, {})


def proposal_in(state: str, cast: Cast, *, pact_type: str = "ordinary", for_signer=None):
    """A proposal in ``state`` whose time-based and data guards are satisfied at NOW.

    ``state`` is a labsus name; the proposal has the profile new proposals get (the app's
    ``PROFILE``) and is put in that profile's state of the same place (``state_map``).
    """
    p = factories.proposal(cast.group, pact_type=pact_type)
    S = state_map(workflows.get_profile(p.profile))
    if state == "draft":
        assert p.status == S["draft"]
        return p
    p.protocol_number = f"2026/{p.id:06d}"
    # The year's counter has given this number: later numbers (a renewal's) come after it.
    counter = db.session.get(ProtocolCounter, 2026) or ProtocolCounter(year=2026, last_number=0)
    counter.last_number = max(counter.last_number or 0, p.id)
    db.session.add(counter)
    p.submitted_at = p.review_started_at = NOW - timedelta(days=10)
    p.case_officer_id = cast.officer.id
    p.status = S["co_design"]
    db.session.flush()
    version = documents.save_version(p, author=cast.officer)
    db.session.add(CoDesignMeeting(proposal=p, held_on=date(2026, 5, 1), minutes="Agreed."))
    p.integration_due_at = NOW - timedelta(days=1)
    p.notice_ends_at = NOW - timedelta(days=1)
    p.start_date, p.end_date = date(2025, 9, 1), date(2026, 7, 1)
    if state in ("awaiting_integration",):
        p.review_paused_at = NOW - timedelta(days=31)
    if state in (
        "awaiting_signatures",
        "active",
        "suspended",
        "renewal_review",
        "renewal_granted",
    ) or state in (
        "expired",
        "revoked",
        "terminated",
        "renewed",
    ):
        version.frozen_at = NOW - timedelta(days=5)
    if state == "awaiting_signatures" and for_signer == "legal":
        db.session.add(
            Signature(
                proposal_id=p.id,
                signer_id=cast.representative.id,
                signer_role="representative",
                typed_name="Rita Representative",
                signed_at=NOW - timedelta(days=1),
                document_hash=version.content_hash,
            )
        )
    if state in ("renewal_review", "renewal_granted"):
        db.session.add(
            MonitoringReport(
                proposal_id=p.id, author_id=cast.representative.id, text="Final report.", final=True
            )
        )
    p.status = S[state]
    db.session.commit()
    return p


def version_hash(p) -> str:
    version = db.session.query(PactVersion).filter_by(proposal_id=p.id).first()
    return content_hash(version.content)


def approve_and_sign(cast: Cast, p) -> None:
    """Approve the pact in legal review, then both parties sign it in order."""
    from workflows import fire

    fire(p, "approve", cast.legal, now=NOW, act_number="DD 5/2026", act_date="2026-05-30")
    db.session.commit()
    for who, days in ((cast.representative, 1), (cast.legal, 2)):
        fire(
            p,
            "sign",
            who,
            now=NOW + timedelta(days=days),
            full_name=who.full_name,
            consent="y",
            password=factories.PASSWORD,
        )
        db.session.commit()
