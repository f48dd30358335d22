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
import re
import shutil
import sqlite3
import tempfile
import threading
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from liaison_app import __version__
from liaison_app.digests import file_sha256

# the database check lives with the sqlite3-only reading (which must not load zipfile); here too
# for restore and the snapshots
from liaison_app.store.sqlite_read import DatabaseCheck as DatabaseCheck
from liaison_app.store.sqlite_read import check_database as check_database

log = logging.getLogger(__name__)

BACKUP_FORMAT = "liaison-app/full-backup"
BACKUP_VERSION = 1
DAILY_KEEP = 7
WEEKLY_KEEP = 4
DB_ENTRY = "database.sqlite3"
MANIFEST_ENTRY = "manifest.json"


class BackupError(RuntimeError):
    """A backup that cannot be made or used; ``str(error)`` says why, in Chinese."""


class RestoreIncompleteError(BackupError):
    """A restore that failed while switching in: the message says what was kept (never
    "现有数据未被改动")."""


SHA256_RE = re.compile(r"[0-9a-f]{64}")
MAX_BACKUP_BYTES = 64 * 1024**3  # a hard cap on what a restore may unpack, whatever it declares
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
COPY_CHUNK = 4 * 1024 * 1024


def is_sha256(value: object) -> bool:
    """64 lowercase hex digits: the only kind of hash ever used to name a file."""
    return isinstance(value, str) and SHA256_RE.fullmatch(value) is not None


def _reason(exc: BaseException) -> str:
    from liaison_app.paths import os_reason

    return os_reason(exc) if isinstance(exc, OSError) else str(exc)


def copy_verified(
    reader: IO[bytes], target: Path, size: int, sha256: str | None = None, what: str = "文件"
) -> None:
    """Write exactly ``size`` bytes from ``reader`` to ``target``: under a temporary name,
    hashed on the way, flushed to disk, checked (size, and SHA-256 when given), then renamed.
    Never more than ``size`` bytes are read, whatever the source would give."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    digest = hashlib.sha256()
    done = 0
    try:
        with temporary.open("xb") as writer:
            while done <= size:
                chunk = reader.read(min(COPY_CHUNK, size - done + 1))
                if not chunk:
                    break
                done += len(chunk)
                if done > size:
                    raise BackupError(f"{what}比清单所写的更大，已拒绝(疑似压缩炸弹)")
                digest.update(chunk)
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())
        if done != size:
            raise BackupError(f"{what}不完整(应为 {size} 字节，只有 {done} 字节)")
        if sha256 is not None and digest.hexdigest() != sha256:
            raise BackupError(f"{what}与清单的校验值不符(文件可能被改动或已损坏)")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def pin(db_path: Path) -> sqlite3.Connection:
    """A read-only connection holding a read transaction: a snapshot taken through it is the
    database exactly as it is now, whatever is committed meanwhile (WAL keeps that state for it)."""
    try:
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        try:
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # starts the read
        except sqlite3.Error:
            source.close()
            raise
    except sqlite3.Error as exc:
        raise BackupError(f"无法备份数据库:{_reason(exc)}") from exc
    return source


def snapshot(db_path: Path, target: Path, pinned: sqlite3.Connection | None = None) -> Path:
    """A consistent copy of a (possibly open) database via the online backup API; of the state
    ``pinned`` holds when given (see :func:`pin`; it is closed here)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".part")
    temporary.unlink(missing_ok=True)
    try:
        source = pinned or sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
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
        text = str(exc).lower()
        reason = "磁盘已满" if "full" in text else _reason(exc)
        raise BackupError(f"无法备份数据库:{reason}") from exc
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


def daily_file(data_dir: Path, today: dt.date) -> Path:
    return backups_dir(data_dir) / "daily" / f"liaison-{today:%Y%m%d}.sqlite3"


