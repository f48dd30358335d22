"""Issue #14: the window tells the truth. Each test drives the real widgets offscreen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Light
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.task_model import Column
from tests.helpers import Windows, first_start

UNIT = "区城管局"
WindowFactory = Callable[[], MainWindow]


@pytest.fixture
def late_clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 11, 20, 9, 30, 0))


@pytest.fixture
def window_at(windows: Windows) -> Callable[[FixedClock], MainWindow]:
    return windows


def light_cell(window: MainWindow, code: str) -> str:
    index = window.index_for(code)
    return str(index.siblingAtColumn(Column.LIGHT).data())


# -- 逾期完成 -------------------------------------------------------------------------------------
def test_done_years_after_the_deadline_is_late_not_normal(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], late_clock: FixedClock, tmp_path: Path
) -> None:
    window = window_at(late_clock)
    service = window._service()
    service.update(UNIT, "11.2", status="done", completed_on=dt.date(2025, 12, 31))  # deadline 2019-12-31
    service.update(UNIT, "17", status="done", completed_on=dt.date(2020, 6, 1))  # deadline 2020-12-31
    window.picker.select_unit(UNIT)
    window.show_unit(UNIT)

    assert light_cell(window, "11.2") == "逾期完成"
    assert light_cell(window, "17") == "正常"
    rect = window.tree.visualRect(window.index_for("11.2"))
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "逾期完成" in window.detail.deadline.text()
    assert "晚 2192 天" in window.detail.deadline.text()
    assert window.summary.counts["done_late"] == 1
    assert "逾期完成 1" in window.summary.label.text()

    from liaison_app.store.reporting import ReportService

    out = tmp_path / "report.xlsx"
    ReportService(service).export(UNIT, "2026-11", late_clock.today(), out)
    book = openpyxl.load_workbook(out)
    cover = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert any(r[2:4] == ["逾期完成", 1] for r in cover), cover
    detail_values = [str(c.value) for row in book.worksheets[1].iter_rows() for c in row]
    assert "逾期完成" in detail_values


def test_late_light_is_its_own_filter(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], late_clock: FixedClock
) -> None:
    window = window_at(late_clock)
    window._service().update(UNIT, "11.2", status="done", completed_on=dt.date(2025, 12, 31))
    window.picker.select_unit(UNIT)
    window.show_unit(UNIT)
    labels = [window.light_filter.itemText(i) for i in range(window.light_filter.count())]
    assert "逾期完成" in labels
    window.light_filter.setCurrentIndex(labels.index("逾期完成"))
    from tests.helpers import visible_codes

    assert visible_codes(window) == ["11.2"]
    assert Light.DONE_LATE.label == "逾期完成"


# -- 完成日期 typed as people write it ---------------------------------------------------------
def _open_item(qtbot: QtBot, window: MainWindow, code: str) -> None:
    if not window.unit:
        window.picker.select_unit(UNIT)
        window.show_unit(UNIT)
    rect = window.tree.visualRect(window.index_for(code))
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.detail.task is not None and window.detail.task.item.id == code


def _type_date(qtbot: QtBot, window: MainWindow, text: str) -> None:
    edit = window.detail.completed.edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select all
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        from tests.helpers import type_chinese

        qtbot.keyClick(edit, Qt.Key.Key_Delete)
        type_chinese(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("2019-09-28", dt.date(2019, 9, 28)),
        ("2019/9/28", dt.date(2019, 9, 28)),
        ("20190928", dt.date(2019, 9, 28)),
        ("2019年9月28日", dt.date(2019, 9, 28)),
        ("2019-12-20", dt.date(2019, 12, 20)),
        ("2025-01-15", dt.date(2025, 1, 15)),
    ],
)
def test_a_typed_full_date_saves_exactly_that_date(
    qtbot: QtBot,
    window_at: Callable[[FixedClock], MainWindow],
    late_clock: FixedClock,
    typed: str,
    saved: dt.date,
) -> None:
    window = window_at(late_clock)
    window._service().update(UNIT, "16", status="done", completed_on=dt.date(2026, 11, 2))
    _open_item(qtbot, window, "16")
    _type_date(qtbot, window, typed)
    assert window._service().task(UNIT, "16").completed_on == saved
    assert window.detail.completed.edit.text() == saved.isoformat()
    assert not window.detail.completed.error.isVisible()


@pytest.mark.parametrize(
    ("typed", "word"),
    [("2019-02-30", "没有 2019年2月30日 这一天"), ("2027-01-01", "完成日期不能晚于今天"), ("九月", "看不懂")],
)
def test_an_impossible_or_future_date_is_refused_with_a_word(
    qtbot: QtBot,
    window_at: Callable[[FixedClock], MainWindow],
    late_clock: FixedClock,
    typed: str,
    word: str,
) -> None:
    window = window_at(late_clock)
    window._service().update(UNIT, "16", status="done", completed_on=dt.date(2026, 11, 2))
    _open_item(qtbot, window, "16")
    _type_date(qtbot, window, typed)
    assert window._service().task(UNIT, "16").completed_on == dt.date(2026, 11, 2)
    assert window.detail.completed.error.isVisible()
    assert word in window.detail.completed.error.text()


def test_the_calendar_pop_up_picks_a_date(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], late_clock: FixedClock
) -> None:
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QTableView

    window = window_at(late_clock)
    window._service().update(UNIT, "16", status="done", completed_on=dt.date(2026, 11, 2))
    _open_item(qtbot, window, "16")
    field = window.detail.completed
    qtbot.mouseClick(field.calendar_button, Qt.MouseButton.LeftButton)
    assert field.calendar.isVisible()
    assert field.calendar.maximumDate() == QDate(2026, 11, 20)
    view = field.calendar.findChild(QTableView)
    qtbot.keyClick(view, Qt.Key.Key_Left)  # 2026-11-01
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert not field.calendar.isVisible()
    assert window._service().task(UNIT, "16").completed_on == dt.date(2026, 11, 1)


# -- the liaison, per unit ----------------------------------------------------------------------
def pick_unit(qtbot: QtBot, window: MainWindow, typed: str, unit: str) -> None:
    """Type in 本单位 (ASCII with key clicks, Chinese as an input method commits it), then take
    ``unit`` from the completer's list with the arrow keys and Enter, as a user does."""
    from tests.helpers import type_chinese

    edit = window.picker.lineEdit()
    edit.setFocus()
    edit.selectAll()
    if typed.isascii():
        qtbot.keyClicks(edit, typed)
    else:
        type_chinese(edit, typed)
    popup = window.picker.completer().popup()
    model = popup.model()
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert unit in names, names
    popup.setCurrentIndex(model.index(names.index(unit), 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert window.unit == unit


def fill_liaison_bar(qtbot: QtBot, window: MainWindow, name: str, phone: str, email: str) -> None:
    from tests.helpers import type_chinese

    bar = window.liaison_bar
    type_chinese(bar.fields.name, name)
    qtbot.keyClicks(bar.fields.phone, phone)
    qtbot.keyClicks(bar.fields.email, email)
    qtbot.mouseClick(bar.save_button, Qt.MouseButton.LeftButton)


def cover_text(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    return " ".join(str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value)


def test_each_unit_has_its_own_liaison_asked_the_first_time_and_on_its_cover(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock, tmp_path: Path
) -> None:
    window = window_at(clock)
    assert not window.liaison_bar.isVisible()
    pick_unit(qtbot, window, "城管", UNIT)
    assert window.liaison_bar.isVisible() and UNIT in window.liaison_bar.prompt.text()
    fill_liaison_bar(qtbot, window, "张三", "023-62988888", "zs@example.gov.cn")
    assert not window.liaison_bar.isVisible()

    pick_unit(qtbot, window, "市场监管", "区市场监管局")
    assert window.liaison_bar.isVisible(), "a second unit is asked for its own liaison"
    fill_liaison_bar(qtbot, window, "李四", "13800000000", "ls@example.gov.cn")

    pick_unit(qtbot, window, "城管", UNIT)
    assert not window.liaison_bar.isVisible(), "asked once per unit"
    assert window._service().actor == "张三"

    from liaison_app.store.reporting import ReportService

    reports = ReportService(window._service())
    reports.export(UNIT, "2019-11", clock.today(), tmp_path / "a.xlsx")
    reports.export("区市场监管局", "2019-11", clock.today(), tmp_path / "b.xlsx")
    first, second = cover_text(tmp_path / "a.xlsx"), cover_text(tmp_path / "b.xlsx")
    assert "张三" in first and "023-62988888" in first and "zs@example.gov.cn" in first
    assert "李四" in second and "13800000000" in second and "张三" not in second


def test_a_wrong_phone_is_refused_in_the_bar(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock
) -> None:
    window = window_at(clock)
    pick_unit(qtbot, window, "城管", UNIT)
    fill_liaison_bar(qtbot, window, "张三", "phone?", "")
    assert window.liaison_bar.isVisible() and "联系电话" in window.liaison_bar.error.text()
    assert window._service().liaison(UNIT).is_empty


def test_the_single_profile_of_earlier_versions_stays_with_its_unit_only(
    data_dir: Path, clock: FixedClock
) -> None:
    import sqlite3

    from liaison_app import paths

    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    db = sqlite3.connect(paths.database_path(data_dir))
    db.executemany(
        "INSERT INTO setting(key, value) VALUES (?, ?)",
        [("ui.last_unit", UNIT), ("profile" + ".name", "老联络员"), ("profile" + ".phone", "023-1")],
    )
    db.commit()
    db.close()
    service = LiaisonService.open(data_dir, clock=clock)
    assert service.liaison(UNIT).name == "老联络员"
    assert service.liaison("区市场监管局").is_empty
    service.close()


# -- the office window's period -------------------------------------------------------------------
def test_the_office_opens_on_the_liaisons_month_and_remembers_the_last_one(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock
) -> None:
    from PySide6.QtWidgets import QDateTimeEdit

    window = window_at(clock)
    assert window.current_period() == "2019-11"
    office = window.open_office()
    qtbot.addWidget(office)
    assert office.current_period() == window.current_period()
    office.period.setFocus()
    office.period.setCurrentSection(QDateTimeEdit.Section.MonthSection)
    qtbot.keyClick(office.period, Qt.Key.Key_Down)
    assert office.current_period() == "2019-10"
    office.close()
    window.close()

    again = window_at(clock)
    office = again.open_office()
    qtbot.addWidget(office)
    assert office.current_period() == "2019-10"


# -- the names people say -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "unit"),
    [
        ("发改", "区发展改革委"),
        ("经信委", "区经济信息委"),
        ("住建委", "区住房城乡建委"),
        ("人社局", "区人力社保局"),
        ("规资局", "区规划自然资源局"),
        ("fgw", "区发展改革委"),
        ("FGW", "区发展改革委"),
        ("qcgj", "区城管局"),
    ],
)
def test_the_unit_search_knows_short_names_and_pinyin_initials(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock, typed: str, unit: str
) -> None:
    window = window_at(clock)
    pick_unit(qtbot, window, typed, unit)


def test_an_unmatched_unit_name_suggests_the_closest(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock
) -> None:
    from tests.helpers import type_chinese

    window = window_at(clock)
    type_chinese(window.picker.lineEdit(), "发展改革局")
    assert "没有找到“发展改革局”" in window.picker_hint.text()
    assert "区发展改革委" in window.picker_hint.text()


def test_every_short_name_points_at_a_real_unit(service: LiaisonService) -> None:
    from liaison_app.ui.unit_names import SHORT_NAMES

    names = {u.name for u in service.units()}
    assert set(SHORT_NAMES) <= names
    owners: dict[str, str] = {}
    for unit, forms in SHORT_NAMES.items():
        for form in forms:
            assert form not in unit, f"{form} is already part of {unit}"
            assert owners.setdefault(form, unit) == unit, f"{form} names two units"


# -- one history entry per editing session of a note ----------------------------------------------
def test_autosaves_while_typing_make_one_history_entry_per_session(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock, quick_autosave: int
) -> None:
    from tests.helpers import type_chinese

    window = window_at(clock)
    _open_item(qtbot, window, "16")
    service = window._service()
    note = window.detail.note
    type_chinese(note, "需公安")
    qtbot.waitUntil(lambda: service.task(UNIT, "16").note == "需公安")  # the autosave after a pause
    type_chinese(note, "局配合")
    qtbot.waitUntil(lambda: service.task(UNIT, "16").note == "需公安局配合")
    window.search.setFocus()  # leaving the note ends the session
    notes = [(h.before, h.after) for h in service.history(UNIT, "16") if h.field == "note"]
    assert notes == [("", "需公安局配合")]

    type_chinese(note, "。")  # a new session
    window.search.setFocus()
    notes = [(h.before, h.after) for h in service.history(UNIT, "16") if h.field == "note"]
    assert notes == [("需公安局配合", "需公安局配合。"), ("", "需公安局配合")]

    window.undo_action.trigger()
    assert service.task(UNIT, "16").note == "需公安局配合"
    window.undo_action.trigger()  # one undo takes back the whole first session
    assert service.task(UNIT, "16").note == ""


# -- the export check counts items and other duties apart, with titles ----------------------------
def test_the_export_check_counts_items_and_other_duties_apart_and_names_them(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from liaison_app.store.reporting import ReportService
    from liaison_app.ui.export_dialogs import ExportCheckDialog

    window = window_at(clock)
    window.picker.select_unit("区发展改革委")  # a lead unit: 具体措施 and 调研报告 are due too
    window.show_unit("区发展改革委")
    window.as_of.setDate(window.as_of.date().addMonths(2))
    incomplete = ReportService(window._service()).export_check(
        "区发展改革委", window.current_as_of(), "2019-11"
    )
    items = [c for c, _r in incomplete if c[0].isdigit()]
    others = len(incomplete) - len(items)
    assert items and others
    seen: dict[str, object] = {}

    def inspect() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ExportCheckDialog)
        seen["intro"] = dialog.intro.text()
        seen["titles"] = [dialog.model.index(r, 1).data() for r in range(dialog.model.rowCount())]
        qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, inspect)
    window.menus.export_action.trigger()
    assert f"以下{len(items)} 条工作措施和{others} 项其他任务" in str(seen["intro"])
    first_title = window._service().task("区发展改革委", items[0]).item.text[:10]
    assert any(str(t).startswith(first_title) for t in seen["titles"])  # type: ignore[union-attr]


# -- no mail program, no file manager: say what to do instead -----------------------------------
def test_without_mail_program_or_file_manager_the_address_and_path_can_be_copied(
    qtbot: QtBot, data_dir: Path, clock: FixedClock, tmp_path: Path
) -> None:
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QApplication

    from liaison_app.store.records import LiaisonProfile
    from liaison_app.ui.workers import ImmediateRunner

    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    service = LiaisonService.open(data_dir, clock=clock)
    service.set_settings({"ui.last_unit": UNIT, "office.email": "yshj@example.gov.cn"})
    service.set_liaison(UNIT, LiaisonProfile("联络员甲"))
    window = MainWindow(
        service, runner=ImmediateRunner(), opener=lambda _p: False, url_opener=lambda _u: False
    )  # the boundary: a system that opens nothing
    qtbot.addWidget(window)
    window.show()
    window.period.setDate(QDate(2019, 11, 1))
    out = tmp_path / "out" / "report.xlsx"
    out.parent.mkdir()
    assert window.reports is not None
    window.reports.export(UNIT, window.current_period(), window.current_as_of(), out, confirm_incomplete=True)
    done = window.reports.done_dialog
    assert done is not None

    qtbot.mouseClick(done.buttons["mail"], Qt.MouseButton.LeftButton)
    fallback = window.reports.fallback
    assert fallback is not None and fallback.isVisible()
    assert fallback.fields["收件人"].text() == "yshj@example.gov.cn"
    assert fallback.fields["文件所在文件夹"].text() == str(out.parent)
    qtbot.mouseClick(fallback.copy_buttons["收件人"], Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "yshj@example.gov.cn"
    fallback.close()

    qtbot.mouseClick(done.buttons["folder"], Qt.MouseButton.LeftButton)
    fallback = window.reports.fallback
    assert fallback.isVisible() and fallback.fields["文件夹"].text() == str(out.parent)
    qtbot.mouseClick(fallback.copy_buttons["文件夹"], Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == str(out.parent)
    fallback.close()
    done.close()
    window.close()
    service.close()


# -- editing an evidence 说明 ------------------------------------------------------------------------
def test_editing_an_evidence_description_saves_it_without_a_qt_warning(
    qtbot: QtBot,
    qtlog: object,
    window_at: Callable[[FixedClock], MainWindow],
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    from PySide6.QtWidgets import QLineEdit

    window = window_at(clock)
    scan = tmp_path / "会议纪要.pdf"
    scan.write_bytes(b"%PDF-1.4 minutes")
    window._service().attach(UNIT, "16", scan, period="2019-11")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # focus moves (and commits) only in the active window
    _open_item(qtbot, window, "16")
    table = window.detail.evidence.table
    rect = table.visualRect(window.detail.evidence.model.index(0, 3))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = table.viewport().findChild(QLineEdit)
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    qtbot.keyClicks(editor, "minutes of 11-05")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event loop turn
    qtbot.waitUntil(lambda: window._service().evidence(UNIT, "16")[0].description == "minutes of 11-05")
    window.search.setFocus()
    qtbot.wait(50)
    messages = [r.message for r in qtlog.records]  # type: ignore[attr-defined]
    assert not [m for m in messages if "commitData" in m], messages


def test_leaving_an_evidence_description_by_clicking_elsewhere_saves_it_without_a_warning(
    qtbot: QtBot,
    qtlog: object,
    window_at: Callable[[FixedClock], MainWindow],
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    from PySide6.QtWidgets import QLineEdit

    window = window_at(clock)
    scan = tmp_path / "会议纪要.pdf"
    scan.write_bytes(b"%PDF-1.4 minutes")
    window._service().attach(UNIT, "16", scan, period="2019-11")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # focus moves (and commits) only in the active window
    _open_item(qtbot, window, "16")
    table = window.detail.evidence.table
    table.setCurrentIndex(window.detail.evidence.model.index(0, 3))
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = table.viewport().findChild(QLineEdit)
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    qtbot.keyClicks(editor, "signed")
    window.detail.note.setFocus()  # the liaison moves on to the note
    qtbot.waitUntil(lambda: window._service().evidence(UNIT, "16")[0].description == "signed")
    rect = window.tree.visualRect(window.index_for("17"))
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.wait(50)
    messages = [r.message for r in qtlog.records]  # type: ignore[attr-defined]
    assert not [m for m in messages if "commitData" in m], messages


# -- Qt's file dialogs in Chinese ---------------------------------------------------------------------
def test_qt_file_dialogs_have_no_english_left(qtbot: QtBot, qapp: object) -> None:
    from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QPushButton

    from liaison_app.app import install_translations

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = install_translations(app)
    try:
        dialog = QFileDialog(None, "选择文件", str(Path.home()))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        qtbot.addWidget(dialog)
        dialog.show()
        texts = [w.text() for w in dialog.findChildren(QLabel)] + [
            b.text() for b in dialog.findChildren(QPushButton) if b.isVisible()
        ]
        import re

        words = [re.sub(r"\(&\w\)|&", "", t) for t in texts]  # mnemonics: 查找范围(&I)
        english = [t for t in words if any("a" <= c.lower() <= "z" for c in t)]
        assert texts and english == [] and "" not in [t for t in texts if t is not None], texts
        assert "文件名称(&N)：" in texts  # the catalogue still answers for everything else
        assert QApplication.translate("QPlatformTheme", "Cancel") == "取消"
    finally:
        for translator in translators:
            app.removeTranslator(translator)


# -- small truths of the window -----------------------------------------------------------------------
def test_selecting_an_item_brings_its_details_to_the_front(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock
) -> None:
    window = window_at(clock)
    window.picker.select_unit(UNIT)
    window.show_unit(UNIT)
    tabs = window.side_tabs
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(1).center())
    assert tabs.currentWidget() is window.cases_panel
    _open_item(qtbot, window, "16")
    assert tabs.currentWidget() is window.detail


def test_search_escape_no_matches_and_a_hidden_item_leaves_the_detail_pane(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock
) -> None:
    from tests.helpers import visible_codes

    window = window_at(clock)
    _open_item(qtbot, window, "16")
    everything = visible_codes(window)
    qtbot.keyClicks(window.search, "zzzz")
    assert visible_codes(window) == []
    assert window.empty_hint.isVisible() and "没有找到含“zzzz”" in window.empty_hint.text()
    assert window.detail.task is None, "the detail pane does not show an item the filter hides"
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == "" and visible_codes(window) == everything
    assert not window.empty_hint.isVisible()


def test_actions_that_need_a_row_are_off_without_one(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock
) -> None:
    window = window_at(clock)
    window.picker.select_unit("区发展改革委")
    window.show_unit("区发展改革委")
    assert not window.cycle_action.isEnabled() and not window.menus.add_files_action.isEnabled()
    panel = window.duties_panel
    bar = window.side_tabs.tabBar()
    tab = bar.tabRect(window.side_tabs.indexOf(panel)).center()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=tab)
    assert panel.deliverables.rowCount() > 0
    assert not panel.edit_button.isEnabled() and not panel.attach_button.isEnabled()
    rect = panel.deliverable_view.visualRect(panel.deliverables.index(0, 0))
    qtbot.mouseClick(panel.deliverable_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.edit_button.isEnabled()
    _open_item(qtbot, window, window.model.tasks()[0].item.id)
    assert window.cycle_action.isEnabled()

    office = window.open_office()
    qtbot.addWidget(office)
    assert not office.accept_button.isEnabled(), "nothing edited: nothing to accept"


def test_the_title_names_the_unit_then_the_program_once(
    window_at: Callable[[FixedClock], MainWindow], clock: FixedClock
) -> None:
    from liaison_app import APP_TITLE, __version__

    window = window_at(clock)
    assert window.windowTitle() == f"{APP_TITLE} {__version__}"
    window.picker.select_unit(UNIT)
    window.show_unit(UNIT)
    assert window.windowTitle() == f"{UNIT} — {APP_TITLE} {__version__}"
    assert window.windowTitle().count(APP_TITLE) == 1


def test_the_repaired_text_is_shown_and_the_original_on_demand(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock
) -> None:
    window = window_at(clock)
    window.picker.select_unit("区市场监管局")
    window.show_unit("区市场监管局")
    assert "2019年9月底前" in str(window.index_for("1.1").siblingAtColumn(Column.TEXT).data())
    rect = window.tree.visualRect(window.index_for("1.1"))
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    detail = window.detail
    assert "2019年9月底前" in detail.text.text() and "20199月" not in detail.text.text()
    assert detail.original_button.isVisible() and not detail.original.isVisible()
    qtbot.mouseClick(detail.original_button, Qt.MouseButton.LeftButton)
    assert detail.original.isVisible() and "20199月底前" in detail.original.text()


def test_help_has_a_chinese_guide_offline(
    qtbot: QtBot, window_at: Callable[[FixedClock], MainWindow], clock: FixedClock
) -> None:
    from PySide6.QtWidgets import QTextBrowser

    window = window_at(clock)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("帮助"))
    texts = [a.text() for a in help_menu.actions()]
    assert texts[0].startswith("使用说明")
    help_menu.actions()[0].trigger()
    dialog = window.menus.help_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.findChild(QTextBrowser).toPlainText()
    assert "第一次使用" in text and "逾期完成" in text and "http" not in text
    dialog.close()


# -- readable at 1280×800, and at 150 % scaling (1280×720 logical on a 1080p screen) -----------------
@pytest.mark.parametrize("size", [(1280, 800), (1280, 720)])
def test_the_layout_is_readable_on_a_small_screen(
    qtbot: QtBot,
    window_at: Callable[[FixedClock], MainWindow],
    clock: FixedClock,
    tmp_path: Path,
    size: tuple[int, int],
) -> None:
    window = window_at(clock)
    window.resize(*size)
    service = window._service()
    for name in ("纪要.docx", "照片.jpg"):
        (tmp_path / name).write_bytes(name.encode())
        service.attach(UNIT, "16", tmp_path / name, period="2019-11")
    service.update(UNIT, "16", status="推进中", note="已开通网上营业厅")
    _open_item(qtbot, window, "16")
    qtbot.wait(20)
    header = window.tree.header()
    text, code = header.sectionSize(Column.TEXT), header.sectionSize(Column.CODE)
    assert text >= 0.4 * window.tree.viewport().width(), (text, window.tree.viewport().width())
    assert code * 3 <= text, (code, text)
    history = window.detail.history
    row = history.verticalHeader().defaultSectionSize()
    visible_rows = (history.viewport().height()) / row
    assert visible_rows >= 2.9, visible_rows  # not "1.5 rows"
    assert window.detail.note.height() >= 3 * window.detail.note.fontMetrics().lineSpacing()


# -- file dialogs open where the user works -----------------------------------------------------------
def test_evidence_dialogs_open_in_the_last_folder_and_exports_in_documents(
    qtbot: QtBot,
    window_at: Callable[[FixedClock], MainWindow],
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from liaison_app.ui.machine_settings import documents_folder

    scans = tmp_path / "扫描件"
    scans.mkdir()
    (scans / "a.pdf").write_bytes(b"a")
    asked: list[str] = []

    def choose(_parent: object, _title: str, folder: str = "", *_a: object) -> tuple[list[str], str]:
        asked.append(folder)
        return [str(scans / "a.pdf")], ""

    def save(_parent: object, _title: str, suggested: str = "", *_a: object) -> tuple[str, str]:
        asked.append(suggested)
        return "", ""  # the liaison cancels

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(choose))  # the OS dialog
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    window = window_at(clock)
    _open_item(qtbot, window, "16")
    qtbot.mouseClick(window.detail.evidence.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.detail.evidence.add_button, Qt.MouseButton.LeftButton)
    assert asked[1] == str(scans), "the second time, the folder the files came from"
    window.reports.export(UNIT, "2019-11", clock.today(), confirm_incomplete=True)  # type: ignore[union-attr]
    assert Path(asked[2]).parent == documents_folder()


def test_the_window_refuses_to_export_as_of_a_day_before_the_period(
    qtbot: QtBot,
    window_at: Callable[[FixedClock], MainWindow],
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QDateTimeEdit

    from liaison_app.store.reporting import ReportService
    from tests.helpers import Dialogs

    dialogs = Dialogs(monkeypatch)
    window = window_at(clock)
    window.picker.select_unit(UNIT)
    window.show_unit(UNIT)
    window.period.setFocus()
    window.period.setCurrentSection(QDateTimeEdit.Section.MonthSection)
    qtbot.keyClick(window.period, Qt.Key.Key_Up)  # 2019-12, while 统计截至 stays 2019-11-20
    assert window.current_period() == "2019-12"
    window.menus.export_action.trigger()
    assert dialogs.shown and "早于报送期 2019年12月" in dialogs.shown[-1][1]
    assert ReportService(window._service()).exports(UNIT) == []


def test_a_liaison_for_this_plan_only_wins_over_the_units_and_yields_to_a_new_one(
    service: LiaisonService,
) -> None:
    from liaison_app.store.records import LiaisonProfile

    service.set_liaison(UNIT, LiaisonProfile("张三", "023-1"))
    service.set_liaison(UNIT, LiaisonProfile("王五", "023-2", plan_only=True))
    assert service.liaison(UNIT) == LiaisonProfile("王五", "023-2", "", plan_only=True)
    service.set_liaison(UNIT, LiaisonProfile("赵六", "023-3"))  # for the unit again, every plan
    assert service.liaison(UNIT) == LiaisonProfile("赵六", "023-3", "")
