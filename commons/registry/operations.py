"""Operations on the register of commons."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from commons.audit.operations import append_event
from commons.errors import DomainError
from commons.extensions import db
from commons.inputs import refuse_bidi_controls
from commons.registry.models import Availability, Commons, CommonsKind
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
