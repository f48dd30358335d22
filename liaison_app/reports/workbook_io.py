"""Saving a workbook so that a crash or a full disk never leaves a half-written file."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the bundle writer imports this module; openpyxl loads only with a workbook
    from openpyxl import Workbook

PART_SUFFIX = ".part"
STALE_SECONDS = 600  # a part file this old is a leftover of a killed save, not one in progress


def clean_stale_parts(folder: Path, pattern: str = "*.xlsx" + PART_SUFFIX, now: float | None = None) -> int:
    """Remove part files a killed save left in ``folder`` (only ours: ``pattern``, and untouched
    for ten minutes, so a save running in another window is never disturbed)."""
    now = time.time() if now is None else now
    removed = 0
    for part in folder.glob(pattern):
        try:
            if part.is_file() and now - part.stat().st_mtime > STALE_SECONDS:
                part.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def save_atomically(workbook: Workbook, path: Path) -> None:
    """Write to a temporary name beside ``path``, flush it to disk, then rename over ``path``."""
    clean_stale_parts(path.parent)
    temporary = path.with_name(path.name + PART_SUFFIX)
    try:
        workbook.save(temporary)
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
