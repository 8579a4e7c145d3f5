"""Operations on the register of commons."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from commons.audit.operations import append_event
from commons.errors import DomainError
from commons.extensions import db
from commons.inputs import refuse_bidi_controls
from commons.registry.models import (
    FACTS,
    UTILITIES,
    Accessibility,
    AssetDossier,
    Availability,
    Commons,
    CommonsKind,
    ConditionRating,
    FireCertificate,
    Inspection,
    OwnerKind,
    Reliability,
    UtilityState,
)
from commons.versioning import ensure_base_version

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
