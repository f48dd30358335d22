"""A unit's evidence files (佐证材料) on its items: recording a stored file on an item, its
description, removal, the copy opened for viewing, the inventory that verify checks, and the
files of a bundle. The bytes themselves live in :class:`~liaison_app.evidence.EvidenceStore`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison_app.evidence import EvidenceStore, Ingested, find_problems
from liaison_app.filenames import safe_name
from liaison_app.reports.evidence_bundle import BundleFile
from liaison_app.store.catalogue import Catalogue
from liaison_app.store.context import StoreContext
from liaison_app.store.models import (
    AttachmentRow,
    DeliverableRow,
    EvidenceRow,
    OfficeReturnRow,
    TypicalCaseRow,
)
from liaison_app.store.records import (
    MAX_CELL_CHARS,
    EvidenceProblem,
    EvidenceRecord,
    ServiceError,
    check_file_name,
    check_text,
    printable,
)
from liaison_app.vocabulary import DeliverableKind

Inventory = list[tuple[str, str, str, str]]  # (unit, where, original name, sha256)


class EvidenceIntegrityError(ServiceError):
    """Stored evidence is missing, damaged, or named by an invalid hash."""


def _validate_description(text: str) -> str:
    return check_text(text.strip(), "说明", 200)


def _evidence_record(row: EvidenceRow, unit: str, code: str) -> EvidenceRecord:
    return EvidenceRecord(
        id=row.id,
        unit=unit,
        item_code=code,
        sha256=row.sha256,
        size=row.size,
        original_name=row.original_name,
        description=row.description,
        period=row.period,
        added_at=row.added_at,
        added_by=row.added_by,
    )


def problems_in(inventory: Inventory, verdicts: dict[str, str]) -> list[EvidenceProblem]:
    """The inventory's files that verify found missing or damaged (``verdicts`` by sha256)."""
    return [
        EvidenceProblem(unit, code, name, sha, verdicts[sha])
        for unit, code, name, sha in inventory
        if sha in verdicts
    ]


