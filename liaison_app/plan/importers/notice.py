"""Notice text in the 工作要点 style: numbered paragraphs whose units are written inline.

``一、`` opens an area, ``(一)`` a measure, ``1.`` an item; ``(1)`` points are folded into their
item. Units close a paragraph: ``〔牵头单位:…;配合单位:…〕``, ``(牵头单位:…;责任单位:…)``,
``(X牵头,Y配合)``, ``(X、Y按职责分工负责)``. A section with no units anywhere (总体要求, 保障措施)
is explanation, not work, and is skipped with a note.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from liaison_app.plan.deadlines import item_deadline
from liaison_app.plan.importers.common import (
    MAX_PARAGRAPHS,
    Draft,
    PlanImportError,
    draft_plan,
    find_issue_date,
    first_clause,
    normalise_text,
    numeral,
    split_numbering,
    split_units,
)
from liaison_app.plan.model import Anomaly, Area, Item, Measure

LEVELS = ("cn", "cn_paren", "num", "num_paren")
_LEVEL_OF = {"num_half": "num_paren"}  # 1) reads as (1)

_BRACKET = re.compile(r"[〔\[【(（]([^〔\[【()（）\]】〕]{2,200})[〕\]】)）]\s*[。.;；,，]?\s*$")
_KEYED = re.compile(
    r"(牵头单位|牵头部门|主责单位|责任单位|责任部门|配合单位|配合部门|协办单位|参与单位)\s*[:：]"
)
_LEAD_KEYS = ("牵头单位", "牵头部门", "主责单位")
_SHARED_DUTY = re.compile(r"(按职责分工负责|按职责分工|按职责负责|分别负责|共同负责|负责)$")


@dataclass
class Units:
    lead: list[str] = field(default_factory=list)
    coop: list[str] = field(default_factory=list)


def parse_inline_units(text: str) -> tuple[str, Units | None]:
    """Split a paragraph into its text and its inline units (None when it names none)."""
    text = text.rstrip()
    match = _BRACKET.search(text)
    if not match:
        return text, None
    units = _units_of(match.group(1))
    if units is None:
        return text, None
    return text[: match.start()].rstrip(), units


def _units_of(inner: str) -> Units | None:
    inner = inner.strip()
    keys = list(_KEYED.finditer(inner))
    if keys:
        present = {k.group(1) for k in keys}
        has_lead_key = any(k in present for k in _LEAD_KEYS)
        units = Units()
        for position, key in enumerate(keys):
            end = keys[position + 1].start() if position + 1 < len(keys) else len(inner)
            names = split_units(inner[key.end() : end])
            word = key.group(1)
            is_lead = word in _LEAD_KEYS or (word.startswith("责任") and not has_lead_key)
            (units.lead if is_lead else units.coop).extend(n for n in names if n not in units.lead)
        return units if units.lead or units.coop else None
    units = Units()
    for clause in re.split(r"[,，;；]", inner):
        clause = clause.strip()
        if not clause:
            continue
        if clause.endswith("牵头"):
            units.lead.extend(split_units(clause[: -len("牵头")]))
        elif clause.endswith(("配合", "协助", "参与", "协办")):
            units.coop.extend(split_units(clause[:-2]))
        elif _SHARED_DUTY.search(clause):
            units.lead.extend(split_units(_SHARED_DUTY.sub("", clause)))
        else:
            return None
    if not units.lead and not units.coop:
        return None
    if any(len(name) > 20 for name in (*units.lead, *units.coop)):
        return None
    return units


@dataclass
class _Node:
    level: int  # index into LEVELS
    number: int
    text: str
    line: int
    units: Units | None = None
    children: list[_Node] = field(default_factory=list)

    def has_units(self) -> bool:
        return self.units is not None or any(c.has_units() for c in self.children)


class NoticeReader:
    def __init__(self, paragraphs: list[str], kind: str, place: str) -> None:
        self.paragraphs = paragraphs
        self.kind = kind
        self.place = place
        self.anomalies: list[Anomaly] = []

    def where(self, line: int) -> str:
        return f"{self.place}第{line}段" if self.kind == "notice_docx" else f"第{line}行"

    def report(self, kind: str, where: str, detail: str) -> None:
        self.anomalies.append(Anomaly(kind, where, detail))

    def read(self) -> Draft:
        if len(self.paragraphs) > MAX_PARAGRAPHS:
            raise PlanImportError(
                f"文件有 {len(self.paragraphs)} 段，超过一份工作方案的上限({MAX_PARAGRAPHS} 段)，未导入。"
            )
        roots, preamble = self._tree()
        if not roots:
            raise PlanImportError(
                "找不到“一、”“(一)”“1.”这样编号的条目，也不是任务分解表:这个文件不像一份工作方案。"
            )
        if not any(node.has_units() for node in roots):
            raise PlanImportError(
                "文中的条目都没有写明牵头单位或责任单位(如“〔牵头单位:…〕”或“(X牵头,Y配合)”)，"
                "无法分配工作措施。"
            )
        present = sorted({n.level for n in _walk(roots)})
        measure_level = present[1] if len(present) > 1 else present[0]
        item_level = next((lvl for lvl in present if lvl > measure_level), None)
        areas: list[Area] = []
        measures: list[Measure] = []
        locations: dict[str, str] = {}
        for root in roots:
            if root.level != present[0]:
                continue
            if not root.has_units():
                self.report(
                    "section_skipped",
                    self.where(root.line),
                    f"「{first_clause(root.text, 20)}」一节没有写明任何单位，视为说明文字，未列为工作措施",
                )
                continue
            area = Area(len(areas) + 1, numeral(len(areas) + 1), first_clause(root.text, 30))
            areas.append(area)
            candidates = root.children if len(present) > 1 else [root]
            for node in candidates:
                if node.level != measure_level:
                    self.report(
                        "unplaced_text",
                        self.where(node.line),
                        f"编号层级不符，未归入任何目标任务:「{node.text[:30]}」",
                    )
                    continue
                self._measure(node, area, measures, locations, item_level, inherited=root.units)
        title = next((p.strip() for p in preamble if p.strip()), "")
        digest = hashlib.sha256("\n".join(self.paragraphs).encode("utf-8")).hexdigest()
        issued = find_issue_date(self.paragraphs[:12] + self.paragraphs[-12:])
        plan = draft_plan(areas, measures, self.anomalies, digest, issued)
        return Draft(kind=self.kind, plan=plan, title=title, locations=locations)

    def _measure(
        self,
        node: _Node,
        area: Area,
        measures: list[Measure],
        locations: dict[str, str],
        item_level: int | None,
        inherited: Units | None,
    ) -> None:
        number = len(measures) + 1
        title, _, rest = _title_and_rest(node.text)
        measure = Measure(number, title, area.number)
        measures.append(measure)
        children = [c for c in node.children if c.level == item_level] if item_level is not None else []
        if not children:
            item = Item(measure=number, sub=None, text=rest or node.text)
            self._fill(item, node, inherited or None, where=self.where(node.line))
            measure.items.append(item)
            locations[item.code] = self.where(node.line)
            return
        if rest and node.units is None:
            self.report(
                "text_joined",
                self.where(node.line),
                f"目标任务「{title}」标题后的文字并入其第一条工作措施",
            )
        for sub, child in enumerate(children, start=1):
            item = Item(measure=number, sub=sub, text=child.text)
            self._fill(item, child, node.units or inherited, where=self.where(child.line))
            if sub == 1 and rest and node.units is None:
                item.text = rest + item.text
            measure.items.append(item)
            locations[item.code] = self.where(child.line)

    def _fill(self, item: Item, node: _Node, inherited: Units | None, where: str) -> None:
        units = Units(list(node.units.lead), list(node.units.coop)) if node.units else None
        for point in node.children:
            item.text += f"({point.number}){point.text}"
            for deeper in _walk([point]):
                if deeper.units is None:
                    continue
                if units is None:
                    units = Units()
                units.lead.extend(n for n in deeper.units.lead if n not in units.lead)
                units.coop.extend(n for n in deeper.units.coop if n not in units.coop)
                self.report(
                    "units_from_points", where, f"{item.code} 的单位取自其下的分项(第{deeper.line}行)"
                )
        if units is None and inherited is not None:
            units = inherited
            self.report("units_inherited", where, f"{item.code} 未写单位，沿用上一级标题中的单位")
        if units is None:
            self.report("no_units", where, f"{item.code} 没有写明牵头单位或责任单位，未分配给任何单位")
            units = Units()
        item.lead = list(units.lead)
        item.coop = [n for n in units.coop if n not in item.lead]
        item.text = item.text.strip()
        item.deadline, findings = item_deadline(item.text)
        if len({f.date for f in findings}) > 1:
            phrases = "、".join(f.phrase for f in findings)
            self.report("several_deadlines", where, f"含多个时限({phrases})，完成时限取最晚的{item.deadline}")

    def _tree(self) -> tuple[list[_Node], list[str]]:
        roots: list[_Node] = []
        stack: list[_Node] = []
        preamble: list[str] = []
        for line_no, raw in enumerate(self.paragraphs, start=1):
            text = normalise_text(raw)
            if not text:
                continue
            level_word, number, rest = split_numbering(text)
            level_word = _LEVEL_OF.get(level_word or "", level_word)
            if level_word not in LEVELS or number is None:
                if stack:
                    node = stack[-1]
                    body, units = parse_inline_units(text)
                    if node.level > 0:  # an area heading keeps its name; its explanation is not work
                        node.text += body
                    if units is not None:
                        node.units = units
                elif roots:
                    pass  # text after the last numbered item of a section without items
                else:
                    preamble.append(text)
                continue
            level = LEVELS.index(level_word)
            body, units = parse_inline_units(rest)
            node = _Node(level, number, body, line_no, units)
            while stack and stack[-1].level >= level:
                stack.pop()
            if stack:
                stack[-1].children.append(node)
            else:
                roots.append(node)
            stack.append(node)
        return roots, preamble


def _walk(nodes: list[_Node]) -> list[_Node]:
    found: list[_Node] = []
    for node in nodes:
        found.append(node)
        found.extend(_walk(node.children))
    return found


def _title_and_rest(text: str) -> tuple[str, str, str]:
    """``深化商事制度改革。推行……`` → ("深化商事制度改革", "。", "推行……")."""
    match = re.match(r"^(.{2,40}?)([。:：;；])(.*)$", text)
    if match and match.group(3).strip():
        return match.group(1).strip(), match.group(2), match.group(3).strip()
    return first_clause(text), "", ""


def read_paragraphs(paragraphs: list[str], kind: str = "notice", place: str = "") -> Draft:
    return NoticeReader(paragraphs, kind, place).read()
