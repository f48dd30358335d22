"""Backups and restore. Nothing here trusts a file it has not checked.

* Snapshots use SQLite's online backup API (a consistent copy of a live database, never a raw
  file copy), written under a temporary name, checked, then renamed.
* Automatic: before every schema migration, and once a day at start-up (kept: 7 daily, 4 weekly),
  in ``<data>/backups``.
* 备份到…: one zip with the database, every evidence blob and a manifest of SHA-256 hashes.
* Restore (from a zip or from an automatic ``.sqlite3`` snapshot): validated completely in a
  temporary folder first (names, hashes, integrity, schema, plan); the current state is backed up;
  then the database is switched in one rename and missing evidence blobs are added.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from liaison_app import __version__
from liaison_app.errors import os_error_reason

log = logging.getLogger(__name__)

BACKUP_FORMAT = "liaison-app/full-backup"
BACKUP_VERSION = 1
DAILY_KEEP = 7
WEEKLY_KEEP = 4
DB_ENTRY = "database.sqlite3"
MANIFEST_ENTRY = "manifest.json"


class BackupError(RuntimeError):
    """A backup that cannot be made or used; ``str(error)`` says why, in Chinese."""


@dataclass(frozen=True)
class DatabaseCheck:
    ok: bool
    revision: str | None
    problem: str  # "" when ok


def check_database(path: Path, known_revisions: tuple[str, ...]) -> DatabaseCheck:
    """Open read-only (nothing is written, not even the journal mode) and check integrity and
    schema revision."""
    if not path.exists():
        return DatabaseCheck(False, None, "文件不存在")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return DatabaseCheck(False, None, f"无法打开:{exc}")
    try:
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            return DatabaseCheck(False, None, f"数据库内容已损坏({verdict})")
        has_version = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        revision = None
        if has_version:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else None
    except sqlite3.Error as exc:
        return DatabaseCheck(False, None, f"不是有效的数据库文件({exc})")
    finally:
        connection.close()
    if revision is not None and revision not in known_revisions:
        return DatabaseCheck(False, revision, f"由更新版本的程序创建(结构版本 {revision})")
    return DatabaseCheck(True, revision, "")


def snapshot(db_path: Path, target: Path) -> Path:
    """A consistent copy of a (possibly open) database via the online backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".part")
    temporary.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            destination = sqlite3.connect(temporary)
            try:
                source.backup(destination)
                destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                verdict = destination.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                destination.close()
        finally:
            source.close()
        if verdict != "ok":
            raise BackupError(f"备份副本校验未通过:{verdict}")
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"无法备份数据库:{exc}") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return target


def backups_dir(data_dir: Path) -> Path:
    return data_dir / "backups"


def before_migration(
    data_dir: Path, db_path: Path, from_revision: str, to_revision: str, now: dt.datetime
) -> Path:
    name = f"liaison-{from_revision}-to-{to_revision}-{now:%Y%m%d-%H%M%S}.sqlite3"
    return snapshot(db_path, backups_dir(data_dir) / "pre-migration" / name)


