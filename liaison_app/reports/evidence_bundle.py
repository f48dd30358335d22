"""The evidence bundle: a zip (or several, for mail size limits) with one folder per item and a
manifest the office can check every file against.

Files are stored uncompressed (scans and office files are compressed already), so each part's
size is known before it is written and stays under the limit. Parts are written under temporary
names and renamed only when all of them are complete.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from liaison_app.evidence import CancelledFn, CopyCancelled, ProgressFn
from liaison_app.filenames import safe_name, unique_name
from liaison_app.reports.workbook_io import clean_stale_parts
from liaison_app.vocabulary import period_label

log = logging.getLogger(__name__)

MANIFEST_NAME = "佐证材料清单.csv"
MANIFEST_HEADERS = [
    "编号",
    "工作措施",
    "包内路径",
    "原文件名",
    "大小(字节)",
    "SHA-256",
    "添加时间",
    "说明",
    "所在分卷",
]
ENTRY_OVERHEAD = 200  # local + central zip headers per entry, generously (names counted apart)
MANIFEST_RESERVE = 256 * 1024


@dataclass(frozen=True)
class BundleFile:
    item_code: str
    item_title: str
    original_name: str
    sha256: str
    size: int
    added_at: dt.datetime
    description: str
    blob: Path


@dataclass(frozen=True)
class BundleResult:
    parts: list[Path]
    files: int
    total_bytes: int
    oversized: list[str]  # files bigger than one part on their own (each alone in a part)


def _entry_size(arcname: str, size: int) -> int:
    return size + ENTRY_OVERHEAD + 2 * len(arcname.encode("utf-8"))


def _arcnames(files: list[BundleFile]) -> list[str]:
    folders: dict[str, str] = {}
    taken_folders: set[str] = set()
    taken_in: dict[str, set[str]] = {}
    names = []
    for entry in files:
        folder = folders.get(entry.item_code)
        if folder is None:
            folder = unique_name(safe_name(f"{entry.item_code}_{entry.item_title}", 40), taken_folders)
            folders[entry.item_code] = folder
        name = unique_name(safe_name(entry.original_name, 80), taken_in.setdefault(folder, set()))
        names.append(f"{folder}/{name}")
    return names


def bundle_file_name(unit: str, period: str) -> str:
    return safe_name(f"{unit}_{period_label(period)}_佐证材料.zip", 120)


def part_paths(out: Path, count: int) -> list[Path]:
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}_第{k}卷_共{count}卷{out.suffix}") for k in range(1, count + 1)]


def write_bundle(
    files: list[BundleFile],
    out: Path,
    split_mb: float | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> BundleResult:
    """Write ``files`` to ``out`` (split in parts of at most ``split_mb`` MB when given).

    Runs without the database (safe in a worker thread); a cancel or failure leaves no part.
    """
    if not files:
        raise ValueError("所选报送期没有佐证材料可以打包")
    if split_mb is not None and not (math.isfinite(split_mb) and split_mb > 0):
        raise ValueError("分卷大小须是大于 0 的有限数(单位 MB)")
    clean_stale_parts(out.parent, "*.zip.part")
    names = _arcnames(files)
    limit = int(split_mb * 1024 * 1024) if split_mb else None
    groups: list[list[int]] = [[]]
    used = MANIFEST_RESERVE
    oversized: list[str] = []
    for index, (entry, name) in enumerate(zip(files, names, strict=True)):
        size = _entry_size(name, entry.size)
        if limit is not None and groups[-1] and used + size > limit:
            groups.append([])
            used = MANIFEST_RESERVE
        if limit is not None and MANIFEST_RESERVE + size > limit:
            oversized.append(entry.original_name)
        groups[-1].append(index)
        used += size
    paths = part_paths(out, len(groups))
    part_of = {i: k + 1 for k, group in enumerate(groups) for i in group}
    manifest = _manifest(files, names, part_of, len(groups))
    temporary = [p.with_name(p.name + ".part") for p in paths]
    written, total = 0, max(1, sum(f.size for f in files))
    try:
        for group, temp in zip(groups, temporary, strict=True):
            with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(MANIFEST_NAME, manifest)
                for i in group:
                    if cancelled is not None and cancelled():
                        raise CopyCancelled("已取消打包")
                    archive.write(files[i].blob, names[i])
                    written += files[i].size
                    if progress is not None:
                        progress(written, total)
            with temp.open("rb+") as handle:
                os.fsync(handle.fileno())
        for temp, final in zip(temporary, paths, strict=True):
            os.replace(temp, final)
    except BaseException:
        for temp in temporary:
            temp.unlink(missing_ok=True)
        raise
    log.info("evidence bundle of %d files written to %s", len(files), ", ".join(map(str, paths)))
    return BundleResult(paths, len(files), sum(f.size for f in files), oversized)


def _manifest(files: list[BundleFile], names: list[str], part_of: dict[int, int], parts: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MANIFEST_HEADERS)
    for index, (entry, name) in enumerate(zip(files, names, strict=True)):
        writer.writerow(
            [
                entry.item_code,
                entry.item_title,
                _literal(name),
                _literal(entry.original_name),
                entry.size,
                entry.sha256,
                entry.added_at.strftime("%Y-%m-%d %H:%M:%S"),
                _literal(entry.description),
                f"{part_of[index]}/{parts}",
            ]
        )
    # UTF-8 with a byte-order mark: Excel and WPS then read the Chinese correctly
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def _literal(text: str) -> str:
    """A spreadsheet must not run what a user typed: ``=HYPERLINK(…)`` stays text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def read_manifest(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))
