"""The README's first command on a real X display: the app starts on the xcb platform.

Every other GUI test runs offscreen, which needs none of the libraries Qt's xcb plugin loads; this
one starts the real program, as ``bash tasks.sh app`` does, on a throwaway X server (Xvfb) and
looks for its window, so a library missing from tasks.sh fails the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from liaison_app import APP_TITLE

REPO = Path(__file__).resolve().parent.parent

# Start the app, wait (at most 60 s) for a window with the app's title, say what was found.
_SCRIPT = r"""
"$PYTHON" -m liaison_app --data-dir "$DATA" >"$LOG" 2>&1 &
app=$!
found=""
for _ in $(seq 120); do
    found=$(xdotool search --onlyvisible --name "$TITLE" 2>/dev/null | head -n 1)
    [ -n "$found" ] && break
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
done
if [ -n "$found" ]; then
    echo "window: $(xdotool getwindowname "$found")"
fi
kill "$app" 2>/dev/null
wait "$app" 2>/dev/null
exit 0
"""


@pytest.mark.skipif(
    not (shutil.which("xvfb-run") and shutil.which("xdotool")),
    reason="xvfb-run and xdotool are installed by `bash tasks.sh test`",
)
def test_the_real_app_opens_its_window_on_an_x_display(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)  # not offscreen: the platform a liaison's PC uses
    env.update(
        QT_QPA_PLATFORM="xcb",
        PYTHON=sys.executable,
        DATA=str(tmp_path / "data"),
        LOG=str(tmp_path / "app.log"),
        TITLE=APP_TITLE,
    )
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "bash", "-c", _SCRIPT],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    log = (tmp_path / "app.log").read_text(encoding="utf-8", errors="replace")
    assert f"window: {APP_TITLE}" in result.stdout, f"no window appeared.\n{result.stdout}\n{log}"
    title = result.stdout.split("window: ", 1)[1].splitlines()[0]
    assert title.count(APP_TITLE) == 1, f"the title repeats the program's name: {title}"


def test_a_missing_xcb_library_is_named_with_its_package_not_qts_wrong_guess() -> None:
    from liaison_app import display_check

    missing = display_check.missing_packages(lambda name: name != "libxcb-icccm.so.4")
    assert missing == ["libxcb-icccm4"]
    message = display_check.missing_message(missing)
    assert "sudo apt-get install libxcb-icccm4" in message
    assert "cursor" not in message
    assert display_check.wants_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not display_check.wants_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not display_check.wants_xcb({}, "win32")
