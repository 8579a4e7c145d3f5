"""The demo city's offers and needs and a report with a photo (offers.toml), loaded through
the offers' and the lifecycle's own operations, dated in the past: each post is published,
answered and closed some days after it was posted, and a post on a pact comes after the pact
came into force."""

from __future__ import annotations

import io
import struct
import tomllib
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from commons.auth.models import User
from commons.auth.permissions import can
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.impact.framework import filled
from commons.offers import operations
from commons.offers.models import Post
from commons.proposals.models import Proposal
from commons.registry.models import Commons

HERE = Path(__file__).parent
OFFICER = "officer@demo.example.org"


def _read() -> dict:
    with (HERE / "offers.toml").open("rb") as fh:
        return tomllib.load(fh)


def _one(model, **where):
    found = db.session.scalars(select(model).filter_by(**where)).first()
    if found is None:
        raise ValueError(f"offers.toml: no {model.__name__} with {where}")
    return found


def load_offers(now: datetime | None = None) -> int:
    """Create the demo offers and needs that are missing; return how many were created."""
    now = now or datetime.now(UTC)
    data = _read()
    created = 0
    for entry in data.get("offers", []):
        if db.session.scalar(select(Post.id).where(Post.title == entry["title"])) is None:
            _load_one(entry, now)
            created += 1
    if data.get("report_with_photo"):
        _report_with_photo(data["report_with_photo"], now)
    return created


def _load_one(entry: dict, now: datetime) -> None:
    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    author = _one(User, email=entry["author"])
    group = None if entry["group"] == "city" else _one(ProponentGroup, name=entry["group"])
    if not can(author, "offer.post", group):
        raise ValueError(f"offers.toml: {author.email} may not post for {entry['group']}")
    pact = _one(Proposal, title=entry["pact"]) if "pact" in entry else None
    commons = _one(Commons, name=entry["commons"]) if "commons" in entry else None
    officer = _one(User, email=OFFICER)
    post = operations.post(
        author=author,
        group=group,
        kind=entry["kind"],
        category=entry["category"],
        title=entry["title"],
        description=entry["description"],
        quantity=entry.get("quantity"),
        timing=entry.get("timing"),
        commons=commons,
        pact=pact,
        now=ago(entry["posted_days_ago"]),
    )
    if "rejected" in entry:
        rejected = entry["rejected"]
        operations.reject(
            post, actor=officer, reason=rejected["reason"], now=ago(rejected["days_ago"])
        )
        return
    if "published_days_ago" not in entry:
        return  # waits for moderation
    operations.publish(post, actor=officer, now=ago(entry["published_days_ago"]))
    for answer in entry.get("responses", []):
        operations.respond(
            post,
            user=_one(User, email=answer["by"]),
            message=answer["message"],
            phone=answer.get("phone"),
            now=ago(answer["days_ago"]),
        )
    if "closed" in entry:
        closed = entry["closed"]
        operations.close(post, actor=author, closed_as=closed["as"], now=ago(closed["days_ago"]))


def _report_with_photo(entry: dict, now: datetime) -> None:
    """File the report with its photo, once (a pact already holding a report photo has it)."""
    import workflows
    from commons.uploads import operations as uploads
    from commons.uploads.models import Attachment

    pact = _one(Proposal, title=entry["pact"])
    has_photo = db.session.scalar(
        select(Attachment.id).where(
            Attachment.proposal_id == pact.id, Attachment.purpose == "report_photo"
        )
    )
    if has_photo is not None:
        return
    filed = now - timedelta(days=entry["days_ago"])
    event = workflows.fire(
        pact,
        "file_report",
        pact.representative,
        now=filed,
        # The representative agreed to show the photo (the river bank, nobody in it).
        publish_photos="y",
        report_text=entry["report_text"],
        impact=filled(entry["values"], entry.get("breakdowns")),
    )
    photo = uploads.save_upload(
        FileStorage(io.BytesIO(demo_photo()), filename=entry["photo_name"]),
        owner=pact.representative,
        purpose="report_photo",
        proposal=pact,
        images_only=True,
    )
    photo.created_at = filed
    uploads.link_attachments([photo], event.payload["report_id"], public=True)


def demo_photo(width: int = 240, height: int = 160) -> bytes:
    """A small PNG drawn here (a river bank: sky, green bank, water), so the demo needs no
    image file: enough to show where a report's photos appear."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    rows = []
    for y in range(height):
        if y < height * 0.45:
            colour = (150, 200, 235)  # sky
        elif y < height * 0.7:
            colour = (70, 140, 60)  # the bank
        else:
            colour = (40, 90, 150)  # the river
        rows.append(b"\x00" + bytes(colour) * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )
