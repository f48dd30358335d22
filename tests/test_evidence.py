"""Evidence files on real files in temp folders: store, service, bundle, verify, failures."""

from __future__ import annotations

import errno
import hashlib
import sqlite3
import zipfile
from pathlib import Path

import pytest

from liaison_app.evidence import CopyCancelled, EvidenceError
from liaison_app.filenames import safe_name, unique_name
from liaison_app.paths import database_path
from liaison_app.reports.evidence_bundle import MANIFEST_NAME, read_manifest, write_bundle
from liaison_app.store import evidence_files
from liaison_app.store.service import LiaisonService, NotAssignedError, ServiceError
from tests.helpers import first_start, make_file

UNIT = "区甲局"  # of the synthetic plan: leads 1.1 and 1.3, cooperates on 2.1, not on 1.2


@pytest.fixture
def service(small: LiaisonService) -> LiaisonService:
    """Evidence does not depend on the plan: these tests run on the synthetic one."""
    return small


def stray_files(service: LiaisonService) -> list[Path]:
    return [p for p in service.evidence_store.root.rglob("*") if p.is_file()]


def evidence_rows(data_dir: Path) -> int:
    with sqlite3.connect(database_path(data_dir)) as connection:
        return int(connection.execute("SELECT count(*) FROM evidence").fetchone()[0])


def test_attach_keeps_the_chinese_name_and_a_verified_copy(service: LiaisonService, tmp_path: Path) -> None:
    source = make_file(tmp_path / "材料", "2019年11月 现场检查照片（一）.jpg")
    record = service.attach(UNIT, "2.1", source, description="红线外接入现场", period="2019-11")
    assert record.original_name == "2019年11月 现场检查照片（一）.jpg"
    assert record.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    stored = service.evidence_file(record.id)
    assert stored.read_bytes() == source.read_bytes()
    source.unlink()  # the original may go away: we keep our own copy
    assert service.evidence(UNIT, "2.1")[0].description == "红线外接入现场"
    assert service.task(UNIT, "2.1").evidence == 1
    assert next(t for t in service.tasks(UNIT) if t.item.id == "2.1").evidence == 1
    assert service.history(UNIT, "2.1")[0].after == "2019年11月 现场检查照片（一）.jpg"


def test_same_bytes_are_stored_once_and_removed_when_unused(
    service: LiaisonService, tmp_path: Path, data_dir: Path
) -> None:
    source = make_file(tmp_path, "通知.pdf")
    first = service.attach(UNIT, "2.1", source)
    second = service.attach(UNIT, "1.1", make_file(tmp_path, "副本.pdf"))  # same bytes
    assert first.sha256 == second.sha256
    assert len(stray_files(service)) == 1
    service.remove_evidence(first.id)
    assert service.evidence_file(second.id).exists()  # still referenced
    service.remove_evidence(second.id)
    assert stray_files(service) == [] and evidence_rows(data_dir) == 0
    fields = [(h.field, h.before, h.after) for h in service.history(UNIT, "1.1")]
    assert fields[0] == ("evidence", "副本.pdf", None)


def test_description_can_be_changed(service: LiaisonService, tmp_path: Path) -> None:
    record = service.attach(UNIT, "1.1", make_file(tmp_path, "a.pdf"))
    assert service.describe_evidence(record.id, "  会议纪要 ").description == "会议纪要"
    assert service.history(UNIT, "1.1")[0].field == "evidence_description"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d, "是一个文件夹"),
        (lambda d: (d / "空.pdf").write_bytes(b"") or d / "空.pdf", "空文件"),
        (lambda d: d / "不存在.pdf", "找不到文件"),
    ],
)
def test_bad_files_are_refused_and_leave_nothing(
    service: LiaisonService, tmp_path: Path, data_dir: Path, make, message: str
) -> None:
    with pytest.raises(EvidenceError, match=message):
        service.attach(UNIT, "1.1", make(tmp_path))
    assert evidence_rows(data_dir) == 0 and stray_files(service) == []


def test_unreadable_file_is_refused(
    service: LiaisonService, tmp_path: Path, data_dir: Path, monkeypatch
) -> None:
    source = make_file(tmp_path, "secret.pdf")
    real_open = Path.open

    def guarded_open(self: Path, mode: str = "r", *args, **kwargs):
        if self == source:  # what the OS says for a file locked or without read permission
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded_open)
    with pytest.raises(EvidenceError, match="没有权限"):
        service.attach(UNIT, "1.1", source)
    assert evidence_rows(data_dir) == 0 and stray_files(service) == []


