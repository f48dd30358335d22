"""One writer per data folder: an operating-system lock on ``<data>/liaison.lock``.

The window and every command that writes take the lock and hold it for as long as the process
works on the data; ``restore`` refuses while anyone else holds it. The lock is the kernel's
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows), so a process that dies — even killed
with SIGKILL — releases it at once; the lock file itself is never deleted (deleting a lock file
lets two processes lock two different files).

Within one process the lock is re-entrant: the window holds it for its whole life, and the
service it opens, or a restore it runs with the data closed, take it again without conflict.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = "liaison.lock"


class DataInUseError(OSError):
    """Another program holds the data folder; ``str(error)`` is a Chinese sentence."""


@dataclass
class _Held:
    fd: int
    count: int


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_NAME


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised by the Windows CI
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    else:
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _key(data_dir: Path) -> Path:
    return data_dir.resolve()


def holds(data_dir: Path) -> bool:
    """True when this process holds the data folder."""
    with _guard:
        return _key(data_dir) in _held


def acquire(data_dir: Path, wait_seconds: float = 0.0) -> None:
    """Take the data folder for this process, waiting up to ``wait_seconds`` for another
    program to let go. Raises :class:`DataInUseError` when it does not, or ``OSError`` when the
    lock file cannot be made (a read-only folder)."""
    key = _key(data_dir)
    with _guard:
        held = _held.get(key)
        if held is not None:
            held.count += 1
            return
        fd = os.open(lock_path(key), os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait_seconds
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise DataInUseError(
                        f"数据文件夹正被另一个程序使用(可能是已打开的台账窗口或另一条命令):{key}。"
                        "请先关闭它，再重试。"
                    )
                time.sleep(0.05)
        except BaseException:
            os.close(fd)
            raise
        _held[key] = _Held(fd, 1)


def release(data_dir: Path) -> None:
    """Give back one :func:`acquire`; the lock goes when the last one is given back."""
    key = _key(data_dir)
    with _guard:
        held = _held.get(key)
        if held is None:
            return
        held.count -= 1
        if held.count <= 0:
            del _held[key]
            os.close(held.fd)  # closing the descriptor releases the lock


def is_locked_elsewhere(data_dir: Path) -> bool:
    """True when another process holds the folder (tries and gives back at once)."""
    if holds(data_dir) or not lock_path(data_dir).exists():
        return False
    try:
        acquire(data_dir)
    except DataInUseError:
        return True
    except OSError:
        return False
    release(data_dir)
    return False
