"""The leading-group office's pipeline, assembled once: receive → judge → consolidate → write.

The command line (``liaison-app consolidate``) and the office window both run it. Plain data in
(a snapshot of the plan catalogue, file paths, dates), plain data out: no Qt and no database,
so the window can run it in a worker thread, with progress and cancel callbacks.

It lives beside :mod:`consolidation` and :mod:`consolidation_report` (its two halves) rather
than in ``store/``: it reads and writes files, never the database. The caller takes the
catalogue snapshot (``ReportService.catalog_snapshot``) and the clock readings first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from liaison_app.reports.consolidation import (
    Catalog,
    Consolidation,
    Intake,
    consolidate,
    default_as_of,
    receive,
)
from liaison_app.reports.consolidation_report import Appendix, default_file_name, write_consolidation
from liaison_app.vocabulary import Verdict

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
# The reading step, receive(paths, catalog, period, accepted edits, progress, cancelled).
Receive = Callable[[list[Path], Catalog, str | None, set[Path], Progress | None, Cancelled | None], Intake]

USED = frozenset({Verdict.ACCEPTED, Verdict.SUPERSEDED, Verdict.MODIFIED_ACCEPTED, Verdict.DUPLICATE})


@dataclass(frozen=True)
class OfficeJob:
    """What to consolidate, and how."""

    paths: tuple[Path, ...]  # workbooks, or folders of them
    catalog: Catalog
    made_at: dt.datetime  # written on the 汇总表
    fallback_as_of: dt.date  # 统计截至 when neither a report nor the period gives one: today
    period: str | None = None  # None: the period most of the files are for
    accept_modified: frozenset[Path] = field(default_factory=frozenset)
    as_of: dt.date | None = None  # None: the latest 统计截至 among the reports used
    lead: str = ""  # a lead unit comparing its helpers: only the items it leads
    group: tuple[str, frozenset[str]] | None = None  # (label, units) of one special group

    @classmethod
    def of(
        cls,
        paths: Iterable[Path],
        catalog: Catalog,
        made_at: dt.datetime,
        fallback_as_of: dt.date,
        *,
        period: str | None = None,
        accept_modified: Iterable[Path] = (),
        as_of: dt.date | None = None,
        lead: str = "",
        group: tuple[str, frozenset[str]] | None = None,
    ) -> OfficeJob:
        return cls(
            tuple(Path(p) for p in paths),
            catalog,
            made_at,
            fallback_as_of,
            period,
            frozenset(Path(p) for p in accept_modified),
            as_of,
            lead,
            group,
        )


@dataclass(frozen=True)
class OfficeOutcome:
    intake: Intake  # every file's verdict, and the report used for each unit
    result: Consolidation

    @property
    def has_reports(self) -> bool:
        """False when no file could be used: there is nothing to write."""
        return bool(self.intake.reports)

    @property
    def all_used(self) -> bool:
        """Every file was used, superseded by a newer one of the same unit or a copy of one used;
        and every file the office accepted despite an edit was found."""
        return all(v.verdict in USED for v in self.intake.verdicts) and not self.intake.unmatched


def run(
    job: OfficeJob,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    *,
    receive_step: Receive = receive,
) -> OfficeOutcome:
    """Judge every file and merge the reports used. Raises InterruptedError when cancelled.

    ``progress(done, total)`` is called after each file is read. ``receive_step`` is the
    reading step; callers pass their own reference to :func:`receive` only to hold it in a test.
    """
    intake = receive_step(
        list(job.paths), job.catalog, job.period, set(job.accept_modified), progress, cancelled
    )
    if cancelled is not None and cancelled():
        raise InterruptedError("已取消")
    as_of = job.as_of or default_as_of(intake, job.fallback_as_of)
    result = consolidate(intake, job.catalog, as_of, job.made_at, job.lead, job.group)
    return OfficeOutcome(intake, result)


def output_path(result: Consolidation, output: Path) -> Path:
    """``output`` itself, or the default 汇总表 name inside it when it is a folder."""
    return output / default_file_name(result.period, result.lead_scope) if output.is_dir() else output


def write(result: Consolidation, output: Path, appendix: Appendix | None = None) -> Path:
    """Write the 汇总表 (atomically) to ``output`` or into the folder ``output``; the path.
    ``appendix`` adds sheets after the 汇总's own (the office ledger's ranking and trend)."""
    path = output_path(result, output)
    write_consolidation(result, path, appendix)
    return path
