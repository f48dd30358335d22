"""A searchable, grouped unit chooser: type 城管 and 区城管局 is offered; 发改 or fgw finds
区发展改革委 (see :mod:`liaison_app.ui.unit_names`); a name that matches nothing gets the closest
units suggested."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter

from liaison_app.plan.units import CATEGORIES
from liaison_app.store.records import UnitInfo
from liaison_app.ui.unit_names import closest, latin_forms, spoken_forms

UNIT_NAME_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


class UnitPicker(QComboBox):
    """Combo of canonical units under non-selectable category headings, with type-ahead."""

    unit_chosen = Signal(str)
    hint_changed = Signal(str)  # "" or a sentence: nothing matched, with the closest units

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(14)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        line_edit = self.lineEdit()
        assert line_edit is not None  # editable combo
        line_edit.setPlaceholderText("输入单位名称查找，如“城管”")
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        # The completer searches names and aliases anywhere in the text, units only.
        self._search = QSortFilterProxyModel(self)
        self._search.setSourceModel(self._model)
        self._search.setFilterRole(SEARCH_ROLE)
        self._search.setFilterKeyColumn(0)
        self._search.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._units: list[UnitInfo] = []
        self._latin_ready = False
        completer = QCompleter(self._search, self)
        completer.setCompletionRole(Qt.ItemDataRole.DisplayRole)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCompleter(completer)
        line_edit.textEdited.connect(self._on_text_edited)
        completer.activated.connect(self._choose_text)  # the text overload
        self.activated.connect(self._on_activated)
        self._current = ""

    def set_units(self, units: list[UnitInfo]) -> None:
        self._model.clear()
        self._units = list(units)
        self._latin_ready = False
        by_category: dict[str, list[UnitInfo]] = {}
        for unit in units:
            if unit.lead_items or unit.coop_items:
                by_category.setdefault(unit.category, []).append(unit)
        order = [c for c in CATEGORIES if c in by_category] + [c for c in by_category if c not in CATEGORIES]
        for category in order:
            heading = QStandardItem(f"—— {category} ——")
            heading.setFlags(Qt.ItemFlag.NoItemFlags)
            heading.setData("", SEARCH_ROLE)
            self._model.appendRow(heading)
            for unit in by_category[category]:
                row = QStandardItem(unit.name)
                row.setData(unit.name, UNIT_NAME_ROLE)
                row.setData(" ".join(spoken_forms(unit.name, unit.aliases)), SEARCH_ROLE)
                row.setToolTip(f"牵头 {unit.lead_items} 条，配合 {unit.coop_items} 条")
                self._model.appendRow(row)
        self.setCurrentIndex(-1)

    def unit_names(self) -> list[str]:
        names = []
        for row in range(self._model.rowCount()):
            name = self._model.item(row).data(UNIT_NAME_ROLE)
            if name:
                names.append(str(name))
        return names

    def current_unit(self) -> str:
        return self._current

    def select_unit(self, name: str) -> bool:
        """Show ``name`` as chosen without emitting ``unit_chosen``."""
        for row in range(self._model.rowCount()):
            if self._model.item(row).data(UNIT_NAME_ROLE) == name:
                self.setCurrentIndex(row)
                self._current = name
                return True
        return False

    def _on_text_edited(self, text: str) -> None:
        typed = "".join(text.split())
        if typed.isascii() and any(c.isalpha() for c in typed):
            self._add_latin_forms()
        self._search.setFilterFixedString(typed)
        self.hint_changed.emit(self._hint(typed))

    def _add_latin_forms(self) -> None:
        """Pinyin initials join the searchable text the first time Latin letters are typed."""
        if self._latin_ready:
            return
        self._latin_ready = True
        for row in range(self._model.rowCount()):
            item = self._model.item(row)
            name = item.data(UNIT_NAME_ROLE)
            if name:
                info = next(u for u in self._units if u.name == name)
                item.setData(
                    f"{item.data(SEARCH_ROLE)} {' '.join(latin_forms(name, info.aliases))}", SEARCH_ROLE
                )

    def _hint(self, typed: str) -> str:
        if not typed or self._search.rowCount() > 0 or typed in self.unit_names():
            return ""
        forms: dict[str, str] = {}
        for unit in self._units:
            if unit.lead_items or unit.coop_items:
                for form in spoken_forms(unit.name, unit.aliases):
                    forms[form] = unit.name
                if self._latin_ready:
                    for form in latin_forms(unit.name, unit.aliases):
                        forms.setdefault(form, unit.name)
        near = closest(typed, forms)
        return f"没有找到“{typed}”" + (
            f"，是不是:{'、'.join(near)}?" if near else "。请输入单位名称中的几个字。"
        )

    def _choose_text(self, text: str) -> None:
        if text in self.unit_names():
            self._choose(text)

    def _on_activated(self, row: int) -> None:
        name = self._model.item(row).data(UNIT_NAME_ROLE) if row >= 0 else None
        if name:
            self._choose(str(name))
        elif self._current:
            self.select_unit(self._current)

    def _choose(self, name: str) -> None:
        self.select_unit(name)
        if name:
            self.unit_chosen.emit(name)

    def focusOutEvent(self, event: Any) -> None:
        super().focusOutEvent(event)
        # Typed text that is not a unit snaps back to the chosen unit.
        if self.currentText() not in self.unit_names() and self._current:
            self.select_unit(self._current)
