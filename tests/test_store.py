"""The store on a real SQLite file in a temp folder, through the service layer only."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from liaison_app.clock import FixedClock
from liaison_app.paths import database_path
from liaison_app.plan.model import Plan
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


def test_unit_sees_only_its_items(small: LiaisonService) -> None:
    roles = {t.item.id: t.role for t in small.tasks("区甲局")}
    assert roles == {"1.1": "lead", "1.3": "lead", "2.1": "coop", "3": "coop"}
    # the sub-items of one measure carry their own units
    assert [t.item.id for t in small.tasks("区乙局")] == ["1.1", "1.2", "2.2", "3"]
    assert small.tasks("区戊办") == []  # a unit of the plan with nothing to do


def test_a_loaded_database_keeps_its_plan(small: LiaisonService, data_dir: Path, clock: FixedClock) -> None:
    small.close()
    reopened = LiaisonService.open(data_dir, clock=clock)  # no plan given: the bundled one is not loaded
    info = reopened.plan_info()
    assert (info.areas, info.measures, info.items, info.units) == (3, 3, 6, 5)
    reopened.close()


def test_synthetic_aliases_and_suggestions(small: LiaisonService) -> None:
    assert small.resolve_unit(" 甲局 ") == "区甲局"
    with pytest.raises(UnknownUnitError) as caught:
        small.resolve_unit("区丙")
    assert caught.value.suggestions[0] == "区丙中心"


def test_aliases_and_suggestions(service: LiaisonService) -> None:
    assert service.resolve_unit("开区市政绿化处") == "经开区市政绿化处"
    assert service.resolve_unit(" 区招商投资局 ") == "区政府外办(区招商投资局)"
    with pytest.raises(UnknownUnitError) as caught:
        service.resolve_unit("区城管")
    assert caught.value.suggestions[0] == "区城管局"
    assert "区城管局" in str(caught.value)


def test_update_round_trip_survives_reopening(
    data_dir: Path, clock: FixedClock, synthetic_plan: Plan
) -> None:
    first = LiaisonService.open(data_dir, clock=clock, actor="张三", first_plan=synthetic_plan)
    task = first.update("区乙局", "1.1", status="已完成", note="已完成规划许可简化")
    assert task.status is Status.DONE
    assert task.completed_on == clock.today()  # set automatically when marked done
    first.close()

    second = LiaisonService.open(data_dir, clock=clock)
    again = second.task("区乙局", "1.1")
    assert (again.status, again.note, again.completed_on) == (
        Status.DONE,
        "已完成规划许可简化",
        dt.date(2019, 11, 20),
    )
    history = second.history("区乙局", "1.1")
    assert {h.field for h in history} == {"status", "note", "completed_on"}
    assert all(h.actor == "张三" for h in history)
    # progress is per unit: the lead unit of the same item is untouched
    assert second.task("区甲局", "1.1").status is Status.NOT_STARTED
    second.close()


def test_leaving_done_clears_the_completion_date(small: LiaisonService, clock: FixedClock) -> None:
    small.update("区甲局", "1.3", status=Status.DONE)
    clock.advance(days=1)
    task = small.update("区甲局", "1.3", status=Status.IN_PROGRESS)
    assert task.completed_on is None
    fields = [h.field for h in small.history("区甲局", "1.3")]
    assert fields == ["completed_on", "status", "completed_on", "status"]  # newest first


def test_same_value_writes_no_history(small: LiaisonService) -> None:
    small.update("区甲局", "1.3", note="甲")
    small.update("区甲局", "1.3", note="甲")
    assert len(small.history("区甲局", "1.3")) == 1


@pytest.mark.parametrize(
    ("unit", "item", "kwargs", "error"),
    [
        ("区甲局", "1.2", {"status": "done"}, NotAssignedError),
        ("区甲局", "99.9", {"status": "done"}, UnknownItemError),
        ("没有这个单位", "1.1", {"status": "done"}, UnknownUnitError),
        ("区乙局", "1.1", {"status": "finished"}, ValueError),
        ("区乙局", "1.1", {"note": "含\x00空字符"}, ServiceError),
        ("区乙局", "1.1", {"note": "长" * 20001}, ServiceError),
    ],
)
def test_bad_requests_change_nothing(
    small: LiaisonService,
    data_dir: Path,
    unit: str,
    item: str,
    kwargs: dict[str, str],
    error: type[Exception],
) -> None:
    db = database_path(data_dir)
    before = (table_count(db, "progress"), table_count(db, "history"))
    with pytest.raises(error):
        small.update(unit, item, **kwargs)
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


def test_summary_counts(small: LiaisonService) -> None:
    small.update("区甲局", "1.1", status=Status.DONE)
    counts = summarize(small.tasks("区甲局"), dt.date(2021, 1, 1))
    assert (counts["total"], counts["lead"], counts["coop"]) == (4, 2, 2)
    assert counts["done"] == 1
    assert counts["overdue"] == 2  # 2.1 and 3; 1.3 has no deadline, 1.1 is done


def test_settings(small: LiaisonService) -> None:
    assert small.setting("office.email") == ""
    small.set_settings({"office.email": "a@example.gov.cn"})
    assert small.setting("office.email") == "a@example.gov.cn"
    small.set_settings({"office.email": "b@example.gov.cn"})
    assert small.setting("office.email") == "b@example.gov.cn"
