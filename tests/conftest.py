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
from liaison_app.store.service import LiaisonService


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
    svc = LiaisonService.open(data_dir, clock=clock, actor="测试联络员")
    yield svc
    svc.close()
