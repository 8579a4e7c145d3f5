"""Writing an import, and taking it back: ``apply_plan``, ``undo_import``.

Each imported proposal is created directly in its mapped state: an import records history, it
does not live it, so no transition, notification or document runs. This and ``undo_import``
(and the officer's correction, ``commons.imports.corrections``) are the documented places
besides ``workflows.fire`` that write ``status``; each writes an audit event saying so.
Operations flush, never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select

from commons.audit.models import AuditEvent
from commons.audit.operations import append_event, append_events
from commons.auth.models import Role, User, UserRole
from commons.auth.operations import create_group, find_user_by_email
from commons.db import utcnow
from commons.errors import DomainError
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.imports.mapping import Mapping, fold, slug
from commons.imports.models import ImportedPact, ImportRun
from commons.imports.planning import MARKER, Plan, PlannedRow
from commons.office.deadlines import step_due_at
from commons.proposals.models import Proposal, proposal_commons
from commons.registry.models import Availability, Commons
from commons.registry.operations import update_commons
from workflows.clocks import add_months

TRIGGER = "imported"
UNDONE = "import_undone"
# Events an import itself writes on its proposals: any other one means someone acted on it.
OWN_EVENTS = (TRIGGER, "import_corrected")


@dataclass
class Counts:
    commons_created: int = 0
    commons_reused: int = 0
    groups_created: int = 0
    groups_reused: int = 0
    proposals_created: int = 0
    without_end: int = 0  # in force with no end date: they will not expire


def _imported_representative(name: str, kind: str) -> tuple[User, bool]:
    """The account standing for an imported representative: it can never log in.

    Its e-mail is under the reserved ``.invalid`` domain, its password hash matches no password
    (it is not an argon2 hash) and it is deactivated.
    """
    email = f"imported+{slug(name)[:200]}-{kind}@invalid"
    user = find_user_by_email(email)
    if user is not None:
        return user, False
    user = User(
        email=email,
        full_name=name,
        password_hash="!imported:" + secrets.token_hex(16),
        active=False,
    )
    user.role_rows = [UserRole(role=Role.CITIZEN.value)]
    db.session.add(user)
    db.session.flush()
    append_event(
        "user_created",
        actor_role="import",
        payload={"user_id": user.id, "roles": [Role.CITIZEN.value], "imported": True},
        public=False,
    )
    return user, True


def _group_for(name: str, kind: str, cache: dict, counts: Counts) -> tuple[ProponentGroup, str]:
    # The key is the account's: names differing in case or accents are one representative.
    key = (slug(name), kind)
    if key in cache:
        counts.groups_reused += 1
        return cache[key], "same as above"
    user, new_user = _imported_representative(name, kind)
    group = None
    if not new_user:
        group = db.session.scalar(
            select(ProponentGroup)
            .where(ProponentGroup.representative_id == user.id)
            .where(ProponentGroup.kind == kind)
            .order_by(ProponentGroup.id)
            .limit(1)
        )
    if group is None:
        group = create_group(name=name, kind=kind, representative=user)
        counts.groups_created += 1
        how = "new"
    else:
        counts.groups_reused += 1
        how = "existing"
    cache[key] = group
    return group, how


def registry_commons() -> dict[str, int]:
    """The commons already in the registry by their key (name and address, folded)."""
    keys: dict[str, int] = {}
    for commons_id, name, address in db.session.execute(
        select(Commons.id, Commons.name, Commons.address).order_by(Commons.id)
    ):
        keys.setdefault(fold(name) + "|" + fold(address), commons_id)
    return keys


def term_of(row: PlannedRow) -> tuple:
    """Start and end of the term: as given, or the end from the start and the duration."""
    start = row.start_date or row.signed_on
    end = row.end_date
    if end is None and start is not None and row.duration_months:
        end = add_months(start, row.duration_months)
    return start, end


_UNSET_CLOCKS = dict.fromkeys(
    (
        "review_started_at",
        "review_stopped_at",
        "review_paused_at",
        "integration_due_at",
        "notice_ends_at",
        "deliberation_due_at",
        "next_report_due_on",
        "withdrawal_effective_on",
    )
)
BATCH = 1_000  # rows written together: multi-row INSERTs, one chained append of their events


def _inserted_ids(model, rows: list[dict]) -> list[int]:
    """Multi-row INSERT of ``rows``; their new ids, in the same order."""
    if not rows:
        return []
    table = model.__table__  # Core: no ORM bulk bookkeeping, the multi-row VALUES as is
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.execute(stmt, rows).scalars())


class _Writer:
    """What an import has written so far: commons and groups by key, the counts."""

    def __init__(self, plan: Plan, mapping: Mapping, profile, run: ImportRun, filename: str):
        self.mapping, self.profile, self.run, self.filename = mapping, profile, run, filename
        self.counts = Counts()
        self.known = registry_commons()  # key -> id, the registry's before the import
        self.commons: dict[str, int] = {}  # key -> id, met in this run
        self.names: dict[int, str] = {}  # commons id -> name, for the dry run's lines
        self.groups: dict[tuple, tuple[int, int, str]] = {}  # key -> (group, user, name)
        in_force = set(profile.in_force)
        self.in_force_keys = {r.commons_key for r in plan.rows if r.state in in_force}
        self.marked: set[int] = set()

    def _commons(self, batch: list[PlannedRow], events: list[dict]) -> dict[int, str]:
        """The commons id of each row; creates the new ones. Returns row index -> how."""
        how: dict[int, str] = {}
        new: dict[str, PlannedRow] = {}
        for k, row in enumerate(batch):
            key = row.commons_key
            if key in self.commons:
                how[k] = "same as above"
            elif key in self.known:
                how[k] = "existing"
                self.commons[key] = self.known[key]
            elif key in new:
                how[k] = "same as above"
            else:
                how[k] = "new"
                new[key] = row
        now = utcnow()
        values = [
            {
                "name": row.commons_name,
                "kind": self.mapping.commons_kind,
                "description": "",
                "address": row.address,
                "district": row.district,
                "neighbourhood": row.neighbourhood,
                "latitude": row.latitude,
                "longitude": row.longitude,
                "availability": (
                    Availability.IN_PACT if key in self.in_force_keys else Availability.AVAILABLE
                ).value,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for key, row in new.items()
        ]
        for (key, row), commons_id in zip(new.items(), _inserted_ids(Commons, values), strict=True):
            self.commons[key] = commons_id
            self.names[commons_id] = row.commons_name
            events.append(
                {
                    "trigger": "commons_created",
                    "payload": {"commons_id": commons_id, "name": row.commons_name},
                }
            )
        self.counts.commons_created += len(new)
        self.counts.commons_reused += len(batch) - len(new)
        return how

    def mark_in_pact(self) -> None:
        """Commons of the registry that a pact in force of the file now occupies."""
        ids = sorted(self.known[key] for key in self.in_force_keys if key in self.known)
        for commons in db.session.scalars(select(Commons).where(Commons.id.in_(ids))):
            self.names[commons.id] = commons.name
            if commons.availability != Availability.IN_PACT.value:
                # Not an edit from a page: the import marks what the pact in force implies.
                update_commons(commons, base_version=None, availability=Availability.IN_PACT.value)

    def _groups(self, batch: list[PlannedRow], events: list[dict]) -> dict[int, str]:
        how: dict[int, str] = {}
        wanted: dict[tuple, PlannedRow] = {}
        for k, row in enumerate(batch):
            key = (slug(row.group_name), row.group_kind)
            if key in self.groups or key in wanted:
                how[k] = "same as above"
            else:
                wanted[key] = row
        email_of = {key: f"imported+{key[0][:200]}-{key[1]}@invalid" for key in wanted}
        users = dict(
            db.session.execute(
                select(User.email, User.id).where(User.email.in_(list(email_of.values())))
            ).all()
        )
        if users:
            by_email: dict[str, list[tuple]] = {}
            for key, email in email_of.items():
                by_email.setdefault(email, []).append(key)
            keys_of: dict[tuple, list[tuple]] = {}
            for email, user_id in users.items():
                for key in by_email.get(email, ()):
                    keys_of.setdefault((user_id, key[1]), []).append(key)
            for group_id, user_id, kind, name in db.session.execute(
                select(
                    ProponentGroup.id,
                    ProponentGroup.representative_id,
                    ProponentGroup.kind,
                    ProponentGroup.name,
                )
                .where(ProponentGroup.representative_id.in_(list(users.values())))
                .order_by(ProponentGroup.id.desc())
            ):
                for key in keys_of.get((user_id, kind), ()):
                    self.groups[key] = (group_id, user_id, name)
        now = utcnow()
        new_users = [
            (key, row)
            for key, row in wanted.items()
            if key not in self.groups and email_of[key] not in users
        ]
        user_ids = _inserted_ids(
            User,
            [
                {
                    "email": email_of[key],
                    "full_name": row.group_name,
                    "password_hash": "!imported:" + secrets.token_hex(16),
                    User.active.key: False,  # the column, not a state
                    "session_generation": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for key, row in new_users
            ],
        )
        for (key, _row), user_id in zip(new_users, user_ids, strict=True):
            users[email_of[key]] = user_id
            events.append(
                {
                    "trigger": "user_created",
                    "actor_role": "import",
                    "payload": {
                        "user_id": user_id,
                        "roles": [Role.CITIZEN.value],
                        "imported": True,
                    },
                    "public": False,
                }
            )
        if user_ids:
            db.session.execute(
                insert(UserRole), [{"user_id": u, "role": Role.CITIZEN.value} for u in user_ids]
            )
        new_groups = [(key, row) for key, row in wanted.items() if key not in self.groups]
        group_ids = _inserted_ids(
            ProponentGroup,
            [
                {
                    "name": row.group_name,
                    "kind": row.group_kind,
                    "representative_id": users[email_of[key]],
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for key, row in new_groups
            ],
        )
        for (key, row), group_id in zip(new_groups, group_ids, strict=True):
            self.groups[key] = (group_id, users[email_of[key]], row.group_name)
        created = {key for key, _row in new_groups}
        for k, row in enumerate(batch):
            if k not in how:
                key = (slug(row.group_name), row.group_kind)
                how[k] = "new" if key in created else "existing"
        self.counts.groups_created += len(new_groups)
        self.counts.groups_reused += len(batch) - len(new_groups)
        return how

    def write(self, batch: list[PlannedRow]) -> None:
        events: list[dict] = []
        commons_how = self._commons(batch, events)
        group_how = self._groups(batch, events)
        now = utcnow()
        values = []
        for row in batch:
            group_id, user_id, _name = self.groups[(slug(row.group_name), row.group_kind)]
            start, end = term_of(row)
            if row.state in self.profile.in_force and end is None:
                self.counts.without_end += 1
            values.append(
                {
                    "title": row.title,
                    "pact_type": self.mapping.pact_type,
                    "group_id": group_id,
                    "representative_id": user_id,
                    "objectives": "",
                    "activities": row.action_area,
                    "support_requested": [],
                    "support_notes": "",
                    "status": row.state,
                    "protocol_number": MARKER + row.source_id,
                    "profile": self.profile.name,
                    "start_date": start,
                    # The expiry clock of a pact in force: the tick expires it once this is past.
                    "end_date": end,
                    "requested_duration_months": row.duration_months,
                    "decision_number": row.act_number or None,
                    "decision_date": row.act_date,
                    "lock_version": 1,
                    "review_paused_seconds": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for value in values:
            # The deadline the work queue sorts by (an ORM flush would set it: office.deadlines).
            value["due_at"] = step_due_at(SimpleNamespace(**_UNSET_CLOCKS, **value))
        proposal_ids = _inserted_ids(Proposal, values)
        db.session.execute(
            insert(proposal_commons),
            [
                {"proposal_id": pid, "commons_id": self.commons[row.commons_key]}
                for pid, row in zip(proposal_ids, batch, strict=True)
            ],
        )
        db.session.execute(
            insert(ImportedPact),
            [
                {
                    "proposal_id": pid,
                    "run_id": self.run.id,
                    "source_id": row.source_id,
                    "row": row.row,
                    "signed_document_url": row.pdf_url or None,
                    "signed_on": row.signed_on,
                    "acts_notes": row.acts_notes,
                    "notes": row.notes,
                    "created_commons_id": self.commons[row.commons_key]
                    if commons_how[k] == "new"
                    else None,
                }
                for k, (pid, row) in enumerate(zip(proposal_ids, batch, strict=True))
            ],
        )
        for k, (pid, row) in enumerate(zip(proposal_ids, batch, strict=True)):
            events.append(
                {
                    "trigger": TRIGGER,
                    "actor_role": "import",
                    "proposal_id": pid,
                    "to_state": row.state,
                    "payload": {
                        "import_id": self.run.id,
                        "source_row": row.source,
                        "source_id": row.source_id,
                        "file": self.filename,
                        "row": row.row,
                        "acts_notes": row.acts_notes,
                        "pdf_url": row.pdf_url,
                        "imported_by": self.mapping.imported_by,
                    },
                }
            )
            commons_id = self.commons[row.commons_key]
            group_name = self.groups[(slug(row.group_name), row.group_kind)][2]
            row.outcome = (
                f"commons {self.names.get(commons_id, row.commons_name)!r} ({commons_how[k]}), "
                f"group {group_name!r} {row.group_kind} ({group_how[k]})"
            )
        append_events(events)
        self.counts.proposals_created += len(batch)


def apply_plan(
    plan: Plan,
    mapping: Mapping,
    profile,
    *,
    filename: str,
    on_row: Callable[[], None] | None = None,
) -> tuple[Counts, ImportRun]:
    """Create the planned rows in the current transaction (flushes, never commits).

    Rows are written in batches of :data:`BATCH`: multi-row INSERTs for the commons, accounts,
    groups, proposals, their links and imported facts, and one chained append of the batch's
    events (``commons_created``, ``user_created``, ``imported``)."""
    run = ImportRun(file_name=filename[:300], imported_by=mapping.imported_by[:200])
    run.started_at = utcnow()
    db.session.add(run)
    db.session.flush()
    writer = _Writer(plan, mapping, profile, run, filename)
    writer.mark_in_pact()
    for start in range(0, len(plan.rows), BATCH):
        batch = plan.rows[start : start + BATCH]
        writer.write(batch)
        if on_row is not None:
            for _row in batch:
                on_row()
    run.proposals = writer.counts.proposals_created
    db.session.flush()
    return writer.counts, run


def touched_by_others(run: ImportRun) -> list[str]:
    """Protocol numbers of the run's proposals someone acted on since the import."""
    stmt = (
        select(Proposal.protocol_number)
        .join(ImportedPact, ImportedPact.proposal_id == Proposal.id)
        .where(ImportedPact.run_id == run.id)
        .where(
            select(AuditEvent.seq)
            .where(AuditEvent.proposal_id == Proposal.id, AuditEvent.trigger.not_in(OWN_EVENTS))
            .exists()
        )
        .order_by(Proposal.id)
    )
    return list(db.session.scalars(stmt))


