"""An item's text as it should read: the plan's extraction slips repaired for display.

The parser reads ``20199月底前`` as 2019-09-30 (see the plan's parse report) but keeps the text as
published. The window shows the repaired wording and keeps the published one a click away.
Every repair is an explicit rule here, never a guess.
"""

from __future__ import annotations

import re

# 「20199月底前」: the 年 was lost between the year and the month.
_LOST_YEAR = re.compile(r"(?<!\d)(20\d{2})(1[0-2]|[1-9])(?=月)")


def repaired(text: str) -> str:
    return _LOST_YEAR.sub(r"\1年\2", text)
