"""Resident memory of the window (issue #18, goal 4), against a bare QMainWindow's in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_memory.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_memory.py --compare /tmp/before

Each figure is a fresh process (median of ``--rounds``): a bare PySide6 QMainWindow at 1280×800;
the app's window with the largest unit shown, on the bundled plan and on the plan 100× larger
(its database made beforehand by another process, so that loading the plan is not counted);
then the same window after 100 and 200 unit switches: the second half must not add to it (the
first builds both units' trees once: that is the allocator's high water). RSS is read from
/proc (Linux). ``--compare DIR`` measures another checkout alternately, as bench_window.py does.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
SWITCHES = 200

CHILD = """
import gc, json, os, sys
from pathlib import Path
sys.path[:0] = [sys.argv[3], sys.argv[4]]


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc/self/status")


mode, folder = sys.argv[1], Path(sys.argv[2])
if mode == "bare":
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    print(json.dumps({"shown": rss_mb()}))
elif mode == "make":
    from common import open_scaled

    open_scaled(folder, int(sys.argv[5])).close()
else:
    from common import largest_unit

    from liaison_app.app import make_application
    from liaison_app.store.database import open_database
    from liaison_app.store.service import LiaisonService

    app = make_application()
    from liaison_app.ui.main_window import MainWindow

    service = LiaisonService(open_database(folder / "liaison.sqlite3"))
    window = MainWindow(service)
    window.show()
    unit = largest_unit(service)
    window.show_unit(unit)
    app.processEvents()
    shown = rss_mb()
    units = [unit, "区公安分局"]
    switches = int(sys.argv[5])
    gc.collect()
    before = sys.getrefcount(None)
    for i in range(1, switches + 1):
        window.show_unit(units[i % 2])
        app.processEvents()
        if i == switches // 2:
            warm = rss_mb()  # both units' trees have been built: the allocator's high water
    gc.collect()
    dropped = (before - sys.getrefcount(None)) / switches
    items = len(window.model.tasks())
    figures = {"shown": shown, "warm": warm, "switched": rss_mb(), "items": items, "nones": dropped}
    print(json.dumps(figures))
    # PySide6 6.12.0 on Python 3.11 dropped references to None and to True/False (see
    # tests/test_qt_binding.py); run against such a build, Python aborts at exit: leave without
    # tearing down, so the figures (which show the loss) still arrive
    sys.stdout.flush()
    os._exit(0)
"""


def run(tree: Path, mode: str, folder: Path, *extra: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(folder), str(tree), str(HERE), *extra],
        check=True,
        capture_output=True,
        text=True,
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", type=Path, help="another checkout to measure alternately")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"this tree": ROOT} | ({"before": args.compare.resolve()} if args.compare else {})
    with tempfile.TemporaryDirectory() as tmp:
        folders = {factor: Path(tmp) / f"x{factor}" for factor in (1, 100)}
        for factor, folder in folders.items():
            run(ROOT, "make", folder, str(factor))
        bare: list[dict[str, float]] = []
        apps: dict[tuple[str, int], list[dict[str, float]]] = {}
        for _ in range(args.rounds):
            bare.append(run(ROOT, "bare", Path(tmp)))
            for name, tree in trees.items():
                for factor, folder in folders.items():
                    result = run(tree, "window", folder, str(SWITCHES))
                    apps.setdefault((name, factor), []).append(result)
    base = median(bare, "shown")
    print(f"bare QMainWindow: {base:.1f} MB resident")
    for (name, factor), runs in apps.items():
        shown, warm, switched = median(runs, "shown"), median(runs, "warm"), median(runs, "switched")
        print(
            f"{name}, plan ×{factor} (largest unit {median(runs, 'items'):.0f} items): "
            f"{shown:.1f} MB, {shown / base:.2f}× the bare window, +{shown - base:.1f} MB; "
            f"after {SWITCHES // 2} unit switches {warm:.1f} MB, after {SWITCHES} {switched:.1f} MB "
            f"({switched - warm:+.1f} MB over the last {SWITCHES // 2}); "
            f"references to None lost per switch (must be 0) {median(runs, 'nones'):.0f}"
        )


if __name__ == "__main__":
    main()
