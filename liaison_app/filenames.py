"""File and folder names that Windows accepts, keeping readable Chinese."""

from __future__ import annotations

import re

# Forbidden on Windows, plus what makes a name read differently from what it is: C0/DEL/C1
# controls, bidirectional overrides and marks (``rlo\u202etxt.exe`` shows as "rloexe.txt"),
# zero-width characters, the BOM and line separators. Each becomes "_".
_ILLEGAL = re.compile(
    '[<>:"/\\\\|?*\x00-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028\u2029'
    "\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
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


_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]"
)


def printable(text: str) -> str:
    """``text`` safe to show on a terminal or in a message: control, direction and invisible
    characters become visible escapes (ESC never reaches the terminal raw)."""
    return _INVISIBLE.sub(
        lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF else f"\\x{ord(m.group()):02x}", text
    )
