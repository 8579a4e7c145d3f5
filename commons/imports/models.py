"""What an import of a city's register leaves behind: the run, and per proposal its extra facts.

The register's facts that no lifecycle step produced (the link to the signed document kept by
the city, the signing date, the notes) belong to the imported proposal, not to its workflow.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.db import UTCDateTime
from commons.extensions import db


class ImportRun(db.Model):
    """One real run of ``commons import register``: what an undo takes back as a whole."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(300))
    imported_by: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    proposals: Mapped[int] = mapped_column(default=0)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    pacts: Mapped[list[ImportedPact]] = relationship(back_populates="run")


class ImportedPact(db.Model):
    """The register's own facts about one imported proposal (one row of the city's file)."""

    __tablename__ = "imported_pacts"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"), index=True)
    source_id: Mapped[str] = mapped_column(String(20))
    row: Mapped[int]
    signed_document_url: Mapped[str | None] = mapped_column(String(500))
    signed_on: Mapped[date | None]
    acts_notes: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Commons this row created (an undo removes them when no other pact names them).
    created_commons_id: Mapped[int | None] = mapped_column(ForeignKey("commons.id"))

    run: Mapped[ImportRun] = relationship(back_populates="pacts")

    @classmethod
    def of(cls, proposal) -> ImportedPact | None:
        """The imported facts of ``proposal``, or None when it was not imported."""
        return db.session.get(cls, proposal.id) if proposal.id else None
