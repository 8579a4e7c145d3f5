"""A call ready to receive applications: two commons, a 3-criterion grid, two evaluators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commons.auth.models import Role
from commons.calls import callfile
from commons.calls import operations as call_ops
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
