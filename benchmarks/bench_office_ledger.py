"""The office ledger at full size: 52 units × 24 periods of returns (rows included).

* ``office register --json`` end to end (a new process each run) against a bare SQLite query
  of the same rows in a new Python process (python start-up included); the ratio is printed
  (issue #16 asks for ≤ 1.5×).
* The office window's 报送登记 tab switching period (register + ranking), offscreen.

The ledger is filled straight through the models (receiving 1,248 real workbooks would take
minutes and measure the report reader, which bench_consolidation.py already does).

.venv/bin/python benchmarks/bench_office_ledger.py
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
PERIODS = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]
UNITS = 52


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return (time.perf_counter() - start) * 1000


def fill(folder: Path) -> int:
    from liaison_app.clock import FixedClock
    from liaison_app.store.ledger import OfficeLedger
    from liaison_app.store.models import OfficeReturnItemRow, OfficeReturnRow
    from liaison_app.store.service import LiaisonService
    from liaison_app.vocabulary import Light, Status

    service = LiaisonService.open(folder, clock=FixedClock(dt.datetime(2022, 1, 30, 9, 0)))
    ledger = OfficeLedger(service)
    units = list(ledger.catalog.units)
    units = (units * 2)[:UNITS]  # the plan has fewer units with items: some report twice (superseded)
    statuses = list(Status)
    count = 0
    with service.database.transaction() as session:
        for p, period in enumerate(PERIODS):
            for u, unit in enumerate(units):
                received = dt.datetime.fromisoformat(f"{period}-2{u % 9}T10:00:00")
                row = OfficeReturnRow(
                    plan_id=ledger.catalog.plan_id,
                    unit_id=service.unit_id(unit),
                    period=period,
                    as_of=received.date(),
                    exported_at=received + dt.timedelta(minutes=u),
                    sha256=hashlib.sha256(f"{period}{u}".encode()).hexdigest(),
                    size=1,
                    original_name=f"{unit}_{period}.xlsx",
                    verdict="accepted",
                    reason="",
                    received_at=received,
                    liaison="张三",
                    phone="",
                )
                session.add(row)
                session.flush()
                for k, (code, role) in enumerate(service.roles(unit).items()):
                    session.add(
                        OfficeReturnItemRow(
                            return_id=row.id,
                            item_id=service.item_id(code),
                            role=role,
                            status=statuses[(p + u + k) % len(statuses)].value,
                            note="进展",
                            light=Light.OVERDUE.value if (u + k) % 7 == 0 else Light.ON_TRACK.value,
                        )
                    )
                    count += 1
    service.close()
    return count


def window_switch(folder: Path) -> tuple[float, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from liaison_app.store.ledger import OfficeLedger
    from liaison_app.store.service import LiaisonService
    from liaison_app.ui.ledger_panel import LedgerPanel

    app = QApplication.instance() or QApplication([])
    service = LiaisonService.open(folder)
    start = time.perf_counter()
    panel = LedgerPanel(OfficeLedger(service))
    panel.show()
    app.processEvents()
    opened = (time.perf_counter() - start) * 1000
    times = []
    for index in range(panel.period.count()):
        start = time.perf_counter()
        panel.period.setCurrentIndex(index)
        app.processEvents()
        times.append((time.perf_counter() - start) * 1000)
    panel.close()
    service.close()
    return opened, max(times[1:] or times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        rows = fill(folder)
        print(f"ledger: {UNITS} returns × {len(PERIODS)} periods, {rows} rows")
        cli = [sys.executable, "-m", "liaison_app", "--data-dir", str(folder)]
        timed([*cli, "office", "register", "--period", PERIODS[-1], "--json"])  # warm the disk cache
        register = statistics.median(
            timed([*cli, "office", "register", "--period", PERIODS[-1], "--json"]) for _ in range(RUNS)
        )
        query = (
            "import sqlite3,json,sys;c=sqlite3.connect(sys.argv[1]);"
            'print(json.dumps(c.execute("SELECT u.name,r.verdict,r.received_at,r.exported_at,r.original_name '
            'FROM office_return r JOIN unit u ON u.id=r.unit_id WHERE r.period=?",(sys.argv[2],)).fetchall(),'
            "ensure_ascii=False))"
        )
        bare = statistics.median(
            timed([sys.executable, "-c", query, str(folder / "liaison.sqlite3"), PERIODS[-1]])
            for _ in range(RUNS)
        )
        opened, switch = window_switch(folder)
    print(f"office register --json (median of {RUNS}):         {register:7.1f} ms")
    print(f"bare python + sqlite3 query of the rows (median): {bare:7.1f} ms")
    print(f"ratio register / bare:                            {register / bare:7.2f}x  (target ≤ 1.5x)")
    print(f"报送登记 tab: first paint {opened:6.1f} ms; slowest switch {switch:6.1f} ms (target ≤ 200 ms)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
