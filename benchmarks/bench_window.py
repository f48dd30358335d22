"""Window figures (issue #3). Prints figures and ratios; goals in brackets.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_window.py

* start-up to window shown, against a bare PySide6 QMainWindow in the same run  [≤ 1.5×]
* unit switch and filter change on the bundled plan and on a plan 100× larger   [≤ 50 ms]
* status change to committed                                                     [≤ 20 ms]
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
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Children print time.perf_counter() at each point: on Linux it is CLOCK_MONOTONIC, shared by
# all processes, so parent and child readings compare directly (spawn included, teardown not).
BARE = """
import time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1280, 800); w.show(); app.processEvents()
print(time.perf_counter())
"""

# The same sequence as liaison_app.app.run_gui: window first, then the data.
APP = """
import time, sys
from pathlib import Path
from liaison_app.app import make_application, open_service
app = make_application()
from liaison_app.ui.main_window import MainWindow
w = MainWindow(); w.show(); app.processEvents()
shown = time.perf_counter()
w.attach(open_service(Path(sys.argv[1]))); app.processEvents()
print(shown, time.perf_counter())
"""


def startup(code: str, *args: str) -> list[float]:
    """Median milliseconds from process spawn to each point the child reports."""
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", code, *args],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        points = [float(v) for v in out.stdout.strip().splitlines()[-1].split()]
        samples.append([(point - start) * 1000 for point in points])
    return [statistics.median(column) for column in zip(*samples, strict=True)]


def window_figures(factor: int, folder: Path) -> dict[str, float]:
    from common import largest_unit, open_scaled, timed
    from PySide6.QtCore import QDate

    from liaison_app.app import make_application
    from liaison_app.store.status import Status
    from liaison_app.ui.main_window import MainWindow

    app = make_application()
    service = open_scaled(folder, factor)
    window = MainWindow(service)
    window.show()
    window.as_of.setDate(QDate(2020, 1, 15))
    unit = largest_unit(service)
    other = "区公安分局"
    units = [unit, other]
    state = {"i": 0}

    def switch() -> None:
        state["i"] += 1
        window.show_unit(units[state["i"] % 2])
        app.processEvents()

    switch_ms = timed(switch, repeat=8)
    window.show_unit(unit)
    app.processEvents()
    items = len(window.model.tasks())

    def filter_change() -> None:
        state["i"] += 1
        window.light_filter.setCurrentIndex(state["i"] % 2)  # 全部预警 ↔ 正常
        app.processEvents()

    filter_ms = timed(filter_change, repeat=8)

    def search() -> None:
        state["i"] += 1
        window.search.setText("知识产权" if state["i"] % 2 else "")
        app.processEvents()

    search_ms = timed(search, repeat=8)
    task = service.tasks(unit)[0]
    statuses = [Status.IN_PROGRESS, Status.BLOCKED]

    def status_change() -> None:
        state["i"] += 1
        service.update(unit, task.item.id, status=statuses[state["i"] % 2])

    commit_ms = timed(status_change, repeat=15)

    def status_via_window() -> None:
        state["i"] += 1
        current = window.service.task(unit, task.item.id)
        window.editor.set_status(current, statuses[state["i"] % 2])
        app.processEvents()

    window_commit_ms = timed(status_via_window, repeat=15)
    window.close()
    window.deleteLater()  # released now, not during interpreter shutdown
    app.processEvents()
    service.close()
    return {
        "items": items,
        "switch": switch_ms,
        "filter": filter_ms,
        "search": search_ms,
        "commit": commit_ms,
        "window_commit": window_commit_ms,
        "catalog": len(service.catalog()),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "liaison_app", "--data-dir", str(folder / "s"), "units"],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        (bare,) = startup(BARE)
        shown, filled = startup(APP, str(folder / "s"))
        print(
            f"start-up to window shown: app {shown:.0f} ms, bare QMainWindow {bare:.0f} ms, "
            f"ratio {shown / bare:.2f}x  [goal ≤ 1.5x]; with the unit's items in it "
            f"{filled:.0f} ms ({filled / bare:.2f}x)"
        )
        for factor in (1, 100):
            f = window_figures(factor, folder / f"x{factor}")
            print(
                f"plan ×{factor} ({f['catalog']:.0f} items; largest unit {f['items']:.0f} items): "
                f"unit switch {f['switch']:.1f} ms, filter change {f['filter']:.1f} ms, "
                f"search {f['search']:.1f} ms  [goal ≤ 50 ms]; status change committed "
                f"{f['commit']:.1f} ms (through the window {f['window_commit']:.1f} ms) "
                f"[goal ≤ 20 ms]"
            )


if __name__ == "__main__":
    main()
