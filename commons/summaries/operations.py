"""Preparing, editing and publishing the public summary of a proposal.

The summary is what anyone reads during the public notice: objectives, activities, places,
times and the support asked of the city. It is prepared from the application, the office may
edit it (and add translations) before admission, and admission publishes it. Only public
words go in it: of the people behind a proposal, at most the representative's name
(DOMAIN.md, "The public register"); known personal data of the proponents is refused when
typed and blanked out when a text prepared from the application is published.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import datetime
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

import workflows
from commons import limits
from commons.audit.operations import append_event
from commons.auth.models import User
from commons.db import utcnow
from commons.errors import Conflict, DomainError
from commons.extensions import db
from commons.proposals.models import Proposal
from commons.summaries.models import ORIGINAL, SUMMARY_FIELDS, PublicSummary

MAX_TEXT = limits.LONG_TEXT
REQUIRED = ("objectives", "activities")
# Personal data shorter than this is not looked for: it would match ordinary words.
_SHORTEST = 4
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# An Italian personal tax code (codice fiscale), e.g. RSSMRA80A01H501U.
_TAX_CODE = re.compile(r"\b[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]\b", re.I)
BLANKED = "[…]"


# --- when it may be edited -----------------------------------------------------------------


@cache
def _before_admission(profile_name: str) -> frozenset[str]:
    profile = workflows.get_profile(profile_name)
    seen, todo = {profile.initial}, [profile.initial]
    while todo:
        state = todo.pop()
        for spec in profile.transitions:
            if spec.trigger == "admit" or state not in spec.sources or spec.target in seen:
                continue
            seen.add(spec.target)
            todo.append(spec.target)
    return frozenset(seen - {profile.initial} - set(profile.terminal))


def states_before_admission(profile_name: str) -> frozenset[str]:
    """The states of a submitted proposal not yet admitted: those reached from the initial
    state without the ``admit`` trigger, less the initial and the terminal ones (labsus:
    submitted, under review, awaiting integration)."""
    return _before_admission(profile_name)


def editable(proposal: Proposal) -> bool:
    """True while the office may still edit the summary: submitted, before admission."""
    return proposal.status in states_before_admission(proposal.profile)


# --- reading ---------------------------------------------------------------------------------


def summaries_of(proposal: Proposal) -> dict[str, PublicSummary]:
    """Every text of the proposal's summary, by language ("" for the original)."""
    rows = db.session.scalars(
        select(PublicSummary).where(PublicSummary.proposal_id == proposal.id)
    ).all()
    return {row.language: row for row in rows}


def _pick(rows: Iterable[PublicSummary], locale: str | None) -> PublicSummary | None:
    by_language = {row.language: row for row in rows}
    return by_language.get(locale or ORIGINAL) or by_language.get(ORIGINAL)


