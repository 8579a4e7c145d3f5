"""Operations on the register of commons."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

from commons import limits
from commons.audit.operations import append_event
from commons.auth.models import Role, User
from commons.db import utcnow
from commons.errors import Conflict, DomainError
from commons.extensions import db
from commons.formatting import city_day, format_day
from commons.inputs import refuse_bidi_controls
from commons.links import public_link
from commons.notifications.operations import queue
from commons.registry.models import (
    FACTS,
    UTILITIES,
    Accessibility,
    AssetDossier,
    Availability,
    Commons,
    CommonsKind,
    ConditionRating,
    EmptyFor,
    FireCertificate,
    Inspection,
    OwnerKind,
    Reliability,
    UtilityState,
    VacancyReport,
    VacancyReportStatus,
)
from commons.uploads.models import Attachment
from commons.uploads.operations import link_attachments
from commons.versioning import ensure_base_version, lock_row

FIELDS = (
    "name",
    "kind",
    "description",
    "address",
    "district",
    "neighbourhood",
    "latitude",
    "longitude",
    "geometry",
    "cadastral_reference",
    "owner_office",
    "availability",
)


def _clean(data: dict) -> dict:
    values = {k: data.get(k) for k in FIELDS if k in data}
    for key in ("name", "address"):
        if key in values and not (values[key] or "").strip():
            raise DomainError(_("This field is required."), field=key)
    if "name" in values:
        refuse_bidi_controls(values["name"], "name")
    if "kind" in values:
        values["kind"] = CommonsKind(values["kind"]).value
    if "availability" in values:
        values["availability"] = Availability(values["availability"]).value
    for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        if values.get(key) is not None:
            value = Decimal(str(values[key]))
            if not low <= value <= high:
                raise DomainError(_("Coordinate out of range."), field=key)
            values[key] = value
    if ("latitude" in values) and (values.get("latitude") is None) != (
        values.get("longitude") is None
    ):
        raise DomainError(_("Give both latitude and longitude, or neither."), field="longitude")
    for key in ("district", "neighbourhood", "cadastral_reference", "owner_office"):
        if key in values:
            values[key] = (values[key] or "").strip() or None
    return values


def create_commons(*, actor=None, **data) -> Commons:
    """Add a commons to the register."""
    values = _clean(data)
    values.setdefault("description", "")
    commons = Commons(**values)
    db.session.add(commons)
    db.session.flush()
    append_event(
        "commons_created",
        actor=actor,
        actor_role="officer" if actor else None,
        payload={"commons_id": commons.id, "name": commons.name},
    )
    return commons


def update_commons(commons: Commons, *, actor=None, base_version: int | None, **data) -> Commons:
    """Change a commons' details, made from version ``base_version`` of it; records which
    fields changed. Refused (StaleVersion) when someone saved another version meanwhile."""
    values = _clean(data)
    ensure_base_version(commons, base_version, values)
    changed = sorted(k for k, v in values.items() if getattr(commons, k) != v)
    for key, value in values.items():
        setattr(commons, key, value)
    db.session.flush()
    if changed:
        append_event(
            "commons_updated",
            actor=actor,
            actor_role="officer" if actor else None,
            payload={"commons_id": commons.id, "fields": changed},
        )
    return commons


# --- the asset dossier ------------------------------------------------------------------------

DOSSIER_FIELDS = (
    "floor_area_m2",
    "year_built",
    "condition",
    "condition_on",
    "condition_notes",
    "vacant_since",
    *UTILITIES,
    "fire_certificate",
    "max_occupancy",
    "accessibility",
    "heritage_constraints",
    "permitted_uses",
    "owner_kind",
    "owner_name",
    "owner_contact",
    "access_notes",
    "cadastral_detail",
    "reliability",
)
_TEXTS = (
    "condition_notes",
    "heritage_constraints",
    "permitted_uses",
    "owner_contact",
    "access_notes",
    "cadastral_detail",
)
DOSSIER_CHOICES = {
    "condition": ConditionRating,
    "water": UtilityState,
    "power": UtilityState,
    "heating": UtilityState,
    "sewer": UtilityState,
    "fire_certificate": FireCertificate,
    "accessibility": Accessibility,
    "owner_kind": OwnerKind,
}


def _clean_dossier(data: dict, today: date) -> dict:
    values = {k: data.get(k) for k in DOSSIER_FIELDS if k in data}
    for key in _TEXTS:
        if key in values:
            values[key] = (values[key] or "").strip()
    if "owner_name" in values:
        values["owner_name"] = (values["owner_name"] or "").strip() or None
    for key, kind in DOSSIER_CHOICES.items():
        if key not in values:
            continue
        if values[key] in ("", None):
            values[key] = None
            continue
        try:
            values[key] = kind(values[key]).value
        except ValueError:
            raise DomainError(_("Choose one of the values offered."), field=key) from None
    area = values.get("floor_area_m2")
    if area is not None:
        area = Decimal(str(area))
        if not area.is_finite() or area <= 0 or area >= Decimal("1000000000"):
            raise DomainError(
                _("Enter a floor area above zero, in square metres."), "floor_area_m2"
            )
        values["floor_area_m2"] = area.quantize(Decimal("0.1"))
    year = values.get("year_built")
    if year is not None and not 1000 <= int(year) <= today.year:
        raise DomainError(
            _("Enter a year between 1000 and %(year)s.", year=today.year), field="year_built"
        )
    if values.get("max_occupancy") is not None and int(values["max_occupancy"]) < 0:
        raise DomainError(_("Enter a number of people, zero or more."), field="max_occupancy")
    for key in ("condition_on", "vacant_since"):
        if values.get(key) is not None and values[key] > today:
            raise DomainError(_("This date is in the future."), field=key)
    if values.get("condition_on") is not None and not values.get("condition"):
        raise DomainError(_("Give the condition the date refers to."), field="condition")
    owner_kind = values.get("owner_kind")
    if owner_kind not in (None, OwnerKind.CITY.value) and not values.get("owner_name"):
        raise DomainError(_("Give the name of the owner when it is not the city."), "owner_name")
    if "reliability" in values:
        given = values["reliability"] or {}
        try:
            values["reliability"] = {
                fact: Reliability(level).value
                for fact, level in sorted(given.items())
                if fact in FACTS and level
            }
        except ValueError:
            raise DomainError(_("Choose one of the values offered."), field="reliability") from None
    return values


def save_dossier(
    commons: Commons, *, actor=None, base_version: int | None, today: date, **data
) -> AssetDossier:
    """Create or change the asset dossier of a commons, made from version ``base_version`` of
    it (None: the form was opened when there was no dossier). Refused (StaleVersion) when
    someone saved another version meanwhile; the audit event names the facts that changed
    (not their values: some are private)."""
    values = _clean_dossier(data, today)
    dossier = commons.dossier
    if dossier is None:
        dossier = AssetDossier(commons=commons, reliability={})
        db.session.add(dossier)
        before = {}
    else:
        # A form opened on no dossier (no version) meets one made meanwhile: refused too.
        ensure_base_version(dossier, -1 if base_version is None else base_version, values)
        before = {k: getattr(dossier, k) for k in values}
    empty = {**dict.fromkeys(_TEXTS, ""), "reliability": {}}
    changed = sorted(k for k, v in values.items() if before.get(k, empty.get(k)) != v)
    for key, value in values.items():
        setattr(dossier, key, value)
    db.session.flush()
    if changed or not before:
        append_event(
            "dossier_updated",
            actor=actor,
            actor_role="officer" if actor else None,
            payload={"commons_id": commons.id, "fields": changed, "created": not before},
        )
    return dossier


def record_inspection(
    commons: Commons,
    *,
    actor=None,
    inspected_on: date | None,
    inspector: str,
    rating: str,
    notes: str = "",
    today: date,
) -> Inspection:
    """Add a dated inspection of a commons' place to its dossier."""
    inspector = (inspector or "").strip()
    if not inspector:
        raise DomainError(_("Enter who inspected the place."), field="inspector")
    if inspected_on is None:
        raise DomainError(_("Enter the date of the inspection."), field="inspected_on")
    if inspected_on > today:
        raise DomainError(_("This date is in the future."), field="inspected_on")
    try:
        rating = ConditionRating(rating).value
    except ValueError:
        raise DomainError(_("Choose one of the values offered."), field="rating") from None
    inspection = Inspection(
        commons_id=commons.id,
        inspected_on=inspected_on,
        inspector=inspector,
        rating=rating,
        notes=(notes or "").strip(),
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(inspection)
    db.session.flush()
    append_event(
        "inspection_recorded",
        actor=actor,
        actor_role="officer" if actor else None,
        payload={
            "commons_id": commons.id,
            "inspection_id": inspection.id,
            "inspected_on": inspected_on.isoformat(),
            "rating": rating,
        },
    )
    return inspection


# --- vacancy reports --------------------------------------------------------------------------

# The day a listed place is recorded vacant since: the report's day less the least of the range
# its reporter chose (a lower bound; the dossier marks the fact "reported").
_EMPTY_YEARS = {
    EmptyFor.UNDER_A_YEAR: 0,
    EmptyFor.ONE_TO_FIVE_YEARS: 1,
    EmptyFor.OVER_FIVE_YEARS: 5,
}


def _report_text(value: str | None, *, field: str, limit: int, required: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(required, field=field)
    if len(value) > limit:
        raise DomainError(limits.too_long(limit, len(value)), field=field)
    return value


def _report_payload(report: VacancyReport, **more) -> dict:
    return {"report_id": report.id, "place_kind": report.place_kind, **more}


def _notify_report(report: VacancyReport, kind: str, key: str, **fields) -> None:
    """Tell whoever must know about ``report``: the office, or its reporter."""
    params = {
        "address": report.address,
        "link": public_link("registry.vacancy_report", report_id=report.id),
        **fields.pop("params", {}),
    }
    queue(kind, params, dedup_key=f"vacancy:{report.id}:{key}", **fields)


def report_vacancy(
    *,
    reporter: User,
    description: str,
    address: str,
    place_kind: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    empty_for: str | None = None,
    photo: Attachment | None = None,
    now: datetime | None = None,
) -> VacancyReport:
    """Someone reports an empty or derelict place; it waits for the office's moderation."""
    now = now or utcnow()
    description = _report_text(
        description,
        field="description",
        limit=limits.PARAGRAPH,
        required=_("Describe the place: what it is and why it looks empty."),
    )
    address = _report_text(
        address, field="address", limit=limits.LINE, required=_("Enter the address.")
    )
    try:
        place_kind = CommonsKind(place_kind).value
    except ValueError:
        raise DomainError(_("Choose one of the values offered."), field="place_kind") from None
    if empty_for:
        try:
            empty_for = EmptyFor(empty_for).value
        except ValueError:
            raise DomainError(_("Choose one of the values offered."), field="empty_for") from None
    else:
        empty_for = None
    if (latitude is None) != (longitude is None):
        raise DomainError(_("Give both latitude and longitude, or neither."), field="longitude")
    report = VacancyReport(
        reporter_id=reporter.id,
        description=description,
        address=address,
        latitude=latitude,
        longitude=longitude,
        place_kind=place_kind,
        empty_for=empty_for,
        photo_id=photo.id if photo is not None else None,
        status=VacancyReportStatus.PENDING.value,
        created_at=now,
        updated_at=now,
    )
    db.session.add(report)
    db.session.flush()
    if photo is not None:
        link_attachments([photo], report.id)
    append_event(
        "vacancy_reported",
        actor=reporter,
        actor_role=Role.CITIZEN.value,
        payload=_report_payload(report),
        public=False,
        occurred_at=now,
    )
    _notify_report(
        report,
        "vacancy_to_moderate",
        "pending",
        recipient_role=Role.OFFICER.value,
        created_at=now,
    )
    return report


def _already_moderated(report: VacancyReport) -> Conflict:
    who = report.moderated_by.full_name if report.moderated_by else _("someone")
    when = format_day(report.moderated_at) if report.moderated_at else ""
    if report.status == VacancyReportStatus.LISTED:
        return Conflict(
            _(
                "This report was already moderated: %(who)s listed the place on %(when)s. "
                "Nothing was changed.",
                who=who,
                when=when,
            )
        )
    return Conflict(
        _(
            "This report was already moderated: %(who)s declined it on %(when)s. Nothing was "
            "changed.",
            who=who,
            when=when,
        )
    )


def list_vacancy(
    report: VacancyReport,
    *,
    actor: User,
    name: str,
    district: str | None = None,
    today: date,
    now: datetime | None = None,
) -> Commons:
    """The office lists a reported place as a commons of the register, with an asset dossier
    marking it vacant (facts "reported"); the reporter is told."""
    now = now or utcnow()
    lock_row(report)
    if not report.is_pending:
        raise _already_moderated(report)
    commons = create_commons(
        actor=actor,
        name=name,
        kind=report.place_kind,
        description=report.description,
        address=report.address,
        district=district,
        latitude=report.latitude,
        longitude=report.longitude,
        availability=Availability.AVAILABLE.value,
    )
    # The city's day the report was sent (never after today, whatever the clocks say).
    reported_on = min(city_day(report.created_at), today) if report.created_at else today
    years = _EMPTY_YEARS.get(report.empty_for, 0)
    try:
        vacant_since = reported_on.replace(year=reported_on.year - years)
    except ValueError:  # 29 February
        vacant_since = reported_on.replace(year=reported_on.year - years, day=28)
    save_dossier(
        commons,
        actor=actor,
        base_version=None,
        today=today,
        vacant_since=vacant_since,
        reliability={"vacant_since": Reliability.REPORTED.value},
    )
    report.status = VacancyReportStatus.LISTED.value
    report.commons_id = commons.id
    report.moderated_by_id, report.moderated_at = actor.id, now
    db.session.flush()
    append_event(
        "vacancy_listed",
        actor=actor,
        actor_role=Role.OFFICER.value,
        payload=_report_payload(report, commons_id=commons.id, name=commons.name),
        occurred_at=now,
    )
    _notify_report(
        report,
        "vacancy_listed",
        VacancyReportStatus.LISTED.value,
        recipient_id=report.reporter_id,
        params={
            "name": commons.name,
            "link": public_link("registry.detail", commons_id=commons.id),
        },
    )
    return commons


def decline_vacancy(
    report: VacancyReport, *, actor: User, reason: str, now: datetime | None = None
) -> VacancyReport:
    """The office declines a report, saying why; the reporter is told the reason."""
    now = now or utcnow()
    reason = _report_text(
        reason,
        field="reason",
        limit=limits.REASON,
        required=_("Say why the report is declined: its reporter reads it."),
    )
    lock_row(report)
    if not report.is_pending:
        raise _already_moderated(report)
    report.status = VacancyReportStatus.DECLINED.value
    report.decline_reason = reason
    report.moderated_by_id, report.moderated_at = actor.id, now
    db.session.flush()
    append_event(
        "vacancy_declined",
        actor=actor,
        actor_role=Role.OFFICER.value,
        payload=_report_payload(report, reasons=reason),
        public=False,
        occurred_at=now,
    )
    _notify_report(
        report,
        "vacancy_declined",
        VacancyReportStatus.DECLINED.value,
        recipient_id=report.reporter_id,
        params={"reasons": reason},
    )
    return report
