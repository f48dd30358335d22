"""Evidence figures (issue #4). Prints figures and ratios; goals in brackets.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_evidence.py [SIZE_MB]

* attaching a 200 MB file (copy + SHA-256 + fsync + database row), against `cp` then `sha256sum`
  of the same file in the same run                                                [≤ 1.3×]
* the longest gap in the GUI event loop while the window attaches it in the background [≤ 100 ms]
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_big(path: Path, size_mb: int) -> None:
    block = os.urandom(1024 * 1024)
    with path.open("wb") as handle:
        for i in range(size_mb):
            handle.write(block[:-8] + i.to_bytes(8, "little"))


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(size_mb: int) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer

    from liaison_app.app import make_application
    from liaison_app.store.service import LiaisonService
    from liaison_app.ui.main_window import MainWindow
    from liaison_app.ui.workers import PoolRunner

    with tempfile.TemporaryDirectory(dir=ROOT) as tmp:
        folder = Path(tmp)
        source = folder / "扫描件.pdf"
        make_big(source, size_mb)
        copy = folder / "copy.bin"

        def cp_and_hash() -> None:
            subprocess.run(["cp", str(source), str(copy)], check=True)
            subprocess.run(["sha256sum", str(copy)], check=True, capture_output=True)
            copy.unlink()

        def cp_sync_and_hash() -> None:
            subprocess.run(["cp", str(source), str(copy)], check=True)
            subprocess.run(["sync", str(copy)], check=True)
            subprocess.run(["sha256sum", str(copy)], check=True, capture_output=True)
            copy.unlink()

        os.sync()  # the source's own pages are on disk before anything is timed
        runs, plain, durable = [], [], []
        for run in range(5):  # interleaved, so both sides see the same cache and disk state
            service = LiaisonService.open(folder / f"data{run}")
            runs.append(seconds(lambda s=service: s.attach("区城管局", "16", source)))
            service.close()
            plain.append(seconds(cp_and_hash))
            durable.append(seconds(cp_sync_and_hash))
        ours, baseline, synced = (statistics.median(x) for x in (runs, plain, durable))
        mb = size_mb
        print(f"attach {mb} MB (copy+hash+fsync+row): {ours * 1000:.0f} ms ({mb / ours:.0f} MB/s)")
        print(
            f"cp + sha256sum:                       {baseline * 1000:.0f} ms  ratio {ours / baseline:.2f}x"
            f"  [goal ≤ 1.3x]"
        )
        print(f"cp + sync + sha256sum (durable too):  {synced * 1000:.0f} ms  ratio {ours / synced:.2f}x")

        app = make_application()
        service = LiaisonService.open(folder / "gui")
        service.set_settings({"ui.last_unit": "区城管局"})
        runner = PoolRunner()
        window = MainWindow(service, runner=runner)
        window.show()
        app.processEvents()
        clock = QElapsedTimer()
        clock.start()
        ticks: list[int] = []
        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(lambda: ticks.append(clock.elapsed()))
        timer.start()
        assert window.evidence is not None
        task = window.evidence.attach(service.task("区城管局", "16"), [source])
        started = clock.elapsed()
        while window.evidence.running:
            app.processEvents()
            time.sleep(0.001)
        took = clock.elapsed() - started
        timer.stop()
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        print(
            f"GUI event loop during a background attach of {mb} MB ({took} ms, {len(ticks)} timer ticks): "
            f"longest gap {max(gaps)} ms, median {statistics.median(gaps):.0f} ms  [goal ≤ 100 ms]"
        )
        assert task is not None and service.evidence("区城管局", "16")
        window.close()
        window.deleteLater()
        app.processEvents()
        service.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
