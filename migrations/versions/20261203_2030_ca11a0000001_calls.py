"""Calls on listed commons: calls, offered commons, batches, the grid, the panel, the
applications with their partners, the evaluators' reviews and scores, the consensus; and the
evaluator role (user_roles.role may now be "evaluator").

Revision ID: ca11a0000001
Revises: e22a00000001
Create Date: 2026-12-03 20:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "ca11a0000001"
down_revision: str | None = "e22a00000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ROLES_BEFORE = "role IN ('citizen', 'officer', 'legal', 'auditor', 'admin')"
ROLES_AFTER = "role IN ('citizen', 'officer', 'legal', 'auditor', 'admin', 'evaluator')"


def _roles(check: str) -> None:
    with op.batch_alter_table("user_roles") as batch:
        batch.drop_constraint(op.f("ck_user_roles_role_known"), type_="check")
        batch.create_check_constraint(op.f("ck_user_roles_role_known"), check)


def upgrade() -> None:
    _roles(ROLES_AFTER)
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("proponent_kinds", sa.JSON(), nullable=False),
        sa.Column("min_groups", sa.Integer(), nullable=False),
        sa.Column("no_advantage_required", sa.Boolean(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("faq", sa.JSON(), nullable=False),
        sa.Column("threshold", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("act_kind", sa.String(length=200), nullable=False),
        sa.Column("act_number", sa.String(length=50), nullable=True),
        sa.Column("act_date", sa.Date(), nullable=True),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'open', 'closed', 'evaluating', 'ranked', 'admitted', 'archived')",
            name=op.f("ck_calls_status_known"),
        ),
        sa.CheckConstraint("min_groups >= 1", name=op.f("ck_calls_min_groups_positive")),
        sa.ForeignKeyConstraint(["chair_id"], ["users.id"], name=op.f("fk_calls_chair_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("reference", name=op.f("uq_calls_reference")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calls_status"), ["status"], unique=False)
        batch_op.create_index("ix_calls_status_id", ["status", "id"], unique=False)

    op.create_table(
        "call_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("deadline", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("closed_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_call_batches_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_batches")),
    )
    with op.batch_alter_table("call_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_batches_call_id"), ["call_id"], unique=False)

    op.create_table(
        "call_commons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("commons_id", sa.Integer(), nullable=False),
        sa.Column("floor_area_m2", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("constraints", sa.Text(), nullable=False),
        sa.Column("plans", sa.Text(), nullable=False),
        sa.Column("visiting_slots", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_call_commons_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["commons_id"], ["commons.id"], name=op.f("fk_call_commons_commons_id_commons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_commons")),
        sa.UniqueConstraint("call_id", "commons_id", name="uq_call_commons_call_id"),
    )
    with op.batch_alter_table("call_commons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_commons_commons_id"), ["commons_id"], unique=False
        )

    op.create_table(
        "call_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("weight", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("max_points", sa.Integer(), nullable=False),
        sa.CheckConstraint("max_points > 0", name=op.f("ck_call_criteria_max_points_positive")),
        sa.CheckConstraint("weight > 0", name=op.f("ck_call_criteria_weight_positive")),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_call_criteria_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_criteria")),
    )
    with op.batch_alter_table("call_criteria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_criteria_call_id"), ["call_id"], unique=False)

    op.create_table(
        "call_evaluators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_call_evaluators_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_call_evaluators_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_evaluators")),
        sa.UniqueConstraint("call_id", "user_id", name="uq_call_evaluators_call_id"),
    )
    with op.batch_alter_table("call_evaluators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_evaluators_user_id"), ["user_id"], unique=False)

    op.create_table(
        "call_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("no_advantage_declared_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("excluded_reason", sa.Text(), nullable=True),
        sa.Column("total", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('admitted', 'below_threshold', 'excluded')",
            name=op.f("ck_call_applications_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["call_batches.id"],
            name=op.f("fk_call_applications_batch_id_call_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_applications_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_call_applications_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_applications")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_call_applications_proposal_id")),
    )
    with op.batch_alter_table("call_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_applications_batch_id"), ["batch_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_call_applications_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            "ix_call_applications_call_id_rank", ["call_id", "rank"], unique=False
        )

    op.create_table(
        "call_consensus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("points >= 0", name=op.f("ck_call_consensus_points_not_negative")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["call_applications.id"],
            name=op.f("fk_call_consensus_application_id_call_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["users.id"], name=op.f("fk_call_consensus_chair_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["call_criteria.id"],
            name=op.f("fk_call_consensus_criterion_id_call_criteria"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_consensus")),
        sa.UniqueConstraint(
            "application_id", "criterion_id", name="uq_call_consensus_application_id"
        ),
    )
    with op.batch_alter_table("call_consensus", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_consensus_criterion_id"), ["criterion_id"], unique=False
        )

    op.create_table(
        "call_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["call_applications.id"],
            name=op.f("fk_call_partners_application_id_call_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_partners")),
    )
    with op.batch_alter_table("call_partners", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_partners_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "call_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("no_conflict_declared_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recused_reason", sa.Text(), nullable=True),
        sa.Column("submitted_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["call_applications.id"],
            name=op.f("fk_call_reviews_application_id_call_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_id"], ["users.id"], name=op.f("fk_call_reviews_evaluator_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_reviews")),
        sa.UniqueConstraint(
            "application_id", "evaluator_id", name="uq_call_reviews_application_id"
        ),
    )
    with op.batch_alter_table("call_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_reviews_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_call_reviews_evaluator_id"), ["evaluator_id"], unique=False
        )

    op.create_table(
        "call_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("points >= 0", name=op.f("ck_call_scores_points_not_negative")),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["call_criteria.id"],
            name=op.f("fk_call_scores_criterion_id_call_criteria"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["call_reviews.id"],
            name=op.f("fk_call_scores_review_id_call_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_scores")),
        sa.UniqueConstraint("review_id", "criterion_id", name="uq_call_scores_review_id"),
    )
    with op.batch_alter_table("call_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_scores_criterion_id"), ["criterion_id"], unique=False
        )


def downgrade() -> None:
    op.execute("DELETE FROM user_roles WHERE role = 'evaluator'")
    _roles(ROLES_BEFORE)
    with op.batch_alter_table("call_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_scores_criterion_id"))

    op.drop_table("call_scores")
    with op.batch_alter_table("call_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_reviews_evaluator_id"))
        batch_op.drop_index(batch_op.f("ix_call_reviews_application_id"))

    op.drop_table("call_reviews")
    with op.batch_alter_table("call_partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_partners_application_id"))

    op.drop_table("call_partners")
    with op.batch_alter_table("call_consensus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_consensus_criterion_id"))

    op.drop_table("call_consensus")
    with op.batch_alter_table("call_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_call_applications_call_id_rank")
        batch_op.drop_index(batch_op.f("ix_call_applications_call_id"))
        batch_op.drop_index(batch_op.f("ix_call_applications_batch_id"))

    op.drop_table("call_applications")
    with op.batch_alter_table("call_evaluators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_evaluators_user_id"))

    op.drop_table("call_evaluators")
    with op.batch_alter_table("call_criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_criteria_call_id"))

    op.drop_table("call_criteria")
    with op.batch_alter_table("call_commons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_commons_commons_id"))

    op.drop_table("call_commons")
    with op.batch_alter_table("call_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_batches_call_id"))

    op.drop_table("call_batches")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_status_id")
        batch_op.drop_index(batch_op.f("ix_calls_status"))

    op.drop_table("calls")
