"""Command line: ``liaison-app [--data-dir PATH] [--debug] [COMMAND …]``. No command opens the window.

Exit codes: 0 done; 1 the data could not be opened or written (or a bug); 2 bad input (unknown
unit or item, invalid status, bad arguments, a missing input file). Every failure goes to stderr
as one clear Chinese line, never a traceback (``--debug`` adds it), and into the log file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import logging
import math
import os
import re
import sys
import traceback
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

# Only what parsing the command line needs is imported here: the window starts without
# SQLAlchemy (Qt first, the data after the first paint) and each command imports what it uses.
from liaison_app import __version__, logs, paths, plan_cli
from liaison_app.data_lock import DataInUseError
from liaison_app.errors import is_expected, user_message
from liaison_app.formatting import human_size
from liaison_app.store.records import (
    ServiceError,
    StorageError,
    UnknownPlanError,
    describe_target,
    format_decimal,
    printable,
)
from liaison_app.vocabulary import Role, Status, parse_period

if TYPE_CHECKING:
    from liaison_app.store.read_view import ReadView
    from liaison_app.store.service import CatalogItem, LiaisonService, UnitTask
    from liaison_app.store.write_view import WriteView

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
log = logging.getLogger(__name__)

# argparse's own messages (English), in the user's words; anything else keeps its text.
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.*)", "缺少必填参数:{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数:{0}"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "参数 {0} 的取值 {1} 无效，可选:{2}"),
    (r"argument (\S+): expected one argument", "参数 {0} 后面需要一个值"),
    (r"argument (\S+): expected at least one argument", "参数 {0} 后面至少需要一个值"),
    (r"argument (\S+): invalid (\w+) value: (.*)", "参数 {0} 的值 {2} 无效"),
    (r"argument (\S+): (.*)", "参数 {0}:{1}"),
]


class ChineseArgumentParser(argparse.ArgumentParser):
    """Bad arguments: one Chinese line on stderr and exit 2 (argparse prints usage + English)."""

    def error(self, message: str) -> NoReturn:
        for pattern, template in _ARGPARSE_MESSAGES:
            found = re.fullmatch(pattern, message)
            if found:
                message = template.format(*found.groups())
                break
        self.exit(EXIT_BAD_INPUT, f"错误:{message}(用 `{self.prog} -h` 查看用法)\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD:{text}") from None


def _period(text: str) -> str:
    try:
        return parse_period(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"报送期格式应为 YYYY-MM(如 2019-11):{text}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="liaison-app", description="营商环境工作联络员台账。不带命令时打开窗口。"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="数据文件夹(默认为当前用户的程序数据文件夹)")
    parser.add_argument("--debug", action="store_true", help="出错时显示完整的技术信息(供技术支持使用)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    units = sub.add_parser("units", help="列出全部单位及其承担的工作措施数")
    units.add_argument("--json", action="store_true", help="以 JSON 输出")

    catalog = sub.add_parser("catalog", help="列出工作方案的全部工作措施")
    catalog.add_argument("--json", action="store_true", help="以 JSON 输出")

    tasks = sub.add_parser("tasks", help="列出某单位承担的工作措施及进展")
    tasks.add_argument("--unit", required=True, help="单位名称(可用简称或别名)")
    tasks.add_argument("--json", action="store_true", help="以 JSON 输出")
    tasks.add_argument("--as-of", type=_date, help="预警的统计截至日期(默认今天)")

    setter = sub.add_parser("set", help="填报某单位某项工作措施的进展状态")
    setter.add_argument("--unit", required=True, help="单位名称")
    setter.add_argument("--item", required=True, help="工作措施编号，如 11.2")
    setter.add_argument(
        "--status", required=True, help="进展状态:" + "、".join(f"{s.value}/{s.label}" for s in Status)
    )
    setter.add_argument("--note", help="进展情况")

    milestone = sub.add_parser("milestone", help="勾选某单位某项工作措施的一个时间节点(已完成)")
    milestone.add_argument("--unit", required=True, help="单位名称")
    milestone.add_argument("--item", required=True, help="工作措施编号，如 63.1")
    milestone.add_argument("--index", required=True, help="第几个时间节点(从 1 起)")
    milestone.add_argument("--done", required=True, help="完成日期 YYYY-MM-DD;写 no 表示取消勾选")

    actual = sub.add_parser("actual", help="牵头单位填报某项指标的实际值")
    actual.add_argument("--unit", required=True, help="单位名称(须为牵头单位)")
    actual.add_argument("--item", required=True, help="工作措施编号，如 13")
    actual.add_argument("--target", required=True, help="指标编号，如 13-t1")
    actual.add_argument("--value", required=True, help="实际值(指标的单位，如 99.97 或 99.97%%)")
    actual.add_argument("--period", help="报送期 YYYY-MM(默认本月)")
    actual.add_argument("--date", help="数据日期 YYYY-MM-DD(默认今天)")
    actual.add_argument("--source", default="", help="数据来源(可选)")

    attach = sub.add_parser("attach", help="为某单位某项工作措施添加佐证材料")
    attach.add_argument("--unit", required=True, help="单位名称")
    attach.add_argument("--item", required=True, help="工作措施编号，如 11.2")
    attach.add_argument("--description", default="", help="文件说明(可选)")
    attach.add_argument("--period", type=_period, help="报送期 YYYY-MM(默认本月)")
    attach.add_argument("files", nargs="+", metavar="FILE", help="要添加的文件")

    bundle = sub.add_parser("bundle", help="把某单位某报送期的佐证材料打包为 zip")
    bundle.add_argument("--unit", required=True, help="单位名称")
    bundle.add_argument("--period", type=_period, required=True, help="报送期 YYYY-MM")
    bundle.add_argument("-o", "--output", required=True, help="输出的 zip 文件")
    bundle.add_argument(
        "--split-mb", type=float, default=None, help="按邮件附件大小分卷，每卷最多 N MB(如 20)"
    )

    sub.add_parser("verify", help="校验全部佐证材料是否齐全、未被改动")

    export = sub.add_parser("export", help="导出某单位某报送期的工作进展报表(xlsx)")
    export.add_argument("--unit", required=True, help="单位名称")
    export.add_argument("--period", type=_period, required=True, help="报送期 YYYY-MM")
    export.add_argument("--as-of", type=_date, help="统计截至日期(默认今天)")
    export.add_argument(
        "-o",
        "--output",
        required=True,
        help="输出的 xlsx 文件，或一个文件夹(使用标准文件名);以 .pdf 结尾时同时生成同名 xlsx 和 PDF",
    )
    consolidate = sub.add_parser("consolidate", help="领导小组办公室:汇总各单位报表")
    consolidate.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR", help="报表文件或文件夹")
    consolidate.add_argument(
        "-o",
        "--output",
        required=True,
        help="汇总表 xlsx，或一个文件夹;以 .pdf 结尾时同时生成同名 xlsx 和 PDF",
    )
    consolidate.add_argument("--period", type=_period, help="报送期 YYYY-MM(默认按多数报表)")
    consolidate.add_argument("--as-of", type=_date, help="统计截至(默认取各报表中最晚的一天)")
    consolidate.add_argument("--lead", help="只汇总该牵头单位牵头的事项(牵头单位汇总配合单位)")
    consolidate.add_argument(
        "--accept-modified", nargs="*", default=[], metavar="FILE", help="确认采用这些导出后被修改过的报表"
    )

    office = sub.add_parser("office", help="领导小组办公室台账:接收、报送登记、趋势、催办、通报")
    osub = office.add_subparsers(dest="office_command", metavar="ACTION", required=True)
    receive = osub.add_parser("receive", help="接收报表并记入台账(文件或文件夹)")
    receive.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR", help="报表文件或文件夹")
    receive.add_argument("--period", type=_period, help="只接收该报送期 YYYY-MM 的报表")
    receive.add_argument(
        "--accept-modified",
        action="append",
        default=[],
        metavar="FILE",
        help="确认采用该已被修改的报表(可重复)",
    )
    due = osub.add_parser("due", help="设置或查看报送截止日")
    due.add_argument("--period", type=_period, help="报送期 YYYY-MM")
    due.add_argument("--date", type=_date, help="该报送期的截止日期 YYYY-MM-DD(单次设置)")
    due.add_argument("--day", type=int, help="每月的默认截止日(如 25)")
    register = osub.add_parser("register", help="报送登记:各单位按时、迟报、未报…")
    register.add_argument("--period", type=_period, help="报送期(默认为最近一期)")
    register.add_argument("--json", action="store_true", help="以 JSON 输出")
    trend = osub.add_parser("trend", help="各月完成率、逾期数与序时进度")
    scope = trend.add_mutually_exclusive_group()
    scope.add_argument("--unit", help="单位名称")
    scope.add_argument("--area", type=int, help="领域序号")
    trend.add_argument("--json", action="store_true", help="以 JSON 输出")
    remind = osub.add_parser("remind", help="为未报、迟报或有逾期事项的单位各写一份催办通知")
    remind.add_argument("--period", type=_period, required=True, help="报送期 YYYY-MM")
    remind.add_argument("-o", "--output", required=True, help="输出文件夹")
    remind.add_argument("--by", type=_date, help="请于此日期前办理(默认为今天起 5 天)")
    bulletin = osub.add_parser("bulletin", help="生成月度通报(xlsx)")
    bulletin.add_argument("--period", type=_period, required=True, help="报送期 YYYY-MM")
    bulletin.add_argument("-o", "--output", required=True, help="通报 xlsx 文件")
    keys = osub.add_parser("keys", help="各单位的签名密钥:查看、登记(换电脑)、撤销")
    keys.add_argument("--json", action="store_true", help="以 JSON 输出")
    ksub = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    key_register = ksub.add_parser("register", help="登记单位的签名密钥(指纹、报表或密钥清单 CSV)")
    key_register.add_argument("--unit", help="单位名称(登记清单 CSV 时可省略)")
    key_register.add_argument(
        "sources", nargs="+", metavar="FILE_OR_FINGERPRINT", help="封面所印的密钥指纹、报表 xlsx 或清单 csv"
    )
    key_revoke = ksub.add_parser("revoke", help="撤销单位的一个签名密钥(丢失或被盗)")
    key_revoke.add_argument("--unit", required=True, help="单位名称")
    key_revoke.add_argument("--fingerprint", required=True, help="要撤销的密钥指纹")

    cases = sub.add_parser("cases", help="列出某单位的典型案例")
    cases.add_argument("--unit", required=True, help="单位名称")
    cases.add_argument("--period", type=_period, help="只列出这个月(YYYY-MM)")
    cases.add_argument("--json", action="store_true", help="以 JSON 输出")

    groups = sub.add_parser("groups", help="列出专项小组(或某单位所在的专项小组)")
    groups.add_argument("--unit", help="单位名称")
    groups.add_argument("--json", action="store_true", help="以 JSON 输出")

    full = sub.add_parser("backup", help="把数据库和全部佐证材料备份到一个文件(可存U盘)")
    full.add_argument("-o", "--output", required=True, help="备份文件(.zip)，或一个文件夹")
    restore = sub.add_parser("restore", help="从备份恢复(完整备份 .zip 或自动备份 .sqlite3)")
    restore.add_argument("file", help="备份文件")
    sub.add_parser("backups", help="列出自动备份")

    sub.add_parser("selftest", help="自检:检查程序文件、数据、中文界面和窗口(供技术支持使用)")
    sub.add_parser("anomalies", help="显示工作方案解析报告(修复与人工决定)")
    plan_cli.register(sub)
    for name, command in sub.choices.items():
        if name not in ("plan", "restore", "backups", "selftest"):
            command.add_argument("--plan", metavar="ID", help="工作方案编号(默认当前方案，见 plan list)")
    return parser


# -- output helpers ----------------------------------------------------------------------------
def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width:
            return out[:-1] + "…" if out else ""
        out, used = out + ch, used + w
    return out + " " * (width - used)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], limits: Sequence[int]) -> None:
    widths = [
        min(limit, max([_width(h)] + [_width(r[i]) for r in rows]))
        for i, (h, limit) in enumerate(zip(headers, limits, strict=True))
    ]
    print("  ".join(_fit(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(_fit(c, w) for c, w in zip(row, widths, strict=True)).rstrip())


def _item_json(item: CatalogItem, plan: str) -> dict[str, Any]:
    from liaison_app.plan.bundle import milestone_to_dict, target_to_dict

    return {
        "plan": plan,
        "id": item.id,
        "area": item.area,
        "area_name": item.area_name,
        "measure": item.measure,
        "measure_title": item.measure_title,
        "item": item.item,
        "text": item.text,
        "lead": list(item.lead),
        "coop": list(item.coop),
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "former": item.former or None,
        "milestones": [{**milestone_to_dict(m), "done": None} for m in item.milestones],
        "targets": [target_to_dict(t) for t in item.targets],
    }


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _task_json(task: UnitTask, as_of: dt.date, plan: str) -> dict[str, Any]:
    data = _item_json(task.item, plan)
    data.update(
        role=task.role,
        status=task.status.value,
        note=task.note,
        completed_on=task.completed_on.isoformat() if task.completed_on else None,
        updated_at=task.updated_at.isoformat(sep=" ") if task.updated_at else None,
        evidence=task.evidence,
        light=task.light(as_of).value,
        next_milestone=task.next_milestone.number if task.next_milestone else None,
    )
    for entry, state in zip(data["milestones"], task.milestones, strict=True):
        entry["done"] = state.done_on.isoformat() if state.done_on else None
    for entry, target in zip(data["targets"], task.targets, strict=True):
        latest = target.latest
        entry.update(
            actual=None if latest is None else _json_number(latest.value),
            actual_period=None if latest is None else latest.period,
            met=target.met,
            trend=[{"period": a.period, "value": _json_number(a.value)} for a in target.actuals],
        )
    return data


def _dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


# -- commands ----------------------------------------------------------------------------------
def cmd_units(service: LiaisonService | ReadView, args: argparse.Namespace) -> int:
    units = service.units()
    if args.json:
        _dump(
            [
                {
                    "name": u.name,
                    "category": u.category,
                    "lead": u.lead_items,
                    "coop": u.coop_items,
                    "aliases": list(u.aliases),
                }
                for u in units
            ]
        )
        return EXIT_OK
    rows = [[u.name, u.category, str(u.lead_items), str(u.coop_items)] for u in units]
    print_table(["单位", "类别", Role.LEAD.label, Role.COOP.label], rows, [30, 20, 4, 4])
    print(f"\n共 {len(units)} 个单位")
    return EXIT_OK


def cmd_catalog(service: LiaisonService | ReadView, args: argparse.Namespace) -> int:
    items = service.catalog()
    if args.json:
        _dump([_item_json(i, service.plan_id) for i in items])
        return EXIT_OK
    rows = [
        [
            i.id,
            i.text,
            "、".join(i.lead),
            "、".join(i.coop) or "—",
            i.deadline.isoformat() if i.deadline else "—",
        ]
        for i in items
    ]
    print_table(["编号", "工作措施", "牵头单位", "配合单位", "完成时限"], rows, [6, 40, 24, 24, 10])
    info = service.plan_info()
    print(f"\n{info.name}:{info.areas} 个领域，{info.measures} 项目标任务，{info.items} 条工作措施")
    return EXIT_OK


def cmd_tasks(service: LiaisonService | ReadView, args: argparse.Namespace) -> int:
    unit = service.resolve_unit(args.unit)
    as_of = args.as_of or service.clock.today()
    tasks = service.tasks(unit)
    if args.json:
        _dump([_task_json(t, as_of, service.plan_id) for t in tasks])
        return EXIT_OK
    rows = [
        [
            t.item.id,
            Role(t.role).label,
            t.status.label,
            t.light(as_of).label,
            t.item.deadline.isoformat() if t.item.deadline else "—",
            t.item.text,
        ]
        for t in tasks
    ]
    print(f"{unit}(统计截至 {as_of.isoformat()})\n")
    print_table(["编号", "职责", "状态", "预警", "完成时限", "工作措施"], rows, [6, 4, 10, 4, 10, 50])
    lead = sum(t.role == "lead" for t in tasks)
    print(f"\n共 {len(tasks)} 条:牵头 {lead}，配合 {len(tasks) - lead}")
    return EXIT_OK


def cmd_set(service: LiaisonService | WriteView, args: argparse.Namespace) -> int:
    task = service.update(args.unit, args.item, status=args.status, note=args.note)
    print(
        f"已保存:{task.unit} {task.item.id} → {task.status.label}"
        + (f"(完成日期 {task.completed_on.isoformat()})" if task.completed_on else "")
    )
    return EXIT_OK


def _cli_date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ServiceError(f"{what}格式应为 YYYY-MM-DD:{text}") from None


def cmd_milestone(service: LiaisonService, args: argparse.Namespace) -> int:
    try:
        number = int(args.index)
    except ValueError:
        raise ServiceError(f"--index 应为时间节点的序号(1、2…):{args.index}") from None
    done_on = None if args.done.strip().lower() in ("no", "none", "否") else _cli_date(args.done, "完成日期")
    service.tick_milestone(args.unit, args.item, number, done_on)
    task = service.task(args.unit, args.item)
    state = task.milestones[number - 1]
    verb = f"已完成({done_on.isoformat()})" if done_on else "未完成"
    print(f"已保存:{task.unit} {task.item.id} 第 {number} 个时间节点({state.date.isoformat()})→ {verb}")
    if task.status is Status.DONE:
        print(f"全部时间节点已完成，{task.item.id} 已标记为已完成")
    return EXIT_OK


def cmd_actual(service: LiaisonService, args: argparse.Namespace) -> int:
    measured_on = _cli_date(args.date, "数据日期") if args.date else None
    state = service.record_actual(
        args.unit,
        args.item,
        args.target,
        args.value,
        period=args.period,
        measured_on=measured_on,
        source=args.source,
    )
    try:
        period = parse_period(args.period) if args.period else service.clock.today().strftime("%Y-%m")
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    latest = next(a for a in state.actuals if a.period == period)
    target = state.target
    print(
        f"已保存:{target.id} {target.text} {latest.period} 实际 {format_decimal(latest.value)} {target.unit}"
        f"，目标 {describe_target(target)} → {state.attainment(latest.period).label}"
    )
    return EXIT_OK


def cmd_anomalies(service: LiaisonService, _args: argparse.Namespace) -> int:
    anomalies = service.anomalies()
    rows = [[a.kind, a.location, a.detail] for a in anomalies]
    print_table(["类别", "位置", "说明"], rows, [20, 28, 90])
    print(f"\n共 {len(anomalies)} 条")
    return EXIT_OK


def cmd_attach(service: LiaisonService, args: argparse.Namespace) -> int:
    from liaison_app.evidence import EvidenceError

    unit, code = service.check_can_attach(args.unit, args.item)
    failures = 0
    for name in args.files:
        try:
            record = service.attach(unit, code, Path(name), description=args.description, period=args.period)
        except EvidenceError as exc:
            print(f"错误:{exc}", file=sys.stderr)
            failures += 1
            continue
        print(
            f"已添加:{unit} {code} ← {printable(record.original_name)}({human_size(record.size)}，"
            f"SHA-256 {record.sha256[:12]}…)"
        )
    return EXIT_BAD_INPUT if failures else EXIT_OK


def _output(raw: str) -> Path:
    """The ``-o`` path, refused at once when one of its names is longer than a disk allows
    (asking the system about it would otherwise fail with an English error)."""
    path = Path(raw)
    for part in path.parts:
        size = len(os.fsencode(part))
        if size > 255:
            raise ServiceError(f"文件名过长({size} 字节，上限 255):{printable(part[:20])}…，请改短")
    return path


def _write_failed(out: Path, exc: OSError) -> int:
    print(
        f"错误:无法写入 {printable(str(out))}:{paths.os_reason(exc)}。没有留下不完整的文件。", file=sys.stderr
    )
    return EXIT_FAILURE


def _write_pdf(pdf: Path, write: Callable[[], int]) -> int:
    """Write the PDF beside its workbook (``write`` returns the page count): 0 when written,
    else the exit code after one line on stderr."""
    from liaison_app.reports.pdf_report import PdfError

    try:
        pages = write()
    except PdfError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:
        return _write_failed(pdf, exc)
    print(f"已生成 PDF:{pdf}(共 {pages} 页，页脚印有对应 xlsx 的 SHA-256)")
    return EXIT_OK


def cmd_bundle(service: LiaisonService, args: argparse.Namespace) -> int:
    unit = service.resolve_unit(args.unit)
    files = service.bundle_files(unit, args.period)
    if not files:
        print(f"错误:{unit} 在 {args.period} 没有佐证材料可以打包", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.split_mb is not None and not (math.isfinite(args.split_mb) and 0 < args.split_mb <= 100_000):
        print("错误:--split-mb 须是大于 0、不超过 100000 的数(单位 MB)", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = _output(args.output)
    service.check_output(out)
    try:
        from liaison_app.reports.evidence_bundle import write_bundle

        result = write_bundle(files, out, args.split_mb)
    except OSError as exc:
        return _write_failed(out, exc)
    print(f"已打包 {result.files} 个文件({human_size(result.total_bytes)})，共 {len(result.parts)} 个分卷:")
    for part in result.parts:
        print(f"  {part}")
    for name in result.oversized:
        print(f"注意:「{name}」本身超过分卷大小，已单独成卷，可能无法通过邮件发送", file=sys.stderr)
    return EXIT_OK


def cmd_verify(service: LiaisonService, _args: argparse.Namespace) -> int:
    problems = service.verify_evidence()
    if not problems:
        print("佐证材料全部齐全，未发现丢失或改动。")
        return EXIT_OK
    rows = [[p.unit, p.item_code, p.original_name, p.label] for p in problems]
    print_table(["单位", "编号", "文件", "问题"], rows, [24, 6, 40, 16])
    print(f"\n共 {len(problems)} 个问题")
    return EXIT_FAILURE


def cmd_export(service: LiaisonService, args: argparse.Namespace) -> int:
    from liaison_app.reports.unit_report import continued_items, write_report
    from liaison_app.store.reporting import ReportService, as_of_problem

    unit = service.resolve_unit(args.unit)
    as_of = args.as_of or service.clock.today()
    problem = as_of_problem(args.period, as_of)
    if problem:
        print(f"错误:{problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = _output(args.output)
    if out.is_dir():
        out = out / ReportService(service).file_name(unit, args.period)
    service.check_output(out)
    service.check_output(out.with_suffix(".xlsx"))
    if out.suffix.lower() not in (".xlsx", ".pdf"):
        print(f"错误:输出文件应以 .xlsx 或 .pdf 结尾:{out}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not out.parent.is_dir():
        print(f"错误:输出文件夹不存在:{out.parent}", file=sys.stderr)
        return EXIT_BAD_INPUT
    pdf = out if out.suffix.lower() == ".pdf" else None
    xlsx = out.with_suffix(".xlsx")  # a PDF always comes with the workbook it matches
    reports = ReportService(service)
    incomplete = reports.export_check(unit, as_of, args.period)
    data = reports.report_data(unit, args.period, as_of, incomplete)
    try:
        digest = write_report(data, xlsx)
    except OSError as exc:
        return _write_failed(xlsx, exc)
    if service.read_only:  # a rescue from a read-only or full data folder: no record kept
        print("提示:数据文件夹不可写，本次导出未记入导出记录。", file=sys.stderr)
    else:
        reports.record_export(data, xlsx, digest)
    print(f"已导出:{xlsx}(SHA-256 {digest[:12]}…)")
    if pdf is not None:
        from liaison_app.reports.pdf_report import write_unit_pdf

        failed = _write_pdf(pdf, lambda: write_unit_pdf(data, xlsx, pdf))
        if failed:
            return failed
    continued = continued_items(data)
    if continued:
        print(
            f"提示:{len(continued)} 条工作措施的文字较长，在“任务进展”中分多行续排(标“(续)”)，"
            f"打印不会截断:{'、'.join(continued[:20])}",
            file=sys.stderr,
        )
    if incomplete:
        print(f"提示:{len(incomplete)} 条在导出时尚不完整，已列在封面:", file=sys.stderr)
        for code, reason in incomplete[:20]:
            print(f"  {code}:{reason}", file=sys.stderr)
    return EXIT_OK


def cmd_consolidate(service: LiaisonService, args: argparse.Namespace) -> int:
    from liaison_app.reports import office
    from liaison_app.reports.consolidation_report import write_consolidation
    from liaison_app.store.reporting import ReportService

    catalog = ReportService(service).catalog_snapshot()
    lead = service.resolve_unit(args.lead) if args.lead else ""
    missing = [p for p in args.inputs if not Path(p).exists()]
    if missing:
        print(f"错误:找不到 {'、'.join(missing)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    job = office.OfficeJob.of(
        [Path(p) for p in args.inputs],
        catalog,
        service.clock.now(),
        service.clock.today(),
        period=args.period,
        accept_modified=[Path(p) for p in args.accept_modified],
        as_of=args.as_of,
        lead=lead,
    )
    outcome = office.run(job)
    for verdict in outcome.intake.verdicts:
        print(verdict.line())
    for path, reason in outcome.intake.unmatched:
        print(f"注意:--accept-modified 指定的「{path}」未能对应到任何报表:{reason}", file=sys.stderr)
    if not outcome.has_reports:
        print("错误:没有可以汇总的报表，未生成汇总表", file=sys.stderr)
        return EXIT_BAD_INPUT
    result = outcome.result
    out = office.output_path(result, _output(args.output))
    pdf = out if out.suffix.lower() == ".pdf" else None
    if pdf is not None:
        service.check_output(pdf)
        out = out.with_suffix(".xlsx")  # a PDF always comes with the workbook it matches
    service.check_output(out)
    from liaison_app.reports.ledger_report import ledger_appendix
    from liaison_app.store.ledger import OfficeLedger

    # in the office's data folder, the ledger's ranking and trend of the period join the 汇总
    appendix = ledger_appendix(OfficeLedger(service), result.period)
    try:
        continued = write_consolidation(result, out, appendix)
    except OSError as exc:
        return _write_failed(out, exc)
    if pdf is not None:
        from liaison_app.reports.pdf_report import write_consolidation_pdf

        failed = _write_pdf(pdf, lambda: write_consolidation_pdf(result, out, pdf))
        if failed:
            return failed
    print(
        f"已生成汇总表:{out}(已报送 {len(outcome.intake.reports)} 个单位，"
        f"未报送 {len(result.missing_units)} 个，逾期 {len(result.overdue)} 条，"
        f"不一致 {len(result.inconsistent)} 条)"
    )
    if continued:
        print(
            f"提示:{len(continued)} 行文字较长，已在下面的行中续排(标“(续)”)，打印不会截断:"
            f"{'、'.join(continued[:10])}",
            file=sys.stderr,
        )
    return EXIT_OK if outcome.all_used else EXIT_FAILURE


def cmd_office(service: LiaisonService, args: argparse.Namespace) -> int:
    from liaison_app import office_cli

    return office_cli.run(service, args)


def cmd_office_register_quick(view: ReadView, args: argparse.Namespace) -> int:
    from liaison_app import office_cli

    return office_cli.quick_register(view, args)


def cmd_cases(service: LiaisonService, args: argparse.Namespace) -> int:
    from liaison_app.store.duties import DutiesService

    unit = service.resolve_unit(args.unit)
    found = DutiesService(service).cases(unit, args.period)
    if args.json:
        _dump(
            [
                {
                    "id": c.id,
                    "unit": c.unit,
                    "period": c.period,
                    "kind": c.kind,
                    "title": c.title,
                    "body": c.body,
                    "related": list(c.related),
                    "attachments": [a.original_name for a in c.attachments],
                }
                for c in found
            ]
        )
        return EXIT_OK
    rows = [
        [c.period, c.kind_label, c.title, "、".join(c.related) or "—", str(len(c.attachments))] for c in found
    ]
    print_table(["月份", "类型", "标题", "关联工作措施", "附件"], rows, [7, 4, 40, 20, 4])
    if args.period and not found:
        print(f"\n{unit} 在 {args.period} 还没有典型案例(每月至少报送一篇)")
    else:
        print(f"\n共 {len(found)} 篇")
    return EXIT_OK


def cmd_groups(service: LiaisonService, args: argparse.Namespace) -> int:
    from liaison_app.store.duties import DutiesService

    found = DutiesService(service).groups(args.unit)
    if args.json:
        _dump(
            [
                {
                    "number": g.number,
                    "name": g.name,
                    "lead": list(g.lead),
                    "members": list(g.members),
                    "all_members": g.all_members,
                    "duties": g.duties,
                    "role": g.role or None,
                }
                for g in found
            ]
        )
        return EXIT_OK
    rows = [[g.title, g.role or "、".join(g.lead), g.duties] for g in found]
    print_table(["专项小组", "本单位角色" if args.unit else "牵头单位", "主要职责"], rows, [36, 24, 60])
    return EXIT_OK


def cmd_restore(data_dir: Path, source: Path) -> int:
    """Runs with the database closed (never through an open service)."""
    from liaison_app.store.backup import BackupError, RestoreIncompleteError
    from liaison_app.store.restore import restore

    try:
        report = restore(paths.ensure_data_dir(data_dir), source, dt.datetime.now())
    except RestoreIncompleteError as exc:  # some of it was switched in: say exactly what is where
        print(f"错误:{exc}", file=sys.stderr)
        return EXIT_FAILURE
    except (BackupError, paths.DataDirError, OSError) as exc:
        reason = str(exc) if isinstance(exc, (BackupError, paths.DataDirError)) else paths.os_reason(exc)
        print(f"错误:没有恢复，现有数据未被改动。{reason}", file=sys.stderr)
        return EXIT_BAD_INPUT if isinstance(exc, BackupError) else EXIT_FAILURE
    print("\n".join(report.lines()))
    return EXIT_OK


def cmd_backups(data_dir: Path) -> int:
    from liaison_app.store.backup import automatic_backups

    found = automatic_backups(data_dir)
    for path in found:
        stamp = dt.datetime.fromtimestamp(path.stat().st_mtime)
        print(f"{stamp:%Y-%m-%d %H:%M}  {path.parent.name:13}  {path}")
    print(f"共 {len(found)} 个自动备份(每天一个，保留 7 天和 4 周;升级前另有备份)")
    return EXIT_OK


def cmd_backup(service: LiaisonService, args: argparse.Namespace) -> int:
    from liaison_app.store.backup import BackupError

    out = _output(args.output)
    if out.is_dir():
        out = out / f"营商环境台账备份_{service.clock.now():%Y%m%d-%H%M%S}.zip"
    if not out.parent.is_dir():
        print(f"错误:文件夹不存在:{out.parent}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = service.full_backup(out)
    except BackupError as exc:
        print(f"错误:没有备份。{exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"已备份到 {out}(佐证材料 {result['evidence']} 个，共 {human_size(result['bytes'])})")
    return EXIT_OK


COMMANDS = {
    "units": cmd_units,
    "catalog": cmd_catalog,
    "tasks": cmd_tasks,
    "set": cmd_set,
    "milestone": cmd_milestone,
    "actual": cmd_actual,
    "attach": cmd_attach,
    "bundle": cmd_bundle,
    "verify": cmd_verify,
    "export": cmd_export,
    "consolidate": cmd_consolidate,
    "office": cmd_office,
    "cases": cmd_cases,
    "groups": cmd_groups,
    "backup": cmd_backup,
    "anomalies": cmd_anomalies,
}


# Options whose value is free text: "-压减…" is a note, not an option (argparse would refuse it).
TEXT_OPTIONS = ("--note", "--description")


def take_text_options(argv: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Take ``--note TEXT`` (and ``--note=TEXT``) out before argparse sees them: argparse reads
    a value that starts with "-" (``-压减…``) or is "--" as an option, never as text."""
    rest: list[str] = []
    texts: dict[str, str] = {}
    tokens = iter(argv)
    for token in tokens:
        option, equals, value = token.partition("=")
        if option in TEXT_OPTIONS and equals:
            texts[option] = value
        elif token in TEXT_OPTIONS:
            following = next(tokens, None)
            if following is None:
                rest.append(token)  # argparse then says the value is missing
            else:
                texts[token] = following
        else:
            rest.append(token)
    return rest, texts


