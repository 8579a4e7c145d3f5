"""A call ready to receive applications: two commons, a 3-criterion grid, two evaluators; the
same call with its deadlines in the past, and a rolling one whose first batch is scored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import workflows
from commons.auth.models import Role
from commons.calls import callfile, evaluation
from commons.calls import operations as call_ops
from commons.calls.models import CallStatus
from commons.extensions import db

NOW = datetime.now(UTC).replace(microsecond=0)


def call_text(commons_ids, chair, evaluators, *, first=NOW + timedelta(hours=1), min_groups=1):
    second = first + timedelta(days=60)
    return f'''
reference = "CO-CITY-T{commons_ids[0]}"
title = "Care of disused buildings"
text = "The city offers two buildings for cultural uses."
act_kind = "Giunta deliberation"
threshold = 60
chair = "{chair}"
evaluators = {evaluators!r}

[eligibility]
proponent_kinds = ["informal_group", "association"]
min_groups = {min_groups}
no_economic_advantage = true

[[themes]]
key = "culture"
title = "Suburbs and urban cultures"

[[commons]]
id = {commons_ids[0]}
floor_area_m2 = 420
condition = "Roof repaired in 2024"
constraints = "Listed facade"
visiting_slots = ["2026-03-02T10:00"]

[[commons]]
id = {commons_ids[1]}
floor_area_m2 = 90

[[batches]]
label = "First round"
deadline = {first.strftime("%Y-%m-%dT%H:%M:%SZ")}

[[batches]]
label = "Second round"
deadline = {second.strftime("%Y-%m-%dT%H:%M:%SZ")}

[[criteria]]
key = "quality"
title = "Quality of the proposal"
max_points = 40

[[criteria]]
key = "impact"
title = "Social impact"
max_points = 40

[[criteria]]
key = "network"
title = "Network of partners"
weight = 0.5
max_points = 40

[[questions]]
key = "hours"
text = "How many hours a week will the building be open?"
required = true

[[faq]]
question = "Can we visit?"
answer = "Yes, at the visiting slots."
'''.replace("'", '"')


@pytest.fixture
def panel(make):
    chair = make.user(Role.OFFICER, name="Chiara Chair")
    first = make.user(Role.EVALUATOR, name="Eva Uno")
    second = make.user(Role.EVALUATOR, Role.OFFICER, name="Ettore Due")
    return chair, first, second


def load_open_call(make, panel, *, first=NOW + timedelta(hours=1), opened=NOW):
    """The call of ``call_text`` on two new buildings, published and opened at ``opened``,
    its first deadline ``first`` (the second 60 days later)."""
    chair, evaluator, second = panel
    places = [make.commons(kind="building"), make.commons(kind="building")]
    data = callfile.parse(
        call_text([p.id for p in places], chair.email, [evaluator.email, second.email], first=first)
    )
    call = call_ops.load_call(data, actor=chair, now=opened - timedelta(days=2))
    call_ops.publish(call, actor=chair, now=opened - timedelta(days=1))
    call_ops.open_call(call, actor=chair, now=opened)
    db.session.commit()
    return call


@pytest.fixture
def open_call(app, make, panel):
    return load_open_call(make, panel)


# A call whose deadlines are in the past (the act of a batch cannot be dated in the future):
# opened 100 days ago, its first deadline 70 days ago, its second 10 days ago.
PAST_OPENED = NOW - timedelta(days=100)
PAST_FIRST = NOW - timedelta(days=70)


@pytest.fixture
def past_call(app, make, panel):
    return load_open_call(make, panel, first=PAST_FIRST, opened=PAST_OPENED)


# A rolling call: opened 40 days ago, the first deadline 10 days ago, the second in 50 days.
ROLLING_OPENED = NOW - timedelta(days=40)
ROLLING_FIRST = NOW - timedelta(days=10)


@pytest.fixture
def rolling_call(app, make, panel):
    return load_open_call(make, panel, first=ROLLING_FIRST, opened=ROLLING_OPENED)


# The rolling call's first batch: applied and submitted after the opening, closed a minute
# after its deadline, ranked five days ago.
APPLIED = ROLLING_OPENED + timedelta(days=1)
CLOSED = ROLLING_FIRST + timedelta(minutes=1)
RANKED = NOW - timedelta(days=5)


def submitted(make, call, title, now):
    """A proposal answering ``call``, applied for and submitted at ``now``."""
    group = make.group(kind="association")
    application = call_ops.apply_to_call(
        call,
        representative=group.representative,
        group=group,
        title=title,
        theme="culture",
        commons_ids=[call.offers[0].commons_id],
        answers={"hours": "20"},
        no_advantage=True,
        now=now,
        objectives="Open the building to the neighbourhood.",
        activities="Workshops and concerts.",
        requested_duration_months=24,
    )
    workflows.fire(application.proposal, "submit", group.representative, now=now)
    db.session.commit()
    return application


def grid(call, *points, reason="As the grid says."):
    """Points (and one reason) per criterion, as the evaluation operations take them."""
    return {c.id: (p, reason) for c, p in zip(call.criteria, points, strict=True)}


def scored(call, panel, application, *points, reason="As the grid says."):
    """Both evaluators declare and submit ``points``; the chair records them as consensus."""
    chair, first, second = panel
    for evaluator in (first, second):
        review = evaluation.declare(
            application, evaluator=evaluator, no_conflict=True, now=CLOSED + timedelta(days=1)
        )
        evaluation.save_scores(
            review, grid(call, *points), submit=True, now=CLOSED + timedelta(days=1)
        )
    evaluation.record_consensus(application, grid(call, *points, reason=reason), chair=chair)
    db.session.commit()


@pytest.fixture
def first_batch_scored(make, panel, rolling_call):
    """Batch 1 closed with two proposals scored (one above the threshold, one below) while
    batch 2 receives a third; nothing ranked yet."""
    call = rolling_call
    strong = submitted(make, call, "Music school", APPLIED)
    weak = submitted(make, call, "Storage room", APPLIED + timedelta(hours=1))
    call_ops.close_batches(call, now=CLOSED)
    db.session.commit()
    assert call.status == CallStatus.OPEN and call.batches[0].in_evaluation
    later = submitted(make, call, "Library of things", NOW)
    assert later.batch.label == "Second round" and not later.batch.in_evaluation
    scored(call, panel, strong, 35, 30, 30)
    scored(call, panel, weak, 10, 9, 10, reason="Too vague.")
    return call, strong, weak, later
