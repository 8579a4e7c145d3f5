"""Random sequences of triggers by random actors: never an invalid state, always a valid chain."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import workflows
from commons.audit.operations import verify_chain
from commons.documents import operations as documents
from commons.errors import DomainError
from commons.extensions import db
from commons.proposals import operations as proposal_ops
from tests.workflows.scenario import NOW, Cast, data_for
from workflows import SYSTEM, WorkflowError, fire

PROFILE = workflows.get_profile("labsus")
CAPACITIES = ["representative", "member", "officer", "legal", "auditor", "admin", "system"]


def run_machine(cast: Cast, reached: set[str]):
    class Lifecycle(RuleBasedStateMachine):
        @initialize(pact_type=st.sampled_from(["ordinary", "complex"]))
        def start(self, pact_type):
            from tests import factories

            self.proposal = factories.proposal(cast.group, pact_type=pact_type)
            self.now = NOW
            self.history = [self.proposal.status]

        @rule(
            trigger=st.sampled_from(PROFILE.triggers),
            capacity=st.sampled_from(CAPACITIES),
            days=st.integers(min_value=0, max_value=40),
            with_data=st.booleans(),
        )
        def fire_something(self, trigger, capacity, days, with_data):
            self.now += timedelta(days=days)
            actor = SYSTEM if capacity == "system" else getattr(cast, capacity)
            data = data_for(trigger, actor) if with_data else {}
            before, version = self.proposal.status, self.proposal.lock_version
            try:
                event = fire(self.proposal, trigger, actor, now=self.now, **data)
            except WorkflowError:
                db.session.rollback()
                assert self.proposal.status == before
                assert self.proposal.lock_version == version
                return
            db.session.commit()
            targets = {s.target for s in PROFILE.specs_for(trigger, before)}
            assert self.proposal.status in targets
            assert (event.from_state, event.to_state) == (before, self.proposal.status)
            self.history.append(self.proposal.status)
            reached.add(self.proposal.status)

        @rule(data=st.data(), days=st.integers(min_value=0, max_value=70))
        def fire_an_allowed_one(self, data, days):
            """Mostly sensible moves, so that random runs reach deep into the lifecycle."""
            status = self.proposal.status
            moves = sorted(
                {
                    (spec.trigger, role, spec.target in PROFILE.terminal)
                    for spec in PROFILE.transitions
                    if status in spec.sources
                    for role in spec.roles
                }
            )
            if not moves:
                return
            # Moves that keep the proposal alive are drawn ten times as often as endings.
            moves = [(t, r) for t, r, ends in moves for _ in range(1 if ends else 10)]
            if status == "co_design" and not self.proposal.meetings:
                self.co_design_work()
            trigger, capacity = data.draw(st.sampled_from(moves))
            self.fire_something(trigger, capacity, days, True)

        @rule()
        def co_design_work(self):
            """The office drafts the pact and holds a meeting, when co-design allows it."""
            if self.proposal.status != "co_design":
                return
            try:
                documents.save_version(self.proposal, author=cast.officer)
            except DomainError:  # nothing changed since the last version
                db.session.rollback()
            proposal_ops.record_meeting(
                self.proposal, actor=cast.officer, held_on=self.now.date(), minutes="Minutes."
            )
            db.session.commit()

        @invariant()
        def state_is_valid(self):
            if hasattr(self, "proposal"):
                assert self.proposal.status in PROFILE.states
                if len(self.history) > 1:
                    assert self.history[-2] not in PROFILE.terminal

        def teardown(self):
            assert verify_chain().ok

    return Lifecycle


def test_random_sequences_keep_the_lifecycle_and_chain_sound(app):
    cast = Cast()
    reached: set[str] = set()
    machine = run_machine(cast, reached)
    machine.TestCase.settings = settings(
        max_examples=60,
        stateful_step_count=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    machine.TestCase().runTest()
    # The runs went deep: most of the lifecycle was visited, terminal states included.
    assert {"active", "co_design", "awaiting_signatures"} <= reached
    assert len(reached & PROFILE.terminal) >= 3
