"""Initial schema: users and roles, proponent groups, commons, proposals, audit events.

Revision ID: 8f081e21ad8c
Revises:
Create Date: 2026-11-21 05:08:09.605922+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "8f081e21ad8c"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=True),
        sa.Column("neighbourhood", sa.String(length=100), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("geometry", sa.JSON(), nullable=True),
        sa.Column("cadastral_reference", sa.String(length=100), nullable=True),
        sa.Column("owner_office", sa.String(length=200), nullable=True),
        sa.Column("availability", sa.String(length=20), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "availability IN ('available', 'in_pact', 'unavailable')",
            name=op.f("ck_commons_availability_known"),
        ),
        sa.CheckConstraint(
            "kind IN ('park', 'garden', 'square', 'street', 'building', 'school_yard', 'sports_area', 'green_area', 'other')",
            name=op.f("ck_commons_kind_known"),
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90)",
            name=op.f("ck_commons_latitude_range"),
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude BETWEEN -180 AND 180)",
            name=op.f("ck_commons_longitude_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commons")),
    )
    with op.batch_alter_table("commons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commons_availability"), ["availability"], unique=False)
        batch_op.create_index(batch_op.f("ix_commons_district"), ["district"], unique=False)
        batch_op.create_index(batch_op.f("ix_commons_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_commons_name_id", ["name", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commons_neighbourhood"), ["neighbourhood"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("session_token", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("last_login_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "proponent_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('individual', 'informal_group', 'association', 'company', 'school')",
            name=op.f("ck_proponent_groups_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["representative_id"],
            ["users.id"],
            name=op.f("fk_proponent_groups_representative_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proponent_groups")),
    )
    with op.batch_alter_table("proponent_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proponent_groups_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_proponent_groups_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proponent_groups_representative_id"), ["representative_id"], unique=False
        )

    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "role IN ('citizen', 'officer', 'legal', 'auditor', 'admin')",
            name=op.f("ck_user_roles_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_roles_role"), ["role"], unique=False)

    op.create_table(
        "group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("tax_code", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("joined_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["proponent_groups.id"],
            name=op.f("fk_group_members_group_id_proponent_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_group_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_members")),
        sa.UniqueConstraint("group_id", "email", name="uq_group_members_group_id_email"),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index("ix_group_members_user_id", ["user_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("pact_type", sa.String(length=10), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("activities", sa.Text(), nullable=False),
        sa.Column("support_requested", sa.JSON(), nullable=False),
        sa.Column("support_notes", sa.Text(), nullable=False),
        sa.Column("requested_duration_months", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("protocol_number", sa.String(length=20), nullable=True),
        sa.Column("case_officer_id", sa.Integer(), nullable=True),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("submitted_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "pact_type IN ('ordinary', 'complex')", name=op.f("ck_proposals_pact_type_known")
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name=op.f("ck_proposals_dates_ordered"),
        ),
        sa.CheckConstraint(
            "requested_duration_months IS NULL OR requested_duration_months > 0",
            name=op.f("ck_proposals_duration_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["case_officer_id"], ["users.id"], name=op.f("fk_proposals_case_officer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["proponent_groups.id"],
            name=op.f("fk_proposals_group_id_proponent_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["representative_id"], ["users.id"], name=op.f("fk_proposals_representative_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("protocol_number", name=op.f("uq_proposals_protocol_number")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposals_case_officer_id"), ["case_officer_id"], unique=False
        )
        batch_op.create_index("ix_proposals_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_end_date"), ["end_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_pact_type"), ["pact_type"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proposals_representative_id"), ["representative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposals_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_proposals_status_created_at", ["status", "created_at"], unique=False
        )

    op.create_table(
        "audit_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("occurred_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_audit_events_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_audit_events_proposal_id_seq", ["proposal_id", "seq"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_events_trigger"), ["trigger"], unique=False)

    op.create_table(
        "proposal_commons",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("commons_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commons_id"], ["commons.id"], name=op.f("fk_proposal_commons_commons_id_commons")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_commons_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "commons_id", name=op.f("pk_proposal_commons")),
    )
    with op.batch_alter_table("proposal_commons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_commons_commons_id"), ["commons_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("proposal_commons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_commons_commons_id"))

    op.drop_table("proposal_commons")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_trigger"))
        batch_op.drop_index("ix_audit_events_proposal_id_seq")
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_id"))

    op.drop_table("audit_events")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_proposals_status_created_at")
        batch_op.drop_index(batch_op.f("ix_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_proposals_representative_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_pact_type"))
        batch_op.drop_index(batch_op.f("ix_proposals_group_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_end_date"))
        batch_op.drop_index("ix_proposals_created_at_id")
        batch_op.drop_index(batch_op.f("ix_proposals_case_officer_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_group_members_user_id")

    op.drop_table("group_members")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_roles_role"))

    op.drop_table("user_roles")
    with op.batch_alter_table("proponent_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proponent_groups_representative_id"))
        batch_op.drop_index(batch_op.f("ix_proponent_groups_name"))
        batch_op.drop_index(batch_op.f("ix_proponent_groups_kind"))

    op.drop_table("proponent_groups")
    op.drop_table("users")
    with op.batch_alter_table("commons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commons_neighbourhood"))
        batch_op.drop_index("ix_commons_name_id")
        batch_op.drop_index(batch_op.f("ix_commons_kind"))
        batch_op.drop_index(batch_op.f("ix_commons_district"))
        batch_op.drop_index(batch_op.f("ix_commons_availability"))

    op.drop_table("commons")
