"""The office's own ledger: every return it received (judged, with its rows) and the due dates.

``office_return`` is one received file: its plan, unit, period, export time, the SHA-256 of the
file (the bytes kept in the evidence store under that name), the verdict and when it arrived.
``office_return_row`` keeps each item's status, note and light so later months compute without
the files. ``office_due`` holds a one-off due date of a period (the default due day is a
setting). Verdict, status and light codes are frozen here as of this revision.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

VERDICTS = ("accepted", "superseded", "modified", "modified_accepted", "rejected", "duplicate", "bad_signature")
STATUSES = ("not_started", "in_progress", "done", "ongoing", "blocked")
LIGHTS = ("overdue", "due_soon", "on_track", "done_late")


def _in(column: str, codes: tuple[str, ...], name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({', '.join(repr(c) for c in codes)})", name=name)


def upgrade() -> None:
    op.create_table(
        "office_return",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.String(64), sa.ForeignKey("plan.id", ondelete="CASCADE"), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("unit.id", ondelete="CASCADE"), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("as_of", sa.Date, nullable=True),
        sa.Column("exported_at", sa.DateTime, nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("original_name", sa.Text, nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("liaison", sa.Text, nullable=False, server_default=""),
        sa.Column("phone", sa.Text, nullable=False, server_default=""),
        _in("verdict", VERDICTS, "ck_office_return_verdict"),
        sa.UniqueConstraint("plan_id", "sha256", name="uq_office_return_file"),
    )
    op.create_index("ix_office_return_period", "office_return", ["plan_id", "period", "unit_id"])
    op.create_table(
        "office_return_row",
        sa.Column(
            "return_id", sa.Integer, sa.ForeignKey("office_return.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("item.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("light", sa.String(16), nullable=True),
        _in("status", STATUSES, "ck_office_return_row_status"),
        _in("light", LIGHTS, "ck_office_return_row_light"),
        _in("role", ("lead", "coop"), "ck_office_return_row_role"),
    )
    op.create_table(
        "office_due",
        sa.Column("plan_id", sa.String(64), sa.ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("due_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("office_due")
    op.drop_table("office_return_row")
    op.drop_index("ix_office_return_period", "office_return")
    op.drop_table("office_return")
