"""The asset dossier of a commons (size, age, condition, vacancy, utilities, safety limits,
constraints, uses, owner, how reliable each fact is; owner contact, access notes and
cadastral detail kept for staff) and the dated inspections of its place.

Revision ID: b01d00000001
Revises: ca11b0000002
Create Date: 2026-12-04 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "b01d00000001"
down_revision: str | None = "ca11b0000002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asset_dossiers",
        sa.Column("commons_id", sa.Integer(), nullable=False),
        sa.Column("floor_area_m2", sa.Numeric(precision=10, scale=1), nullable=True),
        sa.Column("year_built", sa.Integer(), nullable=True),
        sa.Column("condition", sa.String(length=10), nullable=True),
        sa.Column("condition_on", sa.Date(), nullable=True),
        sa.Column("condition_notes", sa.Text(), nullable=False),
        sa.Column("vacant_since", sa.Date(), nullable=True),
        sa.Column("water", sa.String(length=15), nullable=True),
        sa.Column("power", sa.String(length=15), nullable=True),
        sa.Column("heating", sa.String(length=15), nullable=True),
        sa.Column("sewer", sa.String(length=15), nullable=True),
        sa.Column("fire_certificate", sa.String(length=10), nullable=True),
        sa.Column("max_occupancy", sa.Integer(), nullable=True),
        sa.Column("accessibility", sa.String(length=15), nullable=True),
        sa.Column("heritage_constraints", sa.Text(), nullable=False),
        sa.Column("permitted_uses", sa.Text(), nullable=False),
        sa.Column("owner_kind", sa.String(length=15), nullable=True),
        sa.Column("owner_name", sa.String(length=200), nullable=True),
        sa.Column("owner_contact", sa.Text(), nullable=False),
        sa.Column("access_notes", sa.Text(), nullable=False),
        sa.Column("cadastral_detail", sa.Text(), nullable=False),
        sa.Column("reliability", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "condition IS NULL OR condition IN ('good', 'fair', 'poor', 'unsafe')",
            name=op.f("ck_asset_dossiers_condition_known"),
        ),
        sa.CheckConstraint(
            "floor_area_m2 IS NULL OR floor_area_m2 > 0",
            name=op.f("ck_asset_dossiers_floor_area_positive"),
        ),
        sa.CheckConstraint(
            "max_occupancy IS NULL OR max_occupancy >= 0",
            name=op.f("ck_asset_dossiers_occupancy_positive"),
        ),
        sa.CheckConstraint(
            "owner_kind IS NULL OR owner_kind IN ('city', 'public_body', 'private', 'non_profit')",
            name=op.f("ck_asset_dossiers_owner_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["commons_id"], ["commons.id"], name=op.f("fk_asset_dossiers_commons_id_commons")
        ),
        sa.PrimaryKeyConstraint("commons_id", name=op.f("pk_asset_dossiers")),
    )
    op.create_index("ix_asset_dossiers_condition", "asset_dossiers", ["condition"])
    op.create_index("ix_asset_dossiers_floor_area_m2", "asset_dossiers", ["floor_area_m2"])
    op.create_index("ix_asset_dossiers_vacant_since", "asset_dossiers", ["vacant_since"])
    op.create_table(
        "asset_inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commons_id", sa.Integer(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspector", sa.String(length=200), nullable=False),
        sa.Column("rating", sa.String(length=10), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rating IN ('good', 'fair', 'poor', 'unsafe')",
            name=op.f("ck_asset_inspections_rating_known"),
        ),
        sa.ForeignKeyConstraint(
            ["commons_id"], ["commons.id"], name=op.f("fk_asset_inspections_commons_id_commons")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_asset_inspections_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_inspections")),
    )
    op.create_index(op.f("ix_asset_inspections_commons_id"), "asset_inspections", ["commons_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_asset_inspections_commons_id"), table_name="asset_inspections")
    op.drop_table("asset_inspections")
    op.drop_index("ix_asset_dossiers_vacant_since", table_name="asset_dossiers")
    op.drop_index("ix_asset_dossiers_floor_area_m2", table_name="asset_dossiers")
    op.drop_index("ix_asset_dossiers_condition", table_name="asset_dossiers")
    op.drop_table("asset_dossiers")
