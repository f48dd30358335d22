"""The unit report and the 汇总 as PDF, drawn by Qt: for liaisons without Excel or WPS.

A4, the cover on its own portrait page, the detail on landscape pages with the table header
repeated, 第 N 页，共 M 页 and the SHA-256 of the matching xlsx in every footer (paper and file
can be matched), a CJK font embedded. Uses QtGui only (QTextDocument, QPdfWriter, QPainter), so
it needs a QGuiApplication (the command line makes an offscreen one only for this); nothing in
the services imports this module.
"""

from __future__ import annotations

import html
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from liaison_app.digests import file_sha256
from liaison_app.reports import report_format as fmt
from liaison_app.reports.consolidation import (
    STATUS_COLUMNS,
    Consolidation,
    GroupLine,
    UnitLine,
    figures,
    status_label,
    total_figures,
)
from liaison_app.reports.unit_report import ReportData, cover_pairs, detail_values
from liaison_app.vocabulary import Role, period_label

# 宋体 / 微软雅黑 on Chinese Windows, the Noto or WenQuanYi fonts on Linux (fonts-wqy-microhei).
FONT_FAMILIES = (
    "SimSun",
    "宋体",
    "Microsoft YaHei",
    "微软雅黑",
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "Source Han Serif SC",
    "WenQuanYi Micro Hei",
    "文泉驿微米黑",
    "WenQuanYi Zen Hei",
)
LINUX_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
BODY_POINTS = 10.0
FOOTER_POINTS = 9.0
RESOLUTION = 300  # dots per inch of the PDF's coordinate space
MARGIN_MM = 14.0
FOOTER_MM = 12.0  # below the body, inside the page: two lines of 9 pt


class PdfError(RuntimeError):
    """The PDF could not be made; ``str(error)`` says why, in Chinese."""


@dataclass(frozen=True)
class Section:
    """A run of pages in one orientation: a QTextDocument's HTML."""

    html: str
    landscape: bool


def ensure_gui() -> QGuiApplication:
    """The running Qt application, or an offscreen one (the command line)."""
    app = QGuiApplication.instance()
    if app is None:
        import os

        if sys.platform != "win32":
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([sys.argv[0] if sys.argv else "liaison-app"])
    assert isinstance(app, QGuiApplication)
    return app


def cjk_family() -> str:
    """The first Chinese font installed (the PDF embeds it); PdfError when there is none."""
    families = set(QFontDatabase.families())
    for name in FONT_FAMILIES:
        if name in families:
            return name
    for file in LINUX_FONT_FILES:  # a font file present but not registered (minimal systems)
        if Path(file).exists():
            font_id = QFontDatabase.addApplicationFont(file)
            found = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if found:
                return str(found[0])
    raise PdfError("系统中没有中文字体(如宋体、微软雅黑、文泉驿微米黑)，无法生成 PDF")


# -- HTML ---------------------------------------------------------------------------------------
def _e(value: Any) -> str:
    return html.escape(str(value)).replace("\n", "<br/>")


TABLE = '<table border="1" cellspacing="0" cellpadding="3" width="100%" style="border-collapse:collapse;">'


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int]) -> str:
    head = "".join(
        f'<th width="{w}%" style="background-color:#DCE6F1;">{_e(h)}</th>'
        for h, w in zip(headers, widths, strict=True)
    )
    body = "".join(
        "<tr>" + "".join(f'<td valign="top">{_e("" if v is None else v)}</td>' for v in row) + "</tr>"
        for row in rows
    )
    return f"{TABLE}<thead><tr>{head}</tr></thead>{body}</table>"


