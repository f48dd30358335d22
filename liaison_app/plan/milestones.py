"""Milestones (时间节点): every dated clause of a work text, with its own date and words.

``…,2019年底前探索推进部分不动产登记事项“全渝通办”,2022年底前实现不动产登记“全渝通办”。``
has two: each runs from the start of the clause holding its date phrase to the end of the
sentence, or to the clause of the next date phrase, whichever comes first. A sentence that
opens with ``其中`` (“of which”) continues the one before it (17: the 其中 sentence details the
2020 promise). Text with no date phrase has no milestones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from liaison_app.plan.clauses import boundaries, clause_start, sentence_end, trim
from liaison_app.plan.deadlines import find_deadlines
from liaison_app.plan.model import Milestone


@dataclass(frozen=True)
class MilestoneSpan:
    """A milestone and the stretch of the text it covers (for placing targets)."""

    milestone: Milestone
    start: int
    end: int


def milestone_spans(text: str) -> list[MilestoneSpan]:
    findings = find_deadlines(text)
    marks = boundaries(text)
    spans: list[MilestoneSpan] = []
    previous_end = 0
    for index, finding in enumerate(findings):
        start = max(clause_start(text, finding.start, marks), previous_end)
        end = sentence_end(text, finding.end, marks)
        while end < len(text) and text[end + 1 :].lstrip().startswith("其中"):
            end = sentence_end(text, end + 1, marks)
        if index + 1 < len(findings):
            following = findings[index + 1]
            next_start = clause_start(text, following.start, marks)
            if next_start <= finding.end:  # two dates in one clause: cut at the second
                next_start = following.start
            end = min(end, next_start)
        words = trim(text[start:end].rstrip("。"))
        spans.append(MilestoneSpan(Milestone(finding.date, words), start, end))
        previous_end = end
    return spans


def find_milestones(text: str) -> tuple[Milestone, ...]:
    """The milestones of a work text, in the order written."""
    return tuple(span.milestone for span in milestone_spans(text))


class ErrataMismatch(ValueError):
    """An errata entry that no longer fits the text it corrects (message in Chinese)."""


def apply_milestone_errata(
    code: str, text: str, spans: list[MilestoneSpan], entries: list[dict[str, str | int]]
) -> tuple[list[MilestoneSpan], list[str]]:
    """Apply the ``[[milestones]]`` errata entries for one item.

    ``replace`` (``index``, new ``date`` and/or ``text``), ``drop`` (``index``) and ``add``
    (``date``, ``text``, ``anchor``: an exact piece of the work text where the milestone is
    written). Indexes are 1-based and refer to the extractor's milestones. Returns the new spans
    (in text order) and one line per decision for the report.
    """

    result: list[MilestoneSpan | None] = list(spans)
    added: list[MilestoneSpan] = []
    notes: list[str] = []
    for entry in entries:
        action, reason = str(entry.get("action", "")), str(entry.get("reason", ""))
        if action in ("replace", "drop"):
            index = int(entry.get("index", 0))
            if not 1 <= index <= len(spans) or result[index - 1] is None:
                raise ErrataMismatch(f"勘误表[milestones] {code}:没有第{index}个时间节点")
            old = spans[index - 1]
            if action == "drop":
                result[index - 1] = None
                notes.append(f"删除时间节点{index}「{old.milestone.text}」:{reason}")
                continue
            date = dt.date.fromisoformat(str(entry["date"])) if "date" in entry else old.milestone.date
            words = str(entry.get("text", old.milestone.text))
            result[index - 1] = MilestoneSpan(Milestone(date, words), old.start, old.end)
            notes.append(f"时间节点{index}改为 {date.isoformat()}「{words}」:{reason}")
        elif action == "add":
            anchor = str(entry.get("anchor", ""))
            at = text.find(anchor) if anchor else -1
            if at < 0:
                raise ErrataMismatch(f"勘误表[milestones] {code}:锚点「{anchor}」不在工作措施文字中")
            date = dt.date.fromisoformat(str(entry["date"]))
            words = str(entry["text"])
            added.append(MilestoneSpan(Milestone(date, words), at, at + len(anchor)))
            notes.append(f"增加时间节点 {date.isoformat()}「{words}」:{reason}")
        else:
            raise ErrataMismatch(f"勘误表[milestones] {code}:不认识的操作「{action}」")
    kept = [span for span in result if span is not None] + added
    return sorted(kept, key=lambda span: span.start), notes
