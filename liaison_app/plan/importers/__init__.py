"""Read any year's plan from the file the office has, and review it before anything is loaded.

``read_plan(path)`` decides what the file is by its content (not only its name), hands it to the
reader for that kind, resolves unit names against a registry and returns the reviewed
:class:`Plan` with its :class:`Preview`. Pure: no database, no Qt, nothing written.

Readers, by what the file holds:

- an xlsx task table (任务分解表), or a task table inside a .docx → :mod:`.table`
- notice text (.txt or .docx) with inline units, 工作要点 style → :mod:`.notice`
- the seed text of a bundled plan with its errata table → :mod:`liaison_app.plan.parser`
- a plan JSON file (``liaison-app/plan``) → :mod:`liaison_app.plan.bundle`
- a published plan package (xlsx with a hidden metadata sheet) → :mod:`liaison_app.plan.package`
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from liaison_app.plan.bundle import PlanFileError, plan_from_dict
from liaison_app.plan.importers.common import SOURCE_KINDS, Draft, PlanImportError
from liaison_app.plan.importers.notice import read_paragraphs
from liaison_app.plan.importers.review import Preview, parse_alias_args, review, unit_tasks
from liaison_app.plan.importers.sources import (
    docx_content,
    load_json,
    pick_grid,
    sniff,
    workbook_grids,
)
from liaison_app.plan.importers.table import read_grid
from liaison_app.plan.model import Plan
from liaison_app.plan.units import UnitRegistry

log = logging.getLogger(__name__)

__all__ = [
    "SOURCE_KINDS",
    "ImportResult",
    "PlanImportError",
    "Preview",
    "bundled_registry",
    "parse_alias_args",
    "read_draft",
    "read_plan",
    "unit_tasks",
]


@dataclass
class ImportResult:
    plan: Plan
    preview: Preview
    draft: Draft


def bundled_registry() -> UnitRegistry:
    """The units (and their aliases) of the plan that ships with the app."""
    from liaison_app.paths import resources_dir
    from liaison_app.plan.bundle import load_plan_file

    plan = load_plan_file(resources_dir() / "plans" / "nanan-2019.plan.json")
    return UnitRegistry(plan.units, plan.aliases)


def read_draft(path: Path) -> Draft:
    """The reader's result for ``path``, before unit names are resolved."""
    sniffed = sniff(path)
    name = path.name
    if sniffed.kind == "package":
        from liaison_app.plan.package import read_package_draft

        package_draft: Draft = read_package_draft(path)
        return package_draft
    if sniffed.kind == "xlsx":
        grid = pick_grid(workbook_grids(path), name)
        return read_grid(grid, "task_table")
    if sniffed.kind == "docx":
        paragraphs, grids = docx_content(path)
        if grids:
            try:
                table = pick_grid(grids, name)
            except PlanImportError:
                table = None
            if table is not None:
                return read_grid(table, "task_table_docx")
        if not any(p.strip() for p in paragraphs):
            raise PlanImportError(f"{name} 是空白的 Word 文档，没有任何文字。")
        return read_paragraphs(paragraphs, "notice_docx", "")
    if sniffed.kind == "json":
        data = load_json(sniffed.text, name)
        try:
            plan = plan_from_dict(data)
        except PlanFileError as exc:
            raise PlanImportError(f"{name}:{exc}") from exc
        return Draft(kind="plan_json", plan=plan, title=plan.name, reviewed=True)
    seed = _seed_draft(path, sniffed.text)
    if seed is not None:
        return seed
    return read_paragraphs(sniffed.text.replace("\r\n", "\n").split("\n"), "notice", "")


def _seed_draft(path: Path, text: str) -> Draft | None:
    """The bundled plan's seed text, read with its errata table (beside it, or the bundled one)."""
    from liaison_app.paths import resources_dir
    from liaison_app.plan.build import BUNDLED_PLANS, plan_paths
    from liaison_app.plan.parser import Errata, PlanSourceError, parse_plan

    errata_path: Path | None = None
    stem = path.name.removesuffix(".txt").removesuffix(".source")
    beside = path.with_name(f"{stem}.errata.toml")
    if beside.is_file():
        errata_path = beside
    else:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        for plan_id in BUNDLED_PLANS:
            paths = plan_paths(plan_id, resources_dir() / "plans")
            source = paths["source"]
            if source.is_file() and hashlib.sha256(source.read_bytes()).hexdigest() == digest:
                errata_path = paths["errata"]
    if errata_path is None:
        return None
    try:
        plan = parse_plan(text, Errata.load(errata_path))
    except (PlanSourceError, KeyError, ValueError) as exc:
        raise PlanImportError(f"{path.name} 按勘误表 {errata_path.name} 解析失败:{exc}") from exc
    return Draft(kind="seed_text", plan=plan, title=plan.name, reviewed=True)


def read_plan(
    path: Path,
    *,
    registry: UnitRegistry | None = None,
    aliases: dict[str, str] | None = None,
    plan_id: str | None = None,
    name: str | None = None,
) -> ImportResult:
    """Read ``path`` as a plan and review it. Raises :class:`PlanImportError` with one sentence."""
    draft = read_draft(path)
    if registry is None:
        registry = bundled_registry()
    plan, preview = review(draft, registry, aliases=aliases, plan_id=plan_id, name=name, file_name=path.name)
    log.info("read plan %s from %s: %d items", plan.plan_id, path, len(plan.items()))
    return ImportResult(plan, preview, draft)
