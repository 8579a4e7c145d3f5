"""The public summary: what a proposal is about, in words anyone may read during the notice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from commons.db import TimestampMixin, UTCDateTime
from commons.extensions import db

# The texts of a summary, in the order they are shown.
SUMMARY_FIELDS = ("objectives", "activities", "places", "times", "support")
# The language code of the original text, as prepared from the application and edited by the
# office; a translation has the code of its language ("en", "it").
ORIGINAL = ""


class PublicSummary(TimestampMixin, db.Model):
    """One text of a proposal's public summary: the original, or a translation of it.

    Prepared from the application, edited by the office before admission, published (for
    everyone) when the proposal is admitted. ``version`` counts the edits: an edit made from
    an older version is refused instead of overwriting the newer one.
    """

    __tablename__ = "public_summaries"
    __table_args__ = (
        UniqueConstraint(
            "proposal_id", "language", name="uq_public_summaries_proposal_id_language"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(8), default=ORIGINAL)
    objectives: Mapped[str] = mapped_column(Text, default="")
    activities: Mapped[str] = mapped_column(Text, default="")
    places: Mapped[str] = mapped_column(Text, default="")
    times: Mapped[str] = mapped_column(Text, default="")
    support: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}

    @property
    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) or "" for name in SUMMARY_FIELDS}

    def __repr__(self) -> str:
        return f"<PublicSummary {self.proposal_id} {self.language or 'original'} v{self.version}>"
