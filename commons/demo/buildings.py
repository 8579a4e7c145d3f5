"""The demo city's asset dossiers and inspections (buildings.toml), loaded through the
register's own operations: each vacancy comes before the inspection that assessed the
condition, and the inspection before today."""

from __future__ import annotations

import io
import tomllib
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from commons.auth.models import User
from commons.extensions import db
from commons.registry import operations
from commons.registry.models import Commons, VacancyReport

HERE = Path(__file__).parent
OFFICER = "officer@demo.example.org"
FACT_KEYS = (
    "floor_area_m2",
    "year_built",
    "condition",
    "condition_notes",
    "water",
    "power",
    "heating",
    "sewer",
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


def load_buildings(today: date) -> int:
    """Create the demo dossiers that are missing, each with its inspection; return how many."""
    with (HERE / "buildings.toml").open("rb") as fh:
        data = tomllib.load(fh)
    officer = db.session.scalars(select(User).filter_by(email=OFFICER)).one()
    created = 0
    for entry in data.get("dossiers", []):
        commons = db.session.scalars(select(Commons).filter_by(name=entry["commons"])).first()
        if commons is None:
            raise ValueError(f"buildings.toml: no commons named {entry['commons']}")
        if commons.dossier is not None:
            continue
        inspection = entry["inspection"]
        inspected_on = today - timedelta(days=inspection["days_ago"])
        vacant = entry.get("vacant_days_ago")
        operations.record_inspection(
            commons,
            actor=officer,
            inspected_on=inspected_on,
            inspector=inspection["inspector"],
            rating=inspection["rating"],
            notes=inspection["notes"],
            today=today,
        )
        operations.save_dossier(
            commons,
            actor=officer,
            base_version=None,
            today=today,
            condition_on=inspected_on,
            vacant_since=today - timedelta(days=vacant) if vacant else None,
            **{key: entry[key] for key in FACT_KEYS if key in entry},
        )
        created += 1
    return created


def load_vacancy_reports(now: datetime) -> int:
    """Send the demo's vacancy reports that are missing (a photo with each), days before
    ``now``; they wait for the office. Return how many were sent."""
    from commons.demo.offers import demo_photo
    from commons.registry.queries import VACANCY_PHOTO
    from commons.uploads import operations as uploads

    with (HERE / "buildings.toml").open("rb") as fh:
        data = tomllib.load(fh)
    created = 0
    for entry in data.get("vacancy_reports", []):
        exists = db.session.scalar(
            select(VacancyReport.id).where(VacancyReport.address == entry["address"])
        )
        if exists is not None:
            continue
        reporter = db.session.scalars(select(User).filter_by(email=entry["reporter"])).one()
        sent = now - timedelta(days=entry["days_ago"])
        photo = uploads.save_upload(
            FileStorage(io.BytesIO(demo_photo()), filename=entry["photo_name"]),
            owner=reporter,
            purpose=VACANCY_PHOTO,
            images_only=True,
        )
        photo.created_at = sent
        operations.report_vacancy(
            reporter=reporter,
            description=entry["description"],
            address=entry["address"],
            place_kind=entry["place_kind"],
            latitude=Decimal(str(entry["latitude"])),
            longitude=Decimal(str(entry["longitude"])),
            empty_for=entry.get("empty_for"),
            photo=photo,
            now=sent,
        )
        created += 1
    return created
