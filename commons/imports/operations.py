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

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from commons.audit.models import AuditEvent
from commons.audit.operations import append_event
from commons.auth.models import Role, User, UserRole
from commons.auth.operations import create_group, find_user_by_email
from commons.db import utcnow
from commons.errors import DomainError
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.imports.mapping import Mapping, fold, slug
from commons.imports.models import ImportedPact, ImportRun
from commons.imports.planning import MARKER, Plan, PlannedRow
from commons.proposals.models import Proposal, proposal_commons
from commons.registry.models import Availability, Commons
from commons.registry.operations import create_commons, update_commons
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


def _commons_for(
    row: PlannedRow, mapping: Mapping, in_force: bool, known: dict, cache: dict, counts: Counts
) -> tuple[Commons, str, bool]:
    commons = cache.get(row.commons_key)
    how, created = "same as above", False
    if commons is None and row.commons_key in known:
        commons = db.session.get(Commons, known[row.commons_key])
        how = "existing"
    if commons is None:
        commons = create_commons(
            name=row.commons_name,
            kind=mapping.commons_kind,
            address=row.address,
            district=row.district,
            neighbourhood=row.neighbourhood,
            latitude=row.latitude,
            longitude=row.longitude,
            availability=(Availability.IN_PACT if in_force else Availability.AVAILABLE).value,
        )
        counts.commons_created += 1
        how, created = "new", True
    else:
        counts.commons_reused += 1
        if in_force and commons.availability != Availability.IN_PACT.value:
            # Not an edit from a page: the import marks what the pact in force implies.
            update_commons(commons, base_version=None, availability=Availability.IN_PACT.value)
    cache[row.commons_key] = commons
    return commons, how, created


def term_of(row: PlannedRow) -> tuple:
    """Start and end of the term: as given, or the end from the start and the duration."""
    start = row.start_date or row.signed_on
    end = row.end_date
    if end is None and start is not None and row.duration_months:
        end = add_months(start, row.duration_months)
    return start, end


def apply_plan(
    plan: Plan,
    mapping: Mapping,
    profile,
    *,
    filename: str,
    on_row: Callable[[], None] | None = None,
) -> tuple[Counts, ImportRun]:
    """Create the planned rows in the current transaction (flushes, never commits)."""
    counts = Counts()
    run = ImportRun(file_name=filename[:300], imported_by=mapping.imported_by[:200])
    run.started_at = utcnow()
    db.session.add(run)
    db.session.flush()
    known = registry_commons()
    commons_cache: dict = {}
    group_cache: dict = {}
    for row in plan.rows:
        in_force = row.state in profile.in_force
        commons, commons_how, created = _commons_for(
            row, mapping, in_force, known, commons_cache, counts
        )
        group, group_how = _group_for(row.group_name, row.group_kind, group_cache, counts)
        start, end = term_of(row)
        if in_force and end is None:
            counts.without_end += 1
        proposal = Proposal(
            title=row.title,
            pact_type=mapping.pact_type,
            group=group,
            representative=group.representative,
            commons=[commons],
            objectives="",
            activities=row.action_area,
            support_requested=[],
            support_notes="",
            status=row.state,
            protocol_number=MARKER + row.source_id,
            profile=profile.name,
            start_date=start,
            # The expiry clock of a pact in force: the tick expires it once this day is past.
            end_date=end,
            requested_duration_months=row.duration_months,
            decision_number=row.act_number or None,
            decision_date=row.act_date,
        )
        db.session.add(proposal)
        db.session.flush()
        db.session.add(
            ImportedPact(
                proposal_id=proposal.id,
                run_id=run.id,
                source_id=row.source_id,
                row=row.row,
                signed_document_url=row.pdf_url or None,
                signed_on=row.signed_on,
                acts_notes=row.acts_notes,
                notes=row.notes,
                created_commons_id=commons.id if created else None,
            )
        )
        append_event(
            TRIGGER,
            actor_role="import",
            proposal=proposal,
            from_state=None,
            to_state=row.state,
            payload={
                "import_id": run.id,
                "source_row": row.source,
                "source_id": row.source_id,
                "file": filename,
                "row": row.row,
                "acts_notes": row.acts_notes,
                "pdf_url": row.pdf_url,
                "imported_by": mapping.imported_by,
            },
            public=True,
        )
        counts.proposals_created += 1
        row.outcome = (
            f"commons {commons.name!r} ({commons_how}), "
            f"group {group.name!r} {row.group_kind} ({group_how})"
        )
        if on_row is not None:
            on_row()
    run.proposals = counts.proposals_created
    db.session.flush()
    return counts, run


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
