"""The special groups (专项小组) of 附件1: name, lead units, responsible units, duties.

The text has the task table's defects: lost characters in the field names (``任单位`` for
``责任单位``, ``要职责`` for ``主要职责``), a missing colon, names run together. Units resolve
against the same registry; every repair and decision is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from liaison_app.plan.model import Anomaly
from liaison_app.plan.units import UnitRegistry
from liaison_app.vocabulary import NUMERAL_PATTERN, chinese_numeral, parse_numeral

ALL_MEMBERS = "各相关成员单位"
_HEADER = re.compile(rf"^\(({NUMERAL_PATTERN})\)(.+(?:专项小组|组))$")
_FIELD = re.compile(r"^(牵头单位|责任单位|任单位|主要职责|要职责)\s*([:：])?\s*(.*)$")
_FIELD_NAMES = {"任单位": "责任单位", "要职责": "主要职责"}


@dataclass
class SpecialGroup:
    number: int
    name: str
    lead: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    all_members: bool = False  # 责任单位 is 各相关成员单位: every member unit
    duties: str = ""

    @property
    def numeral(self) -> str:
        return chinese_numeral(self.number)


def parse_groups(
    lines: list[str],
    first_line: int,
    registry: UnitRegistry,
) -> tuple[list[SpecialGroup], list[Anomaly]]:
    """Read the groups from ``lines`` (the text between 二、专项小组 and 附件2)."""
    groups: list[SpecialGroup] = []
    anomalies: list[Anomaly] = []
    for offset, raw in enumerate(lines):
        text = raw.strip()
        if not text:
            continue
        where = f"第{first_line + offset}行"
        header = _HEADER.match(text)
        if header:
            groups.append(SpecialGroup(parse_numeral(header.group(1)), header.group(2)))
            continue
        found = _FIELD.match(text)
        if not found or not groups:
            continue  # 组长 / 副组长 lines name people, not units
        written, colon, value = found.groups()
        name = _FIELD_NAMES.get(written, written)
        group = groups[-1]
        if written != name:
            anomalies.append(
                Anomaly(
                    "group_field_repaired",
                    where,
                    f"({group.numeral}){group.name}:字段「{written}」缺字，读作「{name}」",
                )
            )
        if colon is None:
            anomalies.append(
                Anomaly("group_field_repaired", where, f"({group.numeral}){group.name}:「{name}」后缺少冒号")
            )
        if name == "主要职责":
            group.duties = value
            continue
        if value == ALL_MEMBERS:
            group.all_members = True
            anomalies.append(
                Anomaly(
                    "decision",
                    where,
                    f"({group.numeral}){group.name}:{name}为“{ALL_MEMBERS}”，"
                    "视为全体成员单位都是该组的责任单位",
                )
            )
            continue
        split = registry.split(value)
        for segment in split.unseparated:
            anomalies.append(
                Anomaly(
                    "missing_separator",
                    where,
                    f"({group.numeral}){group.name}:单位名称之间缺少“、”:「{segment}」，已拆分",
                )
            )
        for written_name, canonical in split.aliased:
            anomalies.append(
                Anomaly(
                    "unit_alias",
                    where,
                    f"({group.numeral}){group.name}:单位名称「{written_name}」按勘误表解析为「{canonical}」",
                )
            )
        for fragment in split.unresolved:
            anomalies.append(
                Anomaly(
                    "unknown_unit", where, f"({group.numeral}){group.name}:无法识别的单位名称「{fragment}」"
                )
            )
        target = group.lead if name == "牵头单位" else group.members
        target.extend(n for n in dict.fromkeys(split.names) if n not in target)
    for group in groups:
        if not group.lead or not (group.members or group.all_members) or not group.duties:
            anomalies.append(
                Anomaly(
                    "group_incomplete",
                    f"({group.numeral}){group.name}",
                    "专项小组缺少牵头单位、责任单位或主要职责",
                )
            )
    return groups, anomalies