def _text(value: Any) -> str:
    if hasattr(value, "hour"):
        return str(value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M"))
    return str(value)


def unit_sections(data: ReportData) -> list[Section]:
    pairs = [(a, _text(b), c, _text(d)) for a, b, c, d in cover_pairs(data)]
    label = '<td width="18%" style="background-color:#DCE6F1;"><b>{}</b></td>'
    value = '<td width="32%">{}</td>'
    figures = "".join(
        "<tr>"
        + label.format(_e(a))
        + value.format(_e(b))
        + label.format(_e(c))
        + value.format(_e(d))
        + "</tr>"
        for a, b, c, d in pairs
    )
    duties = [("本月典型案例", f"{len(data.cases)} 篇" if data.cases else "本月尚未报送(每月至少一篇)")]
    duties += [(d.label, f"{d.status}(完成时限 {d.due}，{d.light})") for d in data.deliverables]
    duty_rows = "".join(f"<tr>{label.format(_e(a))}<td>{_e(b)}</td></tr>" for a, b in duties)
    if not data.incomplete:
        checks = "<p>导出前检查:未发现不完整的条目。</p>"
    elif len(data.incomplete) <= fmt.COVER_CHECK_LINES:
        checks = f"<p><b>导出前检查:以下 {len(data.incomplete)} 条在导出时尚不完整(填报单位已知悉):</b></p>"
        checks += _table(["编号", "尚不完整之处"], data.incomplete, [18, 82])
    else:
        kinds = Counter(reason for _code, reason in data.incomplete).most_common(fmt.COVER_CHECK_LINES)
        checks = (
            f"<p><b>导出前检查:{len(data.incomplete)} 条在导出时尚不完整(填报单位已知悉)，"
            f"逐条见文末:</b></p>"
            + _table(["条数", "尚不完整之处"], [(f"{n} 条", r) for r, n in kinds], [18, 82])
        )
    line = "_" * 18
    signatures = (
        '<br/><table width="100%" cellpadding="6" cellspacing="0">'
        f'<tr><td width="20%"><b>填报人(签字):</b></td><td width="30%">{line}</td>'
        f'<td width="20%"><b>审核人(签字):</b></td><td width="30%">{line}</td></tr>'
        f"<tr><td><b>单位负责人(签字):</b></td><td>{line}</td><td></td><td></td></tr>"
        '<tr><td height="110" valign="top"><b>单位(盖章):</b></td><td></td>'
        '<td colspan="2" align="center" valign="middle" style="border:1px dashed #808080; color:#A6A6A6;">'
        "(盖章处)</td></tr>"
        '<tr><td></td><td></td><td colspan="2" align="center"><b>'
        + "&nbsp;" * 6
        + "年"
        + "&nbsp;" * 6
        + "月"
        + "&nbsp;" * 6
        + "日</b></td></tr></table>"
    )
    since = (
        f"较上次报送({data.previous_export})有变化的工作措施 {sum(1 for r in data.rows if r.change)} 条"
        if data.previous_export
        else "本单位首次报送"
    )
    cover = (
        f'<h2 align="center">{_e(fmt.TITLE)}</h2>'
        f"{TABLE}{figures}</table><br/>{TABLE}{duty_rows}</table><p>{_e(since)}</p>{checks}{signatures}"
    )
    headers = [h for h, _w, _wrap in fmt.DETAIL_COLUMNS[: fmt.DETAIL_PRINTED]]
    rows = [[_text(v) for v in values[: fmt.DETAIL_PRINTED]] for values in detail_values(data)]
    detail = (
        f'<h3 align="center">{_e(data.unit)}  {period_label(data.period)}工作进展'
        f"(统计截至 {data.as_of.isoformat()})</h3>" + _table(headers, rows, [6, 26, 5, 9, 7, 30, 5, 12])
    )
    if len(data.incomplete) > fmt.COVER_CHECK_LINES:
        detail += "<h3>导出前检查(逐条)</h3>" + _table(["编号", "尚不完整之处"], data.incomplete, [18, 82])
    return [Section(cover, landscape=False), Section(detail, landscape=True)]


def consolidation_sections(result: Consolidation) -> list[Section]:
    heading = (
        f"{result.plan_name} {period_label(result.period)}工作进展汇总(统计截至 {result.as_of.isoformat()})"
    )
    labels = [status_label(s) for s in STATUS_COLUMNS]

    def totals(lines: Sequence[GroupLine | UnitLine]) -> list[Any]:
        return ["", "合计", *total_figures(lines)]

    widths = [5, 23, 8, *([7] * len(labels)), 7, 9]
    areas = _table(
        ["序号", "领域", "工作措施", *labels, "逾期", "完成率(%)"],
        [[a.number, a.name, *figures(a)] for a in result.areas] + [totals(result.areas)],
        widths,
    )
    units = _table(
        ["序号", "单位", "工作措施", *labels, "逾期", "完成率(%)"],
        [[n, u.unit, *figures(u)] for n, u in enumerate(result.units, start=1)] + [totals(result.units)],
        widths,
    )
    chase = _table(
        ["序号", "编号", "工作措施", "牵头单位", "完成时限", "逾期天数", "事项状态", "最新进展"],
        [
            [
                n,
                v.item.id,
                v.item.text,
                "、".join(v.item.lead),
                v.item.deadline.isoformat() if v.item.deadline else "",
                v.overdue_days,
                v.status_label,
                v.latest_note,
            ]
            for n, v in enumerate(result.overdue, start=1)
        ],
        [4, 5, 27, 12, 9, 6, 7, 30],
    )
    missing = _table(
        ["序号", "单位", "承担工作措施", "说明"],
        [
            [n, u.unit, u.items, result.missing_reasons.get(u.unit, "")]
            for n, u in enumerate(result.missing_units, start=1)
        ],
        [6, 30, 12, 52],
    )

    def states(view: Any, role: Role) -> str:
        return "\n".join(
            f"{s.unit}【{s.status_label}】{s.note}".rstrip() for s in view.states if s.role is role
        )

    detail = _table(
        [
            "编号",
            "工作措施",
            "完成时限",
            "事项状态",
            "逾期天数",
            "牵头单位报送情况",
            "配合单位报送情况",
            "不一致",
        ],
        [
            [
                v.item.id,
                v.item.text,
                v.item.deadline.isoformat() if v.item.deadline else "",
                v.status_label,
                v.overdue_days or "",
                states(v, Role.LEAD),
                states(v, Role.COOP) or "—",
                v.inconsistent,
            ]
            for v in result.items
        ],
        [5, 22, 9, 6, 5, 22, 22, 9],
    )
    body = (
        f'<h2 align="center">{_e(heading)}</h2><h3>各领域</h3>{areas}<h3>各单位</h3>{units}'
        f'<h3 style="page-break-before:always;">督办清单:逾期工作措施 {len(result.overdue)} 条</h3>{chase}'
        f"<h3>未报送单位 {len(result.missing_units)} 个</h3>{missing}"
        f'<h3 style="page-break-before:always;">全部明细</h3>{detail}'
    )
    return [Section(body, landscape=True)]


# -- drawing ------------------------------------------------------------------------------------
def _layout(landscape: bool) -> QPageLayout:
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM + FOOTER_MM)
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, margins, QPageLayout.Unit.Millimeter)


