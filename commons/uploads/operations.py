"""Receive, check, store and find uploaded files. The one way any feature attaches a file.

A file is accepted only when its first bytes say it is a PDF, a JPEG or a PNG: the name and
the type the browser declared are not trusted. It is streamed to a temporary file in
``COMMONS_UPLOAD_DIR`` (outside the web root) while its size and SHA-256 are counted, then
renamed into place under a random name, so a reader never sees half a file.

Other features use three functions: ``save_upload`` (from a form's file field),
``attachments_for`` (list them) and ``link_attachments`` (tie files uploaded with a form that
was sent back for correction to the row it created, e.g. a monitoring report; and, for photos
to be shown in public, make their copies without metadata: ``public_path_of`` finds them).
``clean_abandoned`` (``commons uploads clean``, and every ``commons tick``) removes the files
such forms left behind when they were never completed.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from commons.documents import storage
from commons.errors import DomainError
from commons.extensions import db
from commons.uploads import images
from commons.uploads.models import Attachment

CHUNK = 64 * 1024
# Magic numbers: what a file is, by its content.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
IMAGE_TYPES = ("image/jpeg", "image/png")


class UploadRejected(DomainError):
    """The file was refused; the message says why (too large, not an accepted type)."""


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None if not PDF, JPEG or PNG."""
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def max_upload_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def upload_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    path = Path(configured or Path(current_app.config["INSTANCE_DIR"]) / "uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


_UNSAFE = re.compile(r"[^\w .()+,-]", re.UNICODE)


def clean_name(name: str | None) -> str:
    """A file name safe to show and to put in a header: no path, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", "".join(c for c in name if unicodedata.category(c)[0] != "C"))
    return name.strip(" ._")[:200] or "file"


def sanitise_name(name: str | None, content_type: str) -> str:
    """A display name: no path, no control characters, at most 200 characters, right suffix."""
    name = clean_name(name)
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    wanted = EXTENSIONS[content_type]
    if f".{suffix.lower()}" not in (wanted, ".jpeg" if wanted == ".jpg" else wanted):
        stem, suffix = name, wanted[1:]
    return f"{stem[: 200 - len(suffix) - 1]}.{suffix}"


def is_empty(file) -> bool:
    """True when a form's file field was left empty."""
    return file is None or not getattr(file, "filename", "")


def size_limit_message() -> str:
    return _(
        "The file is too large: it may be at most %(mb)d MB.",
        mb=int(current_app.config["MAX_UPLOAD_MB"]),
    )


def type_message() -> str:
    return _("The file is not a PDF, JPEG or PNG: choose a file of one of those kinds.")


def _quota_problem(owner, proposal, size: int) -> str | None:
    """Why storing ``size`` more bytes would pass a quota, or None.

    A proposal holds at most UPLOAD_FILES_PER_PROPOSAL files and UPLOAD_MB_PER_PROPOSAL MB;
    a person uploads at most UPLOAD_MB_PER_USER_DAY MB in 24 hours (registration is open, so
    one account must not be able to fill the disk).
    """
    config = current_app.config
    mb = 1024 * 1024
    if proposal is not None and proposal.id is not None:
        count, total = db.session.execute(
            select(func.count(), func.coalesce(func.sum(Attachment.size), 0)).where(
                Attachment.proposal_id == proposal.id
            )
        ).one()
        if count + 1 > config["UPLOAD_FILES_PER_PROPOSAL"]:
            return _(
                "This proposal already holds %(n)d files, the most it may have. Remove one "
                "you no longer need before adding another.",
                n=count,
            )
        if total + size > config["UPLOAD_MB_PER_PROPOSAL"] * mb:
            return _(
                "The files of this proposal would take more than %(mb)d MB together. "
                "Remove a file or send a smaller one.",
                mb=config["UPLOAD_MB_PER_PROPOSAL"],
            )
    since = datetime.now(UTC) - timedelta(hours=24)
    today = db.session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.owner_id == owner.id, Attachment.created_at >= since
        )
    )
    if today + size > config["UPLOAD_MB_PER_USER_DAY"] * mb:
        return _(
            "You have uploaded %(mb)d MB in the last 24 hours, the most one person may. "
            "Try again tomorrow, or ask the office.",
            mb=config["UPLOAD_MB_PER_USER_DAY"],
        )
    return None


