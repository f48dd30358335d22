"""Report exports: what each unit sent for which period, when, with a snapshot per item.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_export",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("exported_at", sa.DateTime, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("data_sha256", sa.String(64), nullable=False),
        sa.Column("snapshot", sa.Text, nullable=False),  # JSON: {item id: [status, note]}
        sa.Column("incomplete", sa.Text, nullable=False, server_default="[]"),  # JSON list
    )
    op.create_index("ix_report_export_unit", "report_export", ["unit_id", "exported_at"])


def downgrade() -> None:
    op.drop_index("ix_report_export_unit", "report_export")
    op.drop_table("report_export")
