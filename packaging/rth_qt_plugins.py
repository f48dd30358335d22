# Run-time hook of the frozen app, in place of PyInstaller's pyi_rth_pyside6, which imports
# PySide6.QtCore at every start (to register a qt.conf that PySide6's own QtCore registers anyway
# when the window imports it): every command of the installed program paid for Qt. Only the
# plugin folder is set here; Qt is loaded when the window is opened.
import os
import sys

os.environ["QT_PLUGIN_PATH"] = os.path.join(
    sys._MEIPASS, "PySide6", *(() if sys.platform.startswith("win") else ("Qt",)), "plugins"
)
if sys.platform.startswith("win"):  # QtNetwork finds OpenSSL DLLs collected beside the program
    os.environ["PATH"] = sys._MEIPASS + os.pathsep + os.environ.get("PATH", "")
