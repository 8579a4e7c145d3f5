"""Vacant places in the open data: vacant-places.csv, the public part of the dossier of every
vacant commons (never the owner's contact, the access notes, the cadastral detail nor who
inspected). Read in the session the streamed response gives (commons.public.opendata.stream)."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from commons.public.opendata_formats import Field, csv_lines
from commons.registry.models import UTILITIES
from commons.registry.queries import vacant_places

VACANT_FIELDS = (
    Field("commons_id", "integer", _l("Identifier of the commons (see commons.geojson).")),
    Field("name", "string", _l("Name of the commons.")),
    Field("kind", "string", _l("Kind of commons, as a code (e.g. building).")),
    Field("address", "string", _l("Address of the commons.")),
    Field("district", "string", _l("District of the commons.")),
    Field("latitude", "number", _l("Latitude in decimal degrees (WGS 84), if known.")),
    Field("longitude", "number", _l("Longitude in decimal degrees (WGS 84), if known.")),
    Field("vacant_since", "date", _l("Date since when the place is vacant (YYYY-MM-DD).")),
    Field("floor_area_m2", "number", _l("Floor area in square metres, if known.")),
    Field("year_built", "integer", _l("Year the building was built, if known.")),
    Field(
        "condition", "string", _l("Condition, as a code: good, fair, poor or unsafe; may be empty.")
    ),
    Field("condition_on", "date", _l("Date the condition was assessed (YYYY-MM-DD).")),
    *(
        Field(
            name,
            "string",
            _l(
                "State of the %(utility)s: working, needs_repair, disconnected or absent.",
                utility=name,
            ),
        )
        for name in UTILITIES
    ),
    Field("fire_certificate", "string", _l("Fire certificate: valid, expired or none.")),
    Field("max_occupancy", "integer", _l("Maximum number of people allowed at once, if known.")),
    Field("accessibility", "string", _l("Accessibility: step_free, partial or not_accessible.")),
    Field("heritage_constraints", "string", _l("Heritage constraints on the place, in words.")),
    Field("permitted_uses", "string", _l("Uses permitted in the place, in words.")),
    Field("owner_kind", "string", _l("Owner: city, public_body, private or non_profit.")),
    Field("owner_name", "string", _l("Name of the owner when it is not the city.")),
    Field(
        "reliability",
        "string",
        _l(
            "How each fact is known, as fact=level pairs separated by “;” (levels: surveyed, "
            "reported, estimated)."
        ),
    ),
)


def _number(value) -> str:
    return "" if value is None else format(value, "f")


def vacant_rows(session: Session) -> Iterator[dict]:
    """The public part of each vacant commons' dossier, by name."""
    for commons, dossier in vacant_places(session):
        yield {
            "commons_id": commons.id,
            "name": commons.name,
            "kind": commons.kind,
            "address": commons.address,
            "district": commons.district or "",
            "latitude": _number(commons.latitude),
            "longitude": _number(commons.longitude),
            "vacant_since": dossier.vacant_since.isoformat(),
            "floor_area_m2": _number(dossier.floor_area_m2),
            "year_built": dossier.year_built if dossier.year_built is not None else "",
            "condition": dossier.condition or "",
            "condition_on": dossier.condition_on.isoformat() if dossier.condition_on else "",
            **{name: getattr(dossier, name) or "" for name in UTILITIES},
            "fire_certificate": dossier.fire_certificate or "",
            "max_occupancy": "" if dossier.max_occupancy is None else dossier.max_occupancy,
            "accessibility": dossier.accessibility or "",
            "heritage_constraints": dossier.heritage_constraints,
            "permitted_uses": dossier.permitted_uses,
            "owner_kind": dossier.owner_kind or "",
            "owner_name": (dossier.owner_name or "") if dossier.owner_kind != "city" else "",
            "reliability": ";".join(f"{k}={v}" for k, v in sorted(dossier.reliability.items())),
        }


def vacant_places_csv(session: Session) -> Iterator[str]:
    return csv_lines(VACANT_FIELDS, vacant_rows(session))
