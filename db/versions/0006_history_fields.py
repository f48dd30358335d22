"""CHECK constraints on the two change logs' ``field`` columns, the last enumerated columns
without one (codes as of this revision, frozen here; see ItemField and DutyField in
liaison_app/vocabulary.py).

Rebuilt like 0005 (create, copy, drop, rename) in the app's single migration transaction. A line
with a field this version does not know is refused with a Chinese sentence; nothing changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from liaison_app.store.database import SchemaUpgradeRefused

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ITEM_FIELDS = ("status", "note", "completed_on", "evidence", "evidence_description")
DUTY_FIELDS = (
    "case",
    "case_period",
    "case_kind",
    "case_title",
    "case_body",
    "case_related",
    "status",
    "note",
    "completed_on",
    "attachment",
)
COLUMNS = ["id", "unit_id", "field", "before", "after", "changed_at", "actor"]


def _in(column: str, codes: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(c) for c in codes)})"


def _common() -> list[sa.Column[object]]:
    return [
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False, server_default=""),
    ]


def upgrade() -> None:
    connection = op.get_bind()
    for table, codes in (("history", ITEM_FIELDS), ("duty_history", DUTY_FIELDS)):
        bad = connection.execute(sa.text(f"SELECT field FROM {table} WHERE NOT ({_in('field', codes)})")).all()
        if bad:
            raise SchemaUpgradeRefused(
                f"数据库中有 {len(bad)} 条修改记录的内容类型无法识别(如:「{bad[0][0]}」)，"
                "不符合新版本的数据规则，无法升级。数据库没有被改动;请把数据文件夹交给技术支持处理。"
            )

    op.create_table(
        "history_0006",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("item.id", ondelete="CASCADE"), nullable=False),
        *_common(),
        sa.ForeignKeyConstraint(
            ["item_id", "unit_id"],
            ["assignment.item_id", "assignment.unit_id"],
            ondelete="CASCADE",
            name="fk_history_assignment",
        ),
        sa.CheckConstraint(_in("field", ITEM_FIELDS), name="ck_history_field"),
    )
    listed = ", ".join([*COLUMNS, "item_id"])
    op.execute(f"INSERT INTO history_0006 ({listed}) SELECT {listed} FROM history")
    op.drop_table("history")
    op.rename_table("history_0006", "history")
    op.create_index("ix_history_unit_item", "history", ["unit_id", "item_id"])

    op.create_table(
        "duty_history_0006",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        *_common(),
        sa.CheckConstraint(_in("field", DUTY_FIELDS), name="ck_duty_history_field"),
    )
    listed = ", ".join([*COLUMNS, "subject"])
    op.execute(f"INSERT INTO duty_history_0006 ({listed}) SELECT {listed} FROM duty_history")
    op.drop_table("duty_history")
    op.rename_table("duty_history_0006", "duty_history")
    op.create_index("ix_duty_history_unit", "duty_history", ["unit_id", "subject"])


def downgrade() -> None:
    raise NotImplementedError("数据库结构不支持降级;请从升级前的自动备份恢复")
