"""The app's words, defined once: every enumerated value has a stable code and a Chinese label.

Codes are what the program stores, compares and writes into machine-read places (the database,
the hidden metadata of a workbook); labels are what people read (the window, the visible
sheets, the command line). Code that computes works on codes; labels are produced at the edge
and, when an older file carries only a label, mapped back to the code once, where it is read
(:meth:`Coded.parse`).

No Qt, no SQLAlchemy: the plan parser, the store, the reports and the window all import this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Self, TypeVar


class VocabularyError(ValueError):
    """A code or label that is not one of ours; the message is for the user (the CLI says it
    in one line with exit 2, the window in a dialog)."""


_LABELS: dict[type[Coded], dict[str, str]] = {}
_NAMES: dict[type[Coded], str] = {}


class Coded(StrEnum):
    """An enumeration whose value is a stable code and which has a Chinese label."""

    @property
    def label(self) -> str:
        return _LABELS[type(self)][self.value]

    @classmethod
    def labels(cls) -> dict[Self, str]:
        """Every member with its label, in declaration order."""
        return {member: member.label for member in cls}

    @classmethod
    def parse(cls, text: str) -> Self:
        """The member whose code (``done``) or label (``已完成``) is ``text``; ValueError otherwise."""
        found = cls.lookup(text)
        if found is None:
            valid = "、".join(f"{m.value}({m.label})" for m in cls)
            raise VocabularyError(f"无效的{cls.what()}「{text}」，可用:{valid}")
        return found

    @classmethod
    def lookup(cls, text: str) -> Self | None:
        """Like :meth:`parse`, but None for anything else (an empty cell, a typo)."""
        cleaned = text.strip()
        for member in cls:
            if cleaned in (member.value, member.label):
                return member
        return None

    @classmethod
    def what(cls) -> str:
        """What this vocabulary is called, for messages."""
        return _NAMES.get(cls, "取值")


_C = TypeVar("_C", bound=Coded)


def _register(kind: type[_C], name: str, labels: Mapping[_C, str]) -> None:
    codes = [member.value for member in kind]
    if sorted(codes) != sorted(labels):
        raise RuntimeError(f"{kind.__name__}: labels do not cover the codes exactly")
    if len(set(labels.values())) != len(labels):
        raise RuntimeError(f"{kind.__name__}: two codes share a label")
    _LABELS[kind] = {code.value: label for code, label in labels.items()}
    _NAMES[kind] = name


# -- a unit's progress on an item ------------------------------------------------------------
class Status(Coded):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ONGOING = "ongoing"
    BLOCKED = "blocked"


STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "未启动",
    Status.IN_PROGRESS: "推进中",
    Status.DONE: "已完成",
    Status.ONGOING: "常态化推进",
    Status.BLOCKED: "需协调",
}
_register(Status, "进展状态", STATUS_LABELS)

# Finished, or work that by nature never finishes: never overdue.
SETTLED = frozenset({Status.DONE, Status.ONGOING})

# How far along a status is, least advanced first (the office takes the least advanced of
# several lead units' statuses as the item's).
PROGRESS_ORDER: dict[Status, int] = {
    Status.NOT_STARTED: 1,
    Status.BLOCKED: 2,
    Status.IN_PROGRESS: 3,
    Status.ONGOING: 4,
    Status.DONE: 5,
}

NOT_REPORTED_LABEL = "未报送"  # shown where a unit sent no report: not a status of its own


# -- the deadline light ----------------------------------------------------------------------
class Light(Coded):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"
    DONE_LATE = "done_late"  # done, but after the deadline (逾期 is still open and past due)


LIGHT_LABELS: dict[Light, str] = {
    Light.OVERDUE: "逾期",
    Light.DUE_SOON: "临期",
    Light.ON_TRACK: "正常",
    Light.DONE_LATE: "逾期完成",
}
_register(Light, "预警", LIGHT_LABELS)


# -- a unit's role on an item ----------------------------------------------------------------
class Role(Coded):
    LEAD = "lead"
    COOP = "coop"


_register(Role, "职责", {Role.LEAD: "牵头", Role.COOP: "配合"})


# -- a unit's role in a special group --------------------------------------------------------
class GroupRole(Coded):
    LEAD = "lead"
    MEMBER = "member"


_register(GroupRole, "专项小组职责", {GroupRole.LEAD: "牵头单位", GroupRole.MEMBER: "责任单位"})


# -- the lead units' deliverables ------------------------------------------------------------
class DeliverableKind(Coded):
    MEASURES = "measures"
    RESEARCH = "research"


_register(
    DeliverableKind,
    "牵头单位任务",
    {DeliverableKind.MEASURES: "具体措施", DeliverableKind.RESEARCH: "调研报告"},
)


# -- typical cases ---------------------------------------------------------------------------
class CaseKind(Coded):
    POSITIVE = "positive"
    NEGATIVE = "negative"


_register(CaseKind, "典型案例类型", {CaseKind.POSITIVE: "正面", CaseKind.NEGATIVE: "反面"})


# -- the office's judgement of a received file -----------------------------------------------
class Verdict(Coded):
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"
    MODIFIED = "modified"  # edited after export: excluded unless accepted explicitly
    MODIFIED_ACCEPTED = "modified_accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"  # the same export as another file (a renamed copy): used once
    BAD_SIGNATURE = "bad_signature"  # version 3 unsigned, or the signature does not fit


_register(
    Verdict,
    "接收结论",
    {
        Verdict.ACCEPTED: "已接收",
        Verdict.SUPERSEDED: "已被更新的报表取代",
        Verdict.MODIFIED: "已被修改(未采用)",
        Verdict.MODIFIED_ACCEPTED: "已被修改(经确认采用)",
        Verdict.REJECTED: "已拒收",
        Verdict.DUPLICATE: "重复文件",
        Verdict.BAD_SIGNATURE: "签名不符",
    },
)


class KeySource(Coded):
    """How the office came to trust a unit's signing key (docs/office-ledger.md, "Keys")."""

    FIRST_RETURN = "first_return"  # pinned from the unit's first accepted signed return
    REGISTERED = "registered"  # registered explicitly by the office (a new PC, a list handed in)


