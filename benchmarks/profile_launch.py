"""Where the time to a usable window goes: perf-counter marks through the start sequence.

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python benchmarks/profile_launch.py [--runs 24] [--compare 0ff8b00]

Each run is a fresh process that goes through the steps of ``app.run_gui`` and
``app.start_window`` one by one (the collector off from the first line, as in ``__main__``),
marking the time after each: the modules imported, QApplication, the single-instance socket,
the data folder's lock, ``MainWindow()``, the first screen read and filled, ``show()``, the first
paint. Python's own start (~20 ms) comes before the first mark. With ``--compare REV`` the
program as at that git revision runs alternately in the same loop. Medians per stage, and the
median of the whole per run; the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_launch import UNIT, checkout, prepare  # noqa: E402

STAGES = r"""
import gc; gc.disable()
import sys, time
marks = [("", time.perf_counter())]
def mark(name): marks.append((name, time.perf_counter()))
import liaison_app.cli; mark("import cli (argparse, logging, records…)")
from pathlib import Path
data = Path(sys.argv[1])
from liaison_app import app as A; mark("import app (PySide6, settings)")
from liaison_app import display_check, logs
display_check.wants_xcb() and display_check.missing_packages(); logs.setup(data); mark("display check, log")
application = A.make_application(); mark("QApplication, translations, font")
from liaison_app.ui.error_dialog import install; install(application); mark("error dialog (Qt namespace)")
from liaison_app.ui.single_instance import SingleInstance, instance_key
instance = SingleInstance(instance_key(data)); instance.notify_running(); instance.listen()
mark("single instance (QtNetwork)")
A.claim_data_folder(None, data); mark("data folder lock")
from liaison_app.ui.main_window import MainWindow; mark("import main_window + widgets")
window = MainWindow(); mark("MainWindow()")
import liaison_app.store.read_view; mark("import read_view")
view = A.first_screen(data); mark("ReadView.open")
from liaison_app.settings import login_name
window.preview(view, login_name(), lambda: None); view.close(); mark("preview (tree filled)")
window.show(); mark("show()")
application.processEvents(); mark("first paint")
application.processEvents(); mark("usable")
print(";".join(f"{name}={(t - p) * 1000:.3f}" for (name, t), (_, p) in zip(marks[1:], marks[:-1])))
import os; os._exit(0)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--compare", metavar="REV", help="also profile the program as at this git revision")
    options = parser.parse_args()
    unwanted = ("LIAISON_APP_DATA_DIR", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        prepare(folder, UNIT)
        env["LIAISON_APP_CONFIG_DIR"] = tmp
        trees = {"now": ROOT}
        if options.compare:
            trees[options.compare] = checkout(options.compare, Path(tmp) / "compare")
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for run in range(options.runs + 1):  # the first round writes compiled modules, unmeasured
            for name, tree in trees.items():
                out = (
                    subprocess.run(
                        [sys.executable, "-c", STAGES, str(folder)],
                        check=True,
                        capture_output=True,
                        text=True,
                        cwd=tree,
                        env={**env, "PYTHONPATH": str(tree)},
                        timeout=120,
                    )
                    .stdout.strip()
                    .splitlines()[-1]
                )
                if run:
                    samples[name].append({k: float(v) for k, v in (p.split("=") for p in out.split(";"))})
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{options.runs} runs each, medians (ms); load average {load} ({os.cpu_count()} CPUs)")
    names = list(trees)
    print("| stage | " + " | ".join(f"{n} | cumulative" for n in names) + " |")
    totals = dict.fromkeys(names, 0.0)
    for stage in samples[names[0]][0]:
        cells = []
        for name in names:
            median = statistics.median(s[stage] for s in samples[name])
            totals[name] += median
            cells.append(f"{median:.1f} | {totals[name]:.0f}")
        print(f"| {stage} | " + " | ".join(cells) + " |")
    wholes = [f"{statistics.median(sum(s.values()) for s in samples[n]):.0f}" for n in names]
    print("| the whole, median per run | " + " | ".join(f" | {w}" for w in wholes) + " |")


if __name__ == "__main__":
    main()
