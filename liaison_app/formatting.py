"""Small display helpers shared by the command line and the window."""

from __future__ import annotations


def human_size(size: int) -> str:
    """``532 字节``, ``1.5 KB``, ``200.0 MB``."""
    if size < 1024:
        return f"{size} 字节"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")
