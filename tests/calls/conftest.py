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


@pytest.fixture
def open_call(app, make, panel):
    chair, first, second = panel
    places = [make.commons(kind="building"), make.commons(kind="building")]
    data = callfile.parse(
        call_text([p.id for p in places], chair.email, [first.email, second.email])
    )
    call = call_ops.load_call(data, actor=chair)
    call_ops.publish(call, actor=chair)
    call_ops.open_call(call, actor=chair, now=NOW)
    db.session.commit()
    return call
