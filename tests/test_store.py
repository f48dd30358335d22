"""The store on a real SQLite file in a temp folder, through the service layer only."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from liaison_app.clock import FixedClock
from liaison_app.paths import database_path
from liaison_app.store.database import HEAD_REVISION
from liaison_app.store.service import (
    LiaisonService,
    NotAssignedError,
    ServiceError,
    UnknownItemError,
    UnknownUnitError,
    summarize,
)
from liaison_app.store.status import Light, Status, light_for, parse_status


def table_count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_first_start_loads_the_bundled_plan(service: LiaisonService, data_dir: Path) -> None:
    info = service.plan_info()
    assert (info.areas, info.measures, info.items, info.units) == (17, 73, 162, 61)
    db = database_path(data_dir)
    assert db.exists()
    assert table_count(db, "item") == 162
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION


def test_unit_sees_only_its_items(service: LiaisonService) -> None:
    codes = [t.item.id for t in service.tasks("区城管局")]
    assert "11.2" in codes and "11.1" not in codes
    roles = {t.item.id: t.role for t in service.tasks("区城管局")}
    assert roles["11.2"] == "coop" and roles["16"] == "lead"
    market = service.tasks("区市场监管局")
    assert len(market) == max(len(service.tasks(u.name)) for u in service.units())


def test_aliases_and_suggestions(service: LiaisonService) -> None:
    assert service.resolve_unit("开区市政绿化处") == "经开区市政绿化处"
    assert service.resolve_unit(" 区招商投资局 ") == "区政府外办(区招商投资局)"
    with pytest.raises(UnknownUnitError) as caught:
        service.resolve_unit("区城管")
    assert caught.value.suggestions[0] == "区城管局"
    assert "区城管局" in str(caught.value)


def test_update_round_trip_survives_reopening(data_dir: Path, clock: FixedClock) -> None:
    first = LiaisonService.open(data_dir, clock=clock, actor="张三")
    task = first.update("区城管局", "11.2", status="已完成", note="已完成规划许可简化")
    assert task.status is Status.DONE
    assert task.completed_on == clock.today()  # set automatically when marked done
    first.close()

    second = LiaisonService.open(data_dir, clock=clock)
    again = second.task("区城管局", "11.2")
    assert (again.status, again.note, again.completed_on) == (
        Status.DONE,
        "已完成规划许可简化",
        dt.date(2019, 11, 20),
    )
    history = second.history("区城管局", "11.2")
    # 已完成 set directly ticks the item's open milestone too (#15)
    assert {h.field for h in history} == {"status", "note", "completed_on", "milestone"}
    assert all(h.actor == "张三" for h in history)
    # progress is per unit: the lead unit of the same item is untouched
    assert second.task("区经济信息委", "11.2").status is Status.NOT_STARTED
    second.close()


def test_leaving_done_clears_the_completion_date(service: LiaisonService, clock: FixedClock) -> None:
    service.update("区城管局", "16", status=Status.DONE)
    clock.advance(days=1)
    task = service.update("区城管局", "16", status=Status.IN_PROGRESS)
    assert task.completed_on is None
    fields = [h.field for h in service.history("区城管局", "16")]
    assert fields == ["completed_on", "status", "completed_on", "status"]  # newest first


def test_same_value_writes_no_history(service: LiaisonService) -> None:
    service.update("区城管局", "16", note="甲")
    service.update("区城管局", "16", note="甲")
    assert len(service.history("区城管局", "16")) == 1


@pytest.mark.parametrize(
    ("unit", "item", "kwargs", "error"),
    [
        ("区城管局", "11.1", {"status": "done"}, NotAssignedError),
        ("区城管局", "99.9", {"status": "done"}, UnknownItemError),
        ("没有这个单位", "11.2", {"status": "done"}, UnknownUnitError),
        ("区城管局", "11.2", {"status": "finished"}, ValueError),
        ("区城管局", "11.2", {"note": "含\x00空字符"}, ServiceError),
        ("区城管局", "11.2", {"note": "长" * 20001}, ServiceError),
    ],
)
def test_bad_requests_change_nothing(
    service: LiaisonService,
    data_dir: Path,
    unit: str,
    item: str,
    kwargs: dict[str, str],
    error: type[Exception],
) -> None:
    db = database_path(data_dir)
    before = (table_count(db, "progress"), table_count(db, "history"))
    with pytest.raises(error):
        service.update(unit, item, **kwargs)
    assert (table_count(db, "progress"), table_count(db, "history")) == before


def test_status_parsing_and_lights() -> None:
    assert parse_status("已完成") is Status.DONE
    assert parse_status("ongoing") is Status.ONGOING
    with pytest.raises(ValueError, match="not_started"):
        parse_status("完成了")
    deadline = dt.date(2019, 12, 31)
    assert light_for(deadline, Status.IN_PROGRESS, dt.date(2020, 1, 1)) is Light.OVERDUE
    assert light_for(deadline, Status.DONE, dt.date(2020, 1, 1)) is Light.ON_TRACK
    assert light_for(deadline, Status.ONGOING, dt.date(2020, 1, 1)) is Light.ON_TRACK
    assert light_for(deadline, Status.NOT_STARTED, dt.date(2019, 12, 1)) is Light.DUE_SOON
    assert light_for(deadline, Status.NOT_STARTED, dt.date(2019, 11, 30)) is Light.ON_TRACK
    assert light_for(None, Status.NOT_STARTED, dt.date(2030, 1, 1)) is Light.ON_TRACK


def test_summary_counts(service: LiaisonService) -> None:
    service.update("区城管局", "16", status=Status.DONE)
    counts = summarize(service.tasks("区城管局"), dt.date(2021, 1, 1))
    assert counts["total"] == counts["lead"] + counts["coop"]
    assert counts["done"] == 1
    assert counts["overdue"] > 0


def test_settings(service: LiaisonService) -> None:
    assert service.setting("profile.name") == ""
    service.set_settings({"profile.name": "李四", "profile.phone": "023-12345678"})
    assert service.setting("profile.name") == "李四"
    service.set_settings({"profile.name": "王五"})
    assert service.setting("profile.name") == "王五"
