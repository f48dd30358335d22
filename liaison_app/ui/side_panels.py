"""The window's right-hand tabs, made after the first screen is painted (issue #18 goal 1).

At start the tabs look as they do with nothing chosen: 工作措施 says to choose an item on the left,
典型案例 and 牵头任务和专项小组 are empty until the data is opened. Their real widgets — the detail
pane (status, note, completion date, milestones, targets, evidence, history) and the two duties
panels — and the modules behind them are made only once the window has painted
(:meth:`SidePanels.build_after_paint`) or as soon as anything needs them (:attr:`detail`,
:attr:`cases`, :attr:`duties`, or a tab clicked), so that nothing the user does is lost or waits
for a timer.

The stand-ins take the room the panels will need: their smallest size, remembered on this
computer from the last time they were made (``ui.side_minimum``), so that a narrow window or
splitter is laid out on the first screen as it is once the panels are in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from liaison_app.settings import SIDE_MINIMUM

if TYPE_CHECKING:
    from liaison_app.ui.detail_pane import DetailPane
    from liaison_app.ui.duties_panels import CasesPanel, DutiesPanel
    from liaison_app.ui.machine_settings import MachineSettings

NOTHING_CHOSEN = "在左侧选择一条工作措施，查看和填报进展。"
TITLES = ("工作措施", "典型案例", "牵头任务和专项小组")


def nothing_chosen_label() -> QLabel:
    """What the detail pane shows with no item chosen (the pane uses it too: the same look)."""
    label = QLabel(NOTHING_CHOSEN)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def _size_text(size: QSize) -> str:
    return f"{size.width()}x{size.height()}"


def _parse_size(text: str) -> QSize | None:
    width, _x, height = text.partition("x")
    try:
        return QSize(int(width), int(height))
    except ValueError:
        return None


class SidePanels(QTabWidget):
    def __init__(self, as_of: Callable[[], dt.date], machine: MachineSettings, parent: Any = None) -> None:
        super().__init__(parent)
        self._as_of = as_of
        self._machine = machine
        self._panels: tuple[DetailPane, CasesPanel, DutiesPanel] | None = None
        self._painted = False
        self._then: Callable[[], None] | None = None  # set by build_after_paint
        idle = QWidget()  # laid out as the detail pane with nothing chosen
        QVBoxLayout(idle).addWidget(nothing_chosen_label())
        remembered = _parse_size(str(machine.get(SIDE_MINIMUM)))
        if remembered is not None:
            idle.setMinimumSize(remembered)  # the room the panels will take
        for page, title in zip((idle, QWidget(), QWidget()), TITLES, strict=True):
            self.addTab(page, title)
        self.currentChanged.connect(self._on_current_changed)
        self.installEventFilter(self)  # until the first paint

    # -- the panels, made on first use ------------------------------------------------------
    @property
    def built(self) -> bool:
        return self._panels is not None

    @property
    def detail(self) -> DetailPane:
        return self._made()[0]

    @property
    def cases(self) -> CasesPanel:
        return self._made()[1]

    @property
    def duties(self) -> DutiesPanel:
        return self._made()[2]

    def build(self) -> None:
        """Make the panels now (once) and put them in place of the stand-ins, on the same tab."""
        self._made()

    def _made(self) -> tuple[DetailPane, CasesPanel, DutiesPanel]:
        if self._panels is not None:
            return self._panels
        from liaison_app.ui.detail_pane import DetailPane
        from liaison_app.ui.duties_panels import CasesPanel, DutiesPanel

        panels = self._panels = (DetailPane(), CasesPanel(), DutiesPanel(self._as_of))
        current = self.currentIndex()
        self.setUpdatesEnabled(False)
        self.blockSignals(True)  # the same tab stays current: no one is told of a change
        try:
            for index, (panel, title) in enumerate(zip(panels, TITLES, strict=True)):
                stand_in = self.widget(index)
                self.removeTab(index)
                self.insertTab(index, panel, title)
                if stand_in is not None:
                    stand_in.deleteLater()
            self.setCurrentIndex(current)
        finally:
            self.blockSignals(False)
            self.setUpdatesEnabled(True)
        needed = QSize(0, 0)
        for panel in panels:
            needed = needed.expandedTo(panel.minimumSizeHint().expandedTo(panel.minimumSize()))
        if str(self._machine.get(SIDE_MINIMUM)) != _size_text(needed):
            self._machine.put(SIDE_MINIMUM, _size_text(needed))  # for the next first screen
        return panels

    def _on_current_changed(self, _index: int) -> None:
        self._made()  # a tab clicked on the first screen shows its real panel

    # -- after the first paint ----------------------------------------------------------------
    def build_after_paint(self, then: Callable[[], None] = lambda: None) -> None:
        """Make the panels on the event loop's next turn once the window has painted (at once
        if it has; else right after its first paint), then call ``then``."""
        self._then = then
        if self._painted:
            QTimer.singleShot(0, self, self._build_then)

    def _build_then(self) -> None:
        self.build()
        then, self._then = self._then, None
        if then is not None:
            QTimer.singleShot(0, self, then)  # once the panels are laid out and painted

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            self.removeEventFilter(self)
            if self._then is not None:
                QTimer.singleShot(0, self, self._build_then)
        return super().eventFilter(watched, event)