def parse(argv: Sequence[str]) -> argparse.Namespace:
    rest, texts = take_text_options(argv)
    parser = build_parser()
    args = parser.parse_args(rest)
    for option, value in texts.items():
        dest = option.lstrip("-")
        if not hasattr(args, dest):
            parser.error(f"命令 {args.command or ''} 没有 {option} 选项")
        setattr(args, dest, value)
    return args


# Commands that only read the data: while another program (the window) holds the data folder,
# or when the folder cannot be written (a full or read-only disk: rescue), they read without
# the lock through a read-only connection. Every other command takes the lock and waits for it.
READERS = {
    "units",
    "catalog",
    "tasks",
    "cases",
    "groups",
    "anomalies",
    "verify",
    "bundle",
    "backup",
    "consolidate",
    "office register",
    "office trend",
    "office remind",
    "office bulletin",
}
# Readers answered from sqlite3 alone (store/read_view.py) when the database is current: they
# start in a third of the time, without importing SQLAlchemy. The same read functions as the service.
QUICK_READERS: dict[str, Callable[[ReadView, argparse.Namespace], int]] = {
    "units": cmd_units,
    "catalog": cmd_catalog,
    "tasks": cmd_tasks,
    "office register": cmd_office_register_quick,
}
# Writers answered without SQLAlchemy on a current database (store/write_view.py).
QUICK_WRITERS: dict[str, Callable[[WriteView, argparse.Namespace], int]] = {"set": cmd_set}
ENV_LOCK_WAIT = "LIAISON_APP_LOCK_WAIT"  # seconds a writing command waits for the data folder
RESCUE = READERS | {"export"}  # may run read-only when the folder cannot be written


