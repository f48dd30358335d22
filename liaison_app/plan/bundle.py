"""The bundled plan: a JSON rendering of a parsed :class:`Plan`, and its anomaly report.

The JSON under ``resources/plans/`` is what a fresh install loads; it is always produced by
:func:`build` from the source text and the errata table, never edited by hand (a test proves it).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from liaison_app.plan.groups import SpecialGroup
from liaison_app.plan.milestones import milestone_spans
from liaison_app.plan.model import OPS, Anomaly, Area, Item, Measure, Milestone, Plan, Target, Unit
from liaison_app.plan.parser import Errata, parse_plan
from liaison_app.plan.targets import describe, extract_targets

FORMAT = "liaison-app/plan"
# Version 1 still: ``milestones`` and ``targets`` were added to items as optional keys, so a file
# written before them loads (they are then read from the item text, without errata) and an older
# reader simply ignores them.
FORMAT_VERSION = 1


class PlanFileError(ValueError):
    """A plan file that cannot be loaded (message in Chinese, for the user)."""


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "plan": {
            "id": plan.plan_id,
            "name": plan.name,
            "issued_on": plan.issued_on.isoformat(),
            "issued_on_note": plan.issued_on_note,
            "source_sha256": plan.source_sha256,
        },
        "areas": [{"number": a.number, "numeral": a.numeral, "name": a.name} for a in plan.areas],
        "measures": [
            {
                "number": m.number,
                "title": m.title,
                "area": m.area,
                "items": [
                    {
                        "id": i.code,
                        "sub": i.sub,
                        "text": i.text,
                        "lead": i.lead,
                        "coop": i.coop,
                        "deadline": i.deadline.isoformat() if i.deadline else None,
                        "milestones": [milestone_to_dict(ms) for ms in i.milestones],
                        "targets": [target_to_dict(t) for t in i.targets],
                    }
                    for i in m.items
                ],
            }
            for m in plan.measures
        ],
        "units": [{"name": u.name, "category": u.category} for u in plan.units],
        "groups": [
            {
                "number": g.number,
                "name": g.name,
                "lead": g.lead,
                "members": g.members,
                "all_members": g.all_members,
                "duties": g.duties,
            }
            for g in plan.groups
        ],
        "aliases": plan.aliases,
        "anomalies": [{"kind": a.kind, "where": a.where, "detail": a.detail} for a in plan.anomalies],
    }


def _number(value: Decimal) -> int | float:
    """A JSON number for an exact decimal: an int when whole, else the float whose shortest
    repr is the same digits (99.96 → 99.96), so :func:`_decimal` gives the Decimal back."""
    return int(value) if value == value.to_integral_value() else float(value)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"指标数值不是数:{value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"指标数值不是数:{value!r}") from None
    if not number.is_finite():
        raise ValueError(f"指标数值不是数:{value!r}")
    return number


def milestone_to_dict(milestone: Milestone) -> dict[str, Any]:
    return {"date": milestone.date.isoformat(), "text": milestone.text}


def target_to_dict(target: Target) -> dict[str, Any]:
    return {
        "id": target.id,
        "text": target.text,
        "op": target.op,
        "value": _number(target.value),
        "unit": target.unit,
        "baseline": None if target.baseline is None else _number(target.baseline),
        "baseline_unit": target.baseline_unit,
        "milestone": target.milestone,
    }


def milestone_from_dict(data: dict[str, Any]) -> Milestone:
    return Milestone(dt.date.fromisoformat(data["date"]), str(data["text"]))


def target_from_dict(data: dict[str, Any]) -> Target:
    op = data["op"]
    if op not in OPS:
        raise ValueError(f"指标比较符不认识:{op}")
    milestone = data.get("milestone")
    return Target(
        id=str(data["id"]),
        text=str(data["text"]),
        op=op,
        value=_decimal(data["value"]),
        unit=str(data["unit"]),
        baseline=None if data.get("baseline") is None else _decimal(data["baseline"]),
        baseline_unit=data.get("baseline_unit"),
        milestone=None if milestone is None else int(milestone),
    )


def _item_from_dict(measure: int, i: dict[str, Any]) -> Item:
    item = Item(
        measure=measure,
        sub=i["sub"],
        text=i["text"],
        lead=list(i["lead"]),
        coop=list(i["coop"]),
        deadline=dt.date.fromisoformat(i["deadline"]) if i["deadline"] else None,
    )
    if "milestones" in i and "targets" in i:
        item.milestones = tuple(milestone_from_dict(ms) for ms in i["milestones"])
        item.targets = tuple(target_from_dict(t) for t in i["targets"])
    else:  # a file from before milestones and targets: read them from the text
        spans = milestone_spans(item.text)
        item.milestones = tuple(span.milestone for span in spans)
        item.targets = tuple(span.target for span in extract_targets(item.code, item.text, spans))
    return item


def plan_from_dict(data: dict[str, Any]) -> Plan:
    if data.get("format") != FORMAT:
        raise PlanFileError("这不是工作方案文件(格式标记不符)")
    if data.get("format_version") != FORMAT_VERSION:
        raise PlanFileError(f"不支持的工作方案文件版本:{data.get('format_version')}")
    try:
        head = data["plan"]
        measures = [
            Measure(
                number=m["number"],
                title=m["title"],
                area=m["area"],
                items=[_item_from_dict(m["number"], i) for i in m["items"]],
            )
            for m in data["measures"]
        ]
        return Plan(
            plan_id=head["id"],
            name=head["name"],
            issued_on=dt.date.fromisoformat(head["issued_on"]),
            issued_on_note=head.get("issued_on_note", ""),
            source_sha256=head["source_sha256"],
            areas=[Area(a["number"], a["numeral"], a["name"]) for a in data["areas"]],
            measures=measures,
            units=[Unit(u["name"], u["category"]) for u in data["units"]],
            aliases=dict(data["aliases"]),
            anomalies=[Anomaly(a["kind"], a["where"], a["detail"]) for a in data["anomalies"]],
            groups=[
                SpecialGroup(
                    g["number"],
                    g["name"],
                    list(g["lead"]),
                    list(g["members"]),
                    bool(g["all_members"]),
                    g["duties"],
                )
                for g in data.get("groups", [])
            ],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"工作方案文件内容不完整或有误:{exc}") from exc


def dumps(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=1) + "\n"


def load_plan_file(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanFileError(f"无法读取工作方案文件 {path.name}:{exc}") from exc
    if not isinstance(data, dict):
        raise PlanFileError("这不是工作方案文件")
    return plan_from_dict(data)


KIND_LABELS = {
    "repeated_heading": "分页处重复的标题",
    "lost_parenthesis": "工作措施编号缺“)”",
    "missing_dot": "目标任务编号缺“.”",
    "text_joined": "跨行文字接续",
    "unit_cell_wrapped": "单位单元格跨行合并",
    "missing_separator": "单位名称缺“、”",
    "unit_alias": "单位别名/错字",
    "deadline_repaired": "时限缺“年”",
    "several_deadlines": "含多个时限",
    "decision": "人工决定(勘误表)",
    "unit_without_items": "未承担工作措施的单位",
    "no_units": "未分配单位的工作措施",
    "unknown_unit": "无法识别的单位",
    "unplaced_text": "无法归属的文字",
    "unplaced_units": "无法归属的单位单元格",
    "blank_cell": "多余空单元格",
    "subitem_out_of_order": "工作措施编号不连续",
    "area_out_of_order": "领域编号不连续",
    "empty_measure": "没有工作措施的目标任务",
    "group_field_repaired": "专项小组字段缺字",
    "group_incomplete": "不完整的专项小组",
    "milestone_decision": "时间节点人工决定(勘误表)",
    "target_decision": "指标人工决定(勘误表)",
    "errata_mismatch": "与文字不符的勘误",
    "not_a_target": "未作为指标的数字",
}

# Anything of these kinds means the parser could not place something: a reviewer must act.
UNPLACED_KINDS = frozenset(
    {
        "no_units",
        "unknown_unit",
        "unplaced_text",
        "unplaced_units",
        "empty_measure",
        "group_incomplete",
        "errata_mismatch",
    }
)


def anomaly_report(plan: Plan) -> str:
    """A Markdown report of every repair and decision, grouped by kind."""
    lines = [
        f"# 解析报告:{plan.name}",
        "",
        f"- 领域 {len(plan.areas)} 个，目标任务 {len(plan.measures)} 项，"
        f"工作措施 {len(plan.items())} 条，单位 {len(plan.units)} 个，专项小组 {len(plan.groups)} 个",
        f"- 印发日期取 {plan.issued_on.isoformat()}:{plan.issued_on_note}",
        f"- 源文本 SHA-256:`{plan.source_sha256}`",
        "",
    ]
    unplaced = [a for a in plan.anomalies if a.kind in UNPLACED_KINDS]
    lines.append("无法归属的内容:无。" if not unplaced else f"**无法归属的内容:{len(unplaced)} 处，见下。**")
    by_kind: dict[str, list[Anomaly]] = {}
    for anomaly in plan.anomalies:
        by_kind.setdefault(anomaly.kind, []).append(anomaly)
    for kind, found in by_kind.items():
        lines += ["", f"## {KIND_LABELS.get(kind, kind)}(`{kind}`，{len(found)} 处)", ""]
        lines += [f"- {a.where}:{a.detail}" for a in found]
    lines += promises_report(plan)
    return "\n".join(lines) + "\n"


def promises_report(plan: Plan) -> list[str]:
    """The milestones and targets section: counts, then every one, item by item."""
    items = plan.items()
    with_milestones = [i for i in items if i.milestones]
    several = [i for i in items if len(i.milestones) >= 2]
    with_targets = [i for i in items if i.targets]
    undated = sum(t.milestone is None for i in items for t in i.targets)
    with_baseline = sum(t.baseline is not None for i in items for t in i.targets)
    decisions = [a for a in plan.anomalies if a.kind in ("milestone_decision", "target_decision")]
    lines = [
        "",
        "## 时间节点与指标",
        "",
        f"- 有时间节点的工作措施 {len(with_milestones)} 条(时间节点共 "
        f"{sum(len(i.milestones) for i in items)} 个)，其中有两个及以上时间节点的 {len(several)} 条:"
        f"{'、'.join(i.code for i in several) or '无'}",
        f"- 有量化指标的工作措施 {len(with_targets)} 条(指标共 {sum(len(i.targets) for i in items)} 个，"
        f"其中不属于任何时间节点的常态规则 {undated} 个，带基线的 {with_baseline} 个)",
        f"- 勘误表决定 {len(decisions)} 处(见上文“时间节点人工决定”“指标人工决定”)",
        "- 比较:≤ 不超过目标值即达标，≥ 不低于目标值即达标，= 须等于目标值。",
        "",
    ]
    for item in items:
        if not item.milestones and not item.targets:
            continue
        lines.append(f"### {item.code}")
        lines.append("")
        for n, milestone in enumerate(item.milestones, 1):
            lines.append(f"- 时间节点{n} {milestone.date.isoformat()}:{milestone.text}")
        for target in item.targets:
            where = f"时间节点{target.milestone}" if target.milestone else "常态"
            lines.append(f"- 指标 `{target.id}` {target.text} {describe(target)}({where})")
        lines.append("")
    return lines[:-1] if lines[-1] == "" else lines


def build(source: Path, errata_path: Path) -> Plan:
    return parse_plan(source.read_text(encoding="utf-8"), Errata.load(errata_path))
