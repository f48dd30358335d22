"""The leading-group office's own ledger: every return received, the reporting calendar,
and the figures across months (register, trend, ranking) computed from the stored rows.

Receiving judges each file exactly like ``consolidate`` (the report reader and the catalogue
checks), refuses a future period or one before the plan was issued, keeps the file in the
evidence store by its SHA-256 and records the return with its rows in one transaction per file.
No Qt here: the CLI and the office window both call it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from liaison_app.evidence import EvidenceError
from liaison_app.store.database import raw_connection
from liaison_app.store.keys import KeyClaim, UnitKey, UnitKeys, key_of_return
from liaison_app.store.ledger_register import (
    DEFAULT_DUE_DAY,
    DUE_DAY_KEY,
    USED,
    RegisterLine,
    current_return,
    period_end,
    read_due_on,
    read_periods,
    read_returns,
    register_lines,
    register_units,
)
from liaison_app.store.models import (
    OfficeDueRow,
    OfficeReturnCaseRow,
    OfficeReturnItemRow,
    OfficeReturnMilestoneRow,
    OfficeReturnRow,
    SettingRow,
)
from liaison_app.store.records import LiaisonProfile
from liaison_app.store.service import LiaisonService, ServiceError
from liaison_app.vocabulary import SETTLED, CaseKind, Light, Role, Status, Verdict, period_label

if TYPE_CHECKING:
    from liaison_app.reports.consolidation import Catalog, FileVerdict
    from liaison_app.reports.report_reader import UnitReport


def previous_period(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def _file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _again(verdict: FileVerdict, kind: Verdict, reason: str) -> FileVerdict:
    """The same file, unit, period and export judged again by the ledger (its period, key,
    the office's confirmation, a copy already kept, a newer export)."""
    return replace(verdict, verdict=kind, reason=reason)


@dataclass(frozen=True)
class Figures:
    """One unit's (or area's, or the district's) figures in one period."""

    period: str
    items: int  # rows: one per unit and item
    settled: int  # 已完成 + 常态化推进
    overdue: int  # rows whose light was 逾期 in the return
    due: int  # rows whose item's deadline falls on or before the period's end
    due_settled: int
    milestones_due: int = 0  # the rows' milestones dated on or before the period's end
    milestones_done: int = 0  # of those, marked done in the return or whose item is settled

    @property
    def overdue_milestones(self) -> int:
        return self.milestones_due - self.milestones_done

    @property
    def completion(self) -> float:
        return self.settled / self.items if self.items else 0.0

    @property
    def schedule(self) -> float:
        """序时进度: of the items and milestones due by the period's end, the share done (1.0
        if none)."""
        due = self.due + self.milestones_due
        return (self.due_settled + self.milestones_done) / due if due else 1.0

    def as_json(self) -> dict[str, object]:
        return {
            "period": self.period,
            "items": self.items,
            "completion": round(self.completion, 4),
            "overdue": self.overdue,
            "overdue_milestones": self.overdue_milestones,
            "schedule": round(self.schedule, 4),
        }


@dataclass(frozen=True)
class TrendPoint:
    figures: Figures
    change: float | None  # completion minus the previous period's (None: no earlier period)

    def as_json(self) -> dict[str, object]:
        data = self.figures.as_json()
        data["completion_change"] = None if self.change is None else round(self.change, 4)
        return data


@dataclass(frozen=True)
class RankLine:
    rank: int
    unit: str
    figures: Figures


@dataclass(frozen=True)
class OverdueLine:
    unit: str
    code: str
    text: str
    deadline: dt.date | None
    status: Status | None
    note: str


@dataclass(frozen=True)
class CaseReceived:
    """A typical case (典型案例) a unit sent with its return in use."""

    unit: str
    kind: CaseKind
    title: str
    body: str
    related: str


@dataclass(frozen=True)
class _Row:
    item_id: int
    status: str | None
    note: str
    light: str | None
    milestones_done: frozenset[int] = frozenset()  # numbers of the item's milestones marked done


class OfficeLedger:
    """The office's ledger over one open :class:`LiaisonService` (its database and clock)."""

    def __init__(self, service: LiaisonService) -> None:
        self.service = service
        # Plain copies of the catalogue: reading the ledger never imports the report reader
        # (openpyxl), so `office register` starts as fast as the service itself.
        self.plan_id = service.plan_id
        self._unit_names = register_units(service.catalogue)
        self.units = list(self._unit_names.values())
        self.items = service.catalog()
        self._catalog: Catalog | None = None
        self._items = {service.item_id(item.id): item for item in self.items}

    @property
    def catalog(self) -> Catalog:
        """What returns are judged against (the same snapshot ``consolidate`` uses)."""
        if self._catalog is None:
            from liaison_app.store.reporting import ReportService

            # the ledger checks the pinned keys itself, against the database as it is now
            self._catalog = replace(ReportService(self.service).catalog_snapshot(), keys=None)
        return self._catalog

    # -- receiving -----------------------------------------------------------------------
    def _refusal_of_period(self, period: str) -> str:
        today = self.service.clock.today()
        if period > f"{today.year}-{today.month:02d}":
            return f"报送期 {period_label(period)} 尚未到来"
        issued = self.service.plan_info().issued_on
        if period < f"{issued.year}-{issued.month:02d}":
            return f"报送期 {period_label(period)} 早于工作方案印发({issued:%Y年%m月})"
        return ""

    def receive(
        self,
        paths: Iterable[Path],
        period: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        accept_modified: Iterable[Path] = (),
        recorded: Callable[[FileVerdict], None] | None = None,
    ) -> list[FileVerdict]:
        """Judge and record every file (folders: their workbooks). One transaction per file.

        A file in ``accept_modified`` that was edited after export is used all the same (the
        office confirmed it); one already recorded as 已被修改 is turned into a used return.
        ``cancelled`` is checked before each file and inside its reading (InterruptedError):
        the files done so far stay recorded, each whole; ``recorded`` hears of each."""
        from liaison_app.reports.consolidation import expand

        files = expand(paths)
        confirmed = {Path(p) for p in accept_modified}
        verdicts: list[FileVerdict] = []
        for index, path in enumerate(files, start=1):
            if cancelled is not None and cancelled():
                raise InterruptedError("已取消")
            verdicts.append(self._receive_one(path, period, cancelled, path in confirmed))
            if recorded is not None:
                recorded(verdicts[-1])
            if progress is not None:
                progress(index, len(files))
        return verdicts

    def _receive_one(
        self, path: Path, period: str | None, cancelled: Callable[[], bool] | None, confirmed: bool = False
    ) -> FileVerdict:
        from liaison_app.reports.consolidation import FileVerdict, judge

        verdict, report = judge(path, self.catalog, period, cancelled)
        if report is not None and verdict.verdict is not Verdict.REJECTED:
            reason = self._refusal_of_period(report.period)
            if reason:
                verdict = _again(verdict, Verdict.REJECTED, reason)
        if verdict.verdict is Verdict.MODIFIED and confirmed:
            verdict = _again(verdict, Verdict.MODIFIED_ACCEPTED, "导出后内容被修改过，已由办公室确认采用")
        if verdict.unit not in self.units or not verdict.period:
            return verdict  # unreadable, or not a unit of this plan: nothing to record against
        try:
            sha256, _size = _file_sha256(path)
        except OSError as exc:
            return FileVerdict(path, Verdict.REJECTED, f"无法读取:{exc.strerror or exc}")
        from liaison_app.signing import pin_refusal  # cryptography: only to receive, not to read

        unit_id = self.service.unit_id(verdict.unit)
        with self.service.database.transaction() as session:
            if verdict.verdict is Verdict.ACCEPTED and report is not None:
                refusal = pin_refusal(
                    report.key_fingerprint, report.signature, UnitKeys.trusted_in(session, unit_id)
                )
                if refusal:
                    verdict = _again(verdict, Verdict.BAD_SIGNATURE, refusal)
            known = session.scalar(
                select(OfficeReturnRow).where(
                    OfficeReturnRow.plan_id == self.plan_id, OfficeReturnRow.sha256 == sha256
                )
            )
            # an edited return the office now confirms, or one refused for its key whose key
            # the office has since registered: the record and its rows become a used return
            confirming = (
                known is not None
                and known.verdict in (Verdict.MODIFIED.value, Verdict.BAD_SIGNATURE.value)
                and verdict.verdict in (Verdict.MODIFIED_ACCEPTED, Verdict.ACCEPTED)
            )
            known_id = known.id if known is not None and confirming else None
            if known is not None and not confirming:
                return _again(
                    verdict,
                    Verdict(known.verdict),
                    f"同一文件已于 {known.received_at:%Y-%m-%d %H:%M} 接收，未重复记录",
                )
        try:
            ingested = self.service.evidence_store.ingest(path, cancelled=cancelled)
        except EvidenceError as exc:
            return _again(verdict, Verdict.REJECTED, str(exc))
        now = self.service.clock.now()
        meta = report.meta if report is not None else {}
        with self.service.database.transaction() as session:
            stored = verdict.verdict
            signed_validly = report is not None and report.signature == "valid"
            if (
                stored is Verdict.ACCEPTED
                and signed_validly
                and UnitKeys.trusted_in(session, unit_id) is None
            ):
                assert report is not None
                UnitKeys.pin_in(session, unit_id, report.key_fingerprint, report.meta["signing_key"], now)
            if stored in (Verdict.ACCEPTED, Verdict.MODIFIED_ACCEPTED) and verdict.exported_at is not None:
                current = session.scalars(
                    select(OfficeReturnRow).where(
                        OfficeReturnRow.plan_id == self.plan_id,
                        OfficeReturnRow.unit_id == unit_id,
                        OfficeReturnRow.period == verdict.period,
                        OfficeReturnRow.verdict.in_(
                            (Verdict.ACCEPTED.value, Verdict.MODIFIED_ACCEPTED.value)
                        ),
                        OfficeReturnRow.id != (known_id or 0),
                    )
                ).all()
                for older in current:
                    if older.exported_at is not None and older.exported_at >= verdict.exported_at:
                        stored = Verdict.SUPERSEDED
                    else:
                        older.verdict = Verdict.SUPERSEDED.value
                        older.reason = f"同一单位有更新的报表({verdict.exported_at:%Y-%m-%d %H:%M} 导出)"
                if stored is Verdict.SUPERSEDED:
                    verdict = _again(verdict, stored, "同一单位同一报送期已有更新的报表")
            if known_id is not None:  # confirmed later: the record and its rows are already kept
                confirmed_row = session.get(OfficeReturnRow, known_id)
                assert confirmed_row is not None
                confirmed_row.verdict, confirmed_row.reason = stored.value, verdict.reason
                return verdict
            row = OfficeReturnRow(
                plan_id=self.plan_id,
                unit_id=unit_id,
                period=verdict.period,
                as_of=report.as_of if report is not None else None,
                exported_at=verdict.exported_at,
                sha256=ingested.sha256,
                size=ingested.size,
                original_name=path.name,
                verdict=stored.value,
                reason=verdict.reason,
                received_at=now,
                liaison=meta.get("liaison", ""),
                phone=meta.get("phone", ""),
                email=report.cover_email if report is not None else "",
                fingerprint=report.key_fingerprint if signed_validly and report is not None else "",
            )
            session.add(row)
            session.flush()
            if report is not None and stored is not Verdict.REJECTED:
                roles = self.service.roles(verdict.unit)
                for line in report.rows:
                    light = Light.lookup(line.light)
                    session.add(
                        OfficeReturnItemRow(
                            return_id=row.id,
                            item_id=self.service.item_id(line.code),
                            role=Role(roles[line.code]).value,
                            status=status.value if (status := report.status_of(line.code)) else None,
                            note=line.note,
                            light=light.value if light else None,
                        )
                    )
                for item_id, number, done_on in self._milestones_done(report):
                    session.add(
                        OfficeReturnMilestoneRow(
                            return_id=row.id, item_id=item_id, number=number, done_on=done_on
                        )
                    )
                for case in report.cases:
                    kind = CaseKind.lookup(case.kind)
                    if kind is not None and case.title.strip():
                        session.add(
                            OfficeReturnCaseRow(
                                return_id=row.id,
                                period=case.period,
                                kind=kind.value,
                                title=case.title,
                                body=case.body,
                                related=case.related,
                            )
                        )
        return verdict

    def _milestones_done(self, report: UnitReport) -> list[tuple[int, int, dt.date]]:
        """(item id, number, done on) of the milestones the return marks done: only those of its
        own items that the plan has (a line it cannot place is left out, never guessed)."""
        if report.promises is None:
            return []
        codes = {row.code for row in report.rows}
        found: dict[tuple[int, int], dt.date] = {}
        for line in report.promises.milestones:
            if line.code not in codes or not line.done_on:
                continue
            item_id = self.service.item_id(line.code)
            if not 1 <= line.number <= len(self._items[item_id].milestones):
                continue
            try:
                found[(item_id, line.number)] = dt.date.fromisoformat(line.done_on[:10])
            except ValueError:
                continue
        return [(item, number, day) for (item, number), day in found.items()]

    # -- signing keys ---------------------------------------------------------------------
    def register_keys(self, claims: list[KeyClaim]) -> tuple[list[UnitKey], list[FileVerdict]]:
        """Register keys (all or none), then take again every return refused as 签名不符 that
        one of them signed: the office now trusts that key, so the return is judged afresh."""
        registered = UnitKeys(self.service).register(claims)
        return registered, self.recheck({(k.unit, k.fingerprint) for k in registered})

    def recheck(self, keys: set[tuple[str, str]]) -> list[FileVerdict]:
        """Judge again the kept files of returns refused as 签名不符 signed by one of ``keys``
        ((unit, fingerprint) pairs)."""
        unit_ids = {self.service.unit_id(unit): (unit, fp) for unit, fp in keys}
        with self.service.database.sessions() as session:
            refused = session.execute(
                select(OfficeReturnRow.unit_id, OfficeReturnRow.fingerprint, OfficeReturnRow.sha256)
                .where(
                    OfficeReturnRow.plan_id == self.plan_id,
                    OfficeReturnRow.verdict == Verdict.BAD_SIGNATURE.value,
                    OfficeReturnRow.unit_id.in_(list(unit_ids)),
                )
                .order_by(OfficeReturnRow.exported_at, OfficeReturnRow.id)
            ).all()
        verdicts = []
        for unit_id, signed_by, sha256 in refused:
            if (self._unit_names.get(unit_id), signed_by) in keys:
                verdicts.append(self._receive_one(self.service.evidence_store.blob_path(sha256), None, None))
        return verdicts

    def refused_for_key(self, period: str) -> list[tuple[int, str, str, str]]:
        """(return id, unit, fingerprint, reason) of the returns of ``period`` refused as 签名不符
        while validly signed by a key the office has not registered: what 接受新密钥 can take
        (oldest first). A return whose own signature does not fit has no fingerprint kept."""
        with self.service.database.sessions() as session:
            found = session.execute(
                select(
                    OfficeReturnRow.id,
                    OfficeReturnRow.unit_id,
                    OfficeReturnRow.fingerprint,
                    OfficeReturnRow.reason,
                )
                .where(
                    OfficeReturnRow.plan_id == self.plan_id,
                    OfficeReturnRow.period == period,
                    OfficeReturnRow.verdict == Verdict.BAD_SIGNATURE.value,
                    OfficeReturnRow.fingerprint != "",
                )
                .order_by(OfficeReturnRow.id)
            ).all()
        names = self._unit_names
        return [(rid, names[uid], fp, why) for rid, uid, fp, why in found if uid in names]

    def accept_key_of(self, return_id: int) -> list[FileVerdict]:
        """The office confirms the new key a refused return is signed with (a liaison's new PC):
        the key is registered from the kept file itself and the unit's returns it signed are
        judged again. ServiceError when the file is not validly signed."""
        with self.service.database.sessions() as session:
            row = session.get(OfficeReturnRow, return_id)
            if row is None or row.plan_id != self.plan_id:
                raise ServiceError("台账中没有这份报表")
            unit, sha256 = self._unit_names[row.unit_id], row.sha256
        report_unit, public_key = key_of_return(self.service.evidence_store.blob_path(sha256))
        if report_unit != unit:
            raise ServiceError(f"这份报表是 {report_unit} 的，不是 {unit} 的")
        from liaison_app.signing import fingerprint

        _keys, verdicts = self.register_keys([KeyClaim(unit, fingerprint(public_key), public_key)])
        return verdicts

    # -- the calendar --------------------------------------------------------------------
    def due_day(self) -> int:
        with self.service.database.sessions() as session:
            value = session.scalar(select(SettingRow.value).where(SettingRow.key == DUE_DAY_KEY))
        return int(value) if value and value.isdigit() else DEFAULT_DUE_DAY

    def set_due_day(self, day: int) -> None:
        if not 1 <= day <= 31:
            raise ServiceError(f"每月报送截止日应在 1 到 31 之间，不是 {day}")
        with self.service.database.transaction() as session:
            session.merge(SettingRow(key=DUE_DAY_KEY, value=str(day)))

    def due_on(self, period: str) -> dt.date:
        """The period's due date: a one-off date if set, else the due day of the period's month."""
        with self.service.database.sessions() as session:
            return read_due_on(raw_connection(session), self.plan_id, period)

    def set_due(self, period: str, due_on: dt.date | None) -> None:
        """Set (or with None, clear) the one-off due date of ``period``."""
        with self.service.database.transaction() as session:
            session.execute(
                delete(OfficeDueRow).where(
                    OfficeDueRow.plan_id == self.plan_id, OfficeDueRow.period == period
                )
            )
            if due_on is not None:
                session.add(OfficeDueRow(plan_id=self.plan_id, period=period, due_on=due_on))

    # -- reading back --------------------------------------------------------------------
    def _returns(self, period: str | None = None) -> list[OfficeReturnRow]:
        query = select(OfficeReturnRow).where(OfficeReturnRow.plan_id == self.plan_id)
        if period is not None:
            query = query.where(OfficeReturnRow.period == period)
        with self.service.database.sessions() as session:
            rows = list(session.scalars(query.order_by(OfficeReturnRow.received_at, OfficeReturnRow.id)))
            session.expunge_all()
        return rows

    def periods(self, used_only: bool = False) -> list[str]:
        """Every period with at least one return (or one in use), oldest first."""
        with self.service.database.sessions() as session:
            return read_periods(raw_connection(session), self.plan_id, used_only)

    def register(self, period: str) -> list[RegisterLine]:
        """Per unit of the plan, in plan order: its state in ``period`` and when it arrived."""
        with self.service.database.sessions() as session:
            connection = raw_connection(session)
            returns = read_returns(connection, self.plan_id, period)
            return register_lines(self._unit_names, returns, read_due_on(connection, self.plan_id, period))

    def _current_rows(self, period: str | None = None) -> dict[tuple[str, int], list[_Row]]:
        """(period, unit id) → the rows of the return in use, for one period or every period."""
        by_key: dict[tuple[str, int], list[OfficeReturnRow]] = {}
        for row in self._returns(period):
            if row.verdict in USED:
                by_key.setdefault((row.period, row.unit_id), []).append(row)
        current = {current_return(rows).id: key for key, rows in by_key.items()}
        result: dict[tuple[str, int], list[_Row]] = {key: [] for key in current.values()}
        if not current:
            return result
        with self.service.database.sessions() as session:
            found = session.execute(
                select(
                    OfficeReturnItemRow.return_id,
                    OfficeReturnItemRow.item_id,
                    OfficeReturnItemRow.status,
                    OfficeReturnItemRow.note,
                    OfficeReturnItemRow.light,
                ).where(OfficeReturnItemRow.return_id.in_(list(current)))
            ).all()
            marked = session.execute(
                select(
                    OfficeReturnMilestoneRow.return_id,
                    OfficeReturnMilestoneRow.item_id,
                    OfficeReturnMilestoneRow.number,
                ).where(OfficeReturnMilestoneRow.return_id.in_(list(current)))
            ).all()
        ticked: dict[tuple[int, int], frozenset[int]] = {}
        for return_id, item_id, number in marked:
            ticked[(return_id, item_id)] = ticked.get((return_id, item_id), frozenset()) | {number}
        for return_id, item_id, status, note, light in found:
            done = ticked.get((return_id, item_id), frozenset())
            result[current[return_id]].append(_Row(item_id, status, note, light, done))
        return result

    def _figures(self, period: str, rows: Iterable[_Row]) -> Figures:
        """The figures of some rows of returns in use. A milestone is due when its date is on or
        before the period's last day; it is done when the return marks it done or the item is
        settled; a due milestone not done is overdue."""
        end = period_end(period)
        items = settled = overdue = due = due_settled = milestones_due = milestones_done = 0
        for row in rows:
            done = row.status is not None and Status(row.status) in SETTLED
            item = self._items[row.item_id]
            items += 1
            settled += done
            overdue += row.light == Light.OVERDUE.value
            if item.deadline is not None and item.deadline <= end:
                due += 1
                due_settled += done
            for number, milestone in enumerate(item.milestones, start=1):
                if milestone.date <= end:
                    milestones_due += 1
                    milestones_done += done or number in row.milestones_done
        return Figures(period, items, settled, overdue, due, due_settled, milestones_due, milestones_done)

    def trend(self, unit: str | None = None, area: int | None = None) -> list[TrendPoint]:
        """Per period with returns: the figures of one unit, one area, or everything received."""
        unit_id = self.service.unit_id(unit) if unit else None
        if area is not None and area not in {item.area for item in self.items}:
            raise ServiceError(f"没有第 {area} 个领域")
        current = self._current_rows()
        points: list[TrendPoint] = []
        previous: Figures | None = None
        for period in self.periods(used_only=True):
            rows = [
                row
                for (p, uid), found in current.items()
                if p == period and (unit_id is None or uid == unit_id)
                for row in found
                if area is None or self._items[row.item_id].area == area
            ]
            if unit_id is not None and (period, unit_id) not in current:
                continue  # the unit sent nothing usable that month
            figures = self._figures(period, rows)
            change = None if previous is None else figures.completion - previous.completion
            points.append(TrendPoint(figures, change))
            previous = figures
        return points

    def ranking(self, period: str) -> list[RankLine]:
        """Units that reported in ``period``: by 序时进度 (highest first), then fewer overdue."""
        current = self._current_rows(period)
        figures = [
            (self._unit_names[uid], self._figures(period, rows))
            for (p, uid), rows in current.items()
            if p == period and uid in self._unit_names
        ]
        order = {unit: i for i, unit in enumerate(self.units)}
        figures.sort(key=lambda pair: (-pair[1].schedule, pair[1].overdue, order[pair[0]]))
        return [RankLine(rank, unit, f) for rank, (unit, f) in enumerate(figures, start=1)]

    def overdue(self, period: str) -> list[OverdueLine]:
        """督办清单: every item a unit's return in use marks 逾期, in plan order."""
        current = self._current_rows(period)
        lines = []
        for (p, uid), rows in current.items():
            if p != period or uid not in self._unit_names:
                continue
            for row in rows:
                if row.light == Light.OVERDUE.value:
                    item = self._items[row.item_id]
                    status = Status(row.status) if row.status else None
                    lines.append(
                        OverdueLine(
                            self._unit_names[uid], item.id, item.text, item.deadline, status, row.note
                        )
                    )
        order = {unit: i for i, unit in enumerate(self.units)}
        codes = {item.id: i for i, item in enumerate(self.items)}
        lines.sort(key=lambda line: (order[line.unit], codes[line.code]))
        return lines

    def cases(self, period: str) -> list[CaseReceived]:
        """The typical cases of ``period`` in the returns in use of that period, in plan order."""
        by_key: dict[int, list[OfficeReturnRow]] = {}
        for row in self._returns(period):
            if row.verdict in USED:
                by_key.setdefault(row.unit_id, []).append(row)
        current = {current_return(rows).id: unit_id for unit_id, rows in by_key.items()}
        if not current:
            return []
        with self.service.database.sessions() as session:
            found = session.execute(
                select(
                    OfficeReturnCaseRow.return_id,
                    OfficeReturnCaseRow.kind,
                    OfficeReturnCaseRow.title,
                    OfficeReturnCaseRow.body,
                    OfficeReturnCaseRow.related,
                )
                .where(OfficeReturnCaseRow.return_id.in_(list(current)))
                .where(OfficeReturnCaseRow.period == period)
                .order_by(OfficeReturnCaseRow.id)
            ).all()
        order = {unit: i for i, unit in enumerate(self.units)}
        cases = [
            CaseReceived(self._unit_names[current[rid]], CaseKind(kind), title, body, related)
            for rid, kind, title, body, related in found
            if current[rid] in self._unit_names
        ]
        cases.sort(key=lambda case: order[case.unit])
        return cases

    def contact(self, unit: str) -> LiaisonProfile:
        """The liaison's name, phone and e-mail from the unit's latest return that gave any (the
        cover's 联络员, 联系电话, 联络员邮箱)."""
        unit_id = self.service.unit_id(unit)
        with self.service.database.sessions() as session:
            found = session.execute(
                select(OfficeReturnRow.liaison, OfficeReturnRow.phone, OfficeReturnRow.email)
                .where(OfficeReturnRow.plan_id == self.plan_id, OfficeReturnRow.unit_id == unit_id)
                .where((OfficeReturnRow.liaison != "") | (OfficeReturnRow.email != ""))
                .order_by(OfficeReturnRow.exported_at.desc(), OfficeReturnRow.id.desc())
                .limit(1)
            ).first()
        return LiaisonProfile(*found) if found else LiaisonProfile()
