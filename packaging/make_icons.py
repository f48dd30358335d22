"""Render resources/icons/liaison-app.svg to the PNG sizes and the Windows .ico we ship.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py

The outputs are committed (binary assets); run this again only when the SVG changes.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """An .ico holding PNG images (supported since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return header + entries + blobs


def main() -> None:
    QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "liaison-app.svg"))
    pngs = {size: render(renderer, size) for size in SIZES}
    for size, png in pngs.items():
        (ICONS / f"liaison-app-{size}.png").write_bytes(png)
    (ICONS / "liaison-app.ico").write_bytes(ico({s: pngs[s] for s in (16, 24, 32, 48, 64, 256)}))
    print(f"wrote {len(pngs)} PNGs and liaison-app.ico to {ICONS}")


if __name__ == "__main__":
    main()
