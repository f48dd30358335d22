"""Restoring a backup into a data folder (the app's database must be closed meanwhile)."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from liaison_app import data_lock, paths
from liaison_app.store import backup
from liaison_app.store.database import KNOWN_REVISIONS
from liaison_app.store.plan_loader import DEFAULT_PLAN_ID

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestoreReport:
    source: Path
    backup_created: str
    safety_copy: Path | None  # the state before the restore, kept in backups/
    damaged_kept: Path | None  # a damaged database moved aside, never deleted
    progress_rows: int
    evidence_rows: int
    cases: int
    evidence_added: int

    def lines(self) -> list[str]:
        lines = [
            f"已从 {self.source.name}(备份于 {self.backup_created or '未知'})恢复:",
            f"  进展记录 {self.progress_rows} 条，佐证材料 {self.evidence_rows} 个，"
            f"典型案例 {self.cases} 篇;补回佐证文件 {self.evidence_added} 个。",
        ]
        if self.safety_copy:
            lines.append(f"  恢复前的数据已另存为 {self.safety_copy}")
        if self.damaged_kept:
            lines.append(f"  已损坏的数据库保留为 {self.damaged_kept}")
        return lines


def _count(db: Path, table: str) -> int:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        connection.close()


def folder_plan(data_dir: Path) -> str:
    """The active plan of the folder's current database: a backup must hold it. A folder whose
    database cannot be read names none (""); one from before schema 0007 has only the bundled plan."""
    db_path = paths.database_path(data_dir)
    if not db_path.is_file():
        return ""
    try:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    except sqlite3.Error:
        return ""
    try:
        try:
            row = connection.execute("SELECT id FROM plan ORDER BY active DESC, loaded_at LIMIT 1").fetchone()
        except sqlite3.OperationalError:  # no active column yet
            row = connection.execute("SELECT id FROM plan ORDER BY loaded_at LIMIT 1").fetchone()
        return str(row[0]) if row else ""
    except sqlite3.Error:
        return ""
    finally:
        connection.close()


def restore(
    data_dir: Path,
    source: Path,
    now: dt.datetime,
    plan_id: str | None = None,
) -> RestoreReport:
    """Check ``source`` completely, keep the current state, then switch the backup in.

    Refused (:class:`DataInUseError`) while another program holds the data folder: a restore
    under an open window would lose the window's saves. A failure before the switch leaves the
    data as it was (:class:`backup.BackupError`); a failure during it raises
    :class:`backup.RestoreIncompleteError`, which says what was kept.
    """
    data_lock.acquire(data_dir)
    try:
        paths.clean_leftovers(data_dir)
        if plan_id is None:
            plan_id = folder_plan(data_dir)
        return _restore_locked(data_dir, source, now, plan_id)
    finally:
        data_lock.release(data_dir)


def _restore_locked(data_dir: Path, source: Path, now: dt.datetime, plan_id: str) -> RestoreReport:
    db_path = paths.database_path(data_dir)
    evidence_root = data_dir / "evidence"
    stamp = now.strftime("%Y%m%d-%H%M%S")
    try:
        work = Path(tempfile.mkdtemp(dir=data_dir, prefix=".restore-"))
    except OSError as exc:
        raise backup.BackupError(f"无法在数据文件夹中准备恢复:{paths.os_reason(exc)}") from exc
    try:
        prepared = backup.prepare(source, work, KNOWN_REVISIONS, plan_id)
        safety, damaged = None, None
        if db_path.exists() and db_path.stat().st_size > 0:
            check = backup.check_database(db_path, KNOWN_REVISIONS)
            if check.ok or check.revision is not None:  # healthy, or written by a newer version
                safety = backup_dir_file(data_dir, f"before-restore-{stamp}.zip")
                backup.full_backup(db_path, evidence_root, safety, plan_id, now)
            else:
                damaged = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
        elif db_path.exists():
            damaged = db_path.with_name(f"{db_path.name}.empty-{stamp}")
        try:
            if damaged is not None:
                db_path.rename(damaged)
                for side in ("-wal", "-shm"):
                    extra = Path(str(db_path) + side)
                    if extra.exists():
                        extra.rename(Path(str(damaged) + side))
            switched = backup.switch_in(prepared, db_path, evidence_root)
        except (OSError, backup.BackupError) as exc:
            kept = f"恢复前的数据已另存为 {safety}。" if safety else ""
            if damaged is not None:
                kept += f"原数据库保留为 {damaged}。"
            reason = paths.os_reason(exc) if isinstance(exc, OSError) else str(exc)
            raise backup.RestoreIncompleteError(
                f"恢复没有完成({reason})。{kept}请清理磁盘或排除问题后重新恢复。"
            ) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RestoreReport(
        source=source,
        backup_created=prepared.created_at,
        safety_copy=safety,
        damaged_kept=damaged,
        progress_rows=_count(db_path, "progress"),
        evidence_rows=_count(db_path, "evidence"),
        cases=_count(db_path, "typical_case"),
        evidence_added=switched["evidence_added"],
    )


def backup_dir_file(data_dir: Path, name: str) -> Path:
    folder = backup.backups_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def latest_good_backup(data_dir: Path, plan_id: str = DEFAULT_PLAN_ID) -> Path | None:
    """The newest automatic snapshot that passes every check, or None."""
    for candidate in backup.automatic_backups(data_dir):
        with tempfile.TemporaryDirectory(dir=data_dir, prefix=".check-", ignore_cleanup_errors=True) as tmp:
            try:
                backup.prepare(candidate, Path(tmp), KNOWN_REVISIONS, plan_id)
            except backup.BackupError:
                continue
        return candidate
    return None
