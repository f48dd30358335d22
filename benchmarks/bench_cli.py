"""Start-up of the command line (issue #18 goal 3): each command a new process, end to end.

    .venv/bin/python benchmarks/bench_cli.py [--runs 9] [--office]

Baseline, measured in the same run and alternating with the commands so that load on a shared
machine hits all alike: ``python -c "import sqlalchemy"`` (the goal: ``tasks --unit U --json`` and
``set`` ≤ 1.5× it). ``python -c pass`` is printed too, for scale. The data folder is made once
(bundled plan, first start done); ``set`` alternates two statuses so that every run writes.

``--office`` adds ``office register --json`` on the office ledger of bench_office_ledger.py
(52 units × 24 periods) against issue #16's baseline, a new Python process running the bare
SQLite query of the same rows, and against ``import sqlalchemy``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNIT = "区市场监管局"


def run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env, cwd=ROOT)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--office", action="store_true", help="office register on a 52 × 24 ledger")
    options = parser.parse_args()
    # an installed program runs from compiled modules: let Python write and use them
    unwanted = ("LIAISON_APP_DATA_DIR", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory() as folder:
        cli = [sys.executable, "-m", "liaison_app", "--data-dir", folder]
        first = run([*cli, "units"], env)  # creates the database and loads the plan
        commands = {
            "python -c pass": lambda _i: [sys.executable, "-c", "pass"],
            'python -c "import sqlalchemy"': lambda _i: [sys.executable, "-c", "import sqlalchemy"],
            f"tasks --unit {UNIT} --json": lambda _i: [*cli, "tasks", "--unit", UNIT, "--json"],
            "set --unit … --item 1.1 --status …": lambda i: [
                *cli,
                *("set", "--unit", UNIT, "--item", "1.1", "--status"),
                "in_progress" if i % 2 else "blocked",
            ],
        }
        if options.office:
            sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
            from bench_office_ledger import PERIODS, fill

            ledger = Path(folder) / "ledger"
            fill(ledger)
            office = [sys.executable, "-m", "liaison_app", "--data-dir", str(ledger)]
            query = (
                "import sqlite3,json,sys;c=sqlite3.connect(sys.argv[1]);"
                'print(json.dumps(c.execute("SELECT u.name,r.verdict,r.received_at,r.exported_at,'
                'r.original_name FROM office_return r JOIN unit u ON u.id=r.unit_id WHERE r.period=?",'
                "(sys.argv[2],)).fetchall(),ensure_ascii=False))"
            )
            commands["bare sqlite3 query (#16 baseline)"] = lambda _i: [
                *(sys.executable, "-c", query, str(ledger / "liaison.sqlite3"), PERIODS[-1])
            ]
            commands["office register --json"] = lambda _i: [
                *office,
                *("office", "register", "--period", PERIODS[-1], "--json"),
            ]
        for make in commands.values():
            run(make(0), env)  # warm the disk cache and the compiled modules, unmeasured
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for i in range(options.runs):
            for name, make in commands.items():
                samples[name].append(run(make(i), env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians['python -c "import sqlalchemy"']
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{options.runs} runs each, medians; load average {load} ({os.cpu_count()} CPUs)")
    print(f"first start (create database, load plan): {first:7.1f} ms")
    for name, median in medians.items():
        runs = ", ".join(f"{s:.0f}" for s in samples[name])
        print(f"{name:<38}{median:7.1f} ms  {median / base:5.2f}× import sqlalchemy   ({runs})")
    for name in ("tasks", "set"):
        (full,) = [n for n in commands if n.startswith(name)]
        print(f"ratio {name} / import sqlalchemy: {medians[full] / base:.2f}×  (goal ≤ 1.5×)")
    if options.office:
        register, bare = medians["office register --json"], medians["bare sqlite3 query (#16 baseline)"]
        print(f"ratio office register / bare sqlite3 query: {register / bare:.2f}×  (#16 goal ≤ 1.5×)")
        print(f"ratio office register / import sqlalchemy: {register / base:.2f}×")


if __name__ == "__main__":
    main()
