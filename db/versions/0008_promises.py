"""What the plan promises: milestones and targets per item, a unit's ticks and actual figures.

* ``milestone``: every dated clause of an item (number from 1, date, words);
* ``target``: every quantitative promise (code ``26.1-t1``, comparison, value, unit, baseline,
  the milestone it belongs to); numbers are exact decimal text;
* ``milestone_done``: a unit ticked a milestone off on a date (per unit, like progress);
* ``actual``: the figure a lead unit reports on a target for one 报送期, with the date it was
  measured and an optional source note.

``history`` is rebuilt (as in 0006) so that its ``field`` may also be ``milestone`` and ``actual``. The rows of ``milestone`` and ``target`` for a
database made before this revision are filled from the bundled plan when the app next opens it
(:func:`liaison_app.store.plan_loader.load_promises`), where the plan file is read anyway.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _assignment_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["item_id", "unit_id"],
        ["assignment.item_id", "assignment.unit_id"],
        ondelete="CASCADE",
        name=f"fk_{table}_assignment",
    )


def _unit_fk() -> sa.Column[int]:
    return sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False)


def _item_fk() -> sa.Column[int]:
    return sa.Column("item_id", sa.Integer, sa.ForeignKey("item.id", ondelete="CASCADE"), nullable=False)


# history.field codes as of this revision (frozen here): 0006's and the two of #15
ITEM_FIELDS = (
    "status",
    "note",
    "completed_on",
    "evidence",
    "evidence_description",
    "milestone",
    "actual",
)
HISTORY_COLUMNS = ["id", "unit_id", "item_id", "field", "before", "after", "changed_at", "actor"]


def _in(column: str, codes: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(c) for c in codes)})"


def _rebuild_history() -> None:
    op.create_table(
        "history_0008",
        sa.Column("id", sa.Integer, primary_key=True),
        _unit_fk(),
        _item_fk(),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False, server_default=""),
        _assignment_fk("history"),
        sa.CheckConstraint(_in("field", ITEM_FIELDS), name="ck_history_field"),
    )
    listed = ", ".join(HISTORY_COLUMNS)
    op.execute(f"INSERT INTO history_0008 ({listed}) SELECT {listed} FROM history")
    op.drop_table("history")
    op.rename_table("history_0008", "history")
    op.create_index("ix_history_unit_item", "history", ["unit_id", "item_id"])


def upgrade() -> None:
    _rebuild_history()
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer, primary_key=True),
        _item_fk(),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.UniqueConstraint("item_id", "number", name="uq_milestone_item_number"),
        sa.CheckConstraint("number >= 1", name="ck_milestone_number"),
    )
    op.create_table(
        "target",
        sa.Column("id", sa.Integer, primary_key=True),
        _item_fk(),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("op", sa.String(2), nullable=False),
        sa.Column("value", sa.String(40), nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("baseline", sa.String(40), nullable=True),
        sa.Column("baseline_unit", sa.Text, nullable=True),
        sa.Column("milestone", sa.Integer, nullable=True),
        sa.UniqueConstraint("item_id", "code", name="uq_target_item_code"),
        sa.CheckConstraint("op IN ('<=', '>=', '=')", name="ck_target_op"),
        sa.CheckConstraint("milestone IS NULL OR milestone >= 1", name="ck_target_milestone"),
    )
    op.create_index("ix_target_code", "target", ["code"])
    op.create_table(
        "milestone_done",
        sa.Column("id", sa.Integer, primary_key=True),
        _unit_fk(),
        _item_fk(),
        sa.Column(
            "milestone_id",
            sa.Integer,
            sa.ForeignKey("milestone.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("done_on", sa.Date, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("unit_id", "milestone_id", name="uq_milestone_done_unit"),
        _assignment_fk("milestone_done"),
    )
    op.create_index("ix_milestone_done_unit_item", "milestone_done", ["unit_id", "item_id"])
    op.create_table(
        "actual",
        sa.Column("id", sa.Integer, primary_key=True),
        _unit_fk(),
        _item_fk(),
        sa.Column("target_id", sa.Integer, sa.ForeignKey("target.id", ondelete="CASCADE"), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("value", sa.String(40), nullable=False),
        sa.Column("measured_on", sa.Date, nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("unit_id", "target_id", "period", name="uq_actual_unit_target_period"),
        _assignment_fk("actual"),
        sa.CheckConstraint("length(period) = 7", name="ck_actual_period"),
    )
    op.create_index("ix_actual_target", "actual", ["target_id", "period"])


def downgrade() -> None:
    raise NotImplementedError("数据库结构不支持降级;请从升级前的自动备份恢复")