def bad_argument(argv: Sequence[str]) -> str:
    """A Chinese sentence when a command-line argument is not valid text (invalid UTF-8 bytes
    arrive as lone surrogates), else ""."""
    for number, argument in enumerate(argv, start=1):
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in argument):
            return f"第 {number} 个命令行参数含有无效的字符编码(不是 UTF-8):{printable(argument)}"
    return ""


def lock_wait_seconds() -> float:
    """How long a writing command waits for the data folder's lock (``LIAISON_APP_LOCK_WAIT``)."""
    try:
        return float(os.environ.get(ENV_LOCK_WAIT, "10"))
    except ValueError:
        return 10.0


def open_for(command: str, data_dir: Path, plan: str | None = None) -> LiaisonService:
    """The service a command needs: locked for writers, read-only when a reader cannot lock."""
    from liaison_app.store.database import DatabaseError
    from liaison_app.store.service import LiaisonService

    wait = lock_wait_seconds()
    try:
        return LiaisonService.open(data_dir, wait_seconds=0.0 if command in READERS else wait, plan=plan)
    except DataInUseError:
        if command not in READERS:
            raise
        try:
            return LiaisonService.open_read_only(data_dir, plan=plan)
        except (DatabaseError, ServiceError):
            # The holder is still creating or upgrading the ledger: wait for it like a writer.
            return LiaisonService.open(data_dir, wait_seconds=wait, plan=plan)
    except paths.DataDirError:
        if command not in RESCUE or not paths.database_path(paths.data_dir(data_dir)).is_file():
            raise
    return LiaisonService.open_read_only(data_dir, plan=plan)


