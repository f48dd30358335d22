"""Parse the seed text of a plan (the notice plus its attachments) into a :class:`Plan`.

The task table (附件2) reaches us flattened: one table cell per line, cells separated by a blank
line, an empty cell shown as one more blank line. A measure's rows come as *row groups*: one or
more work texts followed by the group's lead-unit cell and cooperating-unit cell. The extraction
is imperfect (see DOMAIN.md); every repair made here is reported as an :class:`Anomaly`, and
anything that cannot be placed is reported rather than dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liaison_app.plan.deadlines import item_deadline
from liaison_app.plan.groups import parse_groups
from liaison_app.plan.milestones import ErrataMismatch, apply_milestone_errata, milestone_spans
from liaison_app.plan.model import Anomaly, Area, Item, Measure, Plan, Unit
from liaison_app.plan.targets import apply_target_errata, extract_targets, numbers_not_targets
from liaison_app.plan.units import UnitRegistry, default_category
from liaison_app.vocabulary import NUMERAL_PATTERN, parse_numeral

_AREA = re.compile(rf"^({NUMERAL_PATTERN})、(.+)$")
_SUBITEM = re.compile(r"^(\d{1,2})[)）](.*)$")
_MEASURE = re.compile(r"^(\d{1,2})(\.|．)?(.+)$")
_MEMBERS = re.compile(r"^\s*(?:成\s*)?员\s*[:：]\s*(.+)$")
_UNIT_ENDINGS = ("局", "委", "办", "院", "中心", "公司", "所", "处", "室", "部", "机关", "局经开区局")


class PlanSourceError(ValueError):
    """The source text is not a plan this parser can read (message in Chinese, for the user)."""


@dataclass
class Errata:
    plan_id: str
    name: str
    short_name: str
    issued_on: dt.date
    issued_on_note: str
    table_start: str
    table_end: str
    groups_start: str
    table_only_units: list[str]
    categories: dict[str, str]
    aliases: dict[str, str]
    decisions: dict[str, dict[str, str]]
    # [[milestones]] and [[targets]] entries, by item code, in file order
    milestone_errata: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    target_errata: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Errata:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        plan, source, units = data["plan"], data["source"], data.get("units", {})
        return cls(
            plan_id=plan["id"],
            name=plan["name"],
            short_name=plan.get("short_name", plan["name"]),
            issued_on=dt.date.fromisoformat(plan["issued_on"]),
            issued_on_note=plan.get("issued_on_note", ""),
            table_start=source["table_start"],
            table_end=source["table_end"],
            groups_start=source.get("groups_start", "二、专项小组"),
            table_only_units=list(units.get("table_only", [])),
            categories=dict(units.get("categories", {})),
            aliases=dict(data.get("aliases", {})),
            decisions={d["item"]: d for d in data.get("decisions", [])},
            milestone_errata=_by_item(data.get("milestones", [])),
            target_errata=_by_item(data.get("targets", [])),
        )


def _by_item(entries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        grouped.setdefault(str(entry["item"]), []).append(entry)
    return grouped


@dataclass
class _Cell:
    line: int  # 1-based line number in the source
    text: str  # "" for an empty cell


@dataclass
class _Group:
    """Work items waiting for (or holding) their unit cells."""

    items: list[Item] = field(default_factory=list)
    lead: list[str] | None = None
    coop: list[str] | None = None
    lead_line: int = 0


class _TableParser:
    def __init__(self, cells: list[_Cell], registry: UnitRegistry, errata: Errata) -> None:
        self.cells = cells
        self.registry = registry
        self.errata = errata
        self.anomalies: list[Anomaly] = []
        self.areas: list[Area] = []
        self.measures: list[Measure] = []
        self.measure: Measure | None = None
        self.group = _Group()
        self.previous_group: _Group | None = None
        self.last_sub = 0

    # -- reporting ---------------------------------------------------------------------------
    def report(self, kind: str, where: str, detail: str) -> None:
        self.anomalies.append(Anomaly(kind, where, detail))

    # -- the walk ----------------------------------------------------------------------------
    def run(self) -> None:
        index = 0
        while index < len(self.cells):
            cell = self.cells[index]
            index += 1
            text = cell.text
            where = f"第{cell.line}行"
            if not text:
                self.on_empty(cell)
                continue
            if self.try_area(text, where):
                continue
            if self.try_measure(text, where):
                continue
            if self.measure is None:
                self.report("unplaced_text", where, f"首个目标任务之前的内容未归入任何任务:「{text[:30]}」")
                continue
            if self.try_subitem(text, where):
                continue
            joined, index = self.join_unit_cell(cell, index)
            if joined is not None:
                self.on_units(joined, cell.line)
                continue
            self.on_text(text, where)
        self.close_measure()

    def on_empty(self, cell: _Cell) -> None:
        group = self.group
        if group.lead is not None and group.coop is None:
            group.coop = []  # the empty cooperating-unit cell
            return
        if group.items and group.lead is None:
            self.report("blank_cell", f"第{cell.line}行", "工作措施之后出现空单元格(多余空行)，已忽略")

    def try_area(self, text: str, where: str) -> bool:
        match = _AREA.match(text)
        if not match:
            return False
        number = parse_numeral(match.group(1))
        current = self.areas[-1].number if self.areas else 0
        if number == current:
            self.report("repeated_heading", where, f"分页处重复的领域标题「{text}」，已忽略")
            return True
        if number != current + 1:
            self.report("area_out_of_order", where, f"领域「{text}」编号不连续(上一个为{current})")
        self.areas.append(Area(number, match.group(1), match.group(2).strip()))
        return True

    def try_measure(self, text: str, where: str) -> bool:
        match = _MEASURE.match(text)
        if not match:
            return False
        number, dot, title = int(match.group(1)), match.group(2), match.group(3).strip()
        current = self.measure.number if self.measure else 0
        if number not in (current, current + 1):
            return False
        if title[:1].isdigit() or title[:1] in ")）" or len(title) > 40:
            return False
        if any(mark in title for mark in "。，,；;"):
            return False
        if number == current and self.measure is not None:
            if title != self.measure.title:
                return False
            self.report(
                "repeated_heading",
                where,
                f"分页处重复的目标任务标题「{text}」，其后内容接续第{number}项",
            )
            return True
        self.close_measure()
        if dot is None:
            self.report("missing_dot", where, f"目标任务编号后缺少“.”:「{text}」→ 第{number}项「{title}」")
        self.measure = Measure(number, title, self.areas[-1].number)
        self.measures.append(self.measure)
        self.last_sub = 0
        return True

    def try_subitem(self, text: str, where: str) -> bool:
        match = _SUBITEM.match(text)
        expected = self.last_sub + 1
        if match:
            number, body = int(match.group(1)), match.group(2).strip()
            if number != expected:
                self.report("subitem_out_of_order", where, f"工作措施编号{number})不连续(应为{expected})")
        else:
            marker = str(expected)
            rest = text[len(marker) :]
            if not text.startswith(marker) or not rest:
                return False
            if rest[0].isdigit() and not re.match(r"20\d{2}", rest):
                return False
            if rest[0] in ".．" or (
                self.last_sub == 0 and not rest.startswith("20") and not self._looks_like_subitem(rest)
            ):
                return False
            number, body = expected, rest.strip()
            self.report(
                "lost_parenthesis",
                where,
                f"工作措施编号缺少“)”:「{text[:16]}…」→「{number}){body[:12]}…」",
            )
        self.start_item(number, body)
        return True

    @staticmethod
    def _looks_like_subitem(rest: str) -> bool:
        # "1减少企业材料准备成本。" — a first sub-item that lost its ")" is a sentence.
        return rest.endswith("。") or "。" in rest or "，" in rest or "," in rest

    def start_item(self, sub: int | None, body: str) -> None:
        assert self.measure is not None
        if self.group.lead is not None:
            self.close_group()
        item = Item(measure=self.measure.number, sub=sub, text=body)
        self.measure.items.append(item)
        self.group.items.append(item)
        if sub is not None:
            self.last_sub = sub

    def on_text(self, text: str, where: str) -> None:
        assert self.measure is not None
        group = self.group
        if group.items and group.lead is None:
            item = group.items[-1]
            item.text += text
            self.report("text_joined", where, f"{item.code} 的工作措施跨行，已接续:「…{text[:14]}」")
            return
        if not self.measure.items:
            self.start_item(None, text)
            return
        self.report(
            "unplaced_text",
            where,
            f"第{self.measure.number}项中无法归属的文字(已在单位之后):「{text[:30]}」",
        )

    # -- unit cells --------------------------------------------------------------------------
    def join_unit_cell(self, cell: _Cell, index: int) -> tuple[str | None, int]:
        """Read a unit cell, joining the next cells while it visibly continues on them."""
        text = cell.text
        split = self.registry.split(text)
        if not self._is_unit_cell(text, split.names, split.unresolved):
            return None, index
        pieces = [text]
        while index < len(self.cells) and self.cells[index].text:
            follower = self.cells[index].text
            continues = text.rstrip().endswith("、")
            last = text.rstrip().split("、")[-1]
            wrapped_name = bool(split.unresolved) and self.registry.is_prefix_of_a_name(last)
            if not (continues or wrapped_name):
                break
            candidate = text + follower
            candidate_split = self.registry.split(candidate)
            if not continues and len(candidate_split.unresolved) >= len(split.unresolved):
                break
            pieces.append(follower)
            text, split = candidate, candidate_split
            index += 1
        if len(pieces) > 1:
            joined = "+".join(f"「{piece}」" for piece in pieces)
            self.report("unit_cell_wrapped", f"第{cell.line}行", f"单位单元格跨行，已合并:{joined}")
        return text, index

    def _is_unit_cell(self, text: str, names: tuple[str, ...], unresolved: tuple[str, ...]) -> bool:
        if names and not unresolved:
            return True
        if "。" in text or len(text) > 120:
            return False
        if names:
            return True
        return all(len(u) <= 16 and u.endswith(_UNIT_ENDINGS) for u in unresolved)

    def on_units(self, text: str, line: int) -> None:
        where = f"第{line}行"
        split = self.registry.split(text)
        for written, canonical in split.aliased:
            self.report("unit_alias", where, f"单位名称「{written}」按勘误表解析为「{canonical}」")
        for segment in split.unseparated:
            self.report("missing_separator", where, f"单位名称之间缺少“、”:「{segment}」，已拆分")
        for fragment in split.unresolved:
            self.report("unknown_unit", where, f"无法识别的单位名称「{fragment}」(未分配，请补充勘误表)")
        names = list(dict.fromkeys(split.names))
        group = self.group
        if not group.items:
            self.report("unplaced_units", where, f"单位单元格之前没有工作措施:「{text}」")
            return
        if group.lead is None:
            group.lead, group.lead_line = names, line
        elif group.coop is None:
            group.coop = names
        else:
            self.report("unplaced_units", where, f"多余的单位单元格(牵头、配合均已读到):「{text}」")

    # -- closing groups and measures ------------------------------------------------------------
    def close_group(self) -> None:
        group = self.group
        if group.items:
            if group.lead is None:
                self.resolve_group_without_units(group)
            for item in group.items:
                item.lead = list(group.lead or [])
                item.coop = [u for u in (group.coop or []) if u not in item.lead]
            self.previous_group = group
        self.group = _Group()

    def resolve_group_without_units(self, group: _Group) -> None:
        codes = "、".join(item.code for item in group.items)
        decision = self.errata.decisions.get(group.items[0].code)
        previous = self.previous_group
        if (
            decision
            and decision.get("action") == "inherit_units_from_previous_group"
            and previous is not None
            and previous.items
            and previous.items[0].measure == group.items[0].measure
        ):
            group.lead, group.coop = list(previous.lead or []), list(previous.coop or [])
            self.report(
                "decision",
                codes,
                f"{decision.get('reason', '')}(牵头:{'、'.join(group.lead) or '无'};"
                f"配合:{'、'.join(group.coop) or '无'})",
            )
            return
        self.report(
            "no_units", codes, "该工作措施没有牵头/配合单位单元格，未分配给任何单位(请在勘误表中决定)"
        )

    def close_measure(self) -> None:
        self.close_group()
        self.previous_group = None
        measure = self.measure
        if measure is None:
            return
        if not measure.items:
            self.report("empty_measure", f"第{measure.number}项", "目标任务下没有工作措施")
        for item in measure.items:
            item.text = item.text.strip()
            deadline, findings = item_deadline(item.text)
            item.deadline = deadline
            for finding in findings:
                if finding.repaired:
                    self.report(
                        "deadline_repaired",
                        item.code,
                        f"时限「{finding.phrase}」缺少“年”，读作{finding.date.isoformat()}",
                    )
            if len({f.date for f in findings}) > 1:
                phrases = "、".join(f.phrase for f in findings)
                self.report(
                    "several_deadlines",
                    item.code,
                    f"含多个时限({phrases})，各为一个时间节点；完成时限取最晚的{deadline}",
                )
            self.find_promises(item)
        self.measure = None

    def find_promises(self, item: Item) -> None:
        """Milestones and targets of one item, corrected by the errata table."""
        code, text = item.code, item.text
        spans, notes = milestone_spans(text), list[str]()
        try:
            spans, notes = apply_milestone_errata(
                code, text, spans, self.errata.milestone_errata.get(code, [])
            )
        except ErrataMismatch as exc:
            self.report("errata_mismatch", code, f"{exc}(该条时间节点勘误未生效，请修改勘误表)")
        targets, target_notes = extract_targets(code, text, spans), list[str]()
        try:
            targets, target_notes = apply_target_errata(
                code, text, targets, spans, self.errata.target_errata.get(code, [])
            )
        except ErrataMismatch as exc:
            self.report("errata_mismatch", code, f"{exc}(该条指标勘误未生效，请修改勘误表)")
        item.milestones = tuple(span.milestone for span in spans)
        item.targets = tuple(span.target for span in targets)
        for note in notes:
            self.report("milestone_decision", code, note)
        for note in target_notes:
            self.report("target_decision", code, note)
        for seen, why in numbers_not_targets(text, targets):
            self.report("not_a_target", code, f"「{seen}」不是指标:{why}")


def _cells(lines: list[str], first_line: int) -> list[_Cell]:
    """Turn blank-line-separated lines into cells; a second blank line is an empty cell."""
    cells: list[_Cell] = []
    blanks = 0
    for offset, raw in enumerate(lines):
        text = raw.strip()
        if not text:
            blanks += 1
            continue
        if cells:
            cells.extend(_Cell(first_line + offset - 1, "") for _ in range(max(0, blanks - 1)))
        cells.append(_Cell(first_line + offset, text))
        blanks = 0
    return cells


def _members(lines: list[str]) -> list[str]:
    for line in lines:
        match = _MEMBERS.match(line)
        if match:
            body = match.group(1).strip().rstrip("。")
            return [name.strip() for name in body.split("、") if name.strip()]
    raise PlanSourceError("附件1中找不到领导小组成员名单(“成员:”一行)")


def build_registry(members: list[str], errata: Errata) -> UnitRegistry:
    names = list(dict.fromkeys([*members, *errata.table_only_units]))
    units = [Unit(n, errata.categories.get(n, default_category(n))) for n in names]
    return UnitRegistry(units, errata.aliases)


def parse_plan(source_text: str, errata: Errata) -> Plan:
    """Parse the whole seed text. Raises :class:`PlanSourceError` when it is not a plan."""
    lines = source_text.replace("\r\n", "\n").split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == errata.table_start)
    except StopIteration:
        raise PlanSourceError(f"找不到任务分工表(“{errata.table_start}”一行)") from None
    end = next(
        (i for i in range(start, len(lines)) if lines[i].strip().startswith(errata.table_end)),
        len(lines),
    )
    registry = build_registry(_members(lines[:start]), errata)
    groups_at = next((i for i in range(start) if lines[i].strip() == errata.groups_start), None)
    groups, group_anomalies = (
        ([], []) if groups_at is None else parse_groups(lines[groups_at + 1 : start], groups_at + 2, registry)
    )
    table = lines[start + 1 : end]
    cells = _cells(table, start + 2)
    first_area = next((i for i, c in enumerate(cells) if _AREA.match(c.text)), None)
    if first_area is None:
        raise PlanSourceError("任务分工表中没有领域标题(如“一、开办企业”)")
    parser = _TableParser(cells[first_area:], registry, errata)
    parser.run()
    codes = {item.code for measure in parser.measures for item in measure.items}
    for section, entries in (("milestones", errata.milestone_errata), ("targets", errata.target_errata)):
        for code in sorted(set(entries) - codes):
            parser.report(
                "errata_mismatch", code, f"勘误表[{section}]中的工作措施{code}不存在，该条勘误未生效"
            )
    parser.anomalies.extend(group_anomalies)
    units_used = {
        u for item in (i for m in parser.measures for i in m.items) for u in (*item.lead, *item.coop)
    }
    for unit in registry.units:
        if unit.name not in units_used:
            parser.report(
                "unit_without_items",
                unit.name,
                "该单位在任务分工表中没有承担任何工作措施(可能只在专项小组中)",
            )
    return Plan(
        plan_id=errata.plan_id,
        name=errata.name,
        issued_on=errata.issued_on,
        issued_on_note=errata.issued_on_note,
        source_sha256=hashlib.sha256(source_text.encode("utf-8")).hexdigest(),
        areas=parser.areas,
        measures=parser.measures,
        units=registry.units,
        aliases=registry.aliases,
        anomalies=parser.anomalies,
        groups=groups,
    )
