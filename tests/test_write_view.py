"""``set`` without SQLAlchemy (store/write_view.py): the same write as the service's, after the
same promises (the lock, the checks, today's snapshot), or the full opening when there is work
the quick path does not do (issue #18 goal 3)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from liaison_app import data_lock, paths
from liaison_app.clock import FixedClock
from liaison_app.store import backup
from liaison_app.store.database import HEAD_REVISION, open_database
from liaison_app.store.models import HistoryRow, MilestoneDoneRow
from liaison_app.store.service import LiaisonService
from liaison_app.store.sqlite_write import date_text, datetime_text
from liaison_app.store.write_view import WriteView
from tests.helpers import START, cli_run, db_bytes, db_rows, rows

FIXTURES = Path(__file__).parent / "fixtures" / "db"
# One liaison's morning on an item with milestones: started, a note, done (the milestones are
# ticked), reopened with a reason (the completion date is cleared), done again.
SCRIPT: list[tuple[str | None, str | None]] = [
    ("in_progress", None),
    (None, "已与区政务服务中心对接"),
    ("done", None),
    ("blocked", "等待市级系统上线"),
    ("done", "已全部完成"),
]
TABLES = ("progress", "history", "milestone_done")


Capture = pytest.CaptureFixture[str]


def set_on(capsys: Capture, folder: Path, *args: str) -> tuple[int, str, str]:
    return cli_run(capsys, "--data-dir", str(folder), "set", *args)


def table_rows(folder: Path) -> dict[str, list[tuple[object, ...]]]:
    return {table: db_rows(folder, f"SELECT * FROM {table} ORDER BY id") for table in TABLES}


def item_with_milestones(folder: Path) -> tuple[str, str]:
    service = LiaisonService.open(folder, clock=FixedClock(START))
    try:
        item = next(item for item in service.catalog() if len(item.milestones) > 1 and item.lead)
        return item.lead[0], item.id
    finally:
        service.close()


def test_set_writes_exactly_what_the_service_writes(tmp_path: Path, bundled_template: Path) -> None:
    quick, full = tmp_path / "quick", tmp_path / "full"
    shutil.copytree(bundled_template, quick)
    shutil.copytree(bundled_template, full)
    unit, code = item_with_milestones(full)
    clock = FixedClock(START)
    service = LiaisonService.open(full, clock=clock)
    for status, note in SCRIPT:
        service.update(unit, code, status=status, note=note)
        clock.advance(minutes=7)
    expected_task = service.task(unit, code)
    service.close()

    clock = FixedClock(START)
    for status, note in SCRIPT:
        view = WriteView.open(quick, clock, wait_seconds=0)
        assert view is not None
        try:
            task = view.update(unit, code, status=status, note=note)
        finally:
            view.close()
        clock.advance(minutes=7)
    assert task == expected_task
    written = table_rows(quick)
    assert written == table_rows(full)
    fields = [row[3] for row in written["history"]]
    assert fields.count("milestone") >= 2 and "completed_on" in fields  # the ticks were made
    assert not data_lock.holds(quick)


def test_what_set_writes_reads_back_through_the_orm_as_written(
    tmp_path: Path, bundled_template: Path
) -> None:
    """The text written for dates and times is SQLAlchemy's own: the ORM writes the same text
    for the same values and reads ours back as the values written."""
    shutil.copytree(bundled_template, tmp_path / "data")
    unit, code = item_with_milestones(tmp_path / "data")
    at = dt.datetime(2019, 12, 3, 8, 5, 9)
    view = WriteView.open(tmp_path / "data", FixedClock(at), wait_seconds=0)
    assert view is not None
    view.update(unit, code, status="done")
    view.close()
    database = open_database(paths.database_path(tmp_path / "data"))
    try:
        with database.sessions() as session:
            ticks = session.query(MilestoneDoneRow).all()
            assert ticks and {(t.done_on, t.updated_at) for t in ticks} == {(at.date(), at)}
            entries = session.query(HistoryRow).all()
            assert {e.changed_at for e in entries} == {at}
            session.add(HistoryRow(**{**_columns(entries[0]), "id": None, "changed_at": at}))
            session.commit()
        raw = db_rows(tmp_path / "data", "SELECT changed_at FROM history ORDER BY id")
        assert {text for (text,) in raw} == {datetime_text(at)} == {"2019-12-03 08:05:09.000000"}
        assert db_rows(tmp_path / "data", "SELECT DISTINCT done_on FROM milestone_done") == [
            (date_text(at.date()),)
        ]
    finally:
        database.dispose()


def _columns(row: HistoryRow) -> dict[str, object]:
    return {column.name: getattr(row, column.name) for column in HistoryRow.__table__.columns}


def test_todays_snapshot_is_taken_before_the_change(tmp_path: Path, bundled_template: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(bundled_template, folder)
    next_day = START + dt.timedelta(days=1)
    snapshot = backup.daily_file(folder, next_day.date())
    assert not snapshot.exists()
    view = WriteView.open(folder, FixedClock(next_day), wait_seconds=0)
    assert view is not None
    view.update("区城管局", "16", status="done", note="验收完成")
    view.close()
    assert rows(snapshot, "SELECT COUNT(*) FROM progress") == [(0,)]  # the state before it
    assert db_rows(folder, "SELECT status, note FROM progress") == [("done", "验收完成")]


@pytest.mark.parametrize("fixture", ["0009"])
def test_an_older_database_is_left_to_the_full_opening_untouched(tmp_path: Path, fixture: str) -> None:
    folder = tmp_path / "older"
    shutil.copytree(FIXTURES / fixture, folder)
    before = db_bytes(folder)
    assert WriteView.open(folder, FixedClock(START), wait_seconds=0) is None
    assert db_bytes(folder) == before and not data_lock.holds(folder)


def test_set_on_an_older_database_upgrades_it_then_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "older"
    shutil.copytree(FIXTURES / "0009", folder)
    code, out, err = set_on(capsys, folder, "--unit", "区城管局", "--item", "11.2", "--status", "blocked")
    assert code == 0, err
    assert "区城管局 11.2 → 需协调" in out
    assert db_rows(folder, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
    code, out, err = set_on(capsys, folder, "--unit", "区城管局", "--item", "11.2", "--status", "in_progress")
    assert code == 0, err
    statuses = db_rows(folder, "SELECT after FROM history WHERE field = 'status' ORDER BY id")
    assert statuses[-2:] == [("blocked",), ("in_progress",)]


def test_an_empty_folder_is_left_to_the_full_opening(tmp_path: Path) -> None:
    assert WriteView.open(tmp_path / "nothing", FixedClock(START), wait_seconds=0) is None
    assert not (tmp_path / "nothing").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--unit", "区不存在局", "--item", "16", "--status", "done"), "区不存在局"),
        (("--unit", "区城管局", "--item", "99.9", "--status", "done"), "99.9"),
        (("--unit", "区城管局", "--item", "1.1", "--status", "done"), "不是工作措施 1.1 的牵头或配合单位"),
        (("--unit", "区城管局", "--item", "16", "--status", "done", "--note", "x" * 20001), "进展情况"),
    ],
    ids=["unknown-unit", "unknown-item", "not-its-item", "note-too-long"],
)
def test_bad_input_is_one_chinese_line_and_writes_nothing(
    data_dir: Path,
    bundled_template: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    said: str,
) -> None:
    shutil.copytree(bundled_template, data_dir)
    before = table_rows(data_dir)
    code, out, err = set_on(capsys, data_dir, *args)
    assert code == 2 and out == ""
    assert err.startswith("错误:") and said in err and len(err.strip().splitlines()) == 1
    assert table_rows(data_dir) == before and not data_lock.holds(data_dir)
