"""Window figures (issues #3 and #18). Prints each figure with its goal and ratio; medians.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_window.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_window.py --compare /tmp/before

* start-up to window shown, against a bare PySide6 QMainWindow in the same run  [≤ 1.5×]
* on the bundled plan and on a plan 100× larger (16,200 items; the largest unit 4,200):
  unit switch, filter change, search                                             [≤ 50 ms each]
  status change through the window                                               [≤ 20 ms]
  the switch to the largest unit in CPU time, split into the store's read of the unit's tasks
  and the rest (the window's model, summary and paint)

Each figure is the median of several runs in one process; every process is a fresh window on a
fresh copy of the data. ``--compare DIR`` takes another checkout of the project (say the commit
before a change, from ``git archive``) and alternates processes between it and this tree, so a
loaded machine slows both alike; the load average is printed beside the figures.

The plan ×100 figures, before and after, and where a switch's time goes: docs/window-speed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GOALS = {
    "switch": 50.0,
    "switch_big": 50.0,
    "switch_small": 50.0,
    "filter": 50.0,
    "search": 50.0,
    "status": 20.0,
    "status_selected": 20.0,
}
LABELS = {
    "switch": "unit switch (alternating, as measured since #3)",
    "switch_big": "  of which to the largest unit",
    "switch_small": "  of which to 区公安分局",
    "filter": "filter change",
    "search": "search",
    "status": "status change through the window",
    "status_selected": "status change, item open in the detail pane (Ctrl+E)",
}

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
    """The figures of one fresh window (runs in a child process: ``--child``)."""
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
    # a window in use: some seconds after it opened (it then freezes start-up's objects out of
    # the garbage collector's passes, see main_window.FREEZE_AFTER_MS; older trees do not)
    settle = time.perf_counter() + 4.0
    while time.perf_counter() < settle:
        app.processEvents()
        time.sleep(0.05)
    unit = largest_unit(service)
    other = "区公安分局"
    units = [unit, other]
    state = {"i": 0}

    to_unit: dict[str, list[float]] = {unit: [], other: []}
    # CPU time (process_time: the machine's load counts less) of each switch to the largest
    # unit, and of the store's part in it (the service's read of the unit's tasks)
    cpu: dict[str, list[float]] = {"whole": [], "store": []}
    reading = service.tasks

    def timed_read(name: str) -> object:
        start = time.process_time()
        try:
            return reading(name)
        finally:
            cpu["store"].append((time.process_time() - start) * 1000)

    service.tasks = timed_read  # type: ignore[method-assign]

    def switch() -> None:
        state["i"] += 1
        target = units[state["i"] % 2]
        start, start_cpu = time.perf_counter(), time.process_time()
        window.show_unit(target)
        app.processEvents()
        to_unit[target].append((time.perf_counter() - start) * 1000)
        cpu["whole"].append((time.process_time() - start_cpu) * 1000)
        if target != unit:
            del cpu["whole"][-1], cpu["store"][-1]

    switch_ms = timed(switch, repeat=12)
    service.tasks = reading  # type: ignore[method-assign]
    window.show_unit(other)
    other_items = len(window.model.tasks())
    window.show_unit(unit)
    app.processEvents()
    items = len(window.model.tasks())

    def filter_change() -> None:
        state["i"] += 1
        window.light_filter.setCurrentIndex(state["i"] % 2)  # 全部预警 ↔ 正常
        app.processEvents()

    filter_ms = timed(filter_change, repeat=10)
    window.light_filter.setCurrentIndex(0)

    def search() -> None:
        state["i"] += 1
        window.search.setText("知识产权" if state["i"] % 2 else "")
        app.processEvents()

    search_ms = timed(search, repeat=10)
    window.search.setText("")
    app.processEvents()
    task = service.tasks(unit)[0]
    statuses = [Status.IN_PROGRESS, Status.BLOCKED]

    editor = window.editor
    assert editor is not None

    def status_change() -> None:
        # as measured since #3: the editor's undoable change, nothing selected
        state["i"] += 1
        current = service.task(unit, task.item.id)
        editor.set_status(current, statuses[state["i"] % 2])
        app.processEvents()

    status_ms = timed(status_change, repeat=15)
    window.select_item(task.item.id)  # the detail pane shows it: history and files reload too
    app.processEvents()

    def status_selected() -> None:
        window.cycle_action.trigger()
        app.processEvents()

    selected_ms = timed(status_selected, repeat=15)
    window.close()
    window.deleteLater()  # released now, not during interpreter shutdown
    app.processEvents()
    catalog = len(service.catalog())
    service.close()
    return {
        "items": items,
        "other_items": other_items,
        "catalog": catalog,
        "switch": switch_ms,
        "switch_big": statistics.median(to_unit[unit]),
        "switch_small": statistics.median(to_unit[other]),
        "cpu_whole": statistics.median(cpu["whole"]),
        "cpu_store": statistics.median(cpu["store"]),
        "cpu_ui": statistics.median(w - s for w, s in zip(cpu["whole"], cpu["store"], strict=True)),
        "filter": filter_ms,
        "search": search_ms,
        "status": status_ms,
        "status_selected": selected_ms,
    }


def child(tree: Path, factor: int) -> dict[str, float]:
    """Run :func:`window_figures` in a fresh process importing the app from ``tree``."""
    code = (
        "import json, sys, tempfile; from pathlib import Path; "
        f"sys.path[:0] = [{str(tree)!r}, {str(HERE)!r}]; "
        "import bench_window; "
        "folder = Path(tempfile.mkdtemp(prefix='bench_window_')); "
        f"print(json.dumps(bench_window.window_figures({factor}, folder)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def load() -> str:
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def report(title: str, runs: list[dict[str, float]], baseline: list[dict[str, float]] | None) -> None:
    first = runs[0]
    print(
        f"{title} ({first['catalog']:.0f} items; largest unit {first['items']:.0f} items, "
        f"区公安分局 {first.get('other_items', 0):.0f}):"
    )
    for key, goal in GOALS.items():
        if key not in first:
            continue
        value = statistics.median(run[key] for run in runs)
        line = f"  {LABELS[key]}: {value:.1f} ms  [goal ≤ {goal:.0f} ms, ratio {value / goal:.2f}]"
        if baseline and key in baseline[0]:
            before = statistics.median(run[key] for run in baseline)
            line += f"  (before {before:.1f} ms, {before / value:.1f}× faster)"
        print(line)
    if "cpu_whole" in first:
        parts = []
        for key, label in (
            ("cpu_whole", "whole"),
            ("cpu_store", "store"),
            ("cpu_ui", "UI: model, summary, paint"),
        ):
            value = statistics.median(run[key] for run in runs)
            text = f"{label} {value:.1f} ms"
            if baseline and key in baseline[0]:
                text += f" (before {statistics.median(run[key] for run in baseline):.1f})"
            parts.append(text)
        print("  switch to the largest unit in CPU time: " + ", ".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", type=Path, help="another checkout to measure alternately")
    parser.add_argument("--rounds", type=int, default=3, help="processes per tree and plan size")
    parser.add_argument("--skip-startup", action="store_true")
    args = parser.parse_args()
    print(load())
    if not args.skip_startup:
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
        after: list[dict[str, float]] = []
        before: list[dict[str, float]] = []
        for _ in range(args.rounds):
            if args.compare is not None:
                before.append(child(args.compare.resolve(), factor))
            after.append(child(ROOT, factor))
        report(f"plan ×{factor}", after, before or None)
    print(load())


if __name__ == "__main__":
    main()
