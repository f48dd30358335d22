"""The plan's other duties: special groups, monthly typical cases, lead units' deliverables.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "special_group",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.String(64), sa.ForeignKey("plan.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("duties", sa.Text, nullable=False),
        sa.Column("all_members", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("plan_id", "number"),
    )
    op.create_table(
        "special_group_member",
        sa.Column("group_id", sa.Integer, sa.ForeignKey("special_group.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(8), nullable=False),  # lead | member
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "typical_case",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),  # positive | negative
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("related", sa.Text, nullable=False, server_default="[]"),  # JSON list of item ids
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_typical_case_unit_period", "typical_case", ["unit_id", "period"])
    op.create_table(
        "deliverable",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),  # measures | research
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("completed_on", sa.Date, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("unit_id", "kind"),
    )
    # Files of a case or a deliverable; the bytes are in the evidence store like item evidence.
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_kind", sa.String(16), nullable=False),  # case | deliverable
        sa.Column("owner_id", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("original_name", sa.Text, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("added_by", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_attachment_owner", "attachment", ["owner_kind", "owner_id"])
    op.create_index("ix_attachment_sha256", "attachment", ["sha256"])
    op.create_table(
        "duty_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),  # "case:12", "deliverable:measures"
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_duty_history_unit", "duty_history", ["unit_id", "subject"])


def downgrade() -> None:
    for table in ("duty_history", "attachment", "deliverable", "typical_case",
                  "special_group_member", "special_group"):
        op.drop_table(table)
