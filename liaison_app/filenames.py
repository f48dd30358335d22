"""File and folder names that Windows accepts, keeping readable Chinese."""

from __future__ import annotations

import re

_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def safe_name(name: str, max_chars: int = 80) -> str:
    """``name`` made valid on Windows: no forbidden characters, no reserved device names, no
    trailing dots or spaces, at most ``max_chars`` characters with the extension kept."""
    cleaned = _ILLEGAL.sub("_", name).strip().rstrip(". ")
    if not cleaned:
        cleaned = "_"
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        stem, extension = cleaned, ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    suffix = f".{extension}" if extension else ""
    room = max(1, max_chars - len(suffix))
    if len(stem) > room:
        stem = stem[:room].rstrip(". ") or "_"
    return stem + suffix


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``… so that no two entries of a folder collide (case-insensitively)."""
    candidate, number = name, 1
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number})" + (f".{extension}" if extension else "")
    taken.add(candidate.casefold())
    return candidate
