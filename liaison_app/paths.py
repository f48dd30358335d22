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
import sys
from pathlib import Path

import appdirs

from liaison_app.errors import os_error_reason

APP_DIR_NAME = "liaison-app"
ENV_DATA_DIR = "LIAISON_APP_DATA_DIR"
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


def database_path(folder: Path) -> Path:
    return folder / DATABASE_NAME


def logs_dir(folder: Path) -> Path:
    """Where the rotating log lives (what support asks a liaison to send)."""
    return folder / LOGS_DIR_NAME


def ensure_data_dir(folder: Path) -> Path:
    """Create the data folder if needed and prove it is writable."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise DataDirError(f"数据文件夹无法使用:{folder}({os_error_reason(exc)})") from exc
    return folder
