"""A revision of a loaded plan: progress follows the mapped item, dropped items are archived."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from liaison_app.store.records import NotAssignedError
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Status
from tests.test_plans_db import run, run_json, table_counts

FIXTURES = Path(__file__).parent / "fixtures" / "plans"
OLD, NEW = FIXTURES / "revision-old.txt", FIXTURES / "revision-new.txt"


@pytest.fixture
def loaded(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> Path:
    code, _out, err = run(capsys, data_dir, "plan", "import", str(OLD), "--id", "kq-2021")
    assert code == 0, err
    service = LiaisonService.open(data_dir)
    try:
        service.update("区市场监管局", "1.1", status=Status.IN_PROGRESS, note="已上线一网通办")
        proof = tmp_path / "上线通知.pdf"
        proof.write_bytes(b"%PDF-1.4 proof")
        service.attach("区市场监管局", "1.1", proof, description="上线通知")
        service.update("区城管局", "2.2", status=Status.IN_PROGRESS, note="试点中")
    finally:
        service.close()
    return data_dir


def test_a_revision_that_would_orphan_progress_asks_first(
    capsys: pytest.CaptureFixture[str], loaded: Path
) -> None:
    before = table_counts(loaded)
    code, _out, err = run(capsys, loaded, "plan", "import", str(NEW), "--revises", "kq-2021")
    assert code == 2 and "2.2" in err and "--archive-dropped" in err and "Traceback" not in err
    assert table_counts(loaded) == before


def test_progress_follows_renumbered_and_reworded_items_and_the_archive_keeps_the_dropped(
    capsys: pytest.CaptureFixture[str], loaded: Path
) -> None:
    code, out, err = run(
        capsys, loaded, "plan", "import", str(NEW), "--revises", "kq-2021", "--archive-dropped", "--json"
    )
    assert code == 0, err
    revised = json.loads(out)["revised"]
    assert {(c["old"], c["new"]) for c in revised["carried"]} == {
        ("1.1", "1.2"),
        ("1.2", "1.1"),
        ("2.1", "2.1"),
    }
    assert revised["added"] == ["2.2"] and revised["archived"] == ["2.2"]
    (plan,) = run_json(capsys, loaded, "plan", "list")
    assert (plan["id"], plan["revision"], plan["items"], plan["archived"]) == ("kq-2021", 2, 4, 1)

    service = LiaisonService.open(loaded)
    try:
        moved = service.task("区市场监管局", "1.2")  # old 1.1, renumbered and reworded
        assert (moved.status, moved.note, moved.evidence) == (Status.IN_PROGRESS, "已上线一网通办", 1)
        assert moved.item.former == "1.1" and "全程电子化" in moved.item.text
        assert [e.original_name for e in service.evidence("区市场监管局", "1.2")] == ["上线通知.pdf"]
        assert len(service.history("区市场监管局", "1.2")) == 3  # status, note, evidence
        assert service.task("区市场监管局", "1.1").status is Status.NOT_STARTED  # old 1.2, untouched
        assert service.tasks("区城管局") == []
        (kept,) = service.archived_tasks("区城管局")
        assert (kept.item.id, kept.note, kept.status) == ("2.2", "试点中", Status.IN_PROGRESS)
        with pytest.raises(NotAssignedError):
            service.update("区城管局", "2.2", note="改一下")  # the new 2.2 is another unit's
        assert [t.item.id for t in service.tasks("区住房城乡建委")] == ["2.2"]
    finally:
        service.close()
    tasks = run_json(capsys, loaded, "tasks", "--unit", "区市场监管局")
    assert {t["id"]: t["former"] for t in tasks} == {"1.1": "1.2", "1.2": "1.1"}


def test_an_explicit_map_carries_a_dropped_items_progress(
    capsys: pytest.CaptureFixture[str], loaded: Path
) -> None:
    code, _out, err = run(
        capsys, loaded, "plan", "import", str(NEW), "--revises", "kq-2021", "--map", "2.2=2.2"
    )
    assert code == 0, err
    service = LiaisonService.open(loaded)
    try:
        # 区城管局 is not named on the new 2.2: its record on it stays, read-only, in the archive
        (kept,) = service.archived_tasks("区城管局")
        assert (kept.item.id, kept.note) == ("2.2", "试点中")
        assert "帮办代办" in kept.item.text
    finally:
        service.close()
