"""The only place that knows where files live.

* Bundled read-only files (``resources/``, ``db/``): in a source checkout they sit at the top of
  the repository; an installed wheel carries them as ``liaison_app/_resources`` and
  ``liaison_app/_db``; a PyInstaller build unpacks them beside the executable.
* The user's data folder, in this order: ``--data-dir``; ``LIAISON_APP_DATA_DIR``; portable mode
  (a ``portable.txt`` beside a frozen executable keeps the data in ``data/`` next to it); else
  the per-user folder from appdirs.

Nothing is created at import time; :func:`ensure_data_dir` creates the folder when asked.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import appdirs

APP_DIR_NAME = "liaison-app"
ENV_DATA_DIR = "LIAISON_APP_DATA_DIR"
ENV_CONFIG_DIR = "LIAISON_APP_CONFIG_DIR"  # per-machine UI state (tests point it at a temp folder)
PORTABLE_MARKER = "portable.txt"
DATABASE_NAME = "liaison.sqlite3"
LOGS_DIR_NAME = "logs"

_PACKAGE_DIR = Path(__file__).resolve().parent


class DataDirError(OSError):
    """The data folder cannot be used (message in Chinese, for the user)."""


def _bundled(installed_name: str, source_name: str) -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    candidates = [_PACKAGE_DIR / installed_name, _PACKAGE_DIR.parent / source_name]
    if frozen_root:
        candidates.insert(0, Path(frozen_root) / source_name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"找不到程序自带的 {source_name} 目录(安装不完整?)")


def resources_dir() -> Path:
    return _bundled("_resources", "resources")


def migrations_dir() -> Path:
    return _bundled("_db", "db")


def portable_data_dir() -> Path | None:
    if not getattr(sys, "frozen", False):
        return None
    exe_dir = Path(sys.executable).resolve().parent
    return exe_dir / "data" if (exe_dir / PORTABLE_MARKER).exists() else None


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    portable = portable_data_dir()
    if portable is not None:
        return portable
    return Path(appdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def machine_settings_file() -> Path | None:
    """An ini file for this machine's UI state when ``LIAISON_APP_CONFIG_DIR`` names a folder;
    None means Qt's native per-user store (the registry on Windows, ~/.config on Linux)."""
    env = os.environ.get(ENV_CONFIG_DIR)
    return Path(env).expanduser() / "machine.ini" if env else None


def database_path(folder: Path) -> Path:
    return folder / DATABASE_NAME


def logs_dir(folder: Path) -> Path:
    """Where the rotating log lives (what support asks a liaison to send)."""
    return folder / LOGS_DIR_NAME


def ensure_data_dir(folder: Path) -> Path:
    """Create the data folder if needed and prove it is writable.

    The probe has a name of its own per process (two starts never remove each other's), and
    it is removed even when writing it failed (a full disk leaves no 0-byte file behind).
    """
    probe = folder / f".write-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            with probe.open("xb") as handle:
                handle.write(b"ok")
        finally:
            probe.unlink(missing_ok=True)
    except OSError as exc:
        raise DataDirError(f"数据文件夹无法使用:{folder}({os_reason(exc)})") from exc
    return folder


# What a crash or a kill can leave in the data folder: never under a final name, always ours.
_LEFTOVER_DIRS = (".restore-*", ".check-*")
_LEFTOVER_FILES = (".write-test*", DATABASE_NAME + ".restoring", "backups/*/*.part", "backups/*.part")


def clean_leftovers(folder: Path) -> int:
    """Remove temporary files and folders left by a killed or failed run (call it holding the
    data folder's lock, so no running restore or snapshot is using them). Returns how many."""
    removed = 0
    for pattern in _LEFTOVER_DIRS:
        for path in folder.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    for pattern in _LEFTOVER_FILES:
        for path in folder.glob(pattern):
            if path.is_file() or path.is_symlink():
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
    return removed


def os_reason(exc: OSError) -> str:
    """The reason of an operating-system failure, in Chinese for the common cases."""
    import errno

    reasons = {
        errno.ENOSPC: "磁盘已满",
        errno.EROFS: "磁盘或文件夹只读",
        errno.EACCES: "没有权限",
        errno.EPERM: "没有权限",
        errno.ENOENT: "文件或文件夹不存在",
        errno.ENAMETOOLONG: "文件名过长(超过 255 字节)",
        errno.ENOTDIR: "路径中有一段不是文件夹",
        errno.EISDIR: "这是一个文件夹，不是文件",
        errno.EEXIST: "文件已存在",
        getattr(errno, "EDQUOT", -1): "磁盘配额已用完",
    }
    if exc.errno in reasons:
        return reasons[exc.errno]
    return exc.strerror or str(exc)


_INTERNAL_DIRS = ("evidence", "backups", "opened")


def protected_output(out: Path, folder: Path) -> str:
    """Why writing ``out`` would damage the data folder ``folder`` (its database, journals,
    lock, evidence store or snapshots), or "" when it is safe to write there."""
    try:
        target = out.expanduser().resolve()
        root = folder.expanduser().resolve()
    except (OSError, RuntimeError):
        return ""
    database = database_path(root)
    internal_files = [
        database,
        *(Path(str(database) + side) for side in ("-wal", "-shm", "-journal", ".restoring")),
        root / "liaison.lock",
    ]
    if target in internal_files:
        return "这会覆盖正在使用的台账数据库或它的日志文件"
    if target.exists():
        for internal in internal_files:
            try:
                if internal.exists() and os.path.samefile(target, internal):
                    return "这会覆盖正在使用的台账数据库或它的日志文件"
            except OSError:
                continue
    for name in _INTERNAL_DIRS:
        if target == root / name or (root / name) in target.parents:
            return "这是数据文件夹内部的文件夹(佐证材料库或自动备份)，请选择别处"
    return ""
