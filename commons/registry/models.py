"""Urban commons: the places and assets pacts are about."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.auth.models import _in
from commons.db import TimestampMixin, UTCDateTime
from commons.extensions import db


class CommonsKind(enum.StrEnum):
    PARK = "park"
    GARDEN = "garden"
    SQUARE = "square"
    STREET = "street"
    BUILDING = "building"
    SCHOOL_YARD = "school_yard"
    SPORTS_AREA = "sports_area"
    GREEN_AREA = "green_area"
    OTHER = "other"


class Availability(enum.StrEnum):
    """Whether the city offers the commons for new pacts."""

    AVAILABLE = "available"
    IN_PACT = "in_pact"
    UNAVAILABLE = "unavailable"


class Commons(TimestampMixin, db.Model):
    """One urban commons: a park, a flower bed, a square, an empty building."""

    __tablename__ = "commons"
    __table_args__ = (
        CheckConstraint(_in("kind", CommonsKind), name="kind_known"),
        CheckConstraint(_in("availability", Availability), name="availability_known"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_range"
        ),
        # The register pages filter on these and page by (name, id).
        Index("ix_commons_name_id", "name", "id"),
        # A filter followed by the page order, so a filtered page is one index range, unsorted.
        Index("ix_commons_district_name_id", "district", "name", "id"),
        Index("ix_commons_kind_name_id", "kind", "name", "id"),
        Index("ix_commons_availability_name_id", "availability", "name", "id"),
        # Kind and availability together (the register's two choice filters): without it the
        # database walks one of the two indexes filtering by the other, and kinds go with names
        # ("Parco ...", "Giardino ..."), so the first page of parks came after 44,000 rows.
        Index("ix_commons_kind_availability_name_id", "kind", "availability", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(300))
    district: Mapped[str | None] = mapped_column(String(100), index=True)
    neighbourhood: Mapped[str | None] = mapped_column(String(100), index=True)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    # Optional outline as a GeoJSON geometry object (Polygon, LineString...).
    geometry: Mapped[dict | None] = mapped_column(db.JSON)
    cadastral_reference: Mapped[str | None] = mapped_column(String(100))
    owner_office: Mapped[str | None] = mapped_column(String(200))
    availability: Mapped[str] = mapped_column(
        String(20), default=Availability.AVAILABLE.value, index=True
    )
    # Counts the saves: an edit made from an older version is refused instead of overwriting.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Commons {self.id} {self.name}>"


class ConditionRating(enum.StrEnum):
    """The fixed scale of a building's condition, best first."""

    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    UNSAFE = "unsafe"


class UtilityState(enum.StrEnum):
    WORKING = "working"
    NEEDS_REPAIR = "needs_repair"
    DISCONNECTED = "disconnected"
    ABSENT = "absent"


