"""Schema integrity: the database, not only the code, keeps the rules.

* progress, history and evidence of a unit on an item reference that unit's assignment
  (composite foreign key to the assignment's primary key (item_id, unit_id));
* attachments get one real foreign key per owner kind (case_id, deliverable_id; exactly one set)
  instead of owner_kind/owner_id;
* a typical case's related items move from JSON text to the typical_case_item join table;
* CHECK constraints on every enumerated column (codes as of this revision, frozen here).

SQLite cannot add constraints to a table, so the changed tables are rebuilt (create new, copy,
drop old, rename: the procedure of https://www.sqlite.org/lang_altertable.html). The app runs
this inside one transaction with foreign keys off and checks them all before committing
(liaison_app.store.database.upgrade): a failure leaves the database as it was.

Rows the new rules would refuse are dealt with first:
* repaired: attachment rows whose case or deliverable no longer exists (the file could not be
  reached any more; its bytes stay in the evidence store) are dropped; repeated related items
  are kept once;
* refused, with a Chinese message naming an example: progress, history or evidence of a unit
  on an item it is not assigned, unknown status/kind/role codes, related item codes that are
  not in the plan or a related list that is not JSON. Nothing is changed then.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from liaison_app.store.database import SchemaUpgradeRefused

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STATUSES = ("not_started", "in_progress", "done", "ongoing", "blocked")
CASE_KINDS = ("positive", "negative")
DELIVERABLE_KINDS = ("measures", "research")
GROUP_ROLES = ("lead", "member")
ATTACHMENT_OWNERS = ("case", "deliverable")


def _in(column: str, codes: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(c) for c in codes)})"


def _refuse(count: int, what: str, example: str) -> None:
    raise SchemaUpgradeRefused(
        f"数据库中有 {count} 条{what}(如:{example})，不符合新版本的数据规则，无法升级。"
        "数据库没有被改动;请把数据文件夹交给技术支持处理。"
    )


def _check_rows(connection: Any) -> None:
    for table, what in (("progress", "进展记录"), ("history", "修改记录"), ("evidence", "佐证材料记录")):
        found = connection.execute(
            sa.text(
                f"SELECT u.name, i.code FROM {table} t "
                "LEFT JOIN unit u ON u.id = t.unit_id LEFT JOIN item i ON i.id = t.item_id "
                "WHERE NOT EXISTS (SELECT 1 FROM assignment a "
                "WHERE a.item_id = t.item_id AND a.unit_id = t.unit_id)"
            )
        ).all()
        if found:
            unit, code = found[0]
            _refuse(len(found), f"{what}属于并不承担该工作措施的单位", f"{unit} {code}")
    for table, column, codes, what in (
        ("progress", "status", STATUSES, "进展状态"),
        ("deliverable", "status", STATUSES, "牵头单位任务状态"),
        ("deliverable", "kind", DELIVERABLE_KINDS, "牵头单位任务类型"),
        ("typical_case", "kind", CASE_KINDS, "典型案例类型"),
        ("special_group_member", "role", GROUP_ROLES, "专项小组职责"),
        ("attachment", "owner_kind", ATTACHMENT_OWNERS, "附件归属"),
    ):
        bad = connection.execute(
            sa.text(f"SELECT {column} FROM {table} WHERE NOT ({_in(column, codes)})")
        ).all()
        if bad:
            _refuse(len(bad), f"无法识别的{what}", f"「{bad[0][0]}」")


def _related_items(connection: Any) -> list[dict[str, int]]:
    """The JSON lists of typical_case.related as join rows; refuses what cannot be placed."""
    items = {
        (plan, code): item_id
        for item_id, plan, code in connection.execute(sa.text("SELECT id, plan_id, code FROM item"))
    }
    links: list[dict[str, int]] = []
    cases = connection.execute(
        sa.text(
            "SELECT c.id, c.title, c.related, u.plan_id FROM typical_case c JOIN unit u ON u.id = c.unit_id"
        )
    ).all()
    for case_id, title, related, plan in cases:
        try:
            codes = json.loads(related or "[]")
            if not isinstance(codes, list):
                raise ValueError(related)
        except ValueError:
            _refuse(1, "典型案例的关联工作措施无法读取", f"「{title}」")
        for position, code in enumerate(dict.fromkeys(str(c) for c in codes)):
            item_id = items.get((plan, code))
            if item_id is None:
                _refuse(1, "典型案例关联了方案中没有的工作措施", f"「{title}」关联 {code}")
            links.append({"case_id": case_id, "item_id": item_id, "position": position})
    return links


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


def _replace(name: str, columns: list[str], *definition: Any, source: str | None = None) -> None:
    """Create ``name`` anew from ``definition``, copy ``columns`` over, swap the tables."""
    op.create_table(f"{name}_0005", *definition)
    listed = ", ".join(columns)
    op.execute(f"INSERT INTO {name}_0005 ({listed}) SELECT {source or listed} FROM {name}")
    op.drop_table(name)
    op.rename_table(f"{name}_0005", name)


def upgrade() -> None:
    connection = op.get_bind()
    _check_rows(connection)
    links = _related_items(connection)
    orphans = sa.text(
        "DELETE FROM attachment WHERE "
        "(owner_kind = 'case' AND owner_id NOT IN (SELECT id FROM typical_case)) OR "
        "(owner_kind = 'deliverable' AND owner_id NOT IN (SELECT id FROM deliverable))"
    )
    connection.execute(orphans)

    _replace(
        "progress",
        ["id", "unit_id", "item_id", "status", "note", "completed_on", "updated_at"],
        sa.Column("id", sa.Integer, primary_key=True),
        _unit_fk(),
        _item_fk(),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("completed_on", sa.Date, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("unit_id", "item_id"),
        _assignment_fk("progress"),
        sa.CheckConstraint(_in("status", STATUSES), name="ck_progress_status"),
    )
    _replace(
        "history",
        ["id", "unit_id", "item_id", "field", "before", "after", "changed_at", "actor"],
        sa.Column("id", sa.Integer, primary_key=True),
        _unit_fk(),
        _item_fk(),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False, server_default=""),
        _assignment_fk("history"),
    )
    op.create_index("ix_history_unit_item", "history", ["unit_id", "item_id"])
    _replace(
        "evidence",
        [
            "id",
            "unit_id",
            "item_id",
            "sha256",
            "size",
            "original_name",
            "description",
            "period",
            "added_at",
            "added_by",
        ],
        sa.Column("id", sa.Integer, primary_key=True),
        _unit_fk(),
        _item_fk(),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("original_name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False, server_default=""),
        _assignment_fk("evidence"),
    )
    op.create_index("ix_evidence_unit_item", "evidence", ["unit_id", "item_id"])
    op.create_index("ix_evidence_sha256", "evidence", ["sha256"])
    _replace(
        "special_group_member",
        ["group_id", "unit_id", "role", "position"],
        sa.Column(
            "group_id",
            sa.Integer,
            sa.ForeignKey("special_group.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.CheckConstraint(_in("role", GROUP_ROLES), name="ck_special_group_member_role"),
    )
    _replace(
        "typical_case",
        ["id", "unit_id", "period", "kind", "title", "body", "created_at", "updated_at"],
        sa.Column("id", sa.Integer, primary_key=True),
        _unit_fk(),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint(_in("kind", CASE_KINDS), name="ck_typical_case_kind"),
    )
    op.create_index("ix_typical_case_unit_period", "typical_case", ["unit_id", "period"])
    case_item = op.create_table(
        "typical_case_item",
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("typical_case.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("item.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_typical_case_item_item", "typical_case_item", ["item_id"])
    if links:
        op.bulk_insert(case_item, links)
    _replace(
        "deliverable",
        ["id", "unit_id", "kind", "status", "note", "completed_on", "updated_at"],
        sa.Column("id", sa.Integer, primary_key=True),
        _unit_fk(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("completed_on", sa.Date, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("unit_id", "kind"),
        sa.CheckConstraint(_in("kind", DELIVERABLE_KINDS), name="ck_deliverable_kind"),
        sa.CheckConstraint(_in("status", STATUSES), name="ck_deliverable_status"),
    )
    _replace(
        "attachment",
        ["id", "case_id", "deliverable_id", "sha256", "size", "original_name", "added_at", "added_by"],
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "case_id", sa.Integer, sa.ForeignKey("typical_case.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column(
            "deliverable_id",
            sa.Integer,
            sa.ForeignKey("deliverable.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("original_name", sa.Text, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False, server_default=""),
        sa.CheckConstraint("(case_id IS NULL) <> (deliverable_id IS NULL)", name="ck_attachment_one_owner"),
        source=(
            "id, CASE owner_kind WHEN 'case' THEN owner_id END, "
            "CASE owner_kind WHEN 'deliverable' THEN owner_id END, "
            "sha256, size, original_name, added_at, added_by"
        ),
    )
    op.create_index("ix_attachment_case", "attachment", ["case_id"])
    op.create_index("ix_attachment_deliverable", "attachment", ["deliverable_id"])
    op.create_index("ix_attachment_sha256", "attachment", ["sha256"])


def downgrade() -> None:
    raise NotImplementedError("数据库结构不支持降级;请从升级前的自动备份恢复")
