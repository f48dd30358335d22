"""The office pins each unit's signing key: ``unit_key`` holds the keys it trusts per unit,
pinned from the unit's first accepted signed return or registered by the office (a new PC);
a revoked key keeps its row with ``revoked_at``. ``office_return`` gains the liaison's e-mail
(from the return's cover, for 催办) and the fingerprint of the key the return was signed with.
``office_return_milestone`` keeps the milestones a return marks done (for overdue milestones and
序时进度 across months), ``office_return_case`` the typical cases it carries (for the 通报).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SOURCES = ("first_return", "registered")
CASE_KINDS = ("positive", "negative")


def upgrade() -> None:
    op.create_table(
        "unit_key",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("public_key", sa.Text, nullable=False, server_default=""),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
        sa.CheckConstraint(
            f"source IN ({', '.join(repr(s) for s in SOURCES)})", name="ck_unit_key_source"
        ),
        sa.UniqueConstraint("unit_id", "fingerprint", name="uq_unit_key"),
    )
    op.create_table(
        "office_return_milestone",
        sa.Column(
            "return_id", sa.Integer, sa.ForeignKey("office_return.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("item.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("done_on", sa.Date, nullable=False),
        sa.CheckConstraint("number >= 1", name="ck_office_return_milestone_number"),
    )
    op.create_table(
        "office_return_case",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "return_id", sa.Integer, sa.ForeignKey("office_return.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("related", sa.Text, nullable=False, server_default=""),
        sa.CheckConstraint(
            f"kind IN ({', '.join(repr(k) for k in CASE_KINDS)})", name="ck_office_return_case_kind"
        ),
    )
    op.add_column("office_return", sa.Column("email", sa.Text, nullable=False, server_default=""))
    op.add_column("office_return", sa.Column("fingerprint", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("office_return") as batch:
        batch.drop_column("fingerprint")
        batch.drop_column("email")
    op.drop_table("office_return_case")
    op.drop_table("office_return_milestone")
    op.drop_table("unit_key")