class FireCertificate(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NONE = "none"


class Accessibility(enum.StrEnum):
    STEP_FREE = "step_free"
    PARTIAL = "partial"
    NOT_ACCESSIBLE = "not_accessible"


class OwnerKind(enum.StrEnum):
    CITY = "city"
    PUBLIC_BODY = "public_body"
    PRIVATE = "private"
    NON_PROFIT = "non_profit"


class Reliability(enum.StrEnum):
    """How a fact of the dossier is known."""

    SURVEYED = "surveyed"
    REPORTED = "reported"
    ESTIMATED = "estimated"


UTILITIES = ("water", "power", "heating", "sewer")
# The facts whose reliability the dossier records, each a group of its fields.
FACTS = (
    "floor_area",
    "year_built",
    "condition",
    "vacant_since",
    "utilities",
    "safety",
    "heritage",
    "permitted_uses",
    "owner",
    "cadastral",
)
# Shown to staff only: how to reach the owner, how to get in, the cadastral parcels.
PRIVATE_FIELDS = ("owner_contact", "access_notes", "cadastral_detail")


class AssetDossier(TimestampMixin, db.Model):
    """What the city knows about the place of a commons (mostly a building): size, age,
    condition, vacancy, utilities, safety limits, constraints, uses, owner; one a commons."""

    __tablename__ = "asset_dossiers"
    __table_args__ = (
        CheckConstraint(
            "condition IS NULL OR " + _in("condition", ConditionRating), name="condition_known"
        ),
        CheckConstraint("floor_area_m2 IS NULL OR floor_area_m2 > 0", name="floor_area_positive"),
        CheckConstraint("max_occupancy IS NULL OR max_occupancy >= 0", name="occupancy_positive"),
        CheckConstraint(
            "owner_kind IS NULL OR " + _in("owner_kind", OwnerKind), name="owner_kind_known"
        ),
        # The register filters on vacancy, condition and floor area.
        Index("ix_asset_dossiers_vacant_since", "vacant_since"),
        Index("ix_asset_dossiers_condition", "condition"),
        Index("ix_asset_dossiers_floor_area_m2", "floor_area_m2"),
    )

    commons_id: Mapped[int] = mapped_column(ForeignKey("commons.id"), primary_key=True)
    floor_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    year_built: Mapped[int | None]
    condition: Mapped[str | None] = mapped_column(String(10))
    condition_on: Mapped[date | None] = mapped_column(Date)
    condition_notes: Mapped[str] = mapped_column(Text, default="")
    vacant_since: Mapped[date | None] = mapped_column(Date)
    water: Mapped[str | None] = mapped_column(String(15))
    power: Mapped[str | None] = mapped_column(String(15))
    heating: Mapped[str | None] = mapped_column(String(15))
    sewer: Mapped[str | None] = mapped_column(String(15))
    fire_certificate: Mapped[str | None] = mapped_column(String(10))
    max_occupancy: Mapped[int | None]
    accessibility: Mapped[str | None] = mapped_column(String(15))
    heritage_constraints: Mapped[str] = mapped_column(Text, default="")
    permitted_uses: Mapped[str] = mapped_column(Text, default="")
    owner_kind: Mapped[str | None] = mapped_column(String(15))
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_contact: Mapped[str] = mapped_column(Text, default="")
    access_notes: Mapped[str] = mapped_column(Text, default="")
    cadastral_detail: Mapped[str] = mapped_column(Text, default="")
    # {fact: reliability} for the facts of FACTS that were given one.
    reliability: Mapped[dict] = mapped_column(db.JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    commons: Mapped[Commons] = relationship(
        backref=db.backref("dossier", uselist=False, lazy="select")
    )

    @property
    def is_vacant(self) -> bool:
        return self.vacant_since is not None


class Inspection(TimestampMixin, db.Model):
    """A dated visit of a commons' place by an inspector, with the condition found."""

    __tablename__ = "asset_inspections"
    __table_args__ = (CheckConstraint(_in("rating", ConditionRating), name="rating_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commons_id: Mapped[int] = mapped_column(ForeignKey("commons.id"), index=True)
    inspected_on: Mapped[date] = mapped_column(Date)
    inspector: Mapped[str] = mapped_column(String(200))
    rating: Mapped[str] = mapped_column(String(10))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EmptyFor(enum.StrEnum):
    """How long a reported place has been empty, as its reporter believes."""

    UNDER_A_YEAR = "under_a_year"
    ONE_TO_FIVE_YEARS = "one_to_five_years"
    OVER_FIVE_YEARS = "over_five_years"


class VacancyReportStatus(enum.StrEnum):
    """A report waits for the office (pending), which lists the place or declines it."""

    PENDING = "pending"
    LISTED = "listed"
    DECLINED = "declined"


class VacancyReport(TimestampMixin, db.Model):
    """Someone's report of an empty or derelict place, which the office moderates into a
    listed commons (with a dossier marked vacant) or declines with a reason."""

    __tablename__ = "vacancy_reports"
    __table_args__ = (
        CheckConstraint(_in("status", VacancyReportStatus), name="status_known"),
        CheckConstraint(_in("place_kind", CommonsKind), name="place_kind_known"),
        CheckConstraint(
            "empty_for IS NULL OR " + _in("empty_for", EmptyFor), name="empty_for_known"
        ),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_range"
        ),
        # The office's queue: the pending reports, oldest first.
        Index("ix_vacancy_reports_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    place_kind: Mapped[str] = mapped_column(String(20))
    empty_for: Mapped[str | None] = mapped_column(String(20))
    # One photo (commons.uploads), shown to the office and the reporter only.
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    status: Mapped[str] = mapped_column(String(10), default=VacancyReportStatus.PENDING.value)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The commons the report was listed as.
    commons_id: Mapped[int | None] = mapped_column(ForeignKey("commons.id"))

    reporter = relationship("User", foreign_keys=[reporter_id])
    moderated_by = relationship("User", foreign_keys=[moderated_by_id])
    photo = relationship("Attachment")
    commons: Mapped[Commons | None] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.status == VacancyReportStatus.PENDING

    def __repr__(self) -> str:
        return f"<VacancyReport {self.id} {self.status}>"


# The full-text index is made with the commons table (see search.py).
from commons.registry import search as _search  # noqa: E402, F401
