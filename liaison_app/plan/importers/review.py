"""Review before anything is loaded: resolve unit names against a registry, count, list guesses.

:func:`review` turns a reader's :class:`Draft` into the final :class:`Plan` (canonical unit names,
units and aliases filled in) and a :class:`Preview` that says what the import would do.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from liaison_app.plan.bundle import KIND_LABELS, UNPLACED_KINDS
from liaison_app.plan.importers.common import SOURCE_KINDS, Draft, PlanImportError
from liaison_app.plan.model import Anomaly, Plan, Unit
from liaison_app.plan.units import UnitRegistry, default_category

IMPORT_KIND_LABELS = {
    **KIND_LABELS,
    "header_row": "表头位置",
    "filled_down": "空单元格沿用上一行",
    "guess": "推断",
    "no_lead": "没有牵头单位",
    "deadline_unreadable": "无法识别的完成时限",
    "deadline_conflict": "完成时限与文字不一致",
    "section_skipped": "未列为工作措施的章节",
    "units_inherited": "沿用上级标题的单位",
    "roles_in_one_cell": "一栏中区分牵头与配合",
    "units_from_points": "单位取自分项",
    "unit_mapped": "按指定对应到已知单位",
    "probable_alias": "可能是已知单位的别称",
    "new_unit": "新单位",
    "plan_identity": "方案编号、名称和印发日期",
}
ATTENTION_KINDS = UNPLACED_KINDS | {"no_lead", "deadline_unreadable", "probable_alias"}


@dataclass(frozen=True)
class UnitLine:
    name: str  # canonical name in the plan
    status: str  # known | alias | mapped | new
    written: tuple[str, ...]  # the forms found in the file
    probable: tuple[str, ...]  # known names it is probably another form of (new units only)
    lead: int
    coop: int


@dataclass
class Preview:
    kind: str
    plan_id: str
    name: str
    issued_on: dt.date
    areas: int
    measures: int
    items: int
    units: list[UnitLine]
    deadlines: dict[str, int]  # ISO date -> items
    no_deadline: int
    anomalies: list[Anomaly]
    blocking: list[str] = field(default_factory=list)
    milestones: int = 0
    targets: int = 0

    @property
    def loadable(self) -> bool:
        return not self.blocking

    def counts(self) -> dict[str, int]:
        by_status = Counter(u.status for u in self.units)
        return {
            "areas": self.areas,
            "measures": self.measures,
            "items": self.items,
            "units": len(self.units),
            "known_units": by_status["known"] + by_status["alias"],
            "mapped_units": by_status["mapped"],
            "new_units": by_status["new"],
            "probable_aliases": sum(1 for u in self.units if u.probable),
            "with_deadline": self.items - self.no_deadline,
            "milestones": self.milestones,
            "targets": self.targets,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": SOURCE_KINDS.get(self.kind, self.kind),
            "plan": {"id": self.plan_id, "name": self.name, "issued_on": self.issued_on.isoformat()},
            "counts": self.counts(),
            "loadable": self.loadable,
            "blocking": self.blocking,
            "units": [
                {
                    "name": u.name,
                    "status": u.status,
                    "written": list(u.written),
                    "probable_alias_of": list(u.probable),
                    "lead": u.lead,
                    "coop": u.coop,
                }
                for u in self.units
            ],
            "deadlines": self.deadlines,
            "anomalies": [
                {
                    "kind": a.kind,
                    "label": IMPORT_KIND_LABELS.get(a.kind, a.kind),
                    "where": a.where,
                    "detail": a.detail,
                }
                for a in self.anomalies
            ],
        }

    def render(self) -> str:
        c = self.counts()
        lines = [
            f"工作方案预览:《{self.name}》(编号 {self.plan_id}，印发日期 {self.issued_on.isoformat()}，"
            f"来源:{SOURCE_KINDS.get(self.kind, self.kind)})",
            f"领域 {c['areas']} 个，目标任务 {c['measures']} 项，工作措施 {c['items']} 条;"
            f"单位 {c['units']} 个(已知 {c['known_units']}，指定对应 {c['mapped_units']}，"
            f"新单位 {c['new_units']});"
            f"有完成时限的 {c['with_deadline']} 条，时间节点 {c['milestones']} 个，指标 {c['targets']} 个",
            "",
            "单位:",
        ]
        status_words = {"known": "已知", "alias": "已知(别称)", "mapped": "指定对应", "new": "新单位"}
        for unit in self.units:
            written = [w for w in unit.written if w != unit.name]
            line = f"  {unit.name}  {status_words[unit.status]}  牵头 {unit.lead} 条，配合 {unit.coop} 条"
            if written:
                line += f"(文中写作:{'、'.join(written)})"
            if unit.probable:
                hint = f"--alias {unit.name}={unit.probable[0]}"
                line += f"  可能是“{'”或“'.join(unit.probable)}”，可用 {hint} 指定"
            lines.append(line)
        if self.deadlines:
            lines += ["", "完成时限:"]
            lines += [f"  {day}  {count} 条" for day, count in sorted(self.deadlines.items())]
            lines.append(f"  无时限  {self.no_deadline} 条")
        if self.anomalies:
            lines += ["", f"修复与推断({len(self.anomalies)} 处):"]
            for anomaly in self.anomalies:
                mark = "!" if anomaly.kind in ATTENTION_KINDS else "-"
                label = IMPORT_KIND_LABELS.get(anomaly.kind, anomaly.kind)
                lines.append(f"  {mark} [{label}] {anomaly.where}:{anomaly.detail}")
        if self.blocking:
            lines += ["", "不能载入，须先改正:"]
            lines += [f"  × {problem}" for problem in self.blocking]
        return "\n".join(lines) + "\n"


def close_names(name: str, known: list[str]) -> list[str]:
    """Known names that ``name`` is probably another way of writing (区发改委 ↔ 区发展改革委)."""
    found: list[tuple[float, str]] = []
    for candidate in known:
        if candidate == name:
            continue
        shorter, longer = sorted((name, candidate), key=len)
        ratio = difflib.SequenceMatcher(None, name, candidate).ratio()
        abbreviation = (
            len(shorter) >= 3
            and shorter[0] == longer[0]
            and shorter[-1] == longer[-1]
            and _is_subsequence(shorter, longer)
        )
        if ratio >= 0.75 or abbreviation:
            found.append((ratio + (0.5 if abbreviation else 0.0), candidate))
    return [candidate for _, candidate in sorted(found, key=lambda pair: -pair[0])[:3]]


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def parse_alias_args(values: list[str]) -> dict[str, str]:
    """``--alias 区发改委=区发展改革委`` → {"区发改委": "区发展改革委"}."""
    aliases: dict[str, str] = {}
    for value in values:
        written, sep, target = value.partition("=")
        if not sep or not written.strip() or not target.strip():
            raise PlanImportError(f"--alias 的写法应为“名称=已知单位”:{value}")
        aliases[written.strip()] = target.strip()
    return aliases


def review(
    draft: Draft,
    registry: UnitRegistry,
    *,
    aliases: dict[str, str] | None = None,
    plan_id: str | None = None,
    name: str | None = None,
    file_name: str = "",
) -> tuple[Plan, Preview]:
    """Resolve ``draft``'s unit names against ``registry`` and say what loading it would do."""
    plan = draft.plan
    mapped = dict(aliases or {})
    for written, target in mapped.items():
        if registry.resolve(target) is None and target not in _written_names(plan):
            raise PlanImportError(f"--alias {written}={target}:“{target}”不是已知单位，也不在本方案中。")
    anomalies = list(plan.anomalies)
    _identity(plan, draft, plan_id, name, file_name, anomalies)

    statuses: dict[str, str] = {}
    written_forms: dict[str, list[str]] = {}
    reported: set[str] = set()

    def resolve(written: str, where: str) -> list[str]:
        target = mapped.get(written)
        if target is not None:
            canonical = registry.resolve(target) or target
            statuses.setdefault(canonical, "mapped")
            if written not in reported:  # once per written name, not per item
                reported.add(written)
                anomalies.append(
                    Anomaly("unit_mapped", where, f"「{written}」按指定对应为「{canonical}」(全文同)")
                )
            return [_note(written_forms, canonical, written)]
        known = registry.resolve(written)
        if known is not None:
            statuses.setdefault(known, "known" if known == written else "alias")
            return [_note(written_forms, known, written)]
        split = registry.split(written)
        if split.names and not split.unresolved and split.unseparated:
            anomalies.append(
                Anomaly("missing_separator", where, f"单位名称之间缺少分隔符:「{written}」，已拆分")
            )
            for canonical in split.names:
                statuses.setdefault(canonical, "known")
                _note(written_forms, canonical, canonical)
            return list(split.names)
        statuses.setdefault(written, "new")
        return [_note(written_forms, written, written)]

    if not draft.reviewed:
        _find_promises(plan)
    order: list[str] = []
    for item in plan.items():
        where = draft.locations.get(item.code, item.code)
        lead = _unique(n for w in item.lead for n in resolve(w, where))
        coop = [n for n in _unique(n for w in item.coop for n in resolve(w, where)) if n not in lead]
        item.lead, item.coop = lead, coop
        order.extend(n for n in (*lead, *coop) if n not in order)
    if draft.reviewed:
        # Units of a reviewed plan keep their order and categories, including units without items.
        order = [u.name for u in plan.units] + [n for n in order if n not in {u.name for u in plan.units}]
    categories = {u.name: u.category for u in plan.units}
    units: list[Unit] = []
    for unit_name in order:
        if unit_name in categories:
            category = categories[unit_name]
        elif unit_name in registry:
            category = registry.unit(unit_name).category
        else:
            category = default_category(unit_name)
        units.append(Unit(unit_name, category))
    plan.units = units
    in_plan = {u.name for u in units}
    plan_aliases = {a: t for a, t in registry.aliases.items() if t in in_plan}
    plan_aliases.update(plan.aliases if draft.reviewed else {})
    for canonical, forms in written_forms.items():
        for form in forms:
            if form != canonical and canonical in in_plan and form not in in_plan:
                plan_aliases[form] = canonical
    plan.aliases = plan_aliases

    known_names = [u.name for u in registry.units]
    lines: list[UnitLine] = []
    for unit in units:
        status = statuses.get(unit.name, "known" if unit.name in registry else "new")
        probable: list[str] = []
        if status == "new":
            others = known_names + [u.name for u in units if statuses.get(u.name) != "new"]
            probable = close_names(unit.name, list(dict.fromkeys(others)))
            if probable:
                anomalies.append(
                    Anomaly(
                        "probable_alias",
                        unit.name,
                        f"新单位「{unit.name}」与已知单位「{'」「'.join(probable)}」相近，"
                        "若是同一单位，请指定它对应的已知单位(窗口中在“单位”表的“对应”栏选择，命令行用 "
                        f"--alias {unit.name}={probable[0]});否则按新单位载入",
                    )
                )
        lines.append(
            UnitLine(
                name=unit.name,
                status=status,
                written=tuple(written_forms.get(unit.name, [unit.name])),
                probable=tuple(probable),
                lead=sum(unit.name in i.lead for i in plan.items()),
                coop=sum(unit.name in i.coop for i in plan.items()),
            )
        )
    plan.anomalies = anomalies
    deadlines = Counter(i.deadline.isoformat() for i in plan.items() if i.deadline)
    preview = Preview(
        kind=draft.kind,
        plan_id=plan.plan_id,
        name=plan.name,
        issued_on=plan.issued_on,
        areas=len(plan.areas),
        measures=len(plan.measures),
        items=len(plan.items()),
        units=lines,
        deadlines=dict(deadlines),
        no_deadline=sum(1 for i in plan.items() if i.deadline is None),
        anomalies=anomalies,
        blocking=list(draft.blocking) + _duplicate_codes(plan),
        milestones=sum(len(i.milestones) for i in plan.items()),
        targets=sum(len(i.targets) for i in plan.items()),
    )
    return plan, preview


