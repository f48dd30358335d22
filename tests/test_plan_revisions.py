"""A revision of a loaded plan: progress follows the mapped item, dropped items are archived."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from liaison_app.store.records import NotAssignedError
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Status
from tests.helpers import run, run_json, table_counts
from tests.plan_tables import REVISION_NEW as NEW
from tests.plan_tables import REVISION_OLD as OLD


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


def test_a_liaison_loads_the_offices_next_revision_and_keeps_its_progress(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    office, liaison = tmp_path / "office", tmp_path / "liaison"
    first, second = tmp_path / "第1版", tmp_path / "第2版"
    first.mkdir()
    second.mkdir()
    assert run(capsys, office, "plan", "import", str(OLD), "--id", "kq-2021")[0] == 0
    assert run(capsys, office, "plan", "export", "-o", str(first))[0] == 0
    (package1,) = first.glob("*.xlsx")
    assert run(capsys, liaison, "plan", "import", str(package1))[0] == 0
    note = ("--status", "ongoing", "--note", "已上线")
    assert run(capsys, liaison, "set", "--unit", "区市场监管局", "--item", "1.1", *note)[0] == 0

    revise = ("--revises", "kq-2021", "--archive-dropped")
    assert run(capsys, office, "plan", "import", str(NEW), *revise)[0] == 0
    assert run(capsys, office, "plan", "export", "-o", str(second))[0] == 0
    (package2,) = second.glob("*.xlsx")
    assert "第2版" in package2.name
    code, out, err = run(capsys, liaison, "plan", "import", str(package2))  # no flag: a newer revision
    assert code == 0, err
    assert "第2版" in out
    tasks = {t["id"]: t for t in run_json(capsys, liaison, "tasks", "--unit", "区市场监管局")}
    assert (tasks["1.2"]["note"], tasks["1.2"]["former"]) == ("已上线", "1.1")
    code, out, _err = run(capsys, liaison, "plan", "import", str(package2))
    assert code == 0 and "已经载入" in out


def test_a_doubtful_match_is_refused_until_confirmed(
    capsys: pytest.CaptureFixture[str], loaded: Path, tmp_path: Path
) -> None:
    text = NEW.read_text(encoding="utf-8").replace(
        "推行不动产登记一窗受理、并联办理，2021年9月底前全面实施。",
        "不动产登记实行一窗受理，2021年底前实现交易、缴税、登记并联办理和全程网办。",
    )
    reworded = tmp_path / "大改.txt"
    reworded.write_text(text, encoding="utf-8")
    code, out, err = run(
        capsys, loaded, "plan", "import", str(reworded), "--revises", "kq-2021", "--archive-dropped", "--json"
    )
    assert code == 2 and "--accept-doubtful" in err and "2.1" in err, out
    code, _out, err = run(
        capsys,
        loaded,
        "plan",
        "import",
        str(reworded),
        "--revises",
        "kq-2021",
        "--archive-dropped",
        "--map",
        "2.1=2.1",
    )
    assert code == 0, err
