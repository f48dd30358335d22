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
    importer.add_argument("--registry", metavar="FILE", help="用这份方案的单位名录核对单位(默认内置方案)")

    export = commands.add_parser("export", help="把当前工作方案导出为发布包(xlsx)")
    export.add_argument(
        "-o", "--output", required=True, help="输出的 xlsx 文件，或一个文件夹(使用标准文件名)"
    )
    export.add_argument("--revision", type=int, default=1, help="版本号(默认 1)")

    diff = commands.add_parser("diff", help="比较两个版本的工作方案")
    diff.add_argument("old", metavar="OLD", help="旧版本(任一可导入的方案文件)")
    diff.add_argument("new", metavar="NEW", help="新版本")
    diff.add_argument("--json", action="store_true", help="以 JSON 输出")


def run(args: argparse.Namespace, data_dir_arg: str | None) -> int:
    from liaison_app.plan.importers import PlanImportError

    handlers = {"template": _template, "import": _import, "export": _export, "diff": _diff}
    try:
        return handlers[args.plan_command](args, data_dir_arg)
    except PlanImportError as exc:
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
        return _fail(f"无法写入 {out}:{exc.strerror or exc}", EXIT_FAILURE)
    print(f"已生成任务分解表模板:{out}")
    return EXIT_OK


def _registry(path: str | None) -> Any:
    from liaison_app.plan.importers import bundled_registry, read_plan
    from liaison_app.plan.units import UnitRegistry

    if path is None:
        return bundled_registry()
    source = read_plan(Path(path))
    return UnitRegistry(source.plan.units, source.plan.aliases)


def _import(args: argparse.Namespace, data_dir_arg: str | None) -> int:
    from liaison_app.plan.importers import parse_alias_args, read_plan

    path = Path(args.file)
    result = read_plan(
        path,
        registry=_registry(args.registry),
        aliases=parse_alias_args(args.alias),
        plan_id=args.plan_id,
        name=args.name,
    )
    preview = result.preview
    status = "preview"
    message = ""
    code = EXIT_OK
    if not preview.loadable:
        status, code = "refused", EXIT_BAD_INPUT
        message = "该方案有须先改正的问题(见上)，不能载入。"
    elif not args.dry_run:
        status, message, code = _load(result.plan, data_dir_arg)
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
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(preview.render())
        if status == "already_loaded":
            print(message)
    if code != EXIT_OK:
        print(f"错误:{message}", file=sys.stderr)
    return code


def _load(plan: Any, data_dir_arg: str | None) -> tuple[str, str, int]:
    """Loading a plan into the database: only "already loaded" until multi-plan support lands."""
    from liaison_app import paths
    from liaison_app.store.database import DatabaseError
    from liaison_app.store.plan_loader import DEFAULT_PLAN_ID, bundled_plan
    from liaison_app.store.service import LiaisonService

    try:
        service = LiaisonService.open(paths.data_dir(data_dir_arg))
    except (DatabaseError, paths.DataDirError) as exc:
        return "failed", f"无法打开数据:{exc}", EXIT_FAILURE
    try:
        active = service.plan_info().plan_id
    finally:
        service.close()
    if active == plan.plan_id == DEFAULT_PLAN_ID and _same_plan(plan, bundled_plan()):
        return "already_loaded", f"工作方案 {plan.plan_id} 已经载入，内容相同，未作任何改动。", EXIT_OK
    return (
        "not_loaded",
        f"本版本只能预览:载入另一份工作方案(当前为 {active})要等多方案支持完成后才能进行，本次未作任何改动。"
        "可先用 --dry-run 核对。",
        EXIT_BAD_INPUT,
    )


def _same_plan(a: Any, b: Any) -> bool:
    from liaison_app.plan.bundle import plan_to_dict

    left, right = plan_to_dict(a), plan_to_dict(b)
    return all(left[key] == right[key] for key in ("plan", "areas", "measures", "units", "aliases"))


def _export(args: argparse.Namespace, data_dir_arg: str | None) -> int:
    from liaison_app import paths
    from liaison_app.plan.package import Package, new_item_ids, package_file_name, write_package
    from liaison_app.store.database import DatabaseError
    from liaison_app.store.plan_loader import DEFAULT_PLAN_ID, bundled_plan
    from liaison_app.store.service import LiaisonService

    if args.revision < 1:
        return _fail("版本号应为正整数", EXIT_BAD_INPUT)
    try:
        service = LiaisonService.open(paths.data_dir(data_dir_arg))
    except (DatabaseError, paths.DataDirError) as exc:
        return _fail(f"无法打开数据:{exc}", EXIT_FAILURE)
    try:
        active = service.plan_info().plan_id
    finally:
        service.close()
    if active != DEFAULT_PLAN_ID:
        return _fail(f"当前工作方案 {active} 暂不能导出(多方案支持完成后提供)。", EXIT_FAILURE)
    plan = bundled_plan()
    out = Path(args.output)
    if out.is_dir():
        out = out / package_file_name(plan, args.revision)
    elif out.suffix.lower() != ".xlsx":
        return _fail(f"发布包文件名应以 .xlsx 结尾:{out.name}", EXIT_BAD_INPUT)
    package = Package(
        plan=plan,
        revision=args.revision,
        item_ids=new_item_ids(plan),
        published_at=dt.datetime.now().isoformat(sep=" ", timespec="seconds"),
        app_version=__version__,
    )
    try:
        digest = write_package(package, out)
    except OSError as exc:
        return _fail(f"无法写入 {out}:{exc.strerror or exc}", EXIT_FAILURE)
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
