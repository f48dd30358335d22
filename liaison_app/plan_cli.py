"""``liaison-app plan …``: the template, import preview, the published package, and diff.

Kept out of :mod:`liaison_app.cli` (which only registers and dispatches) so the plan commands
grow without touching the shared entry point. Exit codes as in cli.py: 0 done, 1 could not
open or write, 2 bad input (not a plan, refused, bad arguments), one Chinese line on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from liaison_app import __version__
from liaison_app.errors import os_error_reason

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def register(sub: Any) -> None:
    """Add the ``plan`` command group to the top-level subparsers."""
    plan = sub.add_parser("plan", help="工作方案:导入预览、模板、发布包、版本比较")
    commands = plan.add_subparsers(dest="plan_command", metavar="PLAN_COMMAND", required=True)

    template = commands.add_parser("template", help="生成任务分解表模板(xlsx)")
    template.add_argument("-o", "--output", required=True, help="输出文件，如 任务分解表模板.xlsx")

    importer = commands.add_parser("import", help="导入工作方案(任务分解表、工作要点、发布包)，先预览")
    importer.add_argument("file", metavar="FILE", help="xlsx、docx、txt 或发布包")
    importer.add_argument("--dry-run", action="store_true", help="只预览，不作任何改动")
    importer.add_argument("--json", action="store_true", help="以 JSON 输出预览")
    importer.add_argument("--id", dest="plan_id", help="方案编号(默认取自标题或文件名)")
    importer.add_argument("--name", help="方案名称(默认取自标题或文件名)")
    importer.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="名称=已知单位",
        help="把文中的单位名称对应到已知单位(可多次使用)",
    )
    importer.add_argument(
        "--registry", metavar="FILE", help="用这份方案的单位名录核对单位(默认数据中已知的单位)"
    )
    importer.add_argument(
        "--revises", metavar="ID", help="作为已载入方案 ID 的新版本载入，进展随工作措施转入"
    )
    importer.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="旧编号=新编号",
        help="指定新版本中与旧工作措施对应的编号(可多次使用)",
    )
    importer.add_argument("--accept-doubtful", action="store_true", help="接受把握不大的对应关系")
    importer.add_argument(
        "--archive-dropped", action="store_true", help="新版本删去的工作措施连同已有记录归档(只读保留)"
    )

    listing = commands.add_parser("list", help="列出已载入的工作方案")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    activate = commands.add_parser("activate", help="把某个已载入的工作方案设为当前方案")
    activate.add_argument("plan_id", metavar="ID", help="方案编号(见 plan list)")

    export = commands.add_parser("export", help="把当前工作方案导出为发布包(xlsx)")
    export.add_argument(
        "-o", "--output", required=True, help="输出的 xlsx 文件，或一个文件夹(使用标准文件名)"
    )
    export.add_argument("--revision", type=int, default=None, help="版本号(默认为该方案已载入的版本)")
    export.add_argument("--plan", help="方案编号(默认当前方案)")

    diff = commands.add_parser("diff", help="比较两个版本的工作方案")
    diff.add_argument("old", metavar="OLD", help="旧版本(任一可导入的方案文件)")
    diff.add_argument("new", metavar="NEW", help="新版本")
    diff.add_argument("--json", action="store_true", help="以 JSON 输出")


def run(args: argparse.Namespace, data_dir_arg: str | None) -> int:
    from liaison_app import paths
    from liaison_app.data_lock import DataInUseError
    from liaison_app.plan.importers import PlanImportError
    from liaison_app.store.database import DatabaseError
    from liaison_app.store.records import ServiceError

    handlers = {
        "template": _template,
        "import": _import,
        "export": _export,
        "diff": _diff,
        "list": _list,
        "activate": _activate,
    }
    try:
        return handlers[args.plan_command](args, data_dir_arg)
    except PlanImportError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (DatabaseError, paths.DataDirError, DataInUseError) as exc:
        print(f"错误:无法打开数据:{exc}", file=sys.stderr)
        return EXIT_FAILURE
    except ServiceError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _fail(message: str, code: int) -> int:
    print(f"错误:{message}", file=sys.stderr)
    return code


def _template(args: argparse.Namespace, _data_dir: str | None) -> int:
    from liaison_app.plan.importers.template import template_workbook
    from liaison_app.reports.workbook_io import save_atomically

    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        return _fail(f"模板文件名应以 .xlsx 结尾:{out.name}", EXIT_BAD_INPUT)
    try:
        save_atomically(template_workbook(), out)
    except OSError as exc:
        return _fail(f"无法写入 {out}:{os_error_reason(exc)}", EXIT_FAILURE)
    print(f"已生成任务分解表模板:{out}")
    return EXIT_OK


def _registry(path: str | None, database: Any) -> Any:
    from liaison_app.plan.importers import bundled_registry, read_plan
    from liaison_app.plan.units import UnitRegistry
    from liaison_app.store import plans

    if path is not None:
        source = read_plan(Path(path))
        return UnitRegistry(source.plan.units, source.plan.aliases)
    if database is not None:
        known = plans.registry(database)
        if known.units:
            return known
    return bundled_registry()


def _open_database(data_dir_arg: str | None) -> Any:
    """The data folder's database, locked (one writer per folder), without loading the bundled
    plan into a fresh one. Call :func:`_close_database` when done."""
    from liaison_app import data_lock, paths
    from liaison_app.store.database import open_database
    from liaison_app.store.service import LOCK_WAIT_SECONDS

    folder = paths.ensure_data_dir(paths.data_dir(data_dir_arg))
    data_lock.acquire(folder, LOCK_WAIT_SECONDS)
    try:
        return open_database(paths.database_path(folder), dt.datetime.now())
    except BaseException:
        data_lock.release(folder)
        raise


def _close_database(database: Any) -> None:
    from liaison_app import data_lock

    database.dispose()
    data_lock.release(database.path.parent)


def _import(args: argparse.Namespace, data_dir_arg: str | None) -> int:
    from liaison_app.plan.importers import parse_alias_args, read_plan

    database = None if args.dry_run else _open_database(data_dir_arg)
    try:
        result = read_plan(
            Path(args.file),
            registry=_registry(args.registry, database),
            aliases=parse_alias_args(args.alias),
            plan_id=args.plan_id,
            name=args.name,
        )
        preview = result.preview
        status, message, code = "preview", "", EXIT_OK
        extra: dict[str, Any] = {}
        if not preview.loadable:
            status, code = "refused", EXIT_BAD_INPUT
            message = "该方案有须先改正的问题(见上)，不能载入。"
        elif database is not None:
            status, message, code, extra = _load(args, result, database)
    finally:
        if database is not None:
            _close_database(database)
    if args.json:
        data: dict[str, Any] = preview.to_dict()
        data["status"] = status
        if result.draft.kind == "package":
            data["package"] = {k: v for k, v in result.draft.extra.items() if k != "item_ids"}
        data["items"] = [
            {
                "id": item.code,
                "measure": item.measure,
                "text": item.text,
                "lead": item.lead,
                "coop": item.coop,
                "deadline": item.deadline.isoformat() if item.deadline else None,
                "where": result.draft.locations.get(item.code, ""),
            }
            for item in result.plan.items()
        ]
        data.update(extra)
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(preview.render())
        if code == EXIT_OK and message:
            print(message)
    if code != EXIT_OK:
        print(f"错误:{message}", file=sys.stderr)
    return code


def _map_args(values: list[str]) -> dict[str, str]:
    from liaison_app.plan.importers import PlanImportError

    mapping = {}
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old.strip():
            raise PlanImportError(f"--map 的写法应为 旧编号=新编号:{value}")
        mapping[old.strip()] = new.strip()
    return mapping


def _load(args: argparse.Namespace, result: Any, database: Any) -> tuple[str, str, int, dict[str, Any]]:
    """Load the reviewed plan: a new plan, the same one again, or a revision of a loaded one."""
    from liaison_app.store import plans
    from liaison_app.store.records import ServiceError

    plan = result.plan
    extra_info = result.draft.extra or {}
    revision = int(extra_info.get("revision", 1))
    item_ids = extra_info.get("item_ids")
    revises = args.revises
    loaded = {p.plan_id: p for p in plans.list_plans(database)}
    newer = plan.plan_id in loaded and revision > loaded[plan.plan_id].revision
    if revises is None and result.draft.kind == "package" and newer:
        revises = plan.plan_id  # the office's next revision of a plan this folder has
    now = dt.datetime.now()
    try:
        if revises is None:
            outcome = plans.load(database, plan, now, revision=revision, item_ids=item_ids)
        else:
            if revises not in loaded:
                known = "、".join(loaded) or "无"
                raise ServiceError(f"--revises {revises}:没有载入这个工作方案(已载入:{known})")
            target = plans.plan_revision(
                database, revises, plan, explicit=_map_args(args.map), new_item_ids=item_ids
            )
            outcome = plans.revise(
                database,
                target,
                plan,
                now,
                accept_doubtful=args.accept_doubtful,
                archive_dropped=args.archive_dropped,
                revision=revision if result.draft.kind == "package" and revises == plan.plan_id else None,
                item_ids=item_ids,
            )
    except plans.RevisionRefused as exc:
        return "refused", str(exc), EXIT_BAD_INPUT, {"doubtful": exc.doubtful, "orphaned": exc.orphaned}
    except ServiceError as exc:
        return "refused", str(exc), EXIT_BAD_INPUT, {}
    extra: dict[str, Any] = {"loaded": {"id": outcome.plan_id, "revision": outcome.revision}}
    if outcome.revised is not None:
        extra["revised"] = {
            "carried": [{"old": o, "new": n} for o, n in outcome.revised.carried],
            "added": outcome.revised.added,
            "archived": outcome.revised.archived,
        }
    return outcome.status, outcome.message, EXIT_OK, extra


def _list(args: argparse.Namespace, data_dir_arg: str | None) -> int:
    from liaison_app import paths
    from liaison_app.store import plans
    from liaison_app.store.service import LiaisonService

    service = LiaisonService.open(paths.data_dir(data_dir_arg))
    try:
        found = plans.list_plans(service.database)
    finally:
        service.close()
    if args.json:
        print(json.dumps([p.to_dict() for p in found], ensure_ascii=False, indent=1))
        return EXIT_OK
    for p in found:
        mark = "*" if p.active else " "
        archived = f"，归档 {p.archived} 条" if p.archived else ""
        print(
            f"{mark} {p.plan_id}  《{p.name}》第{p.revision}版  印发 {p.issued_on.isoformat()}  "
            f"工作措施 {p.items} 条{archived}，单位 {p.units} 个"
        )
    print(f"共 {len(found)} 个工作方案(* 为当前方案)")
    return EXIT_OK


def _activate(args: argparse.Namespace, data_dir_arg: str | None) -> int:
    from liaison_app import paths
    from liaison_app.store import plans
    from liaison_app.store.service import LiaisonService

    service = LiaisonService.open(paths.data_dir(data_dir_arg))
    try:
        summary = plans.activate(service.database, args.plan_id.strip())
    finally:
        service.close()
    print(f"当前工作方案:《{summary.name}》({summary.plan_id}，第{summary.revision}版)")
    return EXIT_OK


def _export(args: argparse.Namespace, data_dir_arg: str | None) -> int:
    from liaison_app import paths
    from liaison_app.plan.package import Package, new_item_ids, package_file_name, write_package
    from liaison_app.store import plans
    from liaison_app.store.plan_loader import DEFAULT_PLAN_ID, bundled_plan
    from liaison_app.store.service import LiaisonService

    if args.revision is not None and args.revision < 1:
        return _fail("版本号应为正整数", EXIT_BAD_INPUT)
    service = LiaisonService.open(paths.data_dir(data_dir_arg), plan=args.plan)
    try:
        plan, revision, item_ids = plans.loaded_plan(service.database, service.plan_id)
    finally:
        service.close()
    bundled = bundled_plan()
    if plan.plan_id == DEFAULT_PLAN_ID and revision == 1 and plan.source_sha256 == bundled.source_sha256:
        plan = bundled  # the bundled plan as shipped, milestones and targets included
    revision = args.revision or revision
    item_ids = {**new_item_ids(plan), **item_ids}
    out = Path(args.output)
    if out.is_dir():
        out = out / package_file_name(plan, revision)
    elif out.suffix.lower() != ".xlsx":
        return _fail(f"发布包文件名应以 .xlsx 结尾:{out.name}", EXIT_BAD_INPUT)
    package = Package(
        plan=plan,
        revision=revision,
        item_ids=item_ids,
        published_at=dt.datetime.now().isoformat(sep=" ", timespec="seconds"),
        app_version=__version__,
    )
    try:
        digest = write_package(package, out)
    except OSError as exc:
        return _fail(f"无法写入 {out}:{os_error_reason(exc)}", EXIT_FAILURE)
    print(f"已导出工作方案发布包:{out}(工作措施 {len(plan.items())} 条，SHA-256 {digest[:12]}…)")
    return EXIT_OK


def _diff(args: argparse.Namespace, _data_dir: str | None) -> int:
    from liaison_app.plan.diff import diff_plans
    from liaison_app.plan.importers import bundled_registry, read_plan

    registry = bundled_registry()
    old = read_plan(Path(args.old), registry=registry).plan
    new = read_plan(Path(args.new), registry=registry).plan
    diff = diff_plans(old, new)
    if args.json:
        print(
            json.dumps(
                {"old": old.plan_id, "new": new.plan_id, **diff.to_dict()}, ensure_ascii=False, indent=1
            )
        )
    else:
        print(f"《{old.name}》({old.plan_id}) → 《{new.name}》({new.plan_id})")
        sys.stdout.write(diff.render())
    return EXIT_OK
