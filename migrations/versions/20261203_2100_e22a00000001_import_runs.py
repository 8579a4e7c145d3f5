"""Imports of a city's register: the runs (for undo) and each imported pact's own facts.

import_runs holds one row per real run of ``commons import register``; imported_pacts, one
per imported proposal: the link to the signed document the city keeps, the signing date, the
notes on acts and other notes, the source id and row, and the commons the row created.

Revision ID: e22a00000001
Revises: d3a9d0000001
Create Date: 2026-12-03 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from commons.db import UTCDateTime

revision: str = "e22a00000001"
down_revision: str | None = "d3a9d0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("proposals", sa.Integer(), nullable=False),
        sa.Column("undone_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_table(
        "imported_pacts",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=20), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("signed_document_url", sa.String(length=500), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("acts_notes", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_commons_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_commons_id"],
            ["commons.id"],
            name=op.f("fk_imported_pacts_created_commons_id_commons"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_imported_pacts_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["import_runs.id"], name=op.f("fk_imported_pacts_run_id_import_runs")
        ),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_imported_pacts")),
    )
    op.create_index(op.f("ix_imported_pacts_run_id"), "imported_pacts", ["run_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_imported_pacts_run_id"), table_name="imported_pacts")
    op.drop_table("imported_pacts")
    op.drop_table("import_runs")
