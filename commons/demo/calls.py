"""The demo city's calls (calls.toml): loaded through the calls' own operations, dated in the
past so that every step follows the one before and each batch's act precedes its admissions.
A call's ``rounds`` say what happened to each batch, in deadline order: when the panel started
on it and, once admitted, its act; a batch without a round is still to be evaluated (or still
receiving applications, its deadline to come)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

import workflows
from commons.auth.models import User
from commons.calls import callfile, evaluation
from commons.calls import operations as call_ops
from commons.calls.models import Call, CallStatus
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.registry.models import Commons

HERE = Path(__file__).parent
# Keys of a demo call that say what happened to it, not what the call is.
STORY = {"opened_days_ago", "deadline_days_ago", "rounds", "applications"}


def _read() -> list[dict]:
    with (HERE / "calls.toml").open("rb") as fh:
        return tomllib.load(fh)["calls"]


def _ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _call_file(entry: dict, now: datetime) -> callfile.CallData:
    raw = {k: v for k, v in entry.items() if k not in STORY}
    ids = {
        c.name: c.id
        for c in db.session.scalars(
            select(Commons).where(Commons.name.in_([o["name"] for o in raw["commons"]]))
        )
    }
    raw["commons"] = [
        {"id": ids[o["name"]], **{k: v for k, v in o.items() if k != "name"}}
        for o in raw["commons"]
    ]
    raw["batches"] = [
        {
            "label": f"Deadline {n}",
            "deadline": datetime.combine(_ago(now, d).date(), time(12), tzinfo=UTC),
        }
        for n, d in enumerate(entry["deadline_days_ago"], 1)
    ]
    return callfile.parse_data(raw, name=f"calls.toml [{entry['reference']}]")


def load_calls(asked: dict, now: datetime | None = None) -> int:
    """Create the demo calls that are missing; return how many were created."""
    now = now or datetime.now(UTC)
    created = 0
    for entry in _read():
        if db.session.scalar(select(Call.id).where(Call.reference == entry["reference"])):
            continue
        _load_one(entry, asked, now)
        created += 1
    return created


def _load_one(entry: dict, asked: dict, now: datetime) -> None:
    chair = _user(entry["chair"])
    panel = [_user(e) for e in entry["evaluators"]]
    opened = _ago(now, entry["opened_days_ago"])
    call = call_ops.load_call(_call_file(entry, now), actor=chair, now=opened - timedelta(days=7))
    call_ops.publish(call, actor=chair, now=opened - timedelta(days=1))
    call_ops.open_call(call, actor=chair, now=opened)
    applications = []
    for item in entry.get("applications", []):
        group = db.session.scalar(
            select(ProponentGroup).where(ProponentGroup.name == item["group"])
        )
        submitted = _ago(now, item["submitted_days_ago"])
        application = call_ops.apply_to_call(
            call,
            representative=group.representative,
            group=group,
            title=item["title"],
            theme=call.theme_keys[0],
            commons_ids=[o.commons_id for o in call.offers if o.commons.name in item["commons"]],
            partners=item.get("partners", []),
            answers={q["key"]: item.get("answer", "") for q in call.questions},
            no_advantage=True,
            now=submitted - timedelta(days=2),
            objectives=asked["objectives"].format(title=item["title"]),
            activities=asked["activities"],
            support_requested=list(asked["support"]),
            requested_duration_months=asked["months"],
        )
        workflows.fire(application.proposal, "submit", group.representative, now=submitted)
        applications.append((application, item))
    rounds = entry.get("rounds", [])
    for batch, story in zip(call.batches, rounds, strict=False):
        _evaluate_batch(call, batch, story, chair, panel, applications, now)


def _evaluate_batch(call, batch, story: dict, chair, panel, applications, now) -> None:
    """The batch closes a minute after its deadline; the panel scores its proposals from
    ``evaluation_days_ago`` (the office starts the evaluation when it is the call's last
    batch); with an ``act``, the chair ranks it and its act admits it."""
    call_ops.close_batches(call, now=batch.deadline + timedelta(minutes=1))
    evaluating = _ago(now, story["evaluation_days_ago"])
    if call.status == CallStatus.CLOSED:
        call_ops.start_evaluation(call, actor=chair, now=evaluating)
    for application, item in applications:
        if application.batch_id != batch.id:
            continue
        for evaluator, points in zip(panel, item.get("scores", []), strict=False):
            review = evaluation.declare(
                application, evaluator=evaluator, no_conflict=True, now=evaluating + timedelta(1)
            )
            grid = {
                c.id: (p, f"{c.title}: {p} of {c.max_points}, as discussed.")
                for c, p in zip(call.criteria, points, strict=True)
            }
            evaluation.save_scores(review, grid, submit=True, now=evaluating + timedelta(days=1))
        if "consensus" in item:
            agreed = {
                c.id: (p, "Agreed by the panel after comparing the evaluators' reasons.")
                for c, p in zip(call.criteria, item["consensus"], strict=True)
            }
            evaluation.record_consensus(
                application, agreed, chair=chair, now=evaluating + timedelta(days=2)
            )
    if "act" not in story:
        return
    evaluation.rank_batch(batch, chair=chair, now=evaluating + timedelta(days=3))
    act = story["act"]
    act_day = _ago(now, act["days_ago"])
    # The act is dated the day before it is recorded, and its admissions the day it is.
    evaluation.record_batch_act(
        batch,
        actor=chair,
        number=act["number"],
        act_date=(act_day - timedelta(days=1)).date(),
        now=act_day,
    )
