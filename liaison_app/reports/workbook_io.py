"""Saving a workbook so that a crash or a full disk never leaves a half-written file."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook


def save_atomically(workbook: Workbook, path: Path) -> None:
    """Write to a temporary name beside ``path``, flush it to disk, then rename over ``path``."""
    temporary = path.with_name(path.name + ".part")
    try:
        workbook.save(temporary)
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
