"""Launch to the unit's items shown, on a real X display (issue #14). Median of 5.

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \
        .venv/bin/python benchmarks/bench_launch.py

Each run is a fresh process doing what ``liaison_app.app.run_gui`` does (window first, then the
data, then the last unit), timed from spawn to the moment the tree holds the unit's items and the
event loop has painted them. The data folder is made once, with a unit already chosen.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

CHILD = """
import time, sys
from pathlib import Path
from liaison_app.app import make_application, open_service
app = make_application()
from liaison_app.ui.main_window import MainWindow
w = MainWindow(); w.show(); app.processEvents()
w.attach(open_service(Path(sys.argv[1]))); app.processEvents()
assert w.unit and w.model.rowCount() > 0, "the unit's items are not shown"
print(app.platformName(), time.perf_counter())
"""


def prepare(folder: Path, unit: str) -> None:
    """A data folder whose liaison has already chosen ``unit`` (as after the first start)."""
    from liaison_app.store.service import LiaisonService

    service = LiaisonService.open(folder)
    service.set_settings({"ui.last_unit": unit})
    service.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        prepare(folder, "区市场监管局")
        samples, platform = [], ""
        for _ in range(5):
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(folder)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            platform, shown = out.stdout.strip().splitlines()[-1].split()
            samples.append((float(shown) - start) * 1000)
    print(
        f"platform {platform}; launch to the unit's items shown, median of 5: "
        f"{statistics.median(samples):.0f} ms (runs: {', '.join(f'{s:.0f}' for s in samples)})"
    )


if __name__ == "__main__":
    main()
