"""Helpers shared by the benchmarks: timing, and a plan made N times larger than the bundled one."""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from liaison_app.clock import SystemClock
from liaison_app.plan.model import Item, Measure, Plan
from liaison_app.store.database import open_database
from liaison_app.store.plan_loader import bundled_plan, load_plan
from liaison_app.store.service import LiaisonService


def timed(fn: Callable[[], object], repeat: int = 7) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def scaled_plan(factor: int) -> Plan:
    """The bundled plan with every measure repeated ``factor`` times (same units and roles)."""
    plan = bundled_plan()
    count = len(plan.measures)
    measures = []
    for copy in range(factor):
        for measure in plan.measures:
            number = copy * count + measure.number
            measures.append(
                Measure(
                    number,
                    measure.title,
                    measure.area,
                    [dataclasses.replace(item, measure=number) for item in measure.items],
                )
            )
    return dataclasses.replace(plan, measures=measures, anomalies=[])


def open_scaled(folder: Path, factor: int) -> LiaisonService:
    folder.mkdir(parents=True, exist_ok=True)
    database = open_database(folder / "liaison.sqlite3")
    if factor > 1:
        with database.sessions() as session:
            load_plan(session, scaled_plan(factor), SystemClock().now())
            session.commit()
    return LiaisonService(database)


def largest_unit(service: LiaisonService) -> str:
    return max(service.units(), key=lambda u: u.lead_items + u.coop_items).name


__all__ = ["Item", "largest_unit", "open_scaled", "scaled_plan", "timed"]
