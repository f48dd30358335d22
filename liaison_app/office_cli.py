"""``liaison-app office …``: the office ledger on the command line (receive, due, register,
trend, remind, bulletin). Output and exit codes follow the CLI contract of ``cli.py``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from liaison_app.store.ledger_register import RegisterReader, RegisterState
from liaison_app.store.records import ServiceError
from liaison_app.vocabulary import Verdict, period_label

if TYPE_CHECKING:  # the ledger (SQLAlchemy) loads only for the actions that need it
    from liaison_app.store.ledger import OfficeLedger
    from liaison_app.store.read_view import ReadView
    from liaison_app.store.service import LiaisonService

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
USED = (Verdict.ACCEPTED, Verdict.SUPERSEDED, Verdict.MODIFIED_ACCEPTED)


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _latest_period(ledger: OfficeLedger | RegisterReader) -> str:
    """The latest period with a return in use: a file refused for a future or mistaken period
    does not make that period the default (everyone would show as 未报)."""
    periods = ledger.periods(used_only=True) or ledger.periods()
    if not periods:
        raise ServiceError("台账中还没有接收过任何报表，请先用 office receive 接收")
    return periods[-1]


def cmd_receive(ledger: OfficeLedger, args: argparse.Namespace) -> int:
    missing = [p for p in args.inputs if not Path(p).exists()]
    if missing:
        print(f"错误:找不到 {'、'.join(missing)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    verdicts = ledger.receive(
        [Path(p) for p in args.inputs], args.period, accept_modified=[Path(p) for p in args.accept_modified]
    )
    if not verdicts:
        print("错误:没有找到报表文件(.xlsx)", file=sys.stderr)
        return EXIT_BAD_INPUT
    for verdict in verdicts:
        print(verdict.line())
    return EXIT_OK if all(v.verdict in USED for v in verdicts) else EXIT_FAILURE


def cmd_due(ledger: OfficeLedger, args: argparse.Namespace) -> int:
    if args.day is not None:
        ledger.set_due_day(args.day)
        print(f"每月报送截止日:{args.day} 日")
    if args.date is not None:
        if args.period is None:
            print("错误:设置截止日期时请同时给出 --period", file=sys.stderr)
            return EXIT_BAD_INPUT
        ledger.set_due(args.period, args.date)
    if args.period is not None:
        print(f"{period_label(args.period)} 报送截止日期:{ledger.due_on(args.period):%Y-%m-%d}")
    elif args.day is None:
        print(f"每月报送截止日:{ledger.due_day()} 日")
    return EXIT_OK


def cmd_register(ledger: OfficeLedger | RegisterReader, args: argparse.Namespace) -> int:
    period = args.period or _latest_period(ledger)
    lines = ledger.register(period)
    if args.json:
        data = {
            "period": period,
            "due": ledger.due_on(period).isoformat(),
            "units": [line.as_json() for line in lines],
        }
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return EXIT_OK
    print(f"{period_label(period)} 报送登记(截止 {ledger.due_on(period):%Y-%m-%d})")
    for line in lines:
        when = f"{line.received_at:%Y-%m-%d %H:%M}" if line.received_at else "—"
        late = f"(迟 {line.days_late} 天)" if line.state == RegisterState.LATE else ""
        print(f"{line.unit}\t{line.state}{late}\t{when}")
    return EXIT_OK


def cmd_trend(ledger: OfficeLedger, args: argparse.Namespace) -> int:
    unit = ledger.service.resolve_unit(args.unit) if args.unit else None
    points = ledger.trend(unit=unit, area=args.area)
    periods = ledger.periods(used_only=True)
    ranking = ledger.ranking(periods[-1]) if periods and unit is None and args.area is None else []
    if args.json:
        data: dict[str, object] = {
            "scope": unit or (f"area {args.area}" if args.area is not None else "all"),
            "trend": [p.as_json() for p in points],
        }
        if ranking:
            data["ranking"] = {
                "period": periods[-1],
                "units": [{"rank": r.rank, "unit": r.unit, **r.figures.as_json()} for r in ranking],
            }
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return EXIT_OK
    print("报送期\t完成率\t环比\t逾期事项\t逾期时间节点\t序时进度")
    for point in points:
        f = point.figures
        change = "—" if point.change is None else f"{point.change * 100:+.1f}"
        print(
            f"{f.period}\t{_percent(f.completion)}\t{change}\t{f.overdue}\t{f.overdue_milestones}"
            f"\t{_percent(f.schedule)}"
        )
    if ranking:
        print(f"\n{period_label(periods[-1])} 单位排名(按序时进度，再按逾期数)")
        for r in ranking:
            print(f"{r.rank}\t{r.unit}\t{_percent(r.figures.schedule)}\t逾期 {r.figures.overdue}")
    return EXIT_OK


def cmd_remind(ledger: OfficeLedger, args: argparse.Namespace) -> int:
    from liaison_app.reports.ledger_report import write_reminders

    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        print(f"错误:{folder} 不是文件夹", file=sys.stderr)
        return EXIT_BAD_INPUT
    ledger.service.check_output(folder)
    by = args.by or ledger.service.clock.today() + dt.timedelta(days=5)
    try:
        written = write_reminders(ledger, args.period, folder, by)
    except OSError as exc:
        print(f"错误:无法写入 {folder}:{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE
    for path in written:
        print(f"已生成催办通知:{path}")
    print(f"共 {len(written)} 份催办通知")
    return EXIT_OK


def cmd_bulletin(ledger: OfficeLedger, args: argparse.Namespace) -> int:
    from liaison_app.reports.ledger_report import write_bulletin

    out = Path(args.output)
    if out.is_dir():
        out = out / f"营商环境工作通报-{args.period}.xlsx"
    ledger.service.check_output(out)
    try:
        write_bulletin(ledger, args.period, out)
    except OSError as exc:
        print(f"错误:无法写入 {out}:{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"已生成通报:{out}")
    return EXIT_OK


def cmd_keys(ledger: OfficeLedger, args: argparse.Namespace) -> int:
    from liaison_app.store.keys import UnitKeys, claims_from

    keys = UnitKeys(ledger.service)
    if args.keys_command == "register":
        unit = ledger.service.resolve_unit(args.unit) if args.unit else None
        registered, verdicts = ledger.register_keys(claims_from(unit, args.sources))
        for key in registered:
            print(f"已登记 {key.unit} 的签名密钥 {key.fingerprint}({key.source.label})")
        for verdict in verdicts:
            print(f"重新判定:{verdict.line()}")
        return EXIT_OK
    if args.keys_command == "revoke":
        key = keys.revoke(args.unit, args.fingerprint)
        print(f"已撤销 {key.unit} 的签名密钥 {key.fingerprint}(撤销于 {key.revoked_at:%Y-%m-%d %H:%M})")
        return EXIT_OK
    listed = keys.on_record()
    if args.json:
        print(json.dumps({"keys": [key.as_json() for key in listed]}, ensure_ascii=False, indent=1))
        return EXIT_OK
    if not listed:
        print("办公室还没有登记任何单位的签名密钥(接收各单位的第一份签名报表时自动登记)")
        return EXIT_OK
    print("单位\t签名密钥指纹\t登记时间\t来源\t状态")
    for key in listed:
        state = f"已撤销({key.revoked_at:%Y-%m-%d})" if key.revoked_at else "有效"
        print(f"{key.unit}\t{key.fingerprint}\t{key.first_seen:%Y-%m-%d %H:%M}\t{key.source.label}\t{state}")
    return EXIT_OK


ACTIONS = {
    "receive": cmd_receive,
    "due": cmd_due,
    "register": cmd_register,
    "trend": cmd_trend,
    "remind": cmd_remind,
    "bulletin": cmd_bulletin,
    "keys": cmd_keys,
}


def run(service: LiaisonService, args: argparse.Namespace) -> int:
    from liaison_app.store.ledger import OfficeLedger

    return ACTIONS[args.office_command](OfficeLedger(service), args)


def quick_register(view: ReadView, args: argparse.Namespace) -> int:
    """``office register`` on a current database, read with sqlite3 alone (no SQLAlchemy)."""
    return cmd_register(RegisterReader(view.connection, view.catalogue), args)