def undo_import(run: ImportRun, *, profile_of, reason: str = "") -> int:
    """Take a whole import back; return how many proposals it took back.

    Refused while any of its proposals was acted on after the import (an event other than
    the import's own): those are the registry's now, corrected one by one. The proposals
    cannot be deleted (the audit chain names them): each goes back to its profile's initial
    state, where nobody sees it (its representative's account cannot log in), loses its
    protocol number (so a corrected file can be imported again) and its commons; commons the
    import created and no other pact names are removed. Each gets an ``import_undone`` event.
    """
    if run.undone_at is not None:
        raise DomainError(f"import {run.id} was already undone on {run.undone_at:%Y-%m-%d}.")
    touched = touched_by_others(run)
    if touched:
        shown = ", ".join(touched[:10]) + (" ..." if len(touched) > 10 else "")
        raise DomainError(
            f"import {run.id} cannot be undone: {len(touched)} of its proposals were acted on "
            f"since ({shown}). Correct them one by one instead (docs/import.md)."
        )
    pacts = list(db.session.scalars(select(ImportedPact).where(ImportedPact.run_id == run.id)))
    created = {p.created_commons_id for p in pacts if p.created_commons_id}
    for pact in pacts:
        proposal = db.session.get(Proposal, pact.proposal_id)
        before = proposal.status
        proposal.status = profile_of(proposal).initial
        proposal.protocol_number = None
        proposal.commons = []
        db.session.flush()
        append_event(
            UNDONE,
            actor_role="import",
            proposal=proposal,
            from_state=before,
            to_state=proposal.status,
            payload={"import_id": run.id, "source_id": pact.source_id, "reason": reason},
            public=True,
        )
    for pact in pacts:
        pact.created_commons_id = None
    db.session.flush()
    for commons_id in sorted(created):
        in_use = db.session.scalar(
            select(func.count())
            .select_from(proposal_commons)
            .where(proposal_commons.c.commons_id == commons_id)
        )
        if not in_use:
            db.session.execute(delete(Commons).where(Commons.id == commons_id))
            append_event(
                "commons_removed",
                actor_role="import",
                payload={"commons_id": commons_id, "import_id": run.id},
                public=True,
            )
    run.undone_at = utcnow()
    db.session.flush()
    return len(pacts)


