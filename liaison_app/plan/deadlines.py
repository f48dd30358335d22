"""Deadlines written inside the work text: ``2019年底前`` → 2019-12-31, ``2019年9月底前`` → 2019-09-30."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

# The year may have lost its 年 before a month (``20199月底前``); a lone year needs 年.
_DEADLINE = re.compile(r"(20\d{2})(?:年?(\d{1,2})月|年)底前")


@dataclass(frozen=True)
class DeadlineFinding:
    date: dt.date
    phrase: str
    repaired: bool  # True when 年 was missing before the month


def find_deadlines(text: str) -> list[DeadlineFinding]:
    """Every ``…底前`` phrase in ``text``, in order of appearance."""
    found: list[DeadlineFinding] = []
    for match in _DEADLINE.finditer(text):
        year = int(match.group(1))
        month = int(match.group(2)) if match.group(2) else 12
        if not 1 <= month <= 12:
            continue
        last_day = calendar.monthrange(year, month)[1]
        repaired = match.group(2) is not None and "年" not in match.group(0)
        found.append(DeadlineFinding(dt.date(year, month, last_day), match.group(0), repaired))
    return found


def item_deadline(text: str) -> tuple[dt.date | None, list[DeadlineFinding]]:
    """The item's deadline: the latest phrase found (the item is finished when all of it is).

    Returns the chosen date and every finding so the caller can report repairs and choices.
    """
    findings = find_deadlines(text)
    if not findings:
        return None, findings
    return max(f.date for f in findings), findings
