"""Targets (指标): the quantitative promises of a work text.

``2019年底前将一般登记压缩至3个工作日`` → 一般登记 ≤ 3 个工作日;
``城市供电可靠率达到99.96%`` → 城市供电可靠率 ≥ 99.96 %;
``用水接入办理时间由12个工作日缩减至7个工作日以内`` → ≤ 7 个工作日, baseline 12;
``在2个工作日内办结`` (a standing service rule) → ≤ 2 个工作日.

A number is a promise only when a unit of measure follows it (``10千伏``, ``DN100``, ``6类``,
years and dates are not). The measured phrase is the plan's own words: the clause up to the
comparison, without the date and the leading 将/实现/对…; a service rule's verb after the number
(``…内办结``) is kept, and a conditional clause before (``…的,``) is put in front. Where the
plain reading is not what the text means, the errata table says so, item by item
(:func:`apply_target_errata`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from liaison_app.plan.clauses import boundaries, clause_end, clause_start, trim
from liaison_app.plan.deadlines import find_deadlines
from liaison_app.plan.milestones import ErrataMismatch, MilestoneSpan
from liaison_app.plan.model import OPS, Op, Target

# Longest first: 个工作日 before 工作日 before 日, 万平方米 before 平方米.
UNITS: tuple[str, ...] = tuple(
    sorted(
        (
            "个工作日",
            "工作日",
            "个百分点",
            "个环节",
            "个阶段",
            "个月",
            "人次",
            "万平方米",
            "平方米",
            "千米/平方千米",
            "千米",
            "公里",
            "千伏安",
            "%",
            "％",
            "件",
            "家",
            "元/吨",
            "万元",
            "亿元",
            "元",
            "天",
            "日",
            "小时",
            "分钟",
            "个",
            "户",
            "项",
            "人",
            "次",
        ),
        key=len,
        reverse=True,
    )
)
DURATION_UNITS = frozenset({"个工作日", "工作日", "天", "日", "小时", "分钟", "个月"})

# Comparison words written before the number. "Far" words may stand anywhere earlier in the
# clause (``简化为办理营业执照、申领发票、员工参保登记3个环节``); "near" ones only right before it.
_FAR: tuple[tuple[str, Op], ...] = tuple(
    sorted(
        [
            *((w, "<=") for w in ("控制在", "不超过", "不高于", "不多于", "简化为", "降至")),
            *(
                (verb + to, "<=")
                for verb in ("压缩", "缩减", "缩短", "压减", "减少", "降低")
                for to in ("至", "到", "为")
            ),
            *((w, ">=") for w in ("达到", "不低于", "不少于", "超过", "稳定在")),
            *(
                (verb + to, ">=")
                for verb in ("提高", "提升", "放宽", "增加", "增长")
                for to in ("至", "到", "为")
            ),
            ("减按", "="),
        ],
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
)
_NEAR: tuple[tuple[str, Op], ...] = (("达", ">="), ("为", "="), ("按", "="))
_REDUCING = re.compile(r"压减|压缩|缩减|缩短|减少|简化|降低")
# After the number and unit.
_AFTER = re.compile(r"以内|之内|内|以下|及以上|以上")
_AFTER_OPS: dict[str, Op] = {
    "以内": "<=",
    "之内": "<=",
    "内": "<=",
    "以下": "<=",
    "及以上": ">=",
    "以上": ">=",
}
# A change from a baseline: 由12个工作日缩减至7个工作日, 从2个百分点放宽到3个百分点.
_CHANGE = re.compile(r"(压缩|缩减|缩短|压减|减少|降低|提高|提升|放宽|增加|增长|降)(至|到|为)")
_RAISING = ("提高", "提升", "放宽", "增加", "增长")
_NUMBER = re.compile(r"(?<![A-Za-z0-9.．/])\d+(?:\.\d+)?")
_LEADING = ("其中", "力争", "实现", "确保", "进一步", "将", "对", "在", "并", "把", "使")


@dataclass(frozen=True)
class TargetSpan:
    """A target and where its number stands in the text (for errata anchors and ordering)."""

    target: Target
    start: int
    end: int
    first: int = -1  # where the baseline's number stands, when there is one (else start)

    @property
    def covers(self) -> range:
        return range(self.first if self.first >= 0 else self.start, self.end)


def _unit_at(text: str, at: int) -> str | None:
    return next((unit for unit in UNITS if text.startswith(unit, at)), None)


def _strip_leading(phrase: str) -> str:
    phrase = trim(phrase)
    while True:
        dates = find_deadlines(phrase)
        if dates and dates[0].start == 0:
            phrase = trim(phrase[dates[0].end :])
            continue
        word = next((w for w in _LEADING if phrase.startswith(w)), None)
        if word is None:
            return phrase
        phrase = trim(phrase[len(word) :])


def _comparison(before: str) -> tuple[int, Op | None]:
    """Where the comparison words start in ``before`` (len when none) and what they say.

    The words ending last win, and of two ending together the longer (不超过 over 超过,
    减按 over 按).
    """
    found: list[tuple[int, int, Op]] = []  # end, length, op
    for word, op in _FAR:
        at = before.rfind(word)
        if at >= 0:
            found.append((at + len(word), len(word), op))
    for word, op in _NEAR:
        if before.endswith(word):
            found.append((len(before), len(word), op))
    if not found and before.endswith("至") and _REDUCING.search(before):
        found.append((len(before), 1, "<="))
    if not found:
        return len(before), None
    end, length, op = max(found, key=lambda f: (f[0], f[1]))
    return end - length, op


@dataclass(frozen=True)
class _Baseline:
    """The ``由12个工作日`` of ``由12个工作日缩减至7个工作日``, waiting for its target."""

    value: Decimal
    unit: str
    phrase: str  # the words before 由/从: what is measured
    op: Op  # from the change verb: 缩减 ≤, 放宽 ≥
    opens_clause: bool
    start: int
    clause: int


def extract_targets(code: str, text: str, milestones: list[MilestoneSpan] | None = None) -> list[TargetSpan]:
    """Every quantitative promise in ``text``, in order, with ids ``{code}-t1``, ``-t2`` …"""
    marks = boundaries(text)
    dates = [(f.start, f.end) for f in find_deadlines(text)]
    found: list[TargetSpan] = []
    consumed = 0  # the text before this is already part of an earlier target or baseline
    baseline: _Baseline | None = None
    for match in _NUMBER.finditer(text):
        start, end = match.start(), match.end()
        unit = _unit_at(text, end)
        if unit is None or text[start - 1 : start] == "第" or any(s <= start < e for s, e in dates):
            continue
        value = Decimal(match.group(0))
        unit_end = end + len(unit)
        c_start, c_end = clause_start(text, start, marks), clause_end(text, start, marks)
        if baseline is not None and baseline.clause != c_start:
            baseline = None  # a change whose target never came: not a promise
        opens_clause = consumed <= c_start
        before = text[max(c_start, consumed) : start]
        later = text[unit_end:c_end]
        change = _CHANGE.search(later)
        origin = max(before.rfind("由"), before.rfind("从"))
        if origin >= 0 and change is not None and _NUMBER.search(later[change.end() :]):
            op: Op = ">=" if change.group(1) in _RAISING else "<="
            baseline = _Baseline(value, unit, before[:origin], op, opens_clause, start, c_start)
            consumed = unit_end
            continue
        after_match = _AFTER.match(text, unit_end)
        after_word = after_match.group(0) if after_match else ""
        rest_start = unit_end + len(after_word)
        after = text[rest_start:c_end]
        if any(_unit_at(text, m.end()) for m in _NUMBER.finditer(after)):
            after = ""  # another promise follows in this clause: the words belong to it
        comparison: Op | None
        if baseline is not None:
            phrase, comparison, opens_clause = baseline.phrase, baseline.op, baseline.opens_clause
        else:
            cut, comparison = _comparison(before)
            phrase = before[:cut]
        if comparison is None:
            comparison = _AFTER_OPS.get(after_word) or ("<=" if unit in DURATION_UNITS else ">=")
        duration_rule = unit in DURATION_UNITS and after_word in ("内", "以内", "之内")
        condition = _condition_before(text, c_start, marks) if opens_clause else ""
        target = Target(
            id="",
            text=condition + _measured(phrase, after, duration_rule),
            op=comparison,
            value=value,
            unit="%" if unit == "％" else unit,
            baseline=baseline.value if baseline else None,
            baseline_unit=baseline.unit if baseline else None,
            milestone=_milestone_at(start, milestones or []),
        )
        found.append(TargetSpan(target, start, unit_end, baseline.start if baseline else start))
        baseline = None
        consumed = rest_start
    return _numbered(code, found)


def _measured(before: str, after: str, duration_rule: bool) -> str:
    """What is measured: the words before the comparison; a service rule's verb after the number
    (``5个工作日内办结规划许可``) or the noun of a too-short phrase (``区级90%以上依申请类…``)
    is added."""
    phrase = _strip_leading(before).removesuffix("在")  # 投诉在24小时内响应
    after = trim(after.rstrip("。"))
    if after and (len(phrase) < 4 or duration_rule):
        phrase += after
    return phrase


def _condition_before(text: str, c_start: int, marks: list[int]) -> str:
    """A conditional clause (``…的,``) just before, which says whom the promise is for."""
    if c_start == 0:
        return ""
    previous = _strip_leading(text[clause_start(text, c_start - 1, marks) : c_start - 1])
    return previous if previous.endswith("的") and not find_deadlines(previous) else ""


def _milestone_at(at: int, milestones: list[MilestoneSpan]) -> int | None:
    return next((n for n, span in enumerate(milestones, 1) if span.start <= at < span.end), None)


def _numbered(code: str, spans: list[TargetSpan]) -> list[TargetSpan]:
    ordered = sorted(spans, key=lambda span: span.start)
    return [
        dataclasses.replace(span, target=dataclasses.replace(span.target, id=f"{code}-t{n}"))
        for n, span in enumerate(ordered, 1)
    ]


def numbers_not_targets(text: str, spans: list[TargetSpan]) -> list[tuple[str, str]]:
    """Every number of ``text`` that is neither a date nor part of a target, and why not.

    Listed in the extraction report so a reviewer sees the negative decisions too.
    """
    dates = [range(f.start, f.end) for f in find_deadlines(text)]
    taken = [span.covers for span in spans]
    left: list[tuple[str, str]] = []
    for match in re.finditer(r"\d+(?:\.\d+)?", text):
        at = match.start()
        if any(at in r for r in dates) or any(at in r for r in taken):
            continue
        begin = at
        while begin > 0 and text[begin - 1].isascii() and text[begin - 1].isalpha():
            begin -= 1
        seen = text[begin : match.end() + 3]
        if re.match(r"[A-Za-z]", text[at - 1 : at]):
            why = "前有字母，是型号或规格"
        elif text[at - 1 : at] == "第":
            why = "序号"
        elif text[at - 1 : at] in "〔[" or text[match.end() : match.end() + 1] in "〕]":
            why = "文号"
        elif _unit_at(text, match.end()) is None:
            why = "后无计量单位"
        else:
            why = "勘误表决定不作为指标"
        left.append((seen, why))
    return left


def _decimal(code: str, raw: object) -> Decimal:
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise ErrataMismatch(f"勘误表[targets] {code}:数值「{raw}」不是数字") from None


def apply_target_errata(
    code: str,
    text: str,
    spans: list[TargetSpan],
    milestones: list[MilestoneSpan],
    entries: list[dict[str, object]],
) -> tuple[list[TargetSpan], list[str]]:
    """Apply the ``[[targets]]`` errata entries for one item.

    Each entry names an ``anchor``: an exact piece of the work text. ``drop`` removes the
    extracted targets whose number lies in it; ``replace`` puts one target there instead (fields
    not given are kept from the single target it replaces); ``add`` puts a new one there.
    ``milestone = 0`` ties the target to no milestone; without it, the milestone holding the
    anchor. Ids are numbered afterwards, in text order. Returns the targets and one line per
    decision for the report.
    """
    current = list(spans)
    notes: list[str] = []
    for entry in entries:
        action, reason = str(entry.get("action", "")), str(entry.get("reason", ""))
        anchor = str(entry.get("anchor", ""))
        at = text.find(anchor) if anchor else -1
        if at < 0:
            raise ErrataMismatch(f"勘误表[targets] {code}:锚点「{anchor}」不在工作措施文字中")
        inside = [s for s in current if at <= s.start and s.end <= at + len(anchor)]
        if action not in ("add", "replace", "drop"):
            raise ErrataMismatch(f"勘误表[targets] {code}:不认识的操作「{action}」")
        if action in ("replace", "drop") and not inside:
            raise ErrataMismatch(f"勘误表[targets] {code}:锚点「{anchor}」处没有可{action}的指标")
        if action == "add" and inside:
            raise ErrataMismatch(f"勘误表[targets] {code}:锚点「{anchor}」处已有指标，应写 replace")
        current = [s for s in current if s not in inside]
        if action == "drop":
            notes.append(f"删除「{anchor}」处的指标:{reason}")
            continue
        base = inside[0].target if len(inside) == 1 else None
        target = _errata_target(code, anchor, entry, base, _milestone_at(at, milestones))
        current.append(TargetSpan(target, at, at + len(anchor), at))
        verb = "改为" if action == "replace" else "增加"
        notes.append(f"「{anchor}」处{verb}指标「{target.text}」{describe(target)}:{reason}")
    return _numbered(code, current), notes


def _errata_target(
    code: str, anchor: str, entry: dict[str, object], base: Target | None, milestone: int | None
) -> Target:
    """The target an errata entry describes; what it leaves out comes from ``base``."""

    def given(key: str) -> str | None:
        return str(entry[key]) if key in entry else None

    text, op, value, unit = given("text"), given("op"), given("value"), given("unit")
    if base is None and None in (text, op, value, unit):
        raise ErrataMismatch(f"勘误表[targets] {code}:「{anchor}」处的指标缺少 text/op/value/unit")
    op = op if op is not None else (base.op if base else "")
    if op not in OPS:
        raise ErrataMismatch(f"勘误表[targets] {code}:比较符「{op}」应为 <=、>= 或 =")
    baseline, baseline_unit = given("baseline"), given("baseline_unit")
    chosen = given("milestone")
    return Target(
        id="",
        text=text if text is not None else (base.text if base else ""),
        op=OPS[OPS.index(op)],
        value=_decimal(code, value) if value is not None else (base.value if base else Decimal(0)),
        unit=unit if unit is not None else (base.unit if base else ""),
        baseline=_decimal(code, baseline) if baseline is not None else (base.baseline if base else None),
        baseline_unit=baseline_unit if baseline_unit is not None else (base.baseline_unit if base else None),
        milestone=(int(chosen) or None) if chosen is not None else milestone,
    )


def describe(target: Target) -> str:
    """``≤ 7 个工作日(基线 12 个工作日)`` — the comparison in a reader's words."""
    from liaison_app.plan.model import OP_SIGNS

    words = f"{OP_SIGNS[target.op]} {target.value} {target.unit}"
    if target.baseline is not None:
        words += f"(基线 {target.baseline} {target.baseline_unit or target.unit})"
    return words
