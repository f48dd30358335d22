"""What changed between two revisions of a plan, item by item. Pure: plans in, a diff out.

Items are matched in passes, most certain first:

1. the same code and the same text;
2. the same text under another code (renumbered);
3. text similarity: the same code with similar text (reworded), then any remaining pair whose
   similarity clears :data:`MATCH_MIN`, best pairs first. A match below :data:`SURE_MIN` is
   *doubtful*: a person confirms it before progress follows it.

What is left over is removed (old) or added (new). Each match also says whether its lead or
co-operating units changed. The revision mapping of the next step is built on this.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from liaison_app.plan.model import Item, Plan

SAME_CODE_MIN = 0.5  # same code: this similar is enough to call it reworded
MATCH_MIN = 0.6  # different code: below this, not the same item
SURE_MIN = 0.85  # below this a similarity match is doubtful

_NOISE = re.compile(r"[\s，。；：、,.;:!?！？“”\"'‘’()（）《》〔〕【】\[\]]")


def normalise(text: str) -> str:
    return _NOISE.sub("", text)


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, normalise(a), normalise(b), autojunk=False).ratio()


@dataclass(frozen=True)
class UnitChange:
    lead_added: tuple[str, ...] = ()
    lead_removed: tuple[str, ...] = ()
    coop_added: tuple[str, ...] = ()
    coop_removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.lead_added or self.lead_removed or self.coop_added or self.coop_removed)

    def describe(self) -> str:
        parts = []
        for label, names in (
            ("新增牵头", self.lead_added),
            ("不再牵头", self.lead_removed),
            ("新增配合", self.coop_added),
            ("不再配合", self.coop_removed),
        ):
            if names:
                parts.append(f"{label}:{'、'.join(names)}")
        return "；".join(parts)


@dataclass(frozen=True)
class Match:
    old: str  # item code in the old plan
    new: str  # item code in the new plan
    how: str  # same | text | similar
    similarity: float
    doubtful: bool
    units: UnitChange

    @property
    def renumbered(self) -> bool:
        return self.old != self.new

    @property
    def reworded(self) -> bool:
        return self.how == "similar" and self.similarity < 1.0


@dataclass
class PlanDiff:
    matches: list[Match] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # new codes
    removed: list[str] = field(default_factory=list)  # old codes
    old_texts: dict[str, str] = field(default_factory=dict)
    new_texts: dict[str, str] = field(default_factory=dict)

    @property
    def unchanged(self) -> list[Match]:
        return [m for m in self.matches if not m.renumbered and not m.reworded and not m.units]

    @property
    def renumbered(self) -> list[Match]:
        return [m for m in self.matches if m.renumbered]

    @property
    def reworded(self) -> list[Match]:
        return [m for m in self.matches if m.reworded]

    @property
    def units_changed(self) -> list[Match]:
        return [m for m in self.matches if m.units]

    @property
    def doubtful(self) -> list[Match]:
        return [m for m in self.matches if m.doubtful]

    def mapping(self) -> dict[str, str]:
        """Old code → new code for every match (doubtful ones included; check :attr:`doubtful`)."""
        return {m.old: m.new for m in self.matches}

    def is_empty(self) -> bool:
        return not self.added and not self.removed and len(self.unchanged) == len(self.matches)

    def to_dict(self) -> dict[str, Any]:
        def match(m: Match) -> dict[str, Any]:
            return {
                "old": m.old,
                "new": m.new,
                "how": m.how,
                "similarity": round(m.similarity, 3),
                "doubtful": m.doubtful,
                "renumbered": m.renumbered,
                "reworded": m.reworded,
                "units": {
                    "lead_added": list(m.units.lead_added),
                    "lead_removed": list(m.units.lead_removed),
                    "coop_added": list(m.units.coop_added),
                    "coop_removed": list(m.units.coop_removed),
                },
            }

        return {
            "counts": {
                "matched": len(self.matches),
                "unchanged": len(self.unchanged),
                "renumbered": len(self.renumbered),
                "reworded": len(self.reworded),
                "units_changed": len(self.units_changed),
                "doubtful": len(self.doubtful),
                "added": len(self.added),
                "removed": len(self.removed),
            },
            "matches": [match(m) for m in self.matches],
            "added": [{"new": code, "text": self.new_texts[code]} for code in self.added],
            "removed": [{"old": code, "text": self.old_texts[code]} for code in self.removed],
        }

    def render(self) -> str:
        c = self.to_dict()["counts"]
        lines = [
            f"对应上的工作措施 {c['matched']} 条(未变 {c['unchanged']}，改编号 {c['renumbered']}，"
            f"改文字 {c['reworded']}，单位调整 {c['units_changed']}，存疑 {c['doubtful']});"
            f"新增 {c['added']} 条，删除 {c['removed']} 条"
        ]
        if self.is_empty():
            return lines[0] + "\n两个版本的工作措施完全相同。\n"
        for m in self.matches:
            notes = []
            if m.renumbered:
                notes.append(f"编号 {m.old} → {m.new}")
            if m.reworded:
                notes.append(f"文字改动(相似度 {m.similarity:.0%})")
            if m.units:
                notes.append(m.units.describe())
            if not notes:
                continue
            mark = "?" if m.doubtful else "~"
            lines.append(f"  {mark} {m.new}:{'；'.join(notes)}" + ("  [存疑，请确认]" if m.doubtful else ""))
        lines += [f"  + {code} 新增:{self.new_texts[code][:40]}" for code in self.added]
        lines += [f"  - {code} 删除:{self.old_texts[code][:40]}" for code in self.removed]
        return "\n".join(lines) + "\n"


def _units(old: Item, new: Item) -> UnitChange:
    return UnitChange(
        lead_added=tuple(u for u in new.lead if u not in old.lead),
        lead_removed=tuple(u for u in old.lead if u not in new.lead),
        coop_added=tuple(u for u in new.coop if u not in old.coop),
        coop_removed=tuple(u for u in old.coop if u not in new.coop),
    )


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    old_items = {i.code: i for i in old.items()}
    new_items = {i.code: i for i in new.items()}
    old_norm = {code: normalise(i.text) for code, i in old_items.items()}
    new_norm = {code: normalise(i.text) for code, i in new_items.items()}
    pairs: list[tuple[str, str, str, float]] = []
    left_old = list(old_items)
    left_new = list(new_items)

    def take(o: str, n: str, how: str, score: float) -> None:
        pairs.append((o, n, how, score))
        left_old.remove(o)
        left_new.remove(n)

    # 1. same code, same text
    for code in list(left_old):
        if code in new_items and code in left_new and old_norm[code] == new_norm[code]:
            take(code, code, "same", 1.0)
    # 2. same text elsewhere (in order, so repeated texts pair up first-come)
    by_text: dict[str, list[str]] = {}
    for code in left_new:
        by_text.setdefault(new_norm[code], []).append(code)
    for code in list(left_old):
        candidates = by_text.get(old_norm[code])
        if candidates:
            take(code, candidates.pop(0), "text", 1.0)
    # 3. similarity: same code first, then the best remaining pairs
    scored: list[tuple[float, int, str, str]] = []
    position = {code: index for index, code in enumerate(new_items)}
    old_position = {code: index for index, code in enumerate(old_items)}
    for o in left_old:
        for n in left_new:
            a, b = old_norm[o], new_norm[n]
            floor = SAME_CODE_MIN if o == n else MATCH_MIN
            matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue
            score = matcher.ratio()
            if score >= floor:
                bonus = 1 if o == n else 0
                scored.append((score + 0.1 * bonus, -abs(old_position[o] - position[n]), o, n))
    for _, _, o, n in sorted(scored, reverse=True):
        if o in left_old and n in left_new:
            take(o, n, "similar", similarity(old_items[o].text, new_items[n].text))
    diff = PlanDiff(
        old_texts={c: i.text for c, i in old_items.items()},
        new_texts={c: i.text for c, i in new_items.items()},
    )
    for o, n, how, score in sorted(pairs, key=lambda p: position[p[1]]):
        diff.matches.append(
            Match(
                old=o,
                new=n,
                how=how,
                similarity=score,
                doubtful=how == "similar" and score < SURE_MIN,
                units=_units(old_items[o], new_items[n]),
            )
        )
    diff.added = [c for c in new_items if c in left_new]
    diff.removed = [c for c in old_items if c in left_old]
    return diff
