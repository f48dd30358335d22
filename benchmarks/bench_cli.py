"""End-to-end time of ``liaison-app tasks --unit 区市场监管局 --json`` (a new process each run).

.venv/bin/python benchmarks/bench_cli.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 9


def run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        cli = [sys.executable, "-m", "liaison_app", "--data-dir", folder]
        first = run([*cli, "units"])  # creates the database and loads the plan
        tasks = statistics.median(
            run([*cli, "tasks", "--unit", "区市场监管局", "--json"]) for _ in range(RUNS)
        )
        bare = statistics.median(run([sys.executable, "-c", "pass"]) for _ in range(RUNS))
    print(f"first start (create database, load plan):  {first:7.1f} ms")
    print(f"tasks --unit 区市场监管局 --json (median):  {tasks:7.1f} ms")
    print(f"bare python -c pass (median):              {bare:7.1f} ms")
    print(f"ratio tasks / bare interpreter:            {tasks / bare:7.2f}x")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
