"""Every test owns its world: a fresh data folder, a fixed clock, and Qt without a screen."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

# Must be set before anything imports Qt; with no display Qt would abort with an xcb message.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1")

import pytest

from liaison_app.clock import FixedClock
from liaison_app.plan.bundle import load_plan_file
from liaison_app.plan.model import Plan
from liaison_app.store.service import LiaisonService
from tests.helpers import SYNTHETIC_PLAN


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("LIAISON_APP_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2019, 11, 20, 9, 30, 0))


@pytest.fixture
def service(data_dir: Path, clock: FixedClock) -> Iterator[LiaisonService]:
    """The bundled 南岸区 plan (162 items, 61 units): for tests about that plan and its units."""
    svc = LiaisonService.open(data_dir, clock=clock, actor="测试联络员")
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def synthetic_plan() -> Plan:
    """Six items in three areas, five units (tests/fixtures/plans/synthetic.plan.json): 1.1-1.3
    share a measure but not their units, 1.3 has no deadline, measure 3 has no sub-items, 区戊办
    has no items, 甲局 is an alias of 区甲局, group 2 takes every member unit."""
    return load_plan_file(SYNTHETIC_PLAN)


@pytest.fixture
def small(data_dir: Path, clock: FixedClock, synthetic_plan: Plan) -> Iterator[LiaisonService]:
    """A fresh data folder holding the synthetic plan: for tests of behaviour, not of the plan."""
    svc = LiaisonService.open(data_dir, clock=clock, actor="测试联络员", plan=synthetic_plan)
    yield svc
    svc.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses Qt's widgets is a ``gui`` test (select or skip them with -m)."""
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)
