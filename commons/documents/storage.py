"""Content-addressed storage: a file's name is its SHA-256 (``sha256/ab/<hash>.pdf``).

Writes are atomic (a temporary file renamed into place), so a reader never sees half a file,
and storing the same bytes twice is harmless.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def path_for(root: str | Path, sha256: str, suffix: str = ".pdf") -> Path:
    if not SHA256.match(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(root) / "sha256" / sha256[:2] / f"{sha256}{suffix}"


def store(root: str | Path, data: bytes, suffix: str = ".pdf") -> tuple[str, Path]:
    """Write ``data`` under its hash; return (sha256, path)."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = path_for(root, sha256, suffix)
    if path.exists() and path.stat().st_size == len(data):
        return sha256, path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha256, path


def sha256_of_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
