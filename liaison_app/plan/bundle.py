"""The bundled plan: a JSON rendering of a parsed :class:`Plan`, and its anomaly report.

The JSON under ``resources/plans/`` is what a fresh install loads; it is always produced by
:func:`build` from the source text and the errata table, never edited by hand (a test proves it).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from liaison_app.plan.groups import SpecialGroup
from liaison_app.plan.model import Anomaly, Area, Item, Measure, Plan, Unit
from liaison_app.plan.parser import Errata, parse_plan

FORMAT = "liaison-app/plan"
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
                items=[
                    Item(
                        measure=m["number"],
                        sub=i["sub"],
                        text=i["text"],
                        lead=list(i["lead"]),
                        coop=list(i["coop"]),
                        deadline=dt.date.fromisoformat(i["deadline"]) if i["deadline"] else None,
                    )
                    for i in m["items"]
                ],
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
}

# Anything of these kinds means the parser could not place something: a reviewer must act.
UNPLACED_KINDS = frozenset(
    {"no_units", "unknown_unit", "unplaced_text", "unplaced_units", "empty_measure", "group_incomplete"}
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
    return "\n".join(lines) + "\n"


def build(source: Path, errata_path: Path) -> Plan:
    return parse_plan(source.read_text(encoding="utf-8"), Errata.load(errata_path))
