"""Every edit a liaison makes, committed at once through the service, and undoable.

A change is a :class:`ChangeCommand` on the window's ``QUndoStack``: pushing it writes the new
value (one transaction), undo writes the old one back. The editor tells the model and the window
what happened through signals, so the widgets never touch the service for writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from liaison_app.store.records import ServiceError, UnitTask

if TYPE_CHECKING:
    from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Status
from liaison_app.vocabulary import ItemField

FIELD_LABELS = {field.value: field.label for field in ItemField}


@dataclass(frozen=True)
class Values:
    """The editable part of a task; ``None`` fields are left alone."""

    status: Status | None = None
    note: str | None = None
    completed_on: dt.date | None = None
    set_completed_on: bool = False
    note_session: str = ""  # saves of one editing session of the note make one history entry


class TaskEditor(QObject):
    task_changed = Signal(object)  # UnitTask, after every committed write (do, undo, redo)
    saved = Signal(object)  # datetime of the commit
    failed = Signal(str)  # a Chinese sentence for the user

    def __init__(self, service: LiaisonService, parent: Any = None) -> None:
        super().__init__(parent)
        self.service = service
        self.undo_stack = QUndoStack(self)

    def write(self, unit: str, code: str, values: Values) -> UnitTask | None:
        kwargs: dict[str, Any] = {}
        if values.status is not None:
            kwargs["status"] = values.status
        if values.note is not None:
            kwargs["note"] = values.note
            if values.note_session:
                kwargs["note_session"] = values.note_session
        if values.set_completed_on:
            kwargs["completed_on"] = values.completed_on
        try:
            task = self.service.update(unit, code, **kwargs)
        except (ServiceError, ValueError) as exc:
            self.failed.emit(str(exc))
            return None
        self.task_changed.emit(task)
        self.saved.emit(task.updated_at or self.service.clock.now())
        return task

    # -- what the window asks for --------------------------------------------------------------
    def set_status(self, task: UnitTask, status: Status) -> None:
        if status is task.status:
            return
        self._push(task, Values(status=status), "状态", f"{task.status.label} → {status.label}")

    def set_note(self, task: UnitTask, note: str, session: str = "") -> None:
        if note == task.note:
            return
        self._push(task, Values(note=note, note_session=session), "进展情况", "")

    def set_completed_on(self, task: UnitTask, day: dt.date | None) -> None:
        if day == task.completed_on:
            return
        self._push(
            task,
            Values(completed_on=day, set_completed_on=True),
            "完成日期",
            day.isoformat() if day else "清除",
        )

    def _push(self, task: UnitTask, values: Values, label: str, detail: str) -> None:
        before = Values(
            status=task.status, note=task.note, completed_on=task.completed_on, set_completed_on=True
        )
        text = f"{task.item.id} {label}" + (f":{detail}" if detail else "")
        self.undo_stack.push(ChangeCommand(self, task.unit, task.item.id, before, values, text))


NOTE_SESSION_COMMAND = 1  # QUndoCommand.id(): note saves of one editing session merge


class ChangeCommand(QUndoCommand):
    """Redo writes ``after``; undo restores ``before`` (every field the change could touch).
    The saves of one note editing session merge into one command: one Ctrl+Z undoes the session.
    """

    def __init__(
        self, editor: TaskEditor, unit: str, code: str, before: Values, after: Values, text: str
    ) -> None:
        super().__init__(text)
        self.editor, self.unit, self.code = editor, unit, code
        self.before, self.after = before, after
        self.failed = False

    def redo(self) -> None:
        self.failed = self.editor.write(self.unit, self.code, self.after) is None
        if self.failed:
            self.setObsolete(True)  # nothing was written: nothing to undo

    def undo(self) -> None:
        self.editor.write(self.unit, self.code, self.before)

    def id(self) -> int:
        return NOTE_SESSION_COMMAND if self.after.note_session else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not (
            isinstance(other, ChangeCommand)
            and not other.failed
            and (other.unit, other.code) == (self.unit, self.code)
            and other.after.note_session == self.after.note_session
        ):
            return False
        self.after = other.after
        return True