def _find_promises(plan: Plan) -> None:
    """Milestones (dated clauses) and targets (promised numbers) of freshly read items."""
    from liaison_app.plan.milestones import milestone_spans
    from liaison_app.plan.targets import extract_targets

    for item in plan.items():
        spans = milestone_spans(item.text)
        item.milestones = tuple(span.milestone for span in spans)
        item.targets = tuple(span.target for span in extract_targets(item.code, item.text, spans))


def unit_tasks(plan: Plan) -> dict[str, list[tuple[str, str]]]:
    """Each unit's items as (code, role), in plan order: what a liaison would see."""
    tasks: dict[str, list[tuple[str, str]]] = {u.name: [] for u in plan.units}
    for item in plan.items():
        for unit in item.lead:
            tasks.setdefault(unit, []).append((item.code, "lead"))
        for unit in item.coop:
            tasks.setdefault(unit, []).append((item.code, "coop"))
    return tasks


def _written_names(plan: Plan) -> set[str]:
    return {n for i in plan.items() for n in (*i.lead, *i.coop)}


def _note(forms: dict[str, list[str]], canonical: str, written: str) -> str:
    found = forms.setdefault(canonical, [])
    if written not in found:
        found.append(written)
    return canonical


def _unique(names: Any) -> list[str]:
    return list(dict.fromkeys(names))


