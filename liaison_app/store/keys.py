"""The office's pinned signing keys: which Ed25519 keys it trusts for each unit.

A unit's key is pinned from its first accepted signed return; later returns signed by another
key (or not signed) are 签名不符. A new PC is an explicit registration by the office (from the
fingerprint printed on a sealed cover, from a return the unit hands in, or from a list), and a
lost or stolen key is revoked. A revoked key keeps its row: it is never pinned again.
See docs/office-ledger.md, "Signing keys". No Qt here.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison_app.signing import fingerprint as fingerprint_of
from liaison_app.store.models import UnitKeyRow
from liaison_app.store.records import ServiceError
from liaison_app.store.service import LiaisonService
from liaison_app.vocabulary import KeySource

_HEX = re.compile(r"[0-9A-F]{32}")
# The header of a key list (CSV, UTF-8 with or without BOM): unit, then fingerprint.
LIST_HEADERS = ("单位", "签名密钥指纹")


def normalise_fingerprint(text: str) -> str:
    """``text`` as the cover prints a fingerprint (8 groups of 4 hex digits), or ServiceError."""
    cleaned = re.sub(r"[\s:：\-]", "", text).upper()
    if not _HEX.fullmatch(cleaned):
        raise ServiceError(f"「{text.strip()}」不是签名密钥指纹(应为报表封面所印的 32 位十六进制数字)")
    return " ".join(cleaned[i : i + 4] for i in range(0, 32, 4))


@dataclass(frozen=True)
class UnitKey:
    unit: str
    fingerprint: str
    public_key: str  # "" when registered by its fingerprint only
    first_seen: dt.datetime
    source: KeySource
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "fingerprint": self.fingerprint,
            "since": self.first_seen.isoformat(timespec="seconds"),
            "source": self.source.value,
            "revoked_at": self.revoked_at.isoformat(timespec="seconds") if self.revoked_at else None,
        }


@dataclass(frozen=True)
class KeyClaim:
    """A key the office is asked to register for a unit (from a file, a list or typed)."""

    unit: str
    fingerprint: str
    public_key: str = ""


class UnitKeys:
    """The key table over one open :class:`LiaisonService`."""

    def __init__(self, service: LiaisonService) -> None:
        self.service = service

    def _unit_names(self) -> dict[int, str]:
        return {self.service.unit_id(u.name): u.name for u in self.service.units()}

    def on_record(self, unit: str | None = None) -> list[UnitKey]:
        """Every key on record (revoked ones too), by unit in plan order, oldest first."""
        names = self._unit_names()
        query = select(UnitKeyRow)
        if unit is not None:
            query = query.where(UnitKeyRow.unit_id == self.service.unit_id(unit))
        with self.service.database.sessions() as session:
            rows = list(session.scalars(query.order_by(UnitKeyRow.first_seen, UnitKeyRow.id)))
        order = {unit_id: i for i, unit_id in enumerate(names)}
        rows = [row for row in rows if row.unit_id in names]
        rows.sort(key=lambda row: order[row.unit_id])
        return [self._key(row, names[row.unit_id]) for row in rows]

    @staticmethod
    def _key(row: UnitKeyRow, unit: str) -> UnitKey:
        return UnitKey(
            unit, row.fingerprint, row.public_key, row.first_seen, KeySource(row.source), row.revoked_at
        )

    def trusted(self) -> dict[str, frozenset[str]]:
        """unit → its active fingerprints, for every unit with any key on record (what
        ``consolidate`` checks returns against)."""
        found: dict[str, set[str]] = {}
        for key in self.on_record():
            found.setdefault(key.unit, set())
            if key.active:
                found[key.unit].add(key.fingerprint)
        return {unit: frozenset(prints) for unit, prints in found.items()}

    @staticmethod
    def trusted_in(session: Session, unit_id: int) -> frozenset[str] | None:
        """One unit's active fingerprints inside a transaction; None when none is on record."""
        rows = session.execute(
            select(UnitKeyRow.fingerprint, UnitKeyRow.revoked_at).where(UnitKeyRow.unit_id == unit_id)
        ).all()
        if not rows:
            return None
        return frozenset(fp for fp, revoked in rows if revoked is None)

    @staticmethod
    def pin_in(session: Session, unit_id: int, fingerprint: str, public_key: str, now: dt.datetime) -> None:
        """Pin a unit's first key, inside the transaction that records its first return."""
        session.add(
            UnitKeyRow(
                unit_id=unit_id,
                fingerprint=fingerprint,
                public_key=public_key,
                first_seen=now,
                source=KeySource.FIRST_RETURN.value,
            )
        )

    def register(self, claims: list[KeyClaim]) -> list[UnitKey]:
        """Register keys for units, all or none. A key already active is left as it is; a
        revoked key is refused (it was revoked for a reason: register a new one)."""
        if not claims:
            raise ServiceError("没有给出要登记的密钥")
        now = self.service.clock.now()
        done: list[UnitKey] = []
        with self.service.database.transaction() as session:
            for claim in claims:
                unit = self.service.resolve_unit(claim.unit)
                unit_id = self.service.unit_id(unit)
                row = session.scalar(
                    select(UnitKeyRow).where(
                        UnitKeyRow.unit_id == unit_id, UnitKeyRow.fingerprint == claim.fingerprint
                    )
                )
                if row is not None and row.revoked_at is not None:
                    raise ServiceError(
                        f"{unit} 的密钥 {claim.fingerprint} 已于 {row.revoked_at:%Y-%m-%d %H:%M} 撤销，"
                        "不能再次登记;请登记联络员新电脑上的密钥"
                    )
                if row is None:
                    row = UnitKeyRow(
                        unit_id=unit_id,
                        fingerprint=claim.fingerprint,
                        public_key=claim.public_key,
                        first_seen=now,
                        source=KeySource.REGISTERED.value,
                    )
                    session.add(row)
                elif claim.public_key and not row.public_key:
                    row.public_key = claim.public_key
                session.flush()
                done.append(self._key(row, unit))
        return done

    def revoke(self, unit: str, fingerprint: str) -> UnitKey:
        unit = self.service.resolve_unit(unit)
        fingerprint = normalise_fingerprint(fingerprint)
        with self.service.database.transaction() as session:
            row = session.scalar(
                select(UnitKeyRow).where(
                    UnitKeyRow.unit_id == self.service.unit_id(unit), UnitKeyRow.fingerprint == fingerprint
                )
            )
            if row is None:
                raise ServiceError(f"办公室没有登记过 {unit} 的密钥 {fingerprint}")
            if row.revoked_at is None:
                row.revoked_at = self.service.clock.now()
            return self._key(row, unit)


