"""Time of the schema upgrade 0004 → head on a database with years of use.

Starts from the released 0004 fixture (tests/fixtures/db/0004), fills it the way years of use
would (every assignment reported, HISTORY change-log lines, cases with related items and files),
then times ``open_database`` (pre-migration backup + the single-transaction upgrade) against a
plain open of the already-upgraded file.

.venv/bin/python benchmarks/bench_migration.py
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HISTORY = 200_000
CASES = 2_000
RUNS = 3
ROOT = Path(__file__).resolve().parent.parent


def fill(db: Path) -> dict[str, int]:
    connection = sqlite3.connect(db)
    with connection:
        pairs = connection.execute("SELECT item_id, unit_id FROM assignment").fetchall()
        connection.executemany(
            "INSERT OR IGNORE INTO progress (unit_id, item_id, status, note, updated_at) "
            "VALUES (?, ?, 'in_progress', '推进中，已召开专题会议', '2019-11-20 09:00:00')",
            [(unit, item) for item, unit in pairs],
        )
        connection.executemany(
            "INSERT INTO history (unit_id, item_id, field, before, after, changed_at, actor) "
            "VALUES (?, ?, 'note', '', ?, '2019-11-20 09:00:00', '联络员')",
            [(pairs[i % len(pairs)][1], pairs[i % len(pairs)][0], f"第{i}次修改") for i in range(HISTORY)],
        )
        units = [u for (u,) in connection.execute("SELECT DISTINCT unit_id FROM assignment")]
        for n in range(CASES):
            unit = units[n % len(units)]
            codes = [
                c
                for (c,) in connection.execute(
                    "SELECT i.code FROM item i JOIN assignment a ON a.item_id = i.id "
                    "WHERE a.unit_id = ? LIMIT 2",
                    (unit,),
                )
            ]
            case = connection.execute(
                "INSERT INTO typical_case "
                "(unit_id, period, kind, title, body, related, created_at, updated_at) "
                "VALUES (?, '2019-11', 'positive', ?, '', ?, '2019-11-20', '2019-11-20')",
                (unit, f"案例{n}", "[" + ", ".join(f'"{c}"' for c in codes) + "]"),
            ).lastrowid
            connection.execute(
                "INSERT INTO attachment "
                "(owner_kind, owner_id, sha256, size, original_name, added_at, added_by) "
                "VALUES ('case', ?, 'ab', 2, 'a.pdf', '2019-11-20', '')",
                (case,),
            )
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("progress", "history", "typical_case", "attachment")
        }
    connection.close()
    return counts


def timed_open(db: Path) -> float:
    from liaison_app.store.database import open_database

    start = time.perf_counter()
    open_database(db).dispose()
    return time.perf_counter() - start


def main() -> None:
    from liaison_app.store.database import HEAD_REVISION

    upgrades, opens = [], []
    counts: dict[str, int] = {}
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder) / "data"
            shutil.copytree(ROOT / "tests" / "fixtures" / "db" / "0004", data)
            db = data / "liaison.sqlite3"
            counts = fill(db)
            upgrades.append(timed_open(db))
            opens.append(timed_open(db))
    size = ", ".join(f"{table} {n:,}" for table, n in counts.items())
    upgrade, plain = statistics.median(upgrades), statistics.median(opens)
    print(f"database: {size}")
    print(f"open with upgrade 0004 → {HEAD_REVISION} (median of {RUNS}): {upgrade * 1000:8.1f} ms")
    print(f"open at head (median of {RUNS}):                {plain * 1000:8.1f} ms")
    print(f"ratio upgrade / plain open:                    {upgrade / plain:8.1f}x")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