class EvidenceFiles:
    """The evidence rows of the data folder, over its content-addressed store."""

    def __init__(
        self, context: StoreContext, catalogue: Catalogue, store: EvidenceStore, data_dir: Path
    ) -> None:
        self._context = context
        self._catalogue = catalogue
        self.store = store
        self._data_dir = data_dir

    def check_can_attach(self, unit: str, code: str) -> tuple[str, str]:
        """Canonical unit and item id, or the reason the unit cannot attach to this item."""
        unit, item_id = self._catalogue.assigned(unit, code)
        return unit, self._catalogue.items[item_id].id

    def attach(
        self,
        unit: str,
        code: str,
        source: Path,
        *,
        description: str = "",
        period: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> EvidenceRecord:
        """Copy ``source`` into the store, then record it (the file first, then the row)."""
        unit, code = self.check_can_attach(unit, code)
        _validate_description(description)  # before copying: a refusal must leave nothing behind
        check_file_name(source.name)
        self._check_cell_room(unit, code, source.name)
        ingested = self.store.ingest(source, progress, cancelled)
        return self.record_evidence(unit, code, ingested, description=description, period=period)

    def record_evidence(
        self, unit: str, code: str, ingested: Ingested, *, description: str = "", period: str | None = None
    ) -> EvidenceRecord:
        """Name an already stored blob on a unit's item (one transaction, with history)."""
        try:
            unit, code = self.check_can_attach(unit, code)
            description = _validate_description(description)
            check_file_name(ingested.original_name)
            self._check_cell_room(unit, code, ingested.original_name)
        except ServiceError:
            self.discard(ingested)
            raise
        clock, actor = self._context.clock, self._context.actor
        period = period or clock.today().strftime("%Y-%m")
        now = clock.now()
        item_id, unit_id = self._catalogue.item_ids[code], self._catalogue.unit_ids[unit]
        try:
            with self._context.database.transaction() as session:
                row = EvidenceRow(
                    unit_id=unit_id,
                    item_id=item_id,
                    sha256=ingested.sha256,
                    size=ingested.size,
                    original_name=ingested.original_name,
                    description=description,
                    period=period,
                    added_at=now,
                    added_by=actor,
                )
                session.add(row)
                self._context.log_change(
                    session, unit_id, item_id, ("evidence", None, ingested.original_name), now
                )
                session.flush()
                record = _evidence_record(row, unit, code)
        except Exception:
            self.discard(ingested)
            raise
        return record

    def _check_cell_room(self, unit: str, code: str, name: str) -> None:
        """The report lists an item's file names in one cell, which holds 32,767 characters:
        refuse the file that would not fit, rather than have the cell cut (and its hash fail)."""
        names = [r.original_name for r in self.evidence(unit, code)] + [name]
        needed = len(f"{len(names)} 个:" + ";".join(names))
        if needed > MAX_CELL_CHARS:
            raise ServiceError(
                f"工作措施 {code} 的佐证材料文件名合计已达 {needed} 字，超过报表一个单元格"
                f"可容纳的 {MAX_CELL_CHARS} 字。请把文件合并(如打包为一个 zip)后再添加。"
            )

    def evidence(self, unit: str, code: str | None = None, period: str | None = None) -> list[EvidenceRecord]:
        """A unit's files, for one item or all, optionally of one period; in plan order."""
        catalogue = self._catalogue
        unit = catalogue.resolve_unit(unit)
        # the plan's items are kept here, not in the query: an IN of every item id (16,000 on a
        # large plan) cost tens of milliseconds per call, and this runs at every status change
        query = select(EvidenceRow).where(EvidenceRow.unit_id == catalogue.unit_ids[unit])
        if code is not None:
            query = query.where(EvidenceRow.item_id == catalogue.item_id(code))
        if period is not None:
            query = query.where(EvidenceRow.period == period)
        with self._context.database.sessions() as session:
            rows = session.scalars(query.order_by(EvidenceRow.id)).all()
            shown = [r for r in rows if r.item_id in catalogue.items]
            records = [_evidence_record(r, unit, catalogue.items[r.item_id].id) for r in shown]
        return sorted(records, key=lambda r: catalogue.items[catalogue.item_ids[r.item_code]].position)

    def _evidence_row(self, session: Session, evidence_id: int, *, writing: bool = False) -> EvidenceRow:
        row = session.get(EvidenceRow, evidence_id)
        if row is None:
            raise ServiceError("该佐证材料已不存在(可能已被移除)")
        if writing and row.item_id not in self._catalogue.items:
            code = self._catalogue.codes.get(row.item_id, "?")
            raise ServiceError(f"这份佐证材料属于已归档或其他工作方案的工作措施({code})，只能查看")
        return row

    def _record_of(self, row: EvidenceRow) -> EvidenceRecord:
        return _evidence_record(
            row, self._catalogue.unit_names[row.unit_id], self._catalogue.items[row.item_id].id
        )

    def describe_evidence(self, evidence_id: int, description: str) -> EvidenceRecord:
        description = _validate_description(description)
        with self._context.database.transaction() as session:
            row = self._evidence_row(session, evidence_id, writing=True)
            if row.description != description:
                before, after = f"{row.original_name}:{row.description}", f"{row.original_name}:{description}"
                self._context.log_change(
                    session, row.unit_id, row.item_id, ("evidence_description", before, after)
                )
                row.description = description
            return self._record_of(row)

    def remove_evidence(self, evidence_id: int) -> EvidenceRecord:
        """Take a file off an item; its bytes go only when nothing else refers to them."""
        with self._context.database.transaction() as session:
            row = self._evidence_row(session, evidence_id, writing=True)
            record = self._record_of(row)
            self._context.log_change(session, row.unit_id, row.item_id, ("evidence", row.original_name, None))
            session.delete(row)
        self.delete_blob_if_unused(record.sha256)
        return record

    def delete_blob_if_unused(self, sha256: str) -> None:
        """Remove stored bytes once no evidence row, no attachment and no return the office
        received refers to them."""
        with self._context.database.sessions() as session:
            used = session.scalar(select(func.count()).where(EvidenceRow.sha256 == sha256))
            used = used or session.scalar(select(func.count()).where(AttachmentRow.sha256 == sha256))
            used = used or session.scalar(select(func.count()).where(OfficeReturnRow.sha256 == sha256))
        if not used:
            self.store.delete(sha256)

    def discard(self, ingested: Ingested) -> None:
        """Forget a blob copied in but never recorded (a cancelled batch, a refused record)."""
        if ingested.created:
            self.delete_blob_if_unused(ingested.sha256)

    def evidence_file(self, evidence_id: int) -> Path:
        with self._context.database.sessions() as session:
            return self.store.blob_path(self._evidence_row(session, evidence_id).sha256)

    def open_copy(self, evidence_id: int) -> Path:
        """A copy under the original name, for the system's default application to open (the
        stored blob has no extension, and an editor must never change the kept original)."""
        with self._context.database.sessions() as session:
            row = self._evidence_row(session, evidence_id)
            sha, name = row.sha256, row.original_name
        blob = self.store.blob_path(sha)  # refuses a hash that is not one
        folder = self._data_dir / "opened" / sha[:12]
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / safe_name(name)
        if not target.exists():
            shutil.copyfile(blob, target)
        return target

    def evidence_inventory(self) -> Inventory:
        """(unit, where, original name, sha256) of every stored file: what verify checks.

        ``where`` is the item id, or 典型案例 / 具体措施 / 调研报告 for the other duties' files.
        """
        names, codes = self._catalogue.unit_names, self._catalogue.codes
        with self._context.database.sessions() as session:
            rows = session.execute(
                select(
                    EvidenceRow.unit_id, EvidenceRow.item_id, EvidenceRow.original_name, EvidenceRow.sha256
                ).order_by(EvidenceRow.id)
            ).all()
            found = [(names[u], codes[i], name, sha) for u, i, name, sha in rows]
            for attachment in session.scalars(select(AttachmentRow).order_by(AttachmentRow.id)):
                case = session.get(TypicalCaseRow, attachment.case_id) if attachment.case_id else None
                owner = case or session.get(DeliverableRow, attachment.deliverable_id)
                if owner is None:
                    continue
                where = "典型案例" if case else DeliverableKind(getattr(owner, "kind", "")).label
                found.append((names[owner.unit_id], where, attachment.original_name, attachment.sha256))
        return found

    def verify_evidence(self, progress: Callable[[int, int], None] | None = None) -> list[EvidenceProblem]:
        """Every referenced file present and unchanged? The problems, per item."""
        inventory = self.evidence_inventory()
        verdicts = find_problems(self.store, [row[3] for row in inventory], progress)
        return problems_in(inventory, verdicts)

    def bundle_files(self, unit: str, period: str | None, *, verify: bool = True) -> list[BundleFile]:
        """The files of ``unit`` for ``period`` (all periods when None), ready to bundle.

        Each stored file is checked first (size and SHA-256): a bundle never ships a damaged or
        truncated file under a manifest that claims the right hash.
        """
        records = self.evidence(unit, period=period)
        if verify:
            bad = [r for r in records if not self.store.intact(r.sha256, r.size)]
            if bad:
                names = "、".join(f"「{printable(r.original_name)}」" for r in bad[:5])
                raise EvidenceIntegrityError(
                    f"{len(bad)} 个佐证材料丢失、已损坏或记录无效，没有打包:{names}。"
                    "请运行“校验佐证材料”(liaison-app verify)，从备份恢复或重新添加后再打包。"
                )
        items, item_ids = self._catalogue.items, self._catalogue.item_ids
        return [
            BundleFile(
                item_code=r.item_code,
                item_title=items[item_ids[r.item_code]].measure_title,
                original_name=printable(r.original_name),  # a name recorded before the rules
                sha256=r.sha256,
                size=r.size,
                added_at=r.added_at,
                description=r.description,
                blob=self.store.blob_path(r.sha256),
            )
            for r in records
        ]