def _document(section: Section, device: QPagedPaintDevice, family: str, dpi: int) -> QTextDocument:
    document = QTextDocument()
    document.documentLayout().setPaintDevice(device)
    font = QFont(family)
    font.setPointSizeF(BODY_POINTS)
    document.setDefaultFont(font)
    document.setDefaultStyleSheet("th { font-weight: bold; } td, th { border-color: #808080; }")
    document.setHtml(section.html)
    body = _layout(section.landscape).paintRectPixels(dpi)
    document.setPageSize(QSizeF(body.width(), body.height()))
    return document


def draw(device: QPagedPaintDevice, sections: Sequence[Section], footer: str) -> int:
    """Lay the sections out on ``device`` (a QPdfWriter or a QPrinter); returns the page count."""
    family = cjk_family()
    dpi = int(device.resolution())  # type: ignore[attr-defined]  # QPdfWriter and QPrinter have it
    documents = []
    for section in sections:
        device.setPageLayout(_layout(section.landscape))
        documents.append((section, _document(section, device, family, dpi)))
    total = sum(doc.pageCount() for _s, doc in documents)
    painter = QPainter()
    device.setPageLayout(_layout(documents[0][0].landscape))
    if not painter.begin(device):
        raise PdfError("无法写入 PDF 文件(文件可能正在被其他程序打开)")
    footer_font = QFont(family)
    footer_font.setPointSizeF(FOOTER_POINTS)
    number = 0
    try:
        for section, document in documents:
            size = document.pageSize()
            for page in range(document.pageCount()):
                if number:
                    device.setPageLayout(_layout(section.landscape))
                    device.newPage()
                number += 1
                painter.save()
                painter.translate(0, -page * size.height())
                context = QAbstractTextDocumentLayout.PaintContext()
                context.clip = QRectF(0, page * size.height(), size.width(), size.height())
                painter.setClipRect(context.clip)
                document.documentLayout().draw(painter, context)
                painter.restore()
                painter.setFont(footer_font)
                area = QRectF(0, size.height() + dpi / 20, size.width(), FOOTER_MM / 25.4 * dpi)
                text = f"第 {number} 页，共 {total} 页\n{footer}"
                painter.drawText(area, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), text)
    finally:
        painter.end()
    return total


def write_pdf(sections: Sequence[Section], path: Path, footer: str, title: str) -> int:
    """Atomically: drawn under a temporary name, then renamed over ``path``."""
    import os

    ensure_gui()
    temporary = path.with_name(path.name + ".part")
    try:
        writer = QPdfWriter(str(temporary))
        writer.setResolution(RESOLUTION)
        writer.setTitle(title)
        writer.setCreator("liaison-app")
        pages = draw(writer, sections, footer)
        del writer  # closes the file
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return pages


def footer_line(xlsx: Path) -> str:
    return f"对应 xlsx 文件 {xlsx.name} 的 SHA-256:{file_sha256(xlsx)}"


def write_unit_pdf(data: ReportData, xlsx: Path, path: Path) -> int:
    """The unit report ``data`` (already written to ``xlsx``) as a PDF; returns the page count."""
    title = f"{data.unit} {period_label(data.period)}工作进展报表"
    return write_pdf(unit_sections(data), path, footer_line(xlsx), title)


def write_consolidation_pdf(result: Consolidation, xlsx: Path, path: Path) -> int:
    title = f"汇总 {period_label(result.period)}工作进展"
    return write_pdf(consolidation_sections(result), path, footer_line(xlsx), title)