def claims_from(unit: str | None, sources: list[str]) -> list[KeyClaim]:
    """What ``office keys register`` is given, read into claims (ServiceError on bad input).

    Each source is a fingerprint (as printed on the cover), a return workbook (.xlsx: the key it
    is validly signed with), or a key list (.csv: 单位,签名密钥指纹 per row, for units that
    hand their fingerprints in on a list). Fingerprints and workbooks need ``unit``."""
    claims: list[KeyClaim] = []
    for source in sources:
        path = Path(source)
        if path.suffix.lower() == ".csv":
            claims += _list_claims(path, unit)
            continue
        if unit is None:
            raise ServiceError("登记密钥指纹或报表中的密钥时请用 --unit 指明单位")
        if path.suffix.lower() == ".xlsx":
            if not path.is_file():
                raise ServiceError(f"找不到报表文件 {source}")
            report_unit, public_key = key_of_return(path)
            if report_unit != unit:
                raise ServiceError(f"{path.name} 是 {report_unit} 的报表，不是 {unit} 的")
            claims.append(KeyClaim(unit, fingerprint_of(public_key), public_key))
            continue
        claims.append(KeyClaim(unit, normalise_fingerprint(source)))
    return claims


def _list_claims(path: Path, unit: str | None) -> list[KeyClaim]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ServiceError(f"无法读取密钥清单 {path.name}(应为 UTF-8 编码的 CSV)") from exc
    rows = [row for row in csv.reader(text.splitlines()) if any(cell.strip() for cell in row)]
    if not rows or tuple(cell.strip() for cell in rows[0][:2]) != LIST_HEADERS:
        raise ServiceError(f"密钥清单 {path.name} 的第一行应为:{','.join(LIST_HEADERS)}")
    claims = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) < 2:
            raise ServiceError(f"密钥清单 {path.name} 第 {number} 行缺少单位或指纹")
        if unit is not None and row[0].strip() != unit:
            continue
        try:
            claims.append(KeyClaim(row[0].strip(), normalise_fingerprint(row[1])))
        except ServiceError as exc:
            raise ServiceError(f"密钥清单 {path.name} 第 {number} 行:{exc}") from exc
    return claims


def key_of_return(path: Path) -> tuple[str, str]:
    """(unit, public key) of a return that is validly signed; ServiceError otherwise."""
    from liaison_app.reports.report_reader import ReportFormatError, read_report

    try:
        report = read_report(path)
    except ReportFormatError as exc:
        raise ServiceError(f"{path.name}:{exc}") from exc
    if report.signature != "valid":
        raise ServiceError(f"{path.name} 没有有效签名，不能从中登记密钥")
    return report.unit, report.meta["signing_key"]
