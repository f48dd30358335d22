"""Before Qt starts on an X display: are the system libraries its xcb plugin loads present?

When one is missing Qt aborts with a message that blames ``libxcb-cursor0`` whatever is missing.
Asking the dynamic loader first lets the app name the real packages and the command to install
them. The list is what ``ldd`` shows for PySide6's ``libqxcb.so`` and ``libQt6XcbQpa.so.6``
(tasks.sh installs the same packages).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

# shared object → the Debian/Ubuntu package that ships it
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def _loads(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def wants_xcb(environ: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """True when Qt will try the xcb plugin: Linux, and no other platform was asked for."""
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return False
    asked = env.get("QT_QPA_PLATFORM", "")
    if asked:
        return asked.split(":")[0].split(";")[0] == "xcb"
    return not env.get("WAYLAND_DISPLAY")


def missing_packages(loads: Callable[[str], bool] = _loads) -> list[str]:
    """The packages whose library the loader cannot find, in a stable order."""
    return sorted({package for library, package in XCB_LIBRARIES.items() if not loads(library)})


def missing_message(packages: list[str]) -> str:
    names = " ".join(packages)
    return (
        f"无法打开窗口:缺少显示窗口所需的系统库({names})。\n"
        f"请让管理员运行:sudo apt-get install {names}\n"
        "(或用 `bash tasks.sh app` 启动，它会自动安装;命令行功能不受影响。)"
    )
