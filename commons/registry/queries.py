"""Reads of the register that several pages need, written once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, joinedload

from commons.extensions import db
from commons.registry.models import (
    AssetDossier,
    Commons,
    Inspection,
    VacancyReport,
    VacancyReportStatus,
)
from commons.uploads.models import Attachment

# A loose index scan: one index seek per district instead of reading the whole index, which
# SELECT DISTINCT does on both SQLite and PostgreSQL (a city has a handful of districts and
# the register may hold 100,000 commons).
DISTRICTS_SQL = text(
    "WITH RECURSIVE d(name) AS ("
    " SELECT min(district) FROM commons"
    " UNION ALL"
    " SELECT (SELECT min(district) FROM commons WHERE district > d.name) FROM d"
    " WHERE d.name IS NOT NULL"
    ") SELECT name FROM d WHERE name IS NOT NULL"
)


def districts() -> list[str]:
    """The known districts: those of the commons of the register, in order."""
    return list(db.session.scalars(DISTRICTS_SQL))


def is_district(name: str) -> bool:
    """Whether some commons of the register is in the district ``name`` (one index seek)."""
    found = db.session.scalar(select(Commons.id).where(Commons.district == name).limit(1))
    return found is not None


def inspections_of(commons: Commons) -> list[Inspection]:
    """The inspections of a commons' place, latest first."""
    return list(
        db.session.scalars(
            select(Inspection)
            .where(Inspection.commons_id == commons.id)
            .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        )
    )


# --- vacancy ------------------------------------------------------------------------------------

BATCH = 500


def dossier_clause(*, vacant: bool, condition: str, area_min, area_max):
    """The register's dossier filters (vacant only, condition, floor area range) as one IN
    over the dossiers (indexed on each), or None when none is asked."""
    where = []
    if vacant:
        where.append(AssetDossier.vacant_since.is_not(None))
    if condition:
        where.append(AssetDossier.condition == condition)
    if area_min is not None:
        where.append(AssetDossier.floor_area_m2 >= area_min)
    if area_max is not None:
        where.append(AssetDossier.floor_area_m2 <= area_max)
    if not where:
        return None
    return Commons.id.in_(select(AssetDossier.commons_id).where(*where))


def vacant_places(session: Session) -> Iterator[tuple[Commons, AssetDossier]]:
    """Every vacant commons with its dossier, by name, read in batches."""
    stmt = (
        select(Commons, AssetDossier)
        .join(AssetDossier, AssetDossier.commons_id == Commons.id)
        .where(AssetDossier.vacant_since.is_not(None))
        .order_by(Commons.name, Commons.id)
        .execution_options(yield_per=BATCH)
    )
    yield from session.execute(stmt).tuples()


def vacant_map_features(session: Session, detail_prefix: str, labels: dict) -> Iterator[dict]:
    """The map layer "Vacant places": each vacant commons with a position; ``labels`` maps a
    condition to its words in the reader's language."""
    for commons, dossier in vacant_places(session):
        if commons.latitude is None or commons.longitude is None:
            continue
        detail = [str(labels.get(dossier.condition, ""))] if dossier.condition else []
        if dossier.floor_area_m2 is not None:
            detail.append(f"{dossier.floor_area_m2} m²")
        yield {
            "type": "Feature",
            "id": f"vacant-{commons.id}",
            "geometry": {
                "type": "Point",
                "coordinates": [float(commons.longitude), float(commons.latitude)],
            },
            "properties": {
                "layer": "vacant",
                "name": commons.name,
                "detail": " · ".join(detail),
                "vacant_since": dossier.vacant_since.isoformat(),
                "condition": dossier.condition,
                "url": f"{detail_prefix}{commons.id}",
            },
        }


def vacant_since_of(ids: list[int]) -> dict[int, date]:
    """For the commons of a register page that are vacant, since when: one query a page."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(AssetDossier.commons_id, AssetDossier.vacant_since).where(
            AssetDossier.commons_id.in_(ids), AssetDossier.vacant_since.is_not(None)
        )
    )
    return dict(rows.tuples().all())


# --- vacancy reports --------------------------------------------------------------------------

# The purpose of a vacancy report's photo among the uploads (commons.uploads).
VACANCY_PHOTO = "vacancy_photo"


def city_centre() -> list[float] | None:
    """Where the city is: the mean position of the register's commons (None when none has
    one); the report form's map opens there."""
    lat, lng = db.session.execute(
        select(func.avg(Commons.latitude), func.avg(Commons.longitude)).where(
            Commons.latitude.is_not(None), Commons.longitude.is_not(None)
        )
    ).one()
    if lat is None or lng is None:
        return None
    return [round(float(lat), 6), round(float(lng), 6)]


def pending_vacancy_photo(photo_id, *, owner) -> Attachment | None:
    """The photo this person uploaded with a report form sent back for correction."""
    if not str(photo_id or "").isdigit():
        return None
    return db.session.scalar(
        select(Attachment).where(
            Attachment.id == int(photo_id),
            Attachment.owner_id == owner.id,
            Attachment.proposal_id.is_(None),
            Attachment.purpose == VACANCY_PHOTO,
            Attachment.linked_id.is_(None),
        )
    )


def pending_vacancy_reports() -> list[VacancyReport]:
    """The reports waiting for the office, oldest first, with their reporters."""
    return list(
        db.session.scalars(
            select(VacancyReport)
            .options(joinedload(VacancyReport.reporter))
            .where(VacancyReport.status == VacancyReportStatus.PENDING.value)
            .order_by(VacancyReport.created_at, VacancyReport.id)
        )
    )


def vacancy_reports_of(user) -> list[VacancyReport]:
    """The reports this person made, newest first."""
    return list(
        db.session.scalars(
            select(VacancyReport)
            .where(VacancyReport.reporter_id == user.id)
            .order_by(VacancyReport.created_at.desc(), VacancyReport.id.desc())
        )
    )
