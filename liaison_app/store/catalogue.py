"""The plan catalogue of the service: the in-memory index (:mod:`catalogue_index`, read with plain
SQL through the session's own connection) and what changes or asks the database again.

The catalogue never changes after loading, so it is read once (and again on a switch of plan);
lookups (a unit written loosely, an item code, a unit's role on an item) answer from memory.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison_app.store.catalogue_index import CatalogueIndex
from liaison_app.store.catalogue_index import catalog_item as catalog_item  # re-exported
from liaison_app.store.database import Database, raw_connection
from liaison_app.store.models import PlanAnomalyRow, PlanRow
from liaison_app.store.records import Anomaly


class Catalogue(CatalogueIndex):
    """One plan's catalogue, read into memory through the service's database."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    def load(self, session: Session, plan_id: str | None = None) -> None:
        """Read the chosen plan (default: the active one) into memory."""
        self.fill(raw_connection(session), plan_id)

    # -- the plan -----------------------------------------------------------------------------
    def switch_plan(self, plan_id: str) -> None:
        """Show another loaded plan (the data folder's units, cases and evidence stay as they are)."""
        with self.database.sessions() as session:
            self.load(session, plan_id)

    def set_issued_on(self, day: dt.date) -> None:
        """Correct this plan's issue date (each plan keeps its own)."""
        with self.database.transaction() as session:
            row = session.get(PlanRow, self.plan_id)
            assert row is not None
            row.issued_on = day
        self.plan.issued_on = day

    def anomalies(self) -> list[Anomaly]:
        with self.database.sessions() as session:
            rows = session.scalars(
                select(PlanAnomalyRow)
                .where(PlanAnomalyRow.plan_id == self.plan_id)
                .order_by(PlanAnomalyRow.id)
            ).all()
            return [Anomaly(r.kind, r.location, r.detail) for r in rows]
