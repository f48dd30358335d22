"""The SHA-256 of a file's bytes: one home for the hash that names evidence blobs, checks
backups, matches received copies and is printed under a PDF report."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of the file at ``path``, read in blocks (never whole into memory)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
