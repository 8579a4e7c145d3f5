"""Reports of empty or derelict places (vacancy_reports), which the office lists as commons or
declines with a reason.

Revision ID: b01d00000002
Revises: 1a9ac0000001
Create Date: 2026-12-04 22:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "b01d00000002"
down_revision: str | None = "1a9ac0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "'park', 'garden', 'square', 'street', 'building', 'school_yard', 'sports_area', "
    "'green_area', 'other'"
)


def upgrade() -> None:
    op.create_table(
        "vacancy_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("place_kind", sa.String(length=20), nullable=False),
        sa.Column("empty_for", sa.String(length=20), nullable=True),
        sa.Column("photo_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("moderated_by_id", sa.Integer(), nullable=True),
        sa.Column("moderated_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("commons_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'listed', 'declined')",
            name=op.f("ck_vacancy_reports_status_known"),
        ),
        sa.CheckConstraint(
            f"place_kind IN ({KINDS})", name=op.f("ck_vacancy_reports_place_kind_known")
        ),
        sa.CheckConstraint(
            "empty_for IS NULL OR empty_for IN "
            "('under_a_year', 'one_to_five_years', 'over_five_years')",
            name=op.f("ck_vacancy_reports_empty_for_known"),
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90)",
            name=op.f("ck_vacancy_reports_latitude_range"),
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude BETWEEN -180 AND 180)",
            name=op.f("ck_vacancy_reports_longitude_range"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_vacancy_reports_reporter_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by_id"],
            ["users.id"],
            name=op.f("fk_vacancy_reports_moderated_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["attachments.id"], name=op.f("fk_vacancy_reports_photo_id_attachments")
        ),
        sa.ForeignKeyConstraint(
            ["commons_id"], ["commons.id"], name=op.f("fk_vacancy_reports_commons_id_commons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy_reports")),
    )
    op.create_index(op.f("ix_vacancy_reports_reporter_id"), "vacancy_reports", ["reporter_id"])
    op.create_index(
        "ix_vacancy_reports_status_created_at", "vacancy_reports", ["status", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_vacancy_reports_status_created_at", table_name="vacancy_reports")
    op.drop_index(op.f("ix_vacancy_reports_reporter_id"), table_name="vacancy_reports")
    op.drop_table("vacancy_reports")
