"""Alembic environment. The app runs migrations itself (liaison_app/store/database.py) and passes
its open connection in ``config.attributes["connection"]``; nothing here reads alembic.ini."""

from __future__ import annotations

from alembic import context

from liaison_app.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("迁移须由程序本身执行(liaison_app.store.database.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