_register(KeySource, "密钥来源", {KeySource.FIRST_RETURN: "首次报表", KeySource.REGISTERED: "办公室登记"})


# -- an actual figure against its target (指标) ------------------------------------------------
class Attainment(Coded):
    MET = "met"
    NOT_MET = "not_met"
    MISSING = "missing"


_register(
    Attainment,
    "达标情况",
    {Attainment.MET: "达标", Attainment.NOT_MET: "未达标", Attainment.MISSING: "未填报"},
)


# -- what a change-history line changed -----------------------------------------------------
class ItemField(Coded):
    """A field of a unit's work on an item (table ``history``)."""

    STATUS = "status"
    NOTE = "note"
    COMPLETED_ON = "completed_on"
    EVIDENCE = "evidence"
    EVIDENCE_DESCRIPTION = "evidence_description"
    MILESTONE = "milestone"  # a milestone ticked off or opened again (#15)
    ACTUAL = "actual"  # an actual figure recorded on a target (#15)


_register(
    ItemField,
    "修改内容",
    {
        ItemField.STATUS: "状态",
        ItemField.NOTE: "进展情况",
        ItemField.COMPLETED_ON: "完成日期",
        ItemField.EVIDENCE: "佐证材料",
        ItemField.EVIDENCE_DESCRIPTION: "佐证材料说明",
        ItemField.MILESTONE: "时间节点",
        ItemField.ACTUAL: "指标实际值",
    },
)


class DutyField(Coded):
    """A field of a typical case or a deliverable (table ``duty_history``)."""

    CASE = "case"  # a case created (before empty) or deleted (after empty)
    CASE_PERIOD = "case_period"
    CASE_KIND = "case_kind"
    CASE_TITLE = "case_title"
    CASE_BODY = "case_body"
    CASE_RELATED = "case_related"
    STATUS = "status"
    NOTE = "note"
    COMPLETED_ON = "completed_on"
    ATTACHMENT = "attachment"


_register(
    DutyField,
    "修改内容",
    {
        DutyField.CASE: "典型案例",
        DutyField.CASE_PERIOD: "月份",
        DutyField.CASE_KIND: "类型",
        DutyField.CASE_TITLE: "标题",
        DutyField.CASE_BODY: "内容",
        DutyField.CASE_RELATED: "关联工作措施",
        DutyField.STATUS: "状态",
        DutyField.NOTE: "说明",
        DutyField.COMPLETED_ON: "完成日期",
        DutyField.ATTACHMENT: "附件",
    },
)


# -- Chinese numerals ------------------------------------------------------------------------
_DIGITS = "〇一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 21 → 二十一, 99 → 九十九 (1..99)."""
    if not 0 < number < 100:
        raise ValueError(f"chinese_numeral covers 1..99, not {number}")
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


# A Chinese numeral from 1 to 99 and nothing else, for use inside larger patterns.
NUMERAL_PATTERN = "(?:[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_NUMERAL = re.compile(r"^(?:([二三四五六七八九])?(十))?([一二三四五六七八九])?$")


def parse_numeral(text: str) -> int:
    """The inverse of :func:`chinese_numeral`; ValueError for anything else."""
    match = _NUMERAL.match(text.strip())
    if not match or not text.strip():
        raise VocabularyError(f"不是中文数字:「{text}」")
    tens_digit, ten, ones = match.groups()
    tens = (_DIGITS.index(tens_digit) if tens_digit else 1) if ten else 0
    return tens * 10 + (_DIGITS.index(ones) if ones else 0)


# Digits as people write them in documents: 〇 and 零 for zero, 两 for two.
_DOCUMENT_DIGITS = {"〇": 0, "零": 0, "两": 2} | {digit: n for n, digit in enumerate(_DIGITS) if n}


def read_chinese_number(text: str) -> int | None:
    """A number as written in a source document, leniently: 十二 → 12, 二十一 → 21, 两 → 2,
    二〇一九 → 2019 (digit by digit without 十); None for anything else (百 is not read)."""
    if not text or any(ch not in _DOCUMENT_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        value = 0
        for ch in text:
            value = value * 10 + _DOCUMENT_DIGITS[ch]
        return value
    tens_text, _, ones_text = text.partition("十")
    tens = _DOCUMENT_DIGITS.get(tens_text, 0) if tens_text else 1
    ones = _DOCUMENT_DIGITS.get(ones_text, 0) if ones_text else 0
    return tens * 10 + ones


# -- reporting periods -----------------------------------------------------------------------
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_PERIOD_LABEL = re.compile(r"^(\d{4})年(\d{1,2})月$")


def period_label(period: str) -> str:
    """``2019-11`` → ``2019年11月``."""
    year, month = period.split("-")
    return f"{year}年{month}月"


def parse_period(text: str) -> str:
    """A period from its code (``2019-11``) or its label (``2019年11月``); ValueError otherwise."""
    cleaned = text.strip()
    match = _PERIOD.match(cleaned) or _PERIOD_LABEL.match(cleaned)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise VocabularyError(f"无效的报送期「{text}」，应为 2019-11 或 2019年11月")
    return f"{match.group(1)}-{int(match.group(2)):02d}"
