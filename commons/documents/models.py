"""Pact text versions and signatures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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

    signer = relationship("User")


class Document(db.Model):
    """A pact PDF the registry issued, stored content-addressed by its SHA-256."""

    __tablename__ = "documents"
    __table_args__ = (CheckConstraint("kind IN ('draft', 'final', 'signed')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pact_versions.id"), index=True)
    # draft: a preview in co-design; final: rendered at approval; signed: with the signatures.
    kind: Mapped[str] = mapped_column(String(10))
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