CORRECTED = "import_corrected"
CORRECTABLE = ("status", "commons", "proponent", "start_date", "end_date", "act_number", "act_date")


def is_correctable(proposal) -> bool:
    """An imported proposal nobody has acted on since: what the import wrote is still the
    whole of its record here, so correcting it corrects the import, not the lifecycle."""
    if ImportedPact.of(proposal) is None:
        return False
    return not db.session.scalar(
        select(AuditEvent.seq)
        .where(AuditEvent.proposal_id == proposal.id, AuditEvent.trigger.not_in(OWN_EVENTS))
        .limit(1)
    )


def find_commons(text: str) -> Commons | None:
    """The commons of the register named (or at the address) ``text``, ignoring case,
    accents and spaces."""
    wanted = fold(text)
    for commons in db.session.scalars(select(Commons).order_by(Commons.id)):
        if wanted in (fold(commons.name), fold(commons.address)):
            return commons
    return None


def correct_imported(
    proposal: Proposal,
    *,
    actor,
    base_version: int | None,
    reason: str,
    profile,
    status: str,
    commons_text: str,
    proponent: str,
    proponent_kind: str,
    start_date,
    end_date,
    act_number: str,
    act_date,
) -> dict:
    """Correct what an import recorded of ``proposal``; return the changes, field -> [before,
    after]. The documented audited operation that may set an imported proposal's state
    (besides ``workflows.fire``): only while nobody has acted on it since the import (then
    the lifecycle's own transitions apply), with a reason, in one ``import_corrected`` event.
    """
    from commons.versioning import ensure_base_version

    if not reason.strip():
        raise DomainError(_("Give the reason for the correction."), field="reason")
    ensure_base_version(proposal, base_version)
    if not is_correctable(proposal):
        raise DomainError(
            _("This proposal was acted on after its import: change it through its lifecycle.")
        )
    if status not in profile.states:
        raise DomainError(_("Choose a state of the lifecycle."), field="status")
    if start_date and end_date and end_date < start_date:
        raise DomainError(_("The end of the term is before its start."), field="end_date")
    commons = find_commons(commons_text)
    if commons is None:
        raise DomainError(
            _(
                "No commons of the register has this name or address: add it to the register "
                "first, or check the spelling."
            ),
            field="commons",
        )
    changes: dict[str, list] = {}

    def change(key: str, before, after) -> None:
        if before != after:
            changes[key] = [
                before.isoformat() if hasattr(before, "isoformat") else before,
                after.isoformat() if hasattr(after, "isoformat") else after,
            ]

    before_status = proposal.status
    change("status", proposal.status, status)
    old_commons = proposal.commons[0] if proposal.commons else None
    change("commons_id", old_commons.id if old_commons else None, commons.id)
    group = proposal.group
    if proponent.strip() and (fold(proponent) != fold(group.name) or proponent_kind != group.kind):
        new_group, _how = _group_for(" ".join(proponent.split()), proponent_kind, {}, Counts())
        change("group_id", group.id, new_group.id)  # ids: names stay out of the public event
        proposal.group = new_group
        proposal.representative = new_group.representative
    change("start_date", proposal.start_date, start_date)
    change("end_date", proposal.end_date, end_date)
    change("decision_number", proposal.decision_number, act_number or None)
    change("decision_date", proposal.decision_date, act_date)
    if not changes:
        raise DomainError(_("Nothing was changed: correct at least one field."))
    proposal.status = status
    proposal.commons = [commons]
    proposal.start_date, proposal.end_date = start_date, end_date
    proposal.decision_number, proposal.decision_date = act_number or None, act_date
    in_force = Availability.IN_PACT.value
    if status in profile.in_force and commons.availability != in_force:
        update_commons(commons, actor=actor, base_version=None, availability=in_force)
    db.session.flush()
    append_event(
        CORRECTED,
        actor=actor,
        actor_role="officer",
        proposal=proposal,
        from_state=before_status,
        to_state=status,
        payload={"changes": changes, "reason": reason.strip()},
        public=True,
    )
    return changes