def test_item_not_of_this_unit_is_refused_before_copying(
    service: LiaisonService, tmp_path: Path, data_dir: Path
) -> None:
    with pytest.raises(NotAssignedError):
        service.attach(UNIT, "1.2", make_file(tmp_path, "a.pdf"))
    assert evidence_rows(data_dir) == 0 and not service.evidence_store.root.exists()


def test_file_changing_during_the_copy_is_refused(
    service: LiaisonService, tmp_path: Path, data_dir: Path
) -> None:
    source = make_file(tmp_path, "正在编辑.docx", size=3 * 1024 * 1024)

    touched: list[int] = []

    def touch(done: int, total: int) -> None:
        if not touched:
            touched.append(done)
            with source.open("ab") as handle:
                handle.write(b"more")

    with pytest.raises(EvidenceError, match="复制过程中被修改"):
        service.attach(UNIT, "1.1", source, progress=touch)
    assert evidence_rows(data_dir) == 0 and stray_files(service) == []


def test_file_vanishing_during_the_copy_is_refused(
    service: LiaisonService, tmp_path: Path, data_dir: Path
) -> None:
    source = make_file(tmp_path, "u盘上的文件.pdf", size=3 * 1024 * 1024)
    with pytest.raises(EvidenceError, match="消失"):
        service.attach(UNIT, "1.1", source, progress=lambda done, total: source.unlink(missing_ok=True))
    assert evidence_rows(data_dir) == 0 and stray_files(service) == []


