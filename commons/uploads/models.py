"""An uploaded file, kept outside the web root under a random name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.db import UTCDateTime, utcnow
from commons.extensions import db

# The only kinds of file accepted, as sniffed from their first bytes.
CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


class Attachment(db.Model):
    """A file attached by someone to a proposal (or to a row of it) for a purpose.

    ``purpose`` says what the file is (statute, identity, photo, plan, report_photo, minutes...);
    ``linked_id`` names the row of that purpose it belongs to (a report, a meeting), if any.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')",
            name="content_type_known",
        ),
        CheckConstraint("size > 0", name="size_positive"),
        Index("ix_attachments_proposal_id_purpose", "proposal_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    purpose: Mapped[str] = mapped_column(String(40))
    linked_id: Mapped[int | None]
    # Random file name under COMMONS_UPLOAD_DIR; never derived from what the user sent.
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # A photo shown in public: the SHA-256 of its copy without metadata (commons.uploads.images),
    # stored content-addressed beside the uploads; the file above is never altered.
    public_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner = relationship("User")
    proposal = relationship("Proposal")

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.purpose} {self.original_name!r}>"
