"""Several plans, units as organisations, revisions.

* ``plan`` gains ``revision`` (1 for a first publication), ``active`` (the plan the app shows
  when none is named) and ``content_sha256`` (what makes "the same package twice" recognisable).
  The first loaded plan becomes the active one. The one global issue-date correction (setting
  ``plan.issued_on``) becomes that plan's own ``issued_on``; the setting row is left as it was.
* ``unit`` is an organisation, no longer a row of one plan: ``plan_id`` and ``position`` leave
  it, names are unique; ``unit_alias`` is likewise one table across plans (aliases unique).
  ``plan_unit`` says which units a plan names, in the plan's order.
* ``item.archived_revision`` / ``assignment.archived_revision``: the revision that dropped the
  item, or took it from the unit. Such rows are kept (with the progress, history and evidence
  hanging from them) and shown read-only; nothing is deleted.
* ``item.stable_id``: the published package's id of the item, which survives renumbering.
* ``item_lineage``: what an item was called before a revision (``原 11.2``) and how it was
  matched (same, renumbered, reworded, similar, mapped by hand, dropped).

Rebuilt like 0005 (create, copy, drop, rename) in the app's single migration transaction. A
database whose plans name the same unit twice (impossible before this revision: only one plan
could ever be loaded) is refused with a Chinese sentence; nothing changes then.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from liaison_app.store.database import SchemaUpgradeRefused

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _refuse_duplicates(connection: sa.Connection) -> None:
    for table, column in (("unit", "name"), ("unit_alias", "alias")):
        twice = connection.execute(
            sa.text(f"SELECT {column} FROM {table} GROUP BY {column} HAVING COUNT(*) > 1")
        ).first()
        if twice:
            raise SchemaUpgradeRefused(
                f"数据库中有两个工作方案各自登记了单位「{twice[0]}」，无法合并为同一单位，无法升级。"
                "数据库没有被改动;请把数据文件夹交给技术支持处理。"
            )


def upgrade() -> None:
    connection = op.get_bind()
    _refuse_duplicates(connection)

    op.add_column("plan", sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
    op.add_column("plan", sa.Column("active", sa.Boolean, nullable=False, server_default="0"))
    op.add_column("plan", sa.Column("content_sha256", sa.String(64), nullable=False, server_default=""))
    op.execute("UPDATE plan SET active = 1 WHERE id = (SELECT id FROM plan ORDER BY loaded_at, id LIMIT 1)")
    corrected = connection.execute(sa.text("SELECT value FROM setting WHERE key = 'plan.issued_on'")).first()
    if corrected and corrected[0]:
        connection.execute(
            sa.text("UPDATE plan SET issued_on = :day WHERE active = 1"), {"day": corrected[0]}
        )

    op.create_table(
        "plan_unit",
        sa.Column("plan_id", sa.String(64), sa.ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.execute("INSERT INTO plan_unit (plan_id, unit_id, position) SELECT plan_id, id, position FROM unit")

    op.create_table(
        "unit_0007",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.UniqueConstraint("name"),
    )
    op.execute("INSERT INTO unit_0007 (id, name, category) SELECT id, name, category FROM unit")
    op.drop_table("unit")
    op.rename_table("unit_0007", "unit")

    op.create_table(
        "unit_alias_0007",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alias", sa.Text, nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False),
        sa.UniqueConstraint("alias"),
    )
    op.execute("INSERT INTO unit_alias_0007 (id, alias, unit_id) SELECT id, alias, unit_id FROM unit_alias")
    op.drop_table("unit_alias")
    op.rename_table("unit_alias_0007", "unit_alias")

    op.add_column("item", sa.Column("archived_revision", sa.Integer, nullable=True))
    op.add_column("item", sa.Column("stable_id", sa.String(32), nullable=True))
    op.add_column("assignment", sa.Column("archived_revision", sa.Integer, nullable=True))

    op.create_table(
        "item_lineage",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.String(64), sa.ForeignKey("plan.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("item.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("old_code", sa.String(16), nullable=False),
        sa.Column("old_text", sa.Text, nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_index("ix_item_lineage_item", "item_lineage", ["item_id"])


def downgrade() -> None:
    raise NotImplementedError("数据库结构不支持降级;请从升级前的自动备份恢复")
