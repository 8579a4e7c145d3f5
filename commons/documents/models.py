"""Pact text versions and signatures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Select, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from commons.db import UTCDateTime, utcnow
from commons.extensions import db


class PactVersion(db.Model):
    """An immutable snapshot of the pact text; approval freezes the last one."""

    __tablename__ = "pact_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "number", name="uq_pact_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    number: Mapped[int]
    # {"sections": [{"key": ..., "title": ..., "articles": [{"title":..., "text":...}]}]}
    content: Mapped[dict] = mapped_column(db.JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    proposal = relationship("Proposal")

    @classmethod
    def of(cls, proposal) -> Select:
        """The select of the proposal's versions, newest first."""
        return select(cls).where(cls.proposal_id == proposal.id).order_by(cls.number.desc())

    @classmethod
    def all_for(cls, proposal) -> list[PactVersion]:
        """Every version of the proposal's pact text, newest first."""
        return list(db.session.scalars(cls.of(proposal)))

    @classmethod
    def numbered(cls, proposal, number: int) -> PactVersion | None:
        """Version ``number`` of the proposal's pact text, or None."""
        if not 0 < number <= 2**31 - 1:  # beyond an INTEGER column: nothing can be there
            return None
        return db.session.scalar(
            select(cls).where(cls.proposal_id == proposal.id, cls.number == number)
        )

    @classmethod
    def latest_for(
        cls, proposal, *, frozen: bool = False, session: Session | None = None
    ) -> PactVersion | None:
        """The proposal's latest pact version (``frozen``: the latest frozen by approval), the
        one the pages, the API and the PDF show; None before the first is saved."""
        stmt = cls.of(proposal)
        if frozen:
            stmt = stmt.where(cls.frozen_at.is_not(None))
        return (session or db.session).scalar(stmt.limit(1))


class Signature(db.Model):
    """A signature on the frozen pact: who, in which capacity, when, bound to which hash."""

    __tablename__ = "signatures"
    __table_args__ = (
        UniqueConstraint(
            "proposal_id", "signer_role", name="uq_signatures_proposal_id_signer_role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # "representative" for the proponent, "legal" for the city.
    signer_role: Mapped[str] = mapped_column(String(20))
    typed_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # SHA-256 of what was signed: the frozen pact version (and, with documents, its final PDF).
    document_hash: Mapped[str] = mapped_column(String(64))
    # How the signer proved who they were for this signature: "password" (the local one typed
    # again), or the identity provider they logged in with again (commons.auth.oidc) and the
    # level of assurance it gave. Empty on signatures made before this was recorded.
    identity_provider: Mapped[str | None] = mapped_column(String(40))
    assurance_level: Mapped[str | None] = mapped_column(String(120))
    # Issue 16, qualified signatures: "simple" (typed name and password), "advanced" or
    # "qualified" (a signed file uploaded, verified in commons/documents/qualified.py), with
    # who the certificate names and the uploaded file (a Document of kind "signed_upload").
    level: Mapped[str] = mapped_column(String(10), default="simple", server_default="simple")
    certificate_subject: Mapped[str | None] = mapped_column(String(500))
    fiscal_number: Mapped[str | None] = mapped_column(String(32))
    signed_file_sha256: Mapped[str | None] = mapped_column(String(64))

    signer = relationship("User")


class Document(db.Model):
    """A pact PDF the registry issued, stored content-addressed by its SHA-256."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("kind IN ('draft', 'final', 'signed', 'signed_upload')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pact_versions.id"), index=True)
    # draft: a preview in co-design; final: rendered at approval; signed: with the signatures;
    # signed_upload: the final PDF as a party signed it with their own tool (PAdES or .p7m).
    kind: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version = relationship("PactVersion")
    proposal = relationship("Proposal")


class PactComment(db.Model):
    """A proponent's comment on one version of the pact text during co-design."""

    __tablename__ = "pact_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pact_versions.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version = relationship("PactVersion")
    author = relationship("User")
