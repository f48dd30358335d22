"""What every plan reader shares: the draft it returns, numbering, unit cells, deadline cells.

A reader turns one kind of file into a :class:`Draft`: a :class:`Plan` whose unit names are still
as written (unless ``reviewed``), plus where each item came from. :mod:`.review` then resolves
the names against a unit registry and builds the preview. Nothing here does I/O.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from liaison_app.plan.deadlines import find_deadlines
from liaison_app.plan.model import Anomaly, Area, Measure, Plan
from liaison_app.vocabulary import chinese_numeral, read_chinese_number

# A plan has a few hundred items; a sheet far beyond this is not a plan (or would hang the review).
MAX_ROWS = 5000
MAX_PARAGRAPHS = 20000


class PlanImportError(ValueError):
    """The file is not a plan, or cannot be read: one Chinese sentence naming the place."""


@dataclass
class Draft:
    """A reader's result, before unit names are resolved against a registry."""

    kind: str  # a key of SOURCE_KINDS
    plan: Plan
    title: str = ""
    locations: dict[str, str] = field(default_factory=dict)  # item code -> "第12行"
    reviewed: bool = False  # True when unit names are already canonical (package, plan JSON, seed)
    blocking: list[str] = field(default_factory=list)  # problems that forbid loading the plan
    extra: dict[str, Any] = field(default_factory=dict)  # kind-specific (package: revision, item ids)


SOURCE_KINDS = {
    "task_table": "任务分解表(xlsx)",
    "task_table_docx": "任务分解表(Word 表格)",
    "notice": "工作要点通知(文本)",
    "notice_docx": "工作要点通知(Word)",
    "seed_text": "方案原文(附勘误表)",
    "plan_json": "工作方案数据文件(JSON)",
    "package": "工作方案发布包(xlsx)",
}


def numeral(number: int) -> str:
    """Chinese numeral for an area number (1 → 一, 23 → 二十三)."""
    return chinese_numeral(number)


def cn_number(text: str) -> int | None:
    """``十二`` → 12, ``二十一`` → 21, ``三`` → 3; None when not a Chinese number."""
    return read_chinese_number(text)


def normalise_text(text: str) -> str:
    """Text as the reader keeps it: ideographic spaces made plain, ends trimmed; punctuation kept."""
    return text.replace("\u3000", " ").replace("\xa0", " ").strip()