def daily(
    data_dir: Path, db_path: Path, today: dt.date, pinned: sqlite3.Connection | None = None
) -> Path | None:
    """Today's snapshot if there is none yet (of the state ``pinned`` holds, when given), a
    weekly one per ISO week, older ones rotated."""
    folder = backups_dir(data_dir)
    day_file = daily_file(data_dir, today)
    made = None
    if not day_file.exists():
        made = snapshot(db_path, day_file, pinned)
        log.info("daily backup %s", day_file)
    elif pinned is not None:
        pinned.close()
    year, week, _weekday = today.isocalendar()
    week_file = folder / "weekly" / f"liaison-{year}-W{week:02d}.sqlite3"
    try:
        if not week_file.exists():
            week_file.parent.mkdir(parents=True, exist_ok=True)
            size = day_file.stat().st_size  # a finished snapshot file, not the live database
            with day_file.open("rb") as reader:
                copy_verified(reader, week_file, size, None, "每周备份")
        rotate(folder / "daily", DAILY_KEEP)
        rotate(folder / "weekly", WEEKLY_KEEP)
    except OSError as exc:
        raise BackupError(f"无法写入每周备份:{_reason(exc)}") from exc
    return made


class DailyBackup:
    """Today's automatic backups, taken off the window's start path.

    Made at start-up, before anything is written, it pins the database as it is (:func:`pin`),
    so the daily snapshot is the state at start-up exactly as when it was copied there and then
    (docs/reliability.md: restoring it loses the changes made since that start-up, no more, no
    less); :meth:`start` copies it in a background thread once the window is usable, and
    :meth:`wait` (which starts it if nobody did) is called before the data is closed.
    """

    def __init__(self, data_dir: Path, db_path: Path, today: dt.date) -> None:
        self._args = (data_dir, db_path, today)
        self._pinned = None if daily_file(data_dir, today).exists() else pin(db_path)
        self._thread: threading.Thread | None = None
        self.made: Path | None = None
        self.error: BackupError | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="daily-backup", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        data_dir, db_path, today = self._args
        pinned, self._pinned = self._pinned, None
        try:
            self.made = daily(data_dir, db_path, today, pinned)
        except BackupError as exc:
            log.warning("daily backup not made: %s", exc)
            self.error = exc
        except Exception as exc:  # a thread must not die silently: the window shows it
            log.exception("daily backup failed")
            self.error = BackupError(f"无法备份数据库:{exc}")
        finally:
            if pinned is not None:
                pinned.close()  # (already closed when the copy was made)

    def done(self) -> bool:
        return self._thread is not None and not self._thread.is_alive()

    def wait(self) -> BackupError | None:
        """Finish the backups (starting them if needed); the failure, if any."""
        self.start()
        assert self._thread is not None
        self._thread.join()
        return self.error


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
    found: list[tuple[float, Path]] = []
    for sub in ("daily", "weekly", "pre-migration"):
        for path in (folder / sub).glob("liaison-*.sqlite3"):
            try:
                found.append((path.stat().st_mtime, path))
            except OSError:
                continue  # removed meanwhile (rotated by another start)
    return [path for _mtime, path in sorted(found, reverse=True)]


# -- the full backup (备份到…) --------------------------------------------------------------------
BACKUP_TEMP_PREFIX = ".liaison-backup-"


def clean_backup_leftovers(folder: Path) -> None:
    """Remove what a killed 备份到… left in ``folder`` (its temporary folder and part file)."""
    for path in folder.glob(BACKUP_TEMP_PREFIX + "*"):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()
        except OSError:
            pass


def full_backup(
    db_path: Path, evidence_root: Path, target: Path, plan_id: str, now: dt.datetime
) -> dict[str, int]:
    """Database snapshot plus every evidence blob in one zip with a manifest of hashes."""
    if not target.parent.is_dir():
        raise BackupError(f"文件夹不存在:{target.parent}")
    clean_backup_leftovers(target.parent)
    try:
        work = Path(tempfile.mkdtemp(dir=target.parent, prefix=BACKUP_TEMP_PREFIX))
    except OSError as exc:
        raise BackupError(f"无法写入备份文件:{_reason(exc)}") from exc
    temporary = target.with_name(f"{BACKUP_TEMP_PREFIX}{uuid.uuid4().hex[:8]}.zip.part")
    try:
        copy = snapshot(db_path, work / DB_ENTRY)
        blobs = sorted(p for p in evidence_root.glob("??/*") if p.is_file() and is_sha256(p.name))
        manifest = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "app_version": __version__,
            "created_at": now.isoformat(sep=" "),
            "plan_id": plan_id,
            "database": {"name": DB_ENTRY, "sha256": file_sha256(copy), "size": copy.stat().st_size},
            "evidence": [{"sha256": p.name, "size": p.stat().st_size} for p in blobs],
        }
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
        raise BackupError(f"无法写入备份文件:{_reason(exc)}") from exc
    finally:
        temporary.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
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
    try:
        return _prepare(source, work, known_revisions, plan_id)
    except BackupError:
        raise
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, sqlite3.Error) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise BackupError(f"无法读取或解开备份:{_reason(exc)}") from exc
        raise BackupError("备份文件已损坏(校验或解压失败)") from exc


