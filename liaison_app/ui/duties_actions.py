"""What the window does with the unit's other duties: typical cases, deliverables, groups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QObject, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFileDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from liaison_app.settings import EVIDENCE_DIR
from liaison_app.store.records import ServiceError
from liaison_app.ui.dialog_parts import accept_buttons, confirmed
from liaison_app.ui.duties_panels import (
    CaseDialog,
    CasesPanel,
    DeliverableDialog,
    DutiesPanel,
    summary_of_duties,
)
from liaison_app.ui.evidence_actions import EvidenceActions

if TYPE_CHECKING:
    from liaison_app.store.duties import DutiesService
    from liaison_app.store.duty_records import Deliverable, TypicalCase


class DutiesActions(QObject):
    changed = Signal()  # the duties' summary may have changed

    def __init__(
        self,
        window: QWidget,
        duties: DutiesService,
        evidence: EvidenceActions,
        cases: CasesPanel,
        panel: DutiesPanel,
        unit: Callable[[], str],
        period: Callable[[], str],
        as_of: Callable[[], dt.date],
    ) -> None:
        super().__init__(window)
        self.window, self.duties, self.evidence = window, duties, evidence
        self.cases, self.panel = cases, panel
        self.unit, self.period, self.as_of = unit, period, as_of
        cases.new_requested.connect(self.new_case)
        cases.edit_requested.connect(self.edit_case)
        cases.delete_requested.connect(self.delete_case)
        cases.attach_requested.connect(self.attach_to_case)
        panel.edit_requested.connect(self.edit_deliverable)
        panel.attach_requested.connect(self.attach_to_deliverable)
        panel.issue_date_requested.connect(self.correct_issue_date)
        self._stale = False  # the hidden panels still show an earlier unit or period

    def refresh(self) -> None:
        """Fill the panels; while neither tab is shown, only note that they are out of date.
        Either way ``changed`` follows, once (the window's summary line listens).

        Their rows are read again when a tab is shown (``shown``): a unit switch made while
        the user reads the item details costs no duties queries (plan x100 speed)."""
        if not (self.cases.isVisibleTo(self.window) or self.panel.isVisibleTo(self.window)):
            self._stale = True
            self.changed.emit()
            return
        self._stale = False
        unit = self.unit()
        if not unit:
            self.cases.show_cases([], self.period())
            self.panel.show_duties([], [], self.duties.issued_on())
            self.changed.emit()
            return
        self.cases.show_cases(self.duties.cases(unit), self.period())
        self.panel.show_duties(
            self.duties.deliverables(unit), self.duties.groups(unit), self.duties.issued_on()
        )
        self.changed.emit()

    def shown(self) -> None:
        """A side tab was shown: catch up with a switch made while the panels were hidden."""
        if self._stale:
            self.refresh()

    def summary(self) -> str:
        unit = self.unit()
        if not unit:
            return ""
        return summary_of_duties(
            self.duties.deliverables(unit),
            self.duties.has_case(unit, self.period()),
            self.period(),
            self.as_of(),
        )

    def _error(self, text: str) -> None:
        QMessageBox.warning(self.window, "未保存", text)

    # -- typical cases -------------------------------------------------------------------------
    def new_case(self) -> None:
        self._edit(None)

    def edit_case(self, case: TypicalCase) -> None:
        self._edit(case)

    def _edit(self, case: TypicalCase | None) -> None:
        unit = self.unit()
        if not unit:
            return
        dialog = CaseDialog(self.duties.service.tasks(unit), self.period(), case, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            self.duties.save_case(unit, case_id=case.id if case else None, **dialog.values())
        except ServiceError as exc:
            self._error(str(exc))
            return
        self.refresh()

    def delete_case(self, case: TypicalCase) -> None:
        if not confirmed(self.window, "删除典型案例", f"删除「{case.title}」及其附件?删除会记入修改记录。"):
            return
        try:
            self.duties.delete_case(self.unit(), case.id)
        except ServiceError as exc:  # e.g. a full disk: nothing was deleted
            self._error(str(exc))
            return
        self.refresh()

    def attach_to_case(self, case: TypicalCase, files: list[Path] | None = None) -> None:
        self._attach("case", case.id, "典型案例", f"为「{case.title}」添加附件", files)

    # -- deliverables ----------------------------------------------------------------------------
    def edit_deliverable(self, deliverable: Deliverable) -> None:
        dialog = DeliverableDialog(deliverable, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        status, note = dialog.values()
        try:
            self.duties.update_deliverable(self.unit(), deliverable.kind, status=status, note=note)
        except ServiceError as exc:
            self._error(str(exc))
            return
        self.refresh()

    def attach_to_deliverable(self, deliverable: Deliverable, files: list[Path] | None = None) -> None:
        self._attach(
            "deliverable", deliverable.kind, deliverable.label, f"为{deliverable.label}添加附件", files
        )

    def _attach(self, owner: str, key: str | int, what: str, title: str, files: list[Path] | None) -> None:
        """Copy ``files`` (None: chosen in a file dialog titled ``title``) into the evidence store
        off the GUI thread and record each as an attachment of ``owner`` ``key``."""
        files = files if files is not None else self._choose(title)
        if files:
            unit = self.unit()
            record = self.duties.record_attachment
            self.evidence.copy_in(
                files, lambda ingested: record(unit, owner, key, ingested), what, self.refresh
            )

    def _choose(self, title: str) -> list[Path]:
        machine = self.evidence.machine
        names, _filter = QFileDialog.getOpenFileNames(self.window, title, machine.folder(EVIDENCE_DIR))
        if names:
            machine.remember_folder(EVIDENCE_DIR, Path(names[0]).parent)
        return [Path(n) for n in names]

    def correct_issue_date(self) -> None:
        dialog = QDialog(self.window)
        dialog.setWindowTitle("方案印发日期")
        current = self.duties.issued_on()
        edit = QDateEdit(QDate(current.year, current.month, current.day))
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setCalendarPopup(True)
        note = QLabel(
            "通知落款日期在原文中缺字(“2019116日”)，程序按 2019-11-06 计。"
            "如与实际印发日期不符，请在此更正；具体措施和调研报告的完成时限随之变化。"
        )
        note.setWordWrap(True)
        buttons = accept_buttons(dialog)
        layout = QVBoxLayout(dialog)
        for widget in (note, edit, buttons):
            layout.addWidget(widget)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            day = edit.date()
            self.duties.set_issued_on(dt.date(day.year(), day.month(), day.day()))
            self.refresh()