def fold(text: str) -> str:
    """For matching only: full-width letters, digits and punctuation to half-width (``（１）`` → ``(1)``)."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").strip()


_CN = "一二三四五六七八九十百〇零两"
NUMBERING = [
    # (level word, pattern) — the first that matches wins
    ("cn", re.compile(rf"^\s*(?:第)?([{_CN}]+)\s*[、.．,，]\s*")),
    ("cn_paren", re.compile(rf"^\s*[(（]\s*([{_CN}]+)\s*[)）]\s*[、.．]?\s*")),
    ("num", re.compile(r"^\s*(\d{1,3})\s*(?:[、.．,，](?!\d)|\s+)\s*")),
    ("num_paren", re.compile(r"^\s*[(（]\s*(\d{1,3})\s*[)）]\s*[、.．]?\s*")),
    ("num_half", re.compile(r"^\s*(\d{1,3})\s*[)）]\s*")),
    ("circled", re.compile(r"^\s*([①-⑳])\s*")),
]


def split_numbering(text: str) -> tuple[str | None, int | None, str]:
    """``(一)精简流程`` → ("cn_paren", 1, "精简流程"); no numbering → (None, None, text)."""
    for level, pattern in NUMBERING:
        match = pattern.match(text)
        if not match:
            continue
        token = match.group(1)
        if level in ("cn", "cn_paren"):
            number = cn_number(token)
            if number is None:
                continue
        elif level == "circled":
            number = ord(token) - ord("①") + 1
        else:
            number = int(token)
        rest = text[match.end() :].strip()
        if not rest:
            continue
        return level, number, rest
    return None, None, text.strip()


def strip_numbering(text: str) -> str:
    return split_numbering(text)[2]


_UNIT_SEPARATORS = re.compile(r"[、,，;；/／\\|\n\r\t]+|\s{1,}")
_ROLE_SUFFIX = re.compile(r"[(（]?(?:牵头|配合|负责|协助|参与)[)）]?$")


def split_units(cell: Any) -> list[str]:
    """Unit names in a cell: separated by 、，,；;/ or line breaks, full or half width."""
    if cell is None:
        return []
    text = fold(str(cell))
    names: list[str] = []
    for part in _UNIT_SEPARATORS.split(text):
        part = part.strip(" .。:：")
        part = _ROLE_SUFFIX.sub("", part).strip()
        if part.endswith("等") and len(part) > 3:
            part = part[:-1]
        if part and part not in ("无", "-", "—", "/", "／") and part not in names:
            names.append(part)
    return names


_ONGOING = ("长期", "持续", "常态", "每年", "每月", "每季", "定期", "逐年")
_FULL_DATE = re.compile(r"(20\d{2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")
_YEAR_MONTH = re.compile(r"(20\d{2})\s*[年.\-/]\s*(\d{1,2})\s*月?(?:份)?(?:底|末)?(?:前)?")
_YEAR_ONLY = re.compile(r"(20\d{2})\s*年(?:底|末)?(?:前)?")


def parse_deadline(value: Any) -> tuple[dt.date | None, str]:
    """A 完成时限 cell: a date, ``2020年6月底前``, ``2020年6月30日``, ``2020.6``, ``长期坚持`` …

    Returns the date (the latest when several) and a note: "" when read plainly, ``"ongoing"``
    for 长期/持续 phrases, ``"unreadable"`` when nothing could be read.
    """
    if value is None:
        return None, ""
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    text = fold(str(value))
    if not text:
        return None, ""
    found: list[dt.date] = [f.date for f in find_deadlines(text)]
    rest = text
    for match in _FULL_DATE.finditer(text):
        try:
            found.append(dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
        except ValueError:
            continue
    rest = _FULL_DATE.sub(" ", rest)
    for match in _YEAR_MONTH.finditer(rest):
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            found.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
    rest = _YEAR_MONTH.sub(" ", rest)
    for match in _YEAR_ONLY.finditer(rest):
        found.append(dt.date(int(match.group(1)), 12, 31))
    if found:
        return max(found), ""
    if any(word in text for word in _ONGOING):
        return None, "ongoing"
    return None, "unreadable"


_ISSUE_DATE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISSUE_DATE_CN = re.compile(rf"([〇零一二三四五六七八九]{{4}})年([{_CN}]{{1,2}})月([{_CN}]{{1,3}})日")


def find_issue_date(lines: list[str]) -> dt.date | None:
    """A date line such as ``2020年3月10日`` or ``二〇二〇年三月十日`` standing on its own."""
    for line in lines:
        text = fold(line).strip("() ")
        if len(text) > 16:
            continue
        match = _ISSUE_DATE.fullmatch(text)
        if match:
            try:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                continue
        match = _ISSUE_DATE_CN.fullmatch(text)
        if match:
            year = read_chinese_number(match.group(1))  # 二〇一九, digit by digit
            month, day = cn_number(match.group(2)), cn_number(match.group(3))
            if year and month and day:
                try:
                    return dt.date(year, month, day)
                except ValueError:
                    continue
    return None


def first_clause(text: str, limit: int = 40) -> str:
    """A measure title from its text: up to the first 。；: or the whole short text."""
    head = re.split(r"[。；;:]", text, maxsplit=1)[0].strip()
    return head if len(head) <= limit else head[:limit] + "…"


def draft_plan(
    areas: list[Area],
    measures: list[Measure],
    anomalies: list[Anomaly],
    digest: str,
    issued: dt.date | None = None,
) -> Plan:
    """What an importer read, before review names it and lists its units: no id, no name, and
    the issue date only when the text gives one (1970-01-01 marks it missing)."""
    return Plan(
        plan_id="",
        name="",
        issued_on=issued or dt.date(1970, 1, 1),
        issued_on_note="文中所注日期" if issued else "",
        source_sha256=digest,
        areas=areas,
        measures=measures,
        units=[],
        aliases={},
        anomalies=anomalies,
    )
