"""Load the demo city (``data.py``) through the same operations and triggers as real use.

Running it again adds only what is missing, so a second ``make run`` keeps existing data.
Nothing is committed here: the caller (``commons demo``, commons/cli.py) is the transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from commons.auth import operations as auth_ops
from commons.demo.data import (
    AGREEMENT,
    APPLICATIONS_START,
    COMMONS,
    GROUPS,
    LIFECYCLE,
    OWNER_OFFICE,
    PACT_APPLICATION,
    PATHS,
    PROPOSALS,
    STEP_DATA,
    SUCCESSOR_PATHS,
    USERS,
    Step,
)
from commons.extensions import db
from commons.groups.models import GroupKind, ProponentGroup
from commons.impact.framework import filled
from commons.proposals import operations as proposal_ops
from commons.proposals.models import Proposal
from commons.registry import operations as registry_ops
from commons.registry.models import Commons


def walk(proposal, path: list[Step], people, passwords, start) -> datetime:
    """Fire the path's triggers at realistic past times, as the people would have; the time
    of the last one."""
    import workflows
    from commons.documents.operations import save_version
    from commons.proposals.operations import record_meeting

    now = start
    for trigger, who, days in path:
        now += timedelta(days=days)
        actor = workflows.SYSTEM if who == "system" else people[who]
        if trigger == "agree_draft":
            save_version(
                proposal,
                author=people["officer"],
                comment=AGREEMENT["draft_comment"],
                now=now - timedelta(days=AGREEMENT["draft_days_before"]),
            )
            met = now - timedelta(days=AGREEMENT["meeting_days_before"])
            record_meeting(
                proposal,
                actor=people["officer"],
                held_on=met.date(),
                attendees=AGREEMENT["attendees"],
                minutes=AGREEMENT["minutes"],
                now=met,
            )
        data = {
            k: (v.format(n=proposal.id) if isinstance(v, str) else v)
            for k, v in STEP_DATA.get(trigger, {}).items()
        }
        if trigger == "approve":
            # The decision is adopted the day before the approval that cites it is recorded.
            data["act_date"] = (now - timedelta(days=1)).date().isoformat()
        if trigger == "file_report":
            # The figures as the report form sends them: for the current impact framework.
            data["impact"] = filled(data.pop("values", {}), data.pop("breakdowns", None))
        if trigger == "sign":
            data.update(full_name=actor.full_name, consent=True, password=passwords[actor.email])
        workflows.fire(proposal, trigger, actor, now=now, **data)
    return now


def hand_over(old) -> None:
    """What ``commons tick`` does the night after the old pact's end: it becomes renewed."""
    from zoneinfo import ZoneInfo

    import workflows
    from workflows.engine import city_timezone

    zone = ZoneInfo(city_timezone())
    night = datetime.combine(old.end_date + timedelta(days=1), time(1), tzinfo=zone)
    workflows.fire(old, "complete_renewal", workflows.SYSTEM, now=night.astimezone(UTC))


def _users(created: dict) -> dict:
    users = {}
    for email, name, roles, password in USERS:
        user = auth_ops.find_user_by_email(email)
        if user is None:
            user = auth_ops.create_user(email=email, full_name=name, password=password, roles=roles)
            created["users"] += 1
        users[email] = user
    return users


def _commons(created: dict, officer) -> dict:
    commons_by_name = {}
    for place in COMMONS:
        commons = db.session.scalar(
            select(Commons).where(Commons.name == place.name, Commons.address == place.address)
        )
        if commons is None:
            commons = registry_ops.create_commons(
                actor=officer, **place._asdict(), owner_office=OWNER_OFFICE
            )
            created["commons"] += 1
        commons_by_name[place.name] = commons
    return commons_by_name


def _groups(created: dict, users: dict) -> dict:
    groups = {}
    for name, kind, rep, tax, address, members in GROUPS:
        representative = users[rep]
        group = db.session.scalar(
            select(ProponentGroup).where(
                ProponentGroup.name == name, ProponentGroup.representative_id == representative.id
            )
        )
        if group is None:
            group = auth_ops.create_group(
                name=name,
                kind=GroupKind(kind),
                representative=representative,
                tax_code=tax,
                address=address,
                email=rep,
            )
            for member_email in members:
                member = users[member_email]
                auth_ops.add_member(
                    group, full_name=member.full_name, email=member.email, user=member
                )
            created["groups"] += 1
        groups[name] = group
    return groups


def _exists(group, title: str) -> bool:
    found = db.session.scalar(
        select(Proposal.id).where(Proposal.title == title, Proposal.group_id == group.id)
    )
    return found is not None


def load_demo(echo=print) -> dict:
    """Create what is missing of the demo city; return counts of what was created.

    Everything is added and flushed in the caller's transaction, committed by the caller.
    """
    from flask import current_app

    from commons.documents.seal import ensure_demo_seal

    ensure_demo_seal(current_app.config, echo)
    created = {"users": 0, "commons": 0, "groups": 0, "proposals": 0}
    users = _users(created)
    officer = users["officer@demo.example.org"]
    commons_by_name = _commons(created, officer)
    groups = _groups(created, users)

    start = APPLICATIONS_START
    for group_name, title, pact_type, names, objectives, activities, support, months in PROPOSALS:
        group = groups[group_name]
        if not _exists(group, title):
            proposal_ops.create_draft(
                representative=group.representative,
                group=group,
                title=title,
                commons=[commons_by_name[n] for n in names],
                pact_type=pact_type,
                objectives=objectives,
                activities=activities,
                support_requested=support,
                requested_duration_months=months,
                start_date=start,
                end_date=start.replace(year=start.year + months // 12, day=1),
            )
            created["proposals"] += 1

    people = {"officer": officer, "legal": users["legal@demo.example.org"]}
    passwords = {user.email: user.password for user in USERS}
    asked = PACT_APPLICATION
    now = datetime.now(UTC)
    for group_name, title, pact_type, names, state, days_ago in LIFECYCLE:
        group = groups[group_name]
        if _exists(group, title):
            continue
        submitted = now - timedelta(days=days_ago)
        proposal = proposal_ops.create_draft(
            representative=group.representative,
            group=group,
            title=title,
            commons=[commons_by_name[n] for n in names],
            pact_type=pact_type,
            objectives=asked["objectives"].format(title=title),
            activities=asked["activities"],
            support_requested=list(asked["support"]),
            requested_duration_months=asked["months"],
            now=submitted - timedelta(hours=asked["written_hours_before"]),
        )
        cast = {**people, "rep": group.representative}
        renewed_on = walk(proposal, PATHS[state], cast, passwords, submitted)
        created["proposals"] += 1
        if state in SUCCESSOR_PATHS:
            (successor,) = proposal.successors
            walk(successor, SUCCESSOR_PATHS[state], cast, passwords, renewed_on)
            hand_over(proposal)
            created["proposals"] += 1
    from commons.demo.calls import load_calls

    created["calls"] = load_calls(PACT_APPLICATION, now)
    from commons.demo.offers import load_offers

    created["offers and needs"] = load_offers(now)
    from commons.demo.buildings import load_buildings
    from commons.formatting import city_day

    created["asset dossiers"] = load_buildings(city_day(now))
    from commons.demo.buildings import load_vacancy_reports

    created["vacancy reports"] = load_vacancy_reports(now)
    return created


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of every demo account, for printing."""
    from commons.auth.forms import role_label

    return [
        (", ".join(role_label(r) for r in roles), email, password)
        for email, _name, roles, password in USERS
    ]
