"""The 报送期 a window opens on, the same for the liaison's and the office's windows."""

from __future__ import annotations

import datetime as dt


def default_period(today: dt.date) -> dt.date:
    """The current month (its first day): the report a liaison is writing now."""
    return today.replace(day=1)


def period_text(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(text: str) -> dt.date | None:
    """``2019-11`` → 2019-11-01; None when ``text`` is not such a month."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return None
