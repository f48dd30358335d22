"""What a file is (by its content, not its name), and turning it into grids or paragraphs.

Every refusal is one Chinese sentence that names the file and says what to do.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liaison_app.errors import os_error_reason
from liaison_app.plan.importers.common import MAX_ROWS, PlanImportError, numeral, split_numbering
from liaison_app.plan.importers.table import Grid, find_header

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PACKAGE_META_SHEET = "_方案信息"


@dataclass(frozen=True)
class Sniffed:
    kind: str  # xlsx | package | docx | text | json
    text: str = ""  # for text and json


def sniff(path: Path) -> Sniffed:
    """Decide what ``path`` holds; raise :class:`PlanImportError` for anything we cannot read."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PlanImportError(f"无法打开文件 {name}:{os_error_reason(exc)}") from exc
    if not path.is_file():
        raise PlanImportError(f"{name} 不是一个文件。")
    if size == 0:
        raise PlanImportError(f"{name} 是空文件，不是工作方案。")
    if size > MAX_FILE_BYTES:
        raise PlanImportError(f"{name} 有 {size // (1024 * 1024)} MB，远大于一份工作方案，未导入。")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlanImportError(f"无法读取文件 {name}:{os_error_reason(exc)}") from exc
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise PlanImportError(
                f"{name} 设置了打开密码(已加密)，无法读取。请在 Excel 或 Word 中取消密码、另存后再导入。"
            )
        raise PlanImportError(
            f"{name} 是旧版 Office 97-2003 格式(.xls/.doc)。"
            "请在 Excel 或 Word 中另存为 .xlsx 或 .docx 后再导入。"
        )
    if data.startswith(b"PK"):
        return _sniff_zip(path)
    if b"\x00" in data[:4096]:
        raise PlanImportError(f"{name} 不是表格、Word 文档或文本文件，不是工作方案。")
    text = _decode(data, name)
    if text.lstrip().startswith("{"):
        return Sniffed("json", text)
    return Sniffed("text", text)


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlanImportError(
        f"{name} 的文字编码无法识别(既不是 UTF-8 也不是 GBK)，请另存为 UTF-8 文本后再导入。"
    )


def _sniff_zip(path: Path) -> Sniffed:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
                raise PlanImportError(f"{name} 解压后过大，不像一份工作方案，未导入。")
            if "xl/workbook.xml" in names:
                workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
                return Sniffed("package" if PACKAGE_META_SHEET in workbook else "xlsx")
            if "word/document.xml" in names:
                return Sniffed("docx")
    except zipfile.BadZipFile as exc:
        raise PlanImportError(f"{name} 已损坏(压缩结构不完整)，无法作为 xlsx 或 docx 打开。") from exc
    except (OSError, KeyError) as exc:
        raise PlanImportError(f"{name} 已损坏，无法读取:{exc}") from exc
    suffix = path.suffix.lower()
    what = {".docx": "Word 文档", ".xlsx": "Excel 工作簿"}.get(suffix)
    if what:
        raise PlanImportError(
            f"{name} 虽然以 {suffix} 结尾，但实际上是一个普通压缩包，里面没有{what}的内容，不是工作方案。"
        )
    raise PlanImportError(f"{name} 是一个压缩包，不是工作方案;请解压后选择其中的方案文件。")