def start_collecting() -> None:
    """The collector back on after start-up (see main). What start-up made is frozen first:
    it lives as long as the process, and unfrozen, the first collection would scan all of it
    (nothing was collected, so nothing was promoted to an older generation)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def run(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    problem = bad_argument(arguments)
    if problem:
        print(f"错误:{problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    args = parse(arguments)
    if args.command is None:
        from liaison_app.app import run_gui  # Qt is imported only when the window is wanted

        return int(run_gui(paths.data_dir(args.data_dir)))
    if args.command in ("plan", "restore", "backups", "selftest"):
        start_collecting()  # these work without opening the data first
    if args.command == "plan":  # file-level plan commands open the data folder only if they must
        return plan_cli.run(args, args.data_dir)
    data_dir = paths.data_dir(args.data_dir)
    if args.command == "restore":  # leaves the data folder as it was when it refuses: no log file
        return cmd_restore(data_dir, Path(args.file))
    if args.command == "backups":
        return cmd_backups(data_dir)
    logs.setup(data_dir, debug=args.debug)
    log.info("command %s", args.command)
    if args.command == "selftest":
        from liaison_app.app import selftest

        return selftest(data_dir)
    from liaison_app.store.sqlite_read import DatabaseError, MissingDatabaseError

    # office actions that only read the ledger (and write files elsewhere) are readers too
    command = f"office {args.office_command}" if args.command == "office" else args.command
    plan = getattr(args, "plan", None)
    view: ReadView | None = None
    writer: WriteView | None = None
    service: LiaisonService | None = None
    try:
        if command in QUICK_READERS:
            from liaison_app.store.read_view import ReadView

            view = ReadView.open(data_dir, plan=plan)
        elif command in QUICK_WRITERS:
            from liaison_app.store.write_view import WriteView

            writer = WriteView.open(data_dir, wait_seconds=lock_wait_seconds(), plan=plan)
        if view is None and writer is None:
            service = open_for(command, data_dir, plan)
    except UnknownPlanError as exc:  # --plan names no loaded plan
        print(f"错误:{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (DatabaseError, paths.DataDirError, DataInUseError, ServiceError) as exc:
        hint = ""
        if isinstance(exc, DatabaseError):
            from liaison_app.store.restore import latest_good_backup

            latest = latest_good_backup(data_dir) if isinstance(exc, MissingDatabaseError) else None
            hint = (
                f" 最近一次通过校验的自动备份:{latest}，恢复它:liaison-app restore {latest}"
                if latest is not None
                else " 可用 `liaison-app backups` 查看自动备份，用 `liaison-app restore 备份文件` 恢复。"
            )
        log.warning("command %s: the data could not be opened: %s", args.command, exc)
        print(f"错误:{exc}{hint}", file=sys.stderr)
        return EXIT_FAILURE
    start_collecting()  # start-up is over: the command's own work may make garbage
    try:
        if view is not None:  # the data is current: answered without SQLAlchemy
            return QUICK_READERS[command](view, args)
        if writer is not None:  # the data is current: written without SQLAlchemy
            return QUICK_WRITERS[command](writer, args)
        assert service is not None
        return COMMANDS[args.command](service, args)
    finally:
        for opened in (view, writer, service):
            if opened is not None:
                opened.close()


def exit_code(exc: BaseException) -> int:
    """1 when the work failed (storage, files, damaged data, a bug); 2 when the input was bad."""
    if isinstance(exc, StorageError) or not is_expected(exc):
        return EXIT_FAILURE
    return EXIT_BAD_INPUT if isinstance(exc, ValueError) else EXIT_FAILURE


def report_failure(exc: BaseException, command: str, debug: bool) -> int:
    """Tell a failure no command handled itself: one Chinese line on stderr (the traceback too
    with --debug), the full story in the log."""
    code = exit_code(exc)
    message = user_message(exc)
    if is_expected(exc):
        log.warning("command %s failed (exit %d): %s", command, code, message)
    else:
        log.error("command %s failed with a bug", command, exc_info=exc)
        where = logs.current_log_file()
        message += f"。详情已记录在 {where}" if where else ""
        message += ";请发给技术支持(加 --debug 可显示详细信息)"
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    print(f"错误:{message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and not stream.isatty():
            stream.reconfigure(encoding="utf-8", errors="replace")
    arguments = list(sys.argv[1:] if argv is None else argv)
    collecting = gc.isenabled()
    # Start-up allocates hundreds of thousands of objects (modules, classes, the catalogue) and
    # frees almost none: the cyclic collector only costs time then (~10 % of the window's start).
    # It is switched back on once the data is open (run_gui: once the window is usable).
    gc.disable()
    try:
        return run(arguments)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stdout = None  # nothing more can be written to a closed pipe
        return EXIT_OK
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except Exception as exc:
        command = next((a for a in arguments if a in COMMANDS or a in ("plan", "restore")), "")
        return report_failure(exc, command, "--debug" in arguments)
    finally:
        if collecting:
            gc.enable()
        logs.shutdown()


if __name__ == "__main__":
    sys.exit(main())