def _duplicate_codes(plan: Plan) -> list[str]:
    counts = Counter(i.code for i in plan.items())
    return [f"工作措施编号 {code} 出现了 {n} 次，编号必须唯一。" for code, n in counts.items() if n > 1]


_YEAR = re.compile(r"(20\d{2})")


def _identity(
    plan: Plan,
    draft: Draft,
    plan_id: str | None,
    name: str | None,
    file_name: str,
    anomalies: list[Anomaly],
) -> None:
    """Fill id, name and issue date from the arguments, the title or the file name; say so."""
    stem = re.sub(r"\.(xlsx|docx|txt|json)$", "", file_name, flags=re.IGNORECASE)
    if name:
        plan.name = name
    elif not plan.name:
        plan.name = _clean_title(draft.title) or stem or "未命名工作方案"
        source = "标题" if _clean_title(draft.title) else "文件名"
        anomalies.append(
            Anomaly("plan_identity", "方案名称", f"未指定名称，取{source}:「{plan.name}」(可用 --name 指定)")
        )
    if plan_id:
        plan.plan_id = plan_id
    elif not plan.plan_id:
        year = _YEAR.search(plan.name) or _YEAR.search(stem)
        digest = hashlib.sha256(plan.name.encode("utf-8")).hexdigest()[:6]
        plan.plan_id = f"plan-{year.group(1)}-{digest}" if year else f"plan-{digest}"
        anomalies.append(
            Anomaly("plan_identity", "方案编号", f"未指定编号，取 {plan.plan_id}(可用 --id 指定)")
        )
    if plan.issued_on == dt.date(1970, 1, 1):
        year = _YEAR.search(plan.name) or _YEAR.search(stem)
        deadlines = sorted(i.deadline for i in plan.items() if i.deadline)
        if year:
            plan.issued_on = dt.date(int(year.group(1)), 1, 1)
            why = "文中没有印发日期，暂取方案名称中年份的 1 月 1 日"
        elif deadlines:
            plan.issued_on = dt.date(deadlines[0].year, 1, 1)
            why = "文中没有印发日期，暂取最早完成时限所在年份的 1 月 1 日"
        else:
            plan.issued_on = dt.date(2000, 1, 1)
            why = "文中没有印发日期，也找不到年份，暂取 2000-01-01"
        plan.issued_on_note = why + "(请核对)"
        anomalies.append(Anomaly("plan_identity", "印发日期", f"{why}:{plan.issued_on.isoformat()}，请核对"))


def _clean_title(title: str) -> str:
    quoted = re.search(r"《(.+?)》", title)
    title = quoted.group(1) if quoted else title.strip()
    return title if 4 <= len(title) <= 60 else ""
