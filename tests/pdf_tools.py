"""Measuring what LibreOffice prints: page size, page count, text and the smallest text size.

Used by the print tests and by benchmarks/bench_print.py. Only poppler-utils (pdfinfo,
pdftotext) and LibreOffice (soffice) are needed; tasks.sh installs both.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
A4_POINTS = (595.0, 842.0)


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float

    @property
    def height(self) -> float:
        return self.y_max - self.y_min


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)


def convert(source: Path, target: str, outdir: Path, profile: Path) -> Path:
    """``soffice --headless --convert-to target``; returns the converted file."""
    assert SOFFICE is not None
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    extension = target.split(":")[0]
    return outdir / f"{source.stem}.{extension}"


def pages(pdf: Path) -> list[Page]:
    """Every page with its size and its words (pdftotext -bbox)."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    root = ET.fromstring(xml)
    found = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        words = [
            Word(
                number,
                w.text or "",
                float(w.get("xMin", 0)),
                float(w.get("yMin", 0)),
                float(w.get("xMax", 0)),
                float(w.get("yMax", 0)),
            )
            for w in page.iter("{http://www.w3.org/1999/xhtml}word")
        ]
        found.append(Page(number, float(page.get("width", 0)), float(page.get("height", 0)), words))
    return found


@functools.cache
def _points_per_height(profile: str) -> float:
    """How many points of font size one point of word-box height is, for LibreOffice's CJK font.

    A 10.5 pt 宋体 line printed at 100 % is measured once; word boxes include ascent and descent.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        from openpyxl.styles import Font

        workbook = Workbook()
        ws = workbook.active
        assert ws is not None
        ws["A1"] = "校准文字校准文字"
        ws["A1"].font = Font(name="宋体", size=10.5)
        source = Path(folder) / "calibrate.xlsx"
        workbook.save(source)
        pdf = convert(source, "pdf", Path(folder), Path(profile))
        words = [w for p in pages(pdf) for w in p.words if "校准" in w.text]
        return 10.5 / max(w.height for w in words)


def smallest_font(pdf_pages: list[Page], profile: Path) -> float:
    """The smallest text size on the pages, in points (footers included)."""
    factor = _points_per_height(str(profile))
    heights = [w.height for p in pdf_pages for w in p.words if w.text.strip()]
    return round(min(heights) * factor, 1)


def font_sizes(pdf_pages: list[Page], profile: Path) -> list[float]:
    factor = _points_per_height(str(profile))
    return [round(w.height * factor, 1) for p in pdf_pages for w in p.words if w.text.strip()]