def save_upload(
    file,
    *,
    owner,
    purpose: str,
    proposal=None,
    linked_id: int | None = None,
    field: str | None = None,
    images_only: bool = False,
) -> Attachment:
    """Check and store one uploaded file (a Werkzeug ``FileStorage``); return its Attachment.

    Raises ``UploadRejected`` (with ``field``) when the file is empty, too large or of a kind
    not accepted; nothing is stored then.
    """
    if is_empty(file):
        raise UploadRejected(_("Choose a file."), field=field)
    limit = max_upload_bytes()
    directory = upload_dir()
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=".part-")
    tmp = Path(tmp_name)
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := file.stream.read(CHUNK):
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                size += len(chunk)
                if size > limit:
                    raise UploadRejected(size_limit_message(), field=field)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise UploadRejected(_("The file is empty."), field=field)
        over = _quota_problem(owner, proposal, size)
        if over:
            raise UploadRejected(over, field=field)
        content_type = sniff(head)
        if content_type is None:
            raise UploadRejected(type_message(), field=field)
        if images_only and content_type not in IMAGE_TYPES:
            raise UploadRejected(
                _("The file is not a photo: choose a JPEG or PNG image."), field=field
            )
        if images_only:
            try:
                images.check_image(tmp, content_type)
            except images.UnreadableImage:
                raise UploadRejected(
                    _(
                        "The photo cannot be read: it may be damaged or too large. Choose "
                        "another JPEG or PNG image."
                    ),
                    field=field,
                ) from None
        storage_name = secrets.token_hex(16) + EXTENSIONS[content_type]
        os.replace(tmp, directory / storage_name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    attachment = Attachment(
        owner_id=owner.id,
        proposal_id=proposal.id if proposal is not None else None,
        purpose=purpose,
        linked_id=linked_id,
        storage_name=storage_name,
        original_name=sanitise_name(file.filename, content_type),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def save_uploads(files, **kwargs) -> tuple[list[Attachment], list[str]]:
    """Store every non-empty file; return what was kept and, per refused file, why."""
    kept, problems = [], []
    for file in files:
        if is_empty(file):
            continue
        try:
            kept.append(save_upload(file, **kwargs))
        except UploadRejected as error:
            problems.append(f"{clean_name(file.filename)}: {error}")
    return kept, problems


def path_of(attachment: Attachment) -> Path:
    """Where the file is; the stored name is ours, never the user's."""
    if not re.fullmatch(r"[0-9a-f]{32}\.(pdf|jpg|png)", attachment.storage_name):
        raise ValueError("unexpected storage name")
    return upload_dir() / attachment.storage_name


def attachments_for(proposal, purpose: str | None = None, linked_id: int | None = None):
    """The files of a proposal, optionally for one purpose and one linked row, oldest first."""
    stmt = select(Attachment).where(Attachment.proposal_id == proposal.id)
    if purpose is not None:
        stmt = stmt.where(Attachment.purpose == purpose)
    if linked_id is not None:
        stmt = stmt.where(Attachment.linked_id == linked_id)
    return db.session.scalars(stmt.order_by(Attachment.id)).all()


def pending_attachments(ids, *, owner, proposal, purpose: str) -> list[Attachment]:
    """Files this owner uploaded with a form sent back for correction, not yet linked."""
    wanted = {int(i) for i in ids if str(i).isdigit()}
    if not wanted:
        return []
    return db.session.scalars(
        select(Attachment)
        .where(
            Attachment.id.in_(wanted),
            Attachment.owner_id == owner.id,
            Attachment.proposal_id == proposal.id,
            Attachment.purpose == purpose,
            Attachment.linked_id.is_(None),
        )
        .order_by(Attachment.id)
    ).all()


def link_attachments(attachments, linked_id: int, *, public: bool = False) -> None:
    """Tie files to the row they belong to (a report, a meeting); ``public``: the photos
    among them are to be shown in public, so their copies without metadata are made now."""
    for attachment in attachments:
        attachment.linked_id = linked_id
        if public and attachment.content_type in IMAGE_TYPES:
            make_public_copy(attachment)
    db.session.flush()


def public_dir() -> Path:
    """Where the public copies of photos are kept, content-addressed (``sha256/ab/<hash>``)."""
    return upload_dir() / "public"


def public_path_of(attachment: Attachment) -> Path | None:
    """Where the photo's public copy is, or None if none was made."""
    if attachment.public_sha256 is None:
        return None
    suffix = EXTENSIONS[attachment.content_type]
    return storage.path_for(public_dir(), attachment.public_sha256, suffix)


def make_public_copy(attachment: Attachment) -> Path:
    """Store the photo's copy without metadata (commons.uploads.images) under its own hash,
    once, and record the hash on the attachment; the original file is left as it is."""
    path = public_path_of(attachment)
    if path is not None and path.is_file():
        return path
    clean = images.without_metadata(path_of(attachment).read_bytes(), attachment.content_type)
    sha256, path = storage.store(public_dir(), clean, EXTENSIONS[attachment.content_type])
    attachment.public_sha256 = sha256
    db.session.flush()
    return path


def delete_attachment(attachment: Attachment) -> None:
    """Remove the record, then the file (and its public copy, unless another file has the
    same). If the commit fails afterwards, the record stays and points at nothing: the
    download answers 404, never someone else's file."""
    path = path_of(attachment)
    copy = public_path_of(attachment)
    shared = attachment.public_sha256 is not None and db.session.scalar(
        select(func.count()).where(
            Attachment.public_sha256 == attachment.public_sha256, Attachment.id != attachment.id
        )
    )
    db.session.delete(attachment)
    db.session.flush()
    path.unlink(missing_ok=True)
    if copy is not None and not shared:
        copy.unlink(missing_ok=True)


# --- clean-up of abandoned uploads ------------------------------------------------------------

# Purposes whose files exist for one row of another table, named by linked_id: a file whose
# row never came (a form left half-done) or is gone serves nobody.
LINKED_TO = {
    "report_photo": ("commons.monitoring.models", "MonitoringReport", "id"),
    "minutes": ("commons.proposals.models", "CoDesignMeeting", "id"),
    "integration": ("commons.audit.models", "AuditEvent", "seq"),
    # A photo or plan of a call's information sheet, for the offered commons.
    "call_sheet": ("commons.calls.models", "CallCommons", "id"),
    # The photo of a report of an empty place (commons.registry.queries.VACANCY_PHOTO).
    "vacancy_photo": ("commons.registry.models", "VacancyReport", "id"),
}
DEFAULT_GRACE_HOURS = 24.0
_STORED = re.compile(r"[0-9a-f]{32}\.(pdf|jpg|png)")


@dataclass
class CleanReport:
    """What a clean-up removed (or, in a dry run, would remove)."""

    dry_run: bool
    attachments: list[tuple[int, str, str, int]] = field(default_factory=list)  # id, purpose...
    stray_files: list[tuple[str, int]] = field(default_factory=list)  # name, size

    @property
    def bytes(self) -> int:
        return sum(a[3] for a in self.attachments) + sum(f[1] for f in self.stray_files)


def _abandoned_condition():
    """SQL condition: an attachment that nothing links to.

    Files of the application itself (statute, identity, photo, plan) belong to their proposal
    and are never abandoned while it exists; a file of a purpose not known here is kept as
    long as it names a proposal or a row.
    """
    import importlib

    from sqlalchemy import and_, exists, or_

    linked = []
    for purpose, (module, name, key) in LINKED_TO.items():
        model = getattr(importlib.import_module(module), name)
        target = exists().where(getattr(model, key) == Attachment.linked_id)
        linked.append(
            and_(
                Attachment.purpose == purpose,
                or_(Attachment.linked_id.is_(None), ~target),
            )
        )
    return or_(and_(Attachment.proposal_id.is_(None), Attachment.linked_id.is_(None)), *linked)


def _recorded_in_audit(candidates: list[Attachment], chunk: int = 200) -> set[int]:
    """The ids of the candidates whose SHA-256 an audit event records: they are evidence, and
    stay. One read of the events per ``chunk`` candidates, not one per candidate; an event
    counts for a file of a proposal only if it is that proposal's event."""
    from sqlalchemy import Text, cast, or_

    from commons.audit.models import AuditEvent

    kept: set[int] = set()
    payload = cast(AuditEvent.payload, Text)
    for start in range(0, len(candidates), chunk):
        part = candidates[start : start + chunk]
        rows = db.session.execute(
            select(AuditEvent.proposal_id, payload).where(
                or_(*[payload.contains(a.sha256) for a in part])
            )
        )
        for proposal_id, text in rows:
            kept.update(
                a.id for a in part if a.sha256 in text and a.proposal_id in (None, proposal_id)
            )
    return kept


def clean_abandoned(
    now: datetime,
    *,
    step: Callable[[], None],
    older_than: timedelta | None = None,
    dry_run: bool = False,
) -> CleanReport:
    """Remove uploads nothing uses, once older than the grace period (default 24 hours).

    Two kinds: attachment rows (and their files) that no proposal, report, meeting or
    integration answer links to and whose SHA-256 no audit event records; and files in the
    upload folder with no row at all (a request that failed after storing its file) or left
    half-written (``.part-*``). Rows go first and are committed by ``step`` (the entry point's
    :func:`commons.transactions.commit_step`: the one commit this operation needs, made by its
    caller); files are unlinked after, so a failure never leaves a row pointing at nothing.
    Returns what was (or would be) removed.
    """
    cutoff = now - (older_than if older_than is not None else timedelta(hours=DEFAULT_GRACE_HOURS))
    report = CleanReport(dry_run=dry_run)
    candidates = db.session.scalars(
        select(Attachment)
        .where(Attachment.created_at < cutoff, _abandoned_condition())
        .order_by(Attachment.id)
    ).all()
    recorded = _recorded_in_audit(candidates)
    doomed = [a for a in candidates if a.id not in recorded]
    paths = []
    for attachment in doomed:
        report.attachments.append(
            (attachment.id, attachment.purpose, attachment.original_name, attachment.size)
        )
        paths.append(path_of(attachment))
        if not dry_run:
            db.session.delete(attachment)
    if not dry_run:
        db.session.flush()
        step()
        for path in paths:
            path.unlink(missing_ok=True)

    directory = upload_dir()
    known = set(db.session.scalars(select(Attachment.storage_name)))
    limit = cutoff.timestamp()
    for entry in sorted(directory.iterdir(), key=lambda p: p.name):
        stray = entry.name.startswith(".part-") or (
            _STORED.fullmatch(entry.name) and entry.name not in known
        )
        if not stray or not entry.is_file():
            continue
        stat = entry.stat()
        if stat.st_mtime >= limit:
            continue
        report.stray_files.append((entry.name, stat.st_size))
        if not dry_run:
            entry.unlink(missing_ok=True)
    return report