def _prepare(source: Path, work: Path, known_revisions: tuple[str, ...], plan_id: str) -> Prepared:
    work.mkdir(parents=True, exist_ok=True)
    if not source.is_file():
        raise BackupError(f"找不到备份文件:{source}")
    if zipfile.is_zipfile(source):
        return _prepare_zip(source, work, known_revisions, plan_id)
    with source.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupError("不是本程序的备份文件(应为完整备份 .zip 或自动备份 .sqlite3)")
    database = work / DB_ENTRY
    with source.open("rb") as reader:
        copy_verified(reader, database, source.stat().st_size, None, "备份中的数据库")
    wal = Path(str(source) + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        # A copied data folder: the changes still in its journal belong to the data.
        with wal.open("rb") as reader:
            copy_verified(reader, Path(str(database) + "-wal"), wal.stat().st_size, None, "数据库日志")
        _fold_journal(database)
    _check_restored_database(database, known_revisions, plan_id)
    created = dt.datetime.fromtimestamp(source.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return Prepared(work, database, [], check_database(database, known_revisions).revision, created, source)


def _fold_journal(database: Path) -> None:
    """Write a copied ``-wal`` into its (temporary, private) database and drop it."""
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    for side in ("-wal", "-shm"):
        Path(str(database) + side).unlink(missing_ok=True)


@dataclass(frozen=True)
class _Manifest:
    created_at: str
    database_sha256: str
    database_size: int
    evidence: dict[str, int]


def _size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_BACKUP_BYTES:
        raise BackupError("备份清单中的文件大小无效")
    return value


def _read_manifest(raw: bytes) -> _Manifest:
    """The manifest, checked field by field: a crafted one is refused, never half used."""
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BackupError("备份清单无法读取") from exc
    if not isinstance(data, dict):
        raise BackupError("备份清单格式不对")
    if data.get("format") != BACKUP_FORMAT or data.get("version") != BACKUP_VERSION:
        raise BackupError("不是本程序能识别的备份格式")
    database = data.get("database")
    if not isinstance(database, dict) or not is_sha256(database.get("sha256")):
        raise BackupError("备份清单中的数据库项无效")
    entries = data.get("evidence", [])
    if not isinstance(entries, list):
        raise BackupError("备份清单中的佐证材料项无效")
    evidence: dict[str, int] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not is_sha256(entry.get("sha256")):
            raise BackupError("备份清单中的佐证材料项无效")
        evidence[entry["sha256"]] = _size(entry.get("size"))
    created = data.get("created_at", "")
    return _Manifest(
        created if isinstance(created, str) else "",
        database["sha256"],
        _size(database.get("size")),
        evidence,
    )


def _prepare_zip(source: Path, work: Path, known_revisions: tuple[str, ...], plan_id: str) -> Prepared:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError("备份文件已损坏(不是完整的 zip 文件)") from exc
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        unsafe = [n for n in names if not _safe_member(n)]
        if unsafe:
            raise BackupError(f"备份文件中有不安全的路径，已拒绝:{unsafe[0]!r}")
        if len(set(names)) != len(names):
            raise BackupError("备份文件中有重复的条目，已拒绝")
        if MANIFEST_ENTRY not in names or DB_ENTRY not in names:
            raise BackupError("不是本程序的完整备份(缺少清单或数据库)")
        by_name = {info.filename: info for info in infos}
        if by_name[MANIFEST_ENTRY].file_size > MAX_MANIFEST_BYTES:
            raise BackupError("备份清单过大，已拒绝")
        with archive.open(MANIFEST_ENTRY) as reader:
            manifest = _read_manifest(reader.read(MAX_MANIFEST_BYTES + 1))
        blob_names = {PurePosixPath(n).name: n for n in names if n.startswith("evidence/")}
        if set(blob_names) != set(manifest.evidence) or any(
            PurePosixPath(member).parent.name != sha[:2] for sha, member in blob_names.items()
        ):
            raise BackupError("备份中的佐证材料与清单不一致")
        # Before unpacking a byte: what the zip declares must be what the manifest lists, and
        # the whole must fit under the hard cap and on the disk.
        declared = {DB_ENTRY: manifest.database_size}
        declared.update({blob_names[sha]: size for sha, size in manifest.evidence.items()})
        for name, size in declared.items():
            if by_name[name].file_size != size:
                raise BackupError("备份中的文件大小与清单不符，已拒绝(文件可能被改动，或是压缩炸弹)")
        total = sum(declared.values())
        if total > MAX_BACKUP_BYTES:
            raise BackupError("备份声明的大小超出上限，已拒绝")
        if total > shutil.disk_usage(work).free:
            raise BackupError("磁盘空间不足，无法恢复此备份")
        database = work / DB_ENTRY
        with archive.open(DB_ENTRY) as reader:
            copy_verified(
                reader, database, manifest.database_size, manifest.database_sha256, "备份中的数据库"
            )
        blobs = []
        for sha, member in blob_names.items():
            target = work / "evidence" / sha[:2] / sha
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(member) as reader:
                    copy_verified(reader, target, manifest.evidence[sha], sha, "佐证材料")
            except BackupError as exc:
                raise BackupError(f"备份中的佐证材料已损坏:{sha[:12]}…({exc})") from exc
            blobs.append(target)
    _check_restored_database(database, known_revisions, plan_id)
    return Prepared(
        work,
        database,
        blobs,
        check_database(database, known_revisions).revision,
        manifest.created_at,
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
        hashes = [row[0] for table in ("evidence", "attachment") for row in _hashes(connection, table)]
    except sqlite3.Error as exc:
        raise BackupError("备份中的数据库不是本程序的数据库") from exc
    finally:
        connection.close()
    bad = [h for h in hashes if not is_sha256(h)]
    if bad:
        raise BackupError(f"备份中的数据库含有无效的文件校验值，已拒绝:{str(bad[0])[:40]!r}")
    if plan_id and plan_id not in plans:
        raise BackupError(f"备份属于另一份工作方案({'、'.join(sorted(plans)) or '无'})")


def _hashes(connection: sqlite3.Connection, table: str) -> list[tuple[Any]]:
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)
    ).fetchone()
    return connection.execute(f"SELECT sha256 FROM {table}").fetchall() if exists else []


def blob_is_intact(path: Path, sha256: str, size: int | None = None) -> bool:
    """The stored bytes still are what their name says (size first: cheap)."""
    try:
        if not path.is_file() or (size is not None and path.stat().st_size != size):
            return False
        return file_sha256(path) == sha256
    except OSError:
        return False


def switch_in(prepared: Prepared, db_path: Path, evidence_root: Path) -> dict[str, int]:
    """Put a prepared backup in place: add its blobs, then replace the database in one rename.

    The live database must be closed. Its WAL is checkpointed into it first (and the side files
    removed), so no stale journal can be replayed over the restored file.
    """
    added = 0
    for blob in prepared.blobs:
        target = evidence_root / blob.parent.name / blob.name
        size = blob.stat().st_size
        if blob_is_intact(target, blob.name, size):
            continue  # the same verified bytes are already there
        # Missing, or a stub / damaged file under the right name: never trusted by its name.
        target.parent.mkdir(parents=True, exist_ok=True)
        with blob.open("rb") as reader:
            copy_verified(reader, target, size, blob.name, "佐证材料")
        added += 1
    if db_path.exists():
        try:
            connection = sqlite3.connect(db_path)
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
        except sqlite3.Error:
            pass  # a damaged database: it was moved aside by the caller, or is replaced now
    staged = db_path.with_name(db_path.name + ".restoring")
    with prepared.database.open("rb") as reader:
        copy_verified(
            reader, staged, prepared.database.stat().st_size, file_sha256(prepared.database), "数据库"
        )
    for side in ("-wal", "-shm"):
        Path(str(db_path) + side).unlink(missing_ok=True)
    os.replace(staged, db_path)
    return {"evidence_added": added, "evidence_in_backup": len(prepared.blobs)}
