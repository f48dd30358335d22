"""The evidence file store: files copied in and kept under their SHA-256, never half written.

``<data>/evidence/ab/abcdef…`` holds the bytes of every attached file once, whatever its name or
how often it is attached. A copy is written to ``<data>/evidence/tmp/…part``, hashed on the way,
flushed to disk, and only then renamed into place; a failure or a cancel removes the part file.
The database row that names a blob is written after the blob exists (see the service).

This module does file I/O only: no database, no Qt. It is safe to run in a worker thread.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from liaison_app.digests import file_sha256
from liaison_app.errors import os_error_reason
from liaison_app.filenames import printable

log = logging.getLogger(__name__)


CHUNK = 4 * 1024 * 1024  # big enough that Python overhead vanishes, small enough to cancel fast

ProgressFn = Callable[[int, int], None]  # bytes done, bytes total
CancelledFn = Callable[[], bool]


class EvidenceError(OSError):
    """A file that cannot be attached; ``str(error)`` is a Chinese sentence for the user."""


class CopyCancelled(EvidenceError):
    pass


class InvalidHashError(EvidenceError):
    """A hash read from a database that is not 64 lowercase hex digits: never used as a path."""


_SHA256 = re.compile(r"[0-9a-f]{64}")


def valid_sha256(sha256: object) -> bool:
    return isinstance(sha256, str) and _SHA256.fullmatch(sha256) is not None


@dataclass(frozen=True)
class Ingested:
    sha256: str
    size: int
    original_name: str
    created: bool  # False when identical bytes were already stored


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return  # directories cannot be opened for fsync on Windows; NTFS journals the rename
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _kernel_copy(
    source_fd: int, target_fd: int, total: int, progress: ProgressFn | None, check_cancel: Callable[[], None]
) -> int | None:
    """Copy with ``copy_file_range`` (Linux: no bytes through user space, like ``cp``).

    Progress runs 0–50 %; the hash pass after it does the rest. None when the kernel cannot do
    it for these two files, before anything was copied.
    """
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is None:
        return None
    done = 0
    while True:
        check_cancel()
        try:
            count = copy_range(source_fd, target_fd, CHUNK)
        except OSError as exc:
            if done == 0 and exc.errno in (
                errno.EXDEV,
                errno.ENOSYS,
                errno.EINVAL,
                errno.EOPNOTSUPP,
                errno.EBADF,
                errno.EPERM,
            ):
                return None
            raise
        if not count:
            return done
        done += count
        if progress is not None:
            progress(done // 2, total)


def _copy_and_hash(
    reader: BinaryIO,
    writer: BinaryIO,
    total: int,
    progress: ProgressFn | None,
    check_cancel: Callable[[], None],
) -> tuple[int, str]:
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    done = 0
    while True:
        check_cancel()
        count = reader.readinto(buffer)  # type: ignore[attr-defined]
        if not count:
            return done, digest.hexdigest()
        chunk = view[:count]
        digest.update(chunk)  # hashlib and write release the GIL: the GUI runs on
        writer.write(chunk)
        done += count
        if progress is not None:
            progress(done, total)


def _hash_file(
    path: Path, size: int, total: int, progress: ProgressFn | None, check_cancel: Callable[[], None]
) -> str:
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    done = 0
    with path.open("rb") as reader:
        while count := reader.readinto(buffer):
            check_cancel()
            digest.update(view[:count])
            done += count
            if progress is not None:
                progress((size + done) // 2, total)  # ends exactly at size
    return digest.hexdigest()


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"

    def blob_path(self, sha256: str) -> Path:
        """Where the bytes named ``sha256`` live. A value that is not a SHA-256 (a crafted
        database) is refused: it would otherwise name any file on the disk."""
        if not valid_sha256(sha256):
            raise InvalidHashError(f"佐证材料记录中的校验值无效({str(sha256)[:40]!r})，数据可能被篡改")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return valid_sha256(sha256) and self.blob_path(sha256).is_file()

    def intact(self, sha256: str, size: int | None = None) -> bool:
        """The stored blob is there and its bytes hash to its name (size checked first)."""
        if not valid_sha256(sha256):
            return False
        path = self.blob_path(sha256)
        try:
            if not path.is_file() or (size is not None and path.stat().st_size != size):
                return False
        except OSError:
            return False
        return self.check(sha256) == "ok"

    def clean_temporary(self) -> int:
        """Remove part files left by a crash. Returns how many were removed."""
        if not self.tmp.is_dir():
            return 0
        removed = 0
        for part in self.tmp.glob("*.part"):
            part.unlink(missing_ok=True)
            removed += 1
        return removed

    def ingest(
        self,
        source: Path,
        progress: ProgressFn | None = None,
        cancelled: CancelledFn | None = None,
    ) -> Ingested:
        """Copy ``source`` in, hashing as it goes. Raises :class:`EvidenceError` with the reason."""
        name = printable(source.name)  # shown in messages: no raw control characters
        try:
            before = source.stat()
        except FileNotFoundError:
            raise EvidenceError(f"找不到文件「{name}」(可能已被移动或删除)") from None
        except OSError as exc:
            raise EvidenceError(f"无法读取「{name}」:{os_error_reason(exc)}") from exc
        if source.is_dir():
            raise EvidenceError(f"「{name}」是一个文件夹，请选择其中的文件")
        if not source.is_file():
            raise EvidenceError(f"「{name}」不是普通文件")
        if before.st_size == 0:
            raise EvidenceError(f"「{name}」是空文件(0 字节)，没有内容可作佐证")
        self.tmp.mkdir(parents=True, exist_ok=True)
        part = self.tmp / f"{uuid.uuid4().hex}.part"
        total = before.st_size

        def check_cancel() -> None:
            if cancelled is not None and cancelled():
                raise CopyCancelled(f"已取消添加「{name}」")

        try:
            try:
                reader = source.open("rb")
            except PermissionError as exc:
                raise EvidenceError(f"没有权限读取「{name}」") from exc
            with reader, part.open("wb") as writer:
                copied = _kernel_copy(reader.fileno(), writer.fileno(), total, progress, check_cancel)
                if copied is None:  # no in-kernel copy here: read, hash and write in one pass
                    done, sha = _copy_and_hash(reader, writer, total, progress, check_cancel)
                else:
                    done, sha = copied, ""
                writer.flush()
                os.fsync(writer.fileno())
            if not sha:  # hash what was written: the bytes we keep are the bytes we name
                sha = _hash_file(part, done, total, progress, check_cancel)
            after = source.stat()
            unchanged = (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
            if not unchanged or done != after.st_size:
                raise EvidenceError(f"「{name}」在复制过程中被修改了，请在文件保存完毕后重新添加")
            target = self.blob_path(sha)
            if self.intact(sha, done):
                part.unlink()
                return Ingested(sha, done, source.name, created=False)
            # Missing, or a truncated / damaged file under this name: the verified copy replaces
            # it (an existing name is never trusted).
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, target)
            _fsync_dir(target.parent)
            log.info("stored %s as %s (%d bytes)", source.name, sha[:12], done)
            return Ingested(sha, done, source.name, created=True)
        except EvidenceError:
            part.unlink(missing_ok=True)
            raise
        except FileNotFoundError as exc:
            part.unlink(missing_ok=True)
            raise EvidenceError(f"「{name}」在复制过程中消失了(可能已被移动或删除)") from exc
        except OSError as exc:
            part.unlink(missing_ok=True)
            log.error("copying %s failed: %s", source, exc)
            if exc.errno == errno.ENOSPC:
                raise EvidenceError(f"磁盘空间不足，无法保存「{name}」。请清理磁盘后重试。") from exc
            raise EvidenceError(f"复制「{name}」失败:{os_error_reason(exc)}") from exc
        except BaseException:
            part.unlink(missing_ok=True)
            raise

    def check(self, sha256: str) -> str:
        """``ok``, ``missing`` or ``damaged`` (its bytes no longer hash to its name, or the
        name itself is not a hash)."""
        if not valid_sha256(sha256):
            return "damaged"
        path = self.blob_path(sha256)
        if not path.is_file():
            return "missing"
        return "ok" if file_sha256(path) == sha256 else "damaged"

    def delete(self, sha256: str) -> None:
        if valid_sha256(sha256):  # an invalid value names no blob: nothing of ours to delete
            self.blob_path(sha256).unlink(missing_ok=True)


@dataclass(frozen=True)
class Batch:
    """What a batch copy achieved: stored files, refusals (name, reason), and whether it stopped."""

    stored: list[Ingested]
    refused: list[tuple[str, str]]
    cancelled: bool


def ingest_many(
    store: EvidenceStore,
    sources: list[Path],
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> Batch:
    """Copy several files in one after another, with one progress over all their bytes."""
    sizes = []
    for source in sources:
        try:
            sizes.append(source.stat().st_size if source.is_file() else 0)
        except OSError:
            sizes.append(0)
    total, base = max(1, sum(sizes)), 0
    stored: list[Ingested] = []
    refused: list[tuple[str, str]] = []
    for source, size in zip(sources, sizes, strict=True):
        offset = base

        def overall(done: int, _total: int, offset: int = offset) -> None:
            if progress is not None:
                progress(offset + done, total)

        try:
            stored.append(store.ingest(source, overall, cancelled))
        except CopyCancelled:
            return Batch(stored, refused, cancelled=True)
        except EvidenceError as exc:
            refused.append((source.name, str(exc)))
        base += size
    return Batch(stored, refused, cancelled=False)


def find_problems(
    store: EvidenceStore,
    hashes: list[str],
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> dict[str, str]:
    """``{sha256: "missing" | "damaged"}`` for the blobs that are not as they should be."""
    problems: dict[str, str] = {}
    unique = list(dict.fromkeys(hashes))
    for index, sha in enumerate(unique, start=1):
        if cancelled is not None and cancelled():
            raise CopyCancelled("已取消校验")
        verdict = store.check(sha)
        if verdict != "ok":
            problems[sha] = verdict
        if progress is not None:
            progress(index, len(unique))
    return problems