def test_disk_full_mid_copy_leaves_no_row_and_no_stray_file(
    service: LiaisonService, tmp_path: Path, data_dir: Path
) -> None:
    source = make_file(tmp_path, "大文件.pdf", size=3 * 1024 * 1024)

    def disk_full(done: int, total: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")  # at the first chunk written

    with pytest.raises(EvidenceError, match="磁盘空间不足"):
        service.attach(UNIT, "1.1", source, progress=disk_full)
    assert evidence_rows(data_dir) == 0 and stray_files(service) == []


def test_cancel_leaves_nothing(service: LiaisonService, tmp_path: Path, data_dir: Path) -> None:
    source = make_file(tmp_path, "大文件.pdf", size=3 * 1024 * 1024)
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(CopyCancelled):
        service.attach(UNIT, "1.1", source, cancelled=cancelled)
    assert evidence_rows(data_dir) == 0 and stray_files(service) == []


def test_failure_after_the_copy_removes_the_new_blob(
    service: LiaisonService, tmp_path: Path, data_dir: Path, monkeypatch
) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(evidence_files, "_evidence_record", broken)
    with pytest.raises(RuntimeError):
        service.attach(UNIT, "1.1", make_file(tmp_path, "a.pdf"))
    assert evidence_rows(data_dir) == 0 and stray_files(service) == []


def test_bad_description_leaves_nothing(service: LiaisonService, tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(ServiceError):
        service.attach(UNIT, "1.1", make_file(tmp_path, "a.pdf"), description="x" * 201)
    assert evidence_rows(data_dir) == 0 and stray_files(service) == []


def test_part_files_of_a_crash_are_cleaned_on_start(data_dir: Path, clock) -> None:
    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    leftover = data_dir / "evidence" / "tmp" / "deadbeef.part"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half")
    LiaisonService.open(data_dir, clock=clock).close()
    assert not leftover.exists()


def test_verify_finds_missing_and_damaged_files(service: LiaisonService, tmp_path: Path) -> None:
    kept = service.attach(UNIT, "1.1", make_file(tmp_path, "好的.pdf", seed=1))
    gone = service.attach(UNIT, "2.1", make_file(tmp_path, "丢失.pdf", seed=2))
    changed = service.attach(UNIT, "1.3", make_file(tmp_path, "被改.pdf", seed=3))
    assert service.verify_evidence() == []
    service.evidence_file(gone.id).unlink()
    with service.evidence_file(changed.id).open("r+b") as handle:
        handle.write(b"X")
    problems = {(p.item_code, p.original_name, p.problem) for p in service.verify_evidence()}
    assert problems == {("2.1", "丢失.pdf", "missing"), ("1.3", "被改.pdf", "damaged")}
    assert kept.sha256 not in {p.sha256 for p in service.verify_evidence()}


def test_bundle_round_trip(service: LiaisonService, tmp_path: Path) -> None:
    names = ["会议纪要.docx", "现场 照片.jpg", "CON.txt", "问:进度?.pdf"]
    for i, name in enumerate(names):
        service.attach(
            UNIT,
            "2.1" if i % 2 else "1.1",
            make_file(tmp_path / str(i), name, seed=i),
            period="2019-11",
            description=f"=说明{i}",
        )
    service.attach(UNIT, "1.1", make_file(tmp_path, "十二月.pdf", seed=9), period="2019-12")
    out = tmp_path / "out" / "区城管局_2019年11月_佐证材料.zip"
    out.parent.mkdir()
    result = write_bundle(service.bundle_files(UNIT, "2019-11"), out)
    assert result.parts == [out] and result.files == 4
    with zipfile.ZipFile(out) as archive:
        manifest = read_manifest(archive.read(MANIFEST_NAME))
        assert len(manifest) == 4
        for row in manifest:
            data = archive.read(row["包内路径"])
            assert hashlib.sha256(data).hexdigest() == row["SHA-256"]
            assert int(row["大小(字节)"]) == len(data)
            assert row["说明"].startswith("'=")  # typed text stays text in a spreadsheet
        paths = [row["包内路径"] for row in manifest]
    assert {p.split("/")[0] for p in paths} == {"1.1_压缩企业开办时间", "2.1_降低用电报装成本"}
    files = {p.split("/")[1] for p in paths}
    assert "会议纪要.docx" in files and "现场 照片.jpg" in files
    assert "_CON.txt" in files and "问_进度_.pdf" in files  # Windows-safe, still readable
    assert all(row["原文件名"] in names for row in manifest)


def test_split_bundle_parts_are_under_the_limit_and_complete(service: LiaisonService, tmp_path: Path) -> None:
    for i in range(7):
        service.attach(
            UNIT, "1.1", make_file(tmp_path, f"扫描件{i}.pdf", size=400 * 1024, seed=i), period="2019-11"
        )
    out = tmp_path / "bundle.zip"
    result = write_bundle(service.bundle_files(UNIT, "2019-11"), out, split_mb=1)
    assert len(result.parts) >= 3 and result.oversized == []
    seen: dict[str, str] = {}
    for part in result.parts:
        assert part.stat().st_size <= 1024 * 1024
        with zipfile.ZipFile(part) as archive:
            assert len(read_manifest(archive.read(MANIFEST_NAME))) == 7  # every part lists all
            for name in archive.namelist():
                if name != MANIFEST_NAME:
                    seen[name] = hashlib.sha256(archive.read(name)).hexdigest()
    assert len(seen) == 7
    assert not list(tmp_path.glob("*.part"))


def test_safe_names() -> None:
    assert safe_name('a<b>c:d"e/f\\g|h?i*j.pdf') == "a_b_c_d_e_f_g_h_i_j.pdf"
    assert safe_name("nul.txt") == "_nul.txt" and safe_name("COM1") == "_COM1"
    assert safe_name("报告.  ") == "报告"
    long = safe_name("很" * 200 + ".docx", 80)
    assert len(long) == 80 and long.endswith(".docx")
    taken: set[str] = set()
    assert [unique_name("a.pdf", taken) for _ in range(3)] == ["a.pdf", "a (2).pdf", "a (3).pdf"]


@pytest.fixture(params=["kernel copy", "portable copy"])
def copy_path(request, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a file is copied in: in-kernel (Linux) and read/hash/write (elsewhere)."""
    if request.param == "portable copy":
        import liaison_app.evidence as evidence

        monkeypatch.setattr(evidence, "_kernel_copy", lambda *args: None)
    return request.param


def test_both_copy_paths_store_the_exact_bytes(
    service: LiaisonService, tmp_path: Path, copy_path: str
) -> None:
    source = make_file(tmp_path, "两种复制.pdf", size=9 * 1024 * 1024 + 17)
    seen: list[int] = []
    record = service.attach(UNIT, "1.1", source, progress=lambda done, total: seen.append(done))
    assert service.evidence_file(record.id).read_bytes() == source.read_bytes()
    assert record.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert seen == sorted(seen) and seen[-1] == source.stat().st_size


def test_both_copy_paths_cancel_cleanly(
    service: LiaisonService, tmp_path: Path, data_dir: Path, copy_path: str
) -> None:
    source = make_file(tmp_path, "取消.pdf", size=9 * 1024 * 1024)
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 1

    with pytest.raises(CopyCancelled):
        service.attach(UNIT, "1.1", source, cancelled=cancelled)
    assert evidence_rows(data_dir) == 0 and stray_files(service) == []