def load_json(text: str, name: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanImportError(f"{name} 看起来是 JSON，但第{exc.lineno}行有格式错误，无法读取。") from exc
    if not isinstance(data, dict):
        raise PlanImportError(f"{name} 不是工作方案数据文件。")
    return data


# -- workbooks --------------------------------------------------------------------------------
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


def _check_row_count(path: Path) -> None:
    """Refuse a sheet far longer than any plan before openpyxl loads it (which would take long).

    Trusts the sheet's ``<dimension>`` when it is within the limit; otherwise streams the sheet
    XML counting rows that hold a value, stopping at the limit.
    """
    from defusedxml.ElementTree import iterparse

    limit = MAX_ROWS + 20
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        for sheet in sheets:
            with archive.open(sheet) as stream:
                head = stream.read(4096)
            match = _DIMENSION.search(head)
            if match and int(match.group(1) or 1) <= limit:
                continue
            count = 0
            with archive.open(sheet) as stream:
                for _event, element in iterparse(stream, events=("end",)):
                    if element.tag.endswith("}row"):
                        if any(child.tag.endswith(("}v", "}is")) for cell in element for child in cell):
                            count += 1
                            if count > limit:
                                raise PlanImportError(
                                    f"{path.name} 中有工作表超过 {MAX_ROWS} 行，远多于一份工作方案，未导入。"
                                    "请确认选对了文件，或把方案拆分后再导入。"
                                )
                        element.clear()


def workbook_grids(path: Path) -> list[Grid]:
    """Every sheet as a grid with merged ranges filled in (visible sheets first)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        _check_row_count(path)
        workbook = load_workbook(path, data_only=True)
    except PlanImportError:
        raise
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise PlanImportError(f"{path.name} 已损坏或不是有效的 xlsx 工作簿，无法读取。") from exc
    grids: list[Grid] = []
    sheets = sorted(workbook.worksheets, key=lambda s: s.sheet_state != "visible")
    for sheet in sheets:
        rows: list[list[Any]] = [list(row) for row in sheet.iter_rows(values_only=True)]
        merged: dict[tuple[int, int], int] = {}
        for cell_range in sheet.merged_cells.ranges:
            top, left = cell_range.min_row - 1, cell_range.min_col - 1
            if top >= len(rows):
                continue
            value = rows[top][left] if left < len(rows[top]) else None
            for r in range(top, min(cell_range.max_row, len(rows))):
                for c in range(left, cell_range.max_col):
                    while len(rows[r]) <= c:
                        rows[r].append(None)
                    rows[r][c] = value
                    if r > top:
                        merged[(r, c)] = top
        grids.append(Grid(rows, merged, f"工作表「{sheet.title}」"))
    workbook.close()
    return grids


def pick_grid(grids: list[Grid], name: str) -> Grid:
    """The first sheet (or Word table) with a recognisable header."""
    errors: list[str] = []
    for grid in grids:
        if not any(any(v not in (None, "") for v in row) for row in grid.rows):
            continue
        try:
            find_header(grid)
        except PlanImportError as exc:
            errors.append(str(exc))
            continue
        return grid
    if not errors:
        raise PlanImportError(f"{name} 中的表格是空的，没有任何内容。")
    raise PlanImportError(f"{name}:{errors[0]}")


# -- Word documents ---------------------------------------------------------------------------
def docx_content(path: Path) -> tuple[list[str], list[Grid]]:
    """The document's paragraphs and its tables (as grids, merged cells repeated)."""
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - python-docx is a runtime dependency
        raise PlanImportError("缺少读取 Word 文档的组件(python-docx)，请重新安装本程序。") from exc
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise PlanImportError(f"{path.name} 已损坏或不是有效的 Word 文档(.docx)，无法读取。") from exc
    except Exception as exc:  # lxml raises its own errors for broken XML
        raise PlanImportError(f"{path.name} 的内容已损坏，无法作为 Word 文档读取。") from exc
    paragraphs = _numbered_paragraphs(document.paragraphs)
    grids: list[Grid] = []
    for number, table in enumerate(document.tables, start=1):
        rows: list[list[Any]] = []
        merged: dict[tuple[int, int], int] = {}
        previous: list[Any] = []
        for r, row in enumerate(table.rows):
            cells = row.cells
            values: list[Any] = []
            for c, cell in enumerate(cells):
                values.append(cell.text)
                if r > 0 and c < len(previous) and previous[c] is cell._tc:
                    merged[(r, c)] = r - 1
            previous = [cell._tc for cell in cells]
            rows.append(values)
            if len(rows) > MAX_ROWS + 20:
                raise PlanImportError(
                    f"{path.name} 的表格{number}超过 {MAX_ROWS} 行，远多于一份工作方案，未导入。"
                )
        grids.append(Grid(rows, merged, f"表格{number}"))
    return paragraphs, grids


_AUTO_MARKS = (
    lambda n: f"{numeral(n)}、",
    lambda n: f"（{numeral(n)}）",
    lambda n: f"{n}．",
    lambda n: f"（{n}）",
)


def _numbered_paragraphs(paragraphs: Any) -> list[str]:
    """Paragraph texts, with Word's automatic numbering written out.

    Word keeps list numbers outside the text (``w:numPr``); a notice numbered that way would read
    as unnumbered prose. Levels 0–3 become ``一、`` ``（一）`` ``1．`` ``（1）``, counted per level.
    """
    texts: list[str] = []
    counters = [0, 0, 0, 0]
    for paragraph in paragraphs:
        text = paragraph.text
        ppr = paragraph._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        if num_pr is None or not text.strip() or split_numbering(text)[0] is not None:
            texts.append(text)
            continue
        level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        level = min(max(int(level), 0), len(counters) - 1)
        counters[level] += 1
        for deeper in range(level + 1, len(counters)):
            counters[deeper] = 0
        texts.append(_AUTO_MARKS[level](counters[level]) + text)
    return texts
