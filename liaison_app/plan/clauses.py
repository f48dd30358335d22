"""Clause and sentence boundaries of a work text, for milestones and targets.

A clause ends at ``,，;；。`` and a sentence at ``。`` — but not inside quotes or brackets:
``“一企一档、一人一档,在线核验、在线打印”`` is one phrase, not two clauses.
"""

from __future__ import annotations

CLAUSE_ENDS = frozenset(",，;；。!！?？")
SENTENCE_ENDS = frozenset("。!！?？")
_OPENERS = {"“": "”", "‘": "’", "(": ")", "（": "）", "《": "》", "「": "」", "〔": "〕"}


def boundaries(text: str) -> list[int]:
    """Positions of the clause-ending marks that are outside quotes and brackets."""
    found: list[int] = []
    closing: list[str] = []
    for at, char in enumerate(text):
        if closing and char == closing[-1]:
            closing.pop()
        elif char in _OPENERS:
            closing.append(_OPENERS[char])
        elif not closing and char in CLAUSE_ENDS:
            found.append(at)
    if closing:  # an unbalanced quote: fall back to every mark, quotes or not
        return [at for at, char in enumerate(text) if char in CLAUSE_ENDS]
    return found


def clause_start(text: str, at: int, marks: list[int] | None = None) -> int:
    """Where the clause holding position ``at`` begins."""
    before = [m for m in (boundaries(text) if marks is None else marks) if m < at]
    return before[-1] + 1 if before else 0


def clause_end(text: str, at: int, marks: list[int] | None = None) -> int:
    """Where the clause holding position ``at`` ends (the mark's position, or len(text))."""
    after = [m for m in (boundaries(text) if marks is None else marks) if m >= at]
    return after[0] if after else len(text)


def sentence_end(text: str, at: int, marks: list[int] | None = None) -> int:
    """Where the sentence holding position ``at`` ends (the 。's position, or len(text))."""
    after = [
        m for m in (boundaries(text) if marks is None else marks) if m >= at and text[m] in SENTENCE_ENDS
    ]
    return after[0] if after else len(text)


def trim(text: str) -> str:
    return text.strip().strip(",，;；、").strip()
