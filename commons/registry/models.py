"""Urban commons: the places and assets pacts are about."""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from commons.auth.models import _in
from commons.db import TimestampMixin
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


# The full-text index is made with the commons table (see search.py).
from commons.registry import search as _search  # noqa: E402, F401