def daily(data_dir: Path, db_path: Path, today: dt.date) -> Path | None:
    """Today's snapshot if there is none yet, a weekly one per ISO week, older ones rotated."""
    folder = backups_dir(data_dir)
    day_file = folder / "daily" / f"liaison-{today:%Y%m%d}.sqlite3"
    made = None
    if not day_file.exists():
        made = snapshot(db_path, day_file)
        log.info("daily backup %s", day_file)
    year, week, _weekday = today.isocalendar()
    week_file = folder / "weekly" / f"liaison-{year}-W{week:02d}.sqlite3"
    if not week_file.exists():
        week_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(day_file, week_file)  # a finished snapshot file, not the live database
    rotate(folder / "daily", DAILY_KEEP)
    rotate(folder / "weekly", WEEKLY_KEEP)
    return made


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest snapshots (their names sort by date)."""
    snapshots = sorted(folder.glob("liaison-*.sqlite3"))
    doomed = snapshots[:-keep] if keep else snapshots
    for path in doomed:
        path.unlink()
    return doomed


def automatic_backups(data_dir: Path) -> list[Path]:
    """Every automatic snapshot, newest first."""
    folder = backups_dir(data_dir)
    found = [
        p for sub in ("daily", "weekly", "pre-migration") for p in (folder / sub).glob("liaison-*.sqlite3")
    ]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


# -- the full backup (备份到…) --------------------------------------------------------------------
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def full_backup(
    db_path: Path, evidence_root: Path, target: Path, plan_id: str, now: dt.datetime
) -> dict[str, int]:
    """Database snapshot plus every evidence blob in one zip with a manifest of hashes."""
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        copy = snapshot(db_path, Path(tmp) / DB_ENTRY)
        blobs = sorted(p for p in evidence_root.glob("??/*") if p.is_file() and len(p.name) == 64)
        manifest = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "app_version": __version__,
            "created_at": now.isoformat(sep=" "),
            "plan_id": plan_id,
            "database": {"name": DB_ENTRY, "sha256": _sha256(copy), "size": copy.stat().st_size},
            "evidence": [{"sha256": p.name, "size": p.stat().st_size} for p in blobs],
        }
        temporary = target.with_name(target.name + ".part")
        try:
            with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(MANIFEST_ENTRY, json.dumps(manifest, ensure_ascii=False, indent=1))
                archive.write(copy, DB_ENTRY)
                for blob in blobs:
                    archive.write(blob, f"evidence/{blob.parent.name}/{blob.name}")
            with temporary.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except OSError as exc:
            log.error("full backup to %s failed: %s", target, exc)
            raise BackupError(f"无法写入备份文件:{os_error_reason(exc)}") from exc
        finally:
            temporary.unlink(missing_ok=True)
    return {"evidence": len(blobs), "bytes": target.stat().st_size}


@dataclass(frozen=True)
class Prepared:
    """A backup unpacked and fully checked in a temporary folder, ready to switch in."""

    folder: Path
    database: Path
    blobs: list[Path]
    revision: str | None
    created_at: str
    source: Path


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and ":" not in name
        and (name in (MANIFEST_ENTRY, DB_ENTRY) or (len(path.parts) == 3 and path.parts[0] == "evidence"))
    )


def prepare(source: Path, work: Path, known_revisions: tuple[str, ...], plan_id: str) -> Prepared:
    """Unpack and check a backup (zip or .sqlite3) completely before anything is replaced."""
    work.mkdir(parents=True, exist_ok=True)
    if not source.is_file():
        raise BackupError(f"找不到备份文件:{source}")
    if zipfile.is_zipfile(source):
        return _prepare_zip(source, work, known_revisions, plan_id)
    with source.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupError("不是本程序的备份文件(应为完整备份 .zip 或自动备份 .sqlite3)")
    database = work / DB_ENTRY
    shutil.copyfile(source, database)
    _check_restored_database(database, known_revisions, plan_id)
    created = dt.datetime.fromtimestamp(source.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return Prepared(work, database, [], check_database(database, known_revisions).revision, created, source)


def _prepare_zip(source: Path, work: Path, known_revisions: tuple[str, ...], plan_id: str) -> Prepared:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"备份文件已损坏:{exc}") from exc
    with archive:
        names = archive.namelist()
        unsafe = [n for n in names if not _safe_member(n)]
        if unsafe:
            raise BackupError(f"备份文件中有不安全的路径，已拒绝:{unsafe[0]}")
        if MANIFEST_ENTRY not in names or DB_ENTRY not in names:
            raise BackupError("不是本程序的完整备份(缺少清单或数据库)")
        try:
            manifest = json.loads(archive.read(MANIFEST_ENTRY).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise BackupError("备份清单无法读取") from exc
        if manifest.get("format") != BACKUP_FORMAT or manifest.get("version") != BACKUP_VERSION:
            raise BackupError("不是本程序能识别的备份格式")
        listed = {entry["sha256"]: int(entry["size"]) for entry in manifest.get("evidence", [])}
        blob_names = {PurePosixPath(n).name: n for n in names if n.startswith("evidence/")}
        if set(blob_names) != set(listed):
            raise BackupError("备份中的佐证材料与清单不一致")
        total = sum(info.file_size for info in archive.infolist())
        free = shutil.disk_usage(work).free
        if total > free:
            raise BackupError("磁盘空间不足，无法恢复此备份")
        database = work / DB_ENTRY
        with archive.open(DB_ENTRY) as reader, database.open("wb") as writer:
            shutil.copyfileobj(reader, writer)
        if _sha256(database) != manifest["database"]["sha256"]:
            raise BackupError("备份中的数据库与清单的校验值不符(文件可能被改动)")
        blobs = []
        for sha, member in blob_names.items():
            target = work / "evidence" / sha[:2] / sha
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as reader, target.open("wb") as writer:
                shutil.copyfileobj(reader, writer)
            if _sha256(target) != sha or target.stat().st_size != listed[sha]:
                raise BackupError(f"备份中的佐证材料已损坏:{sha[:12]}…")
            blobs.append(target)
    _check_restored_database(database, known_revisions, plan_id)
    return Prepared(
        work,
        database,
        blobs,
        check_database(database, known_revisions).revision,
        str(manifest.get("created_at", "")),
        source,
    )


def _check_restored_database(database: Path, known_revisions: tuple[str, ...], plan_id: str) -> None:
    check = check_database(database, known_revisions)
    if not check.ok:
        raise BackupError(f"备份中的数据库不能使用:{check.problem}")
    if check.revision is None:
        raise BackupError("备份中的数据库不是本程序的数据库")
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        plans = {row[0] for row in connection.execute("SELECT id FROM plan")}
    except sqlite3.Error as exc:
        raise BackupError("备份中的数据库不是本程序的数据库") from exc
    finally:
        connection.close()
    if plan_id and plan_id not in plans:
        raise BackupError(f"备份属于另一份工作方案({'、'.join(sorted(plans)) or '无'})")


def switch_in(prepared: Prepared, db_path: Path, evidence_root: Path) -> dict[str, int]:
    """Put a prepared backup in place: add its blobs, then replace the database in one rename.

    The live database must be closed. Its WAL is checkpointed into it first (and the side files
    removed), so no stale journal can be replayed over the restored file.
    """
    added = 0
    for blob in prepared.blobs:
        target = evidence_root / blob.parent.name / blob.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(blob, target)
            added += 1
    if db_path.exists():
        try:
            connection = sqlite3.connect(db_path)
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
        except sqlite3.Error:
            pass  # a damaged database: it was moved aside by the caller, or is replaced now
    staged = db_path.with_name(db_path.name + ".restoring")
    shutil.copyfile(prepared.database, staged)
    with staged.open("rb+") as handle:
        os.fsync(handle.fileno())
    for side in ("-wal", "-shm"):
        Path(str(db_path) + side).unlink(missing_ok=True)
    os.replace(staged, db_path)
    return {"evidence_added": added, "evidence_in_backup": len(prepared.blobs)}