def published_summaries(proposal_ids: Iterable[int], locale: str | None) -> dict:
    """The published summary of each proposal, in ``locale`` where the city translated it,
    else the original: one query whatever the number of proposals."""
    ids = list(set(proposal_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        select(PublicSummary).where(
            PublicSummary.proposal_id.in_(ids),
            PublicSummary.published_at.is_not(None),
            PublicSummary.language.in_({ORIGINAL, locale or ORIGINAL}),
        )
    ).all()
    grouped: dict[int, list[PublicSummary]] = {}
    for row in rows:
        grouped.setdefault(row.proposal_id, []).append(row)
    return {pid: _pick(found, locale) for pid, found in grouped.items()}


def published_summary(proposal: Proposal, locale: str | None) -> PublicSummary | None:
    """The summary anyone may read, or None before admission."""
    return published_summaries([proposal.id], locale).get(proposal.id)


def labels() -> dict[str, str]:
    """The heading of each text of a summary, in the current language."""
    return {
        "objectives": _("Objectives"),
        "activities": _("Activities"),
        "places": _("Places"),
        "times": _("Times"),
        "support": _("Support asked of the city"),
    }


def as_text(summary: PublicSummary) -> str:
    """The summary as plain text, each part under its heading (for feeds)."""
    names = labels()
    return "\n\n".join(
        f"{names[name]}: {text}" for name, text in summary.texts.items() if text.strip()
    )


# --- preparing it from the application -------------------------------------------------------


def prepared_from_application(proposal: Proposal) -> dict[str, str]:
    """A first summary taken from the application: the office reads and edits it."""
    from commons.proposals.forms import support_labels

    places = [
        f"{commons.name} ({commons.address})" if commons.address else commons.name
        for commons in proposal.commons
    ]
    if proposal.new_place_address:
        places.append(proposal.new_place_address)
    if proposal.start_date and proposal.requested_duration_months:
        times = _(
            "From %(start)s, for %(months)d months.",
            start=proposal.start_date.isoformat(),
            months=proposal.requested_duration_months,
        )
    elif proposal.start_date:
        times = _("From %(start)s.", start=proposal.start_date.isoformat())
    elif proposal.requested_duration_months:
        times = _("For %(months)d months.", months=proposal.requested_duration_months)
    else:
        times = ""
    names = support_labels()
    support = ", ".join(str(names.get(kind, kind)) for kind in proposal.support_requested or ())
    if proposal.support_notes:
        support = f"{support}. {proposal.support_notes}" if support else proposal.support_notes
    return {
        "objectives": proposal.objectives or "",
        "activities": proposal.activities or "",
        "places": "; ".join(places),
        "times": times,
        "support": support,
    }


# --- personal data ---------------------------------------------------------------------------


def _personal_data(proposal: Proposal) -> list[str]:
    """What is known of the proponents that is not public: every member's name, e-mail, tax
    code and address, the group's contacts (the representative's name is public)."""
    group = proposal.group
    representative = proposal.representative
    values = [representative.email, representative.tax_code]
    if group is not None:
        values += [group.tax_code, group.email, group.phone, group.address]
        for member in group.members:
            if member.user_id != representative.id:
                values.append(member.full_name)
            values += [member.email, member.tax_code, member.address]
    found = {" ".join(str(v).split()) for v in values if v}
    found.discard(representative.full_name)
    return sorted((v for v in found if len(v) >= _SHORTEST), key=len, reverse=True)


def _found_in(text: str, known: list[str]) -> list[str]:
    plain = " ".join(text.split()).casefold()
    hits = [value for value in known if value.casefold() in plain]
    hits += [m.group(0) for m in _EMAIL.finditer(text) if m.group(0) not in hits]
    hits += [m.group(0) for m in _TAX_CODE.finditer(text) if m.group(0) not in hits]
    return hits


def _blank_out(text: str, known: list[str]) -> str:
    for value in known:
        pattern = r"\s+".join(re.escape(part) for part in value.split())
        text = re.sub(pattern, BLANKED, text, flags=re.I)
    text = _EMAIL.sub(BLANKED, text)
    return _TAX_CODE.sub(BLANKED, text)


def personal_data_warnings(proposal: Proposal, texts: dict[str, str]) -> dict[str, list[str]]:
    """The personal data found in each text, for the office to take out before admission."""
    known = _personal_data(proposal)
    found = {name: _found_in(texts.get(name, ""), known) for name in SUMMARY_FIELDS}
    return {name: hits for name, hits in found.items() if hits}


# --- editing ---------------------------------------------------------------------------------


def _digest(texts: dict[str, str]) -> str:
    return hashlib.sha256(
        json.dumps(texts, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def _languages() -> set[str]:
    return {ORIGINAL, *current_app.config["LANGUAGES"]}


def _locked_row(proposal: Proposal, language: str) -> PublicSummary | None:
    """The stored text, read after locking the proposal's row: two officers saving at once
    are served one after the other (PostgreSQL; SQLite has one writer at a time)."""
    status = db.session.scalar(
        select(Proposal.status).where(Proposal.id == proposal.id).with_for_update()
    )
    if status not in states_before_admission(proposal.profile):  # admitted meanwhile
        raise Conflict(_too_late_message())
    return db.session.scalars(
        select(PublicSummary)
        .where(PublicSummary.proposal_id == proposal.id, PublicSummary.language == language)
        .execution_options(populate_existing=True)
    ).first()


def edit_summary(
    proposal: Proposal,
    *,
    actor: User,
    language: str = ORIGINAL,
    base_version: int,
    texts: dict[str, str],
    now: datetime | None = None,
) -> PublicSummary:
    """Save the office's text of the summary (the original, or a translation into
    ``language``), made from version ``base_version`` (0: none was saved yet).

    Refused (Conflict) when someone saved another version meanwhile, and (DomainError, naming
    the field) when a text is missing, too long or holds personal data of the proponents. A
    ``summary_edited`` event (not public) records who, when, which texts changed and the
    SHA-256 of the result. Nothing is recorded when nothing changed.
    """
    if not editable(proposal):
        raise DomainError(_too_late_message())
    if language not in _languages():
        raise DomainError(_("This language is not offered."), field="language")
    cleaned = {name: (texts.get(name) or "").strip() for name in SUMMARY_FIELDS}
    for name in REQUIRED:
        if not cleaned[name]:
            raise DomainError(_missing(name), field=name)
    for name, value in cleaned.items():
        if len(value) > MAX_TEXT:
            raise DomainError(_("At most %(n)d characters.", n=MAX_TEXT), field=name)
    for name, hits in personal_data_warnings(proposal, cleaned).items():
        raise DomainError(
            _(
                "This text is public: take out the proponents' personal data (%(found)s). "
                "Only the representative's name may appear.",
                found=", ".join(hits),
            ),
            field=name,
        )
    row = _locked_row(proposal, language)
    if row is not None and row.published_at is not None:
        raise Conflict(_too_late_message())
    current = row.version if row is not None else 0
    if base_version != current:
        raise Conflict(_stale_message())
    if row is None:
        row = PublicSummary(proposal_id=proposal.id, language=language)
        db.session.add(row)
        changed = [name for name in SUMMARY_FIELDS if cleaned[name]]
    else:
        changed = [name for name in SUMMARY_FIELDS if getattr(row, name) != cleaned[name]]
        if not changed:
            return row
    for name in SUMMARY_FIELDS:
        setattr(row, name, cleaned[name])
    row.edited_by_id = actor.id
    try:
        db.session.flush()
    except (IntegrityError, StaleDataError):
        # Saved by someone else between our read and our write (SQLite has no row lock).
        raise Conflict(_stale_message()) from None
    append_event(
        "summary_edited",
        actor=actor,
        actor_role="officer",
        proposal=proposal,
        payload={
            "summary": {
                "language": language or "original",
                "fields": changed,
                "version": row.version,
                "sha256": _digest(row.texts),
            }
        },
        public=False,
        occurred_at=now,
    )
    return row


def _missing(name: str) -> str:
    if name == "objectives":
        return _("Enter the objectives: the public reads them during the notice.")
    return _("Enter the activities: the public reads them during the notice.")


def _too_late_message() -> str:
    return _("The public summary can only be changed before the proposal is admitted.")


def _stale_message() -> str:
    return _(
        "Someone else saved the public summary while you were editing it. Your text is "
        "still in the form: compare it with the saved one below, then save again."
    )


# --- publishing ------------------------------------------------------------------------------


def publish(
    proposal: Proposal, *, actor=None, actor_role: str = "officer", now: datetime | None = None
) -> PublicSummary:
    """Publish the summary with the notice: the office's texts, or, if it saved none, the one
    prepared from the application, with any known personal data of the proponents blanked
    out. A public ``summary_published`` event records it with the SHA-256 of each text."""
    now = now or utcnow()
    rows = summaries_of(proposal)
    if ORIGINAL not in rows:
        rows[ORIGINAL] = PublicSummary(
            proposal_id=proposal.id, language=ORIGINAL, **prepared_from_application(proposal)
        )
        db.session.add(rows[ORIGINAL])
    known = _personal_data(proposal)
    for row in rows.values():
        for name, text in row.texts.items():
            blanked = _blank_out(text, known)
            if blanked != text:
                setattr(row, name, blanked)
        row.published_at = now
    db.session.flush()
    digests = {language or "original": _digest(row.texts) for language, row in rows.items()}
    append_event(
        "summary_published",
        actor=actor,
        actor_role=actor_role,
        proposal=proposal,
        payload={"summary": digests},
        public=True,
        occurred_at=now,
    )
    return rows[ORIGINAL]


def publish_after_admit(ctx, trigger: str, from_state: str, event) -> None:
    """After the engine's ``admit``: admission publishes the summary, in the same
    transaction, with the same actor as the admission's event."""
    if trigger == "admit":
        actor = ctx.actor if getattr(ctx.actor, "id", None) is not None else None
        publish(ctx.proposal, actor=actor, actor_role=event.actor_role, now=event.occurred_at)


def _on_admitted(trigger: str, *, context, from_state, event, **_) -> None:
    """Receiver of ``workflows.signals.transitioned`` for the ``admit`` trigger."""
    publish_after_admit(context, trigger, from_state, event)


def install() -> None:
    """Connect the receiver to the engine's signal (idempotent)."""
    from workflows.signals import transitioned

    transitioned.connect_via("admit")(_on_admitted)
