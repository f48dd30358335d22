"""Deadlines written inside the work text: ``2019年底前`` → 2019-12-31, ``2019年9月底前`` → 2019-09-30.

Also the rarer forms a plan may use: ``2020年6月30日前``, ``2020年上半年`` (→ 06-30),
``2020年下半年`` (→ 12-31), ``2020年一季度`` / ``第三季度末前`` (→ the quarter's last day),
``2020年6月末前``. A bare year (``2019年``) is never a deadline.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from liaison_app.vocabulary import parse_numeral

# The year may have lost its 年 before a month (``20199月底前``); a lone year needs 年.
_DEADLINE = re.compile(
    r"(?P<year>20\d{2})(?:"
    r"年?(?P<month>\d{1,2})月(?:底|末)前"
    r"|年(?:底|末)前"
    r"|年(?P<m2>\d{1,2})月(?P<day>\d{1,2})日(?:之)?前"
    r"|年(?P<half>上|下)半年(?:底|末)?(?:之)?前?"
    r"|年第?(?P<quarter>[一二三四])季度(?:底|末)?(?:之)?前?"
    r")"
)


@dataclass(frozen=True)
class DeadlineFinding:
    date: dt.date
    phrase: str
    repaired: bool  # True when 年 was missing before the month
    start: int = 0  # where the phrase starts in the text
    end: int = 0  # just after the phrase


def _date_of(match: re.Match[str]) -> dt.date | None:
    year = int(match.group("year"))
    if match.group("day"):
        month, day = int(match.group("m2")), int(match.group("day"))
    elif match.group("half"):
        month, day = (6 if match.group("half") == "上" else 12), 0
    elif match.group("quarter"):
        month, day = 3 * parse_numeral(match.group("quarter")), 0
    else:
        month, day = (int(match.group("month")) if match.group("month") else 12), 0
    if not 1 <= month <= 12:
        return None
    last_day = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last_day
    if not 1 <= day <= last_day:
        return None
    return dt.date(year, month, day)


def find_deadlines(text: str) -> list[DeadlineFinding]:
    """Every deadline phrase in ``text``, in order of appearance."""
    found: list[DeadlineFinding] = []
    for match in _DEADLINE.finditer(text):
        date = _date_of(match)
        if date is None:
            continue
        repaired = match.group("month") is not None and "年" not in match.group(0)
        found.append(DeadlineFinding(date, match.group(0), repaired, match.start(), match.end()))
    return found


def item_deadline(text: str) -> tuple[dt.date | None, list[DeadlineFinding]]:
    """The item's deadline: the latest phrase found (the item is finished when all of it is).

    Returns the chosen date and every finding so the caller can report repairs and choices.
    """
    findings = find_deadlines(text)
    if not findings:
        return None, findings
    return max(f.date for f in findings), findings
