"""The stored values of declared settings (see :mod:`liaison_app.settings`) and of each unit's
liaison profile, in the shared database's ``setting`` table."""

from __future__ import annotations

from liaison_app.settings import (
    LAST_UNIT,
    LEGACY_PROFILE_NAME,
    LEGACY_PROFILE_PHONE,
    LIAISON_EMAIL,
    LIAISON_NAME,
    LIAISON_PHONE,
    REGISTRY,
    Scope,
    Setting,
    keys_to_read,
    storage_key,
    stored_value,
)
from liaison_app.store.catalogue import Catalogue
from liaison_app.store.context import first_writer_wins
from liaison_app.store.database import Database, raw_connection
from liaison_app.store.models import SettingRow
from liaison_app.store.read_view import read_settings
from liaison_app.store.records import LiaisonProfile, check_text

_PROFILE = (LIAISON_NAME, LIAISON_PHONE, LIAISON_EMAIL)


class SettingsStore:
    """Declared settings in their scope (shared, per unit, per user) and liaison profiles."""

    def __init__(self, database: Database, catalogue: Catalogue, login: str) -> None:
        self._database = database
        self._catalogue = catalogue
        self.login = login  # whose per-user settings these are

    def _read_many(self, keys: list[str]) -> dict[str, str]:
        """Several settings in one query (the window reads a unit's liaison on every switch)."""
        with self._database.sessions() as session:
            return read_settings(raw_connection(session), keys)

    def _write(self, values: dict[str, str], drop: tuple[str, ...] = ()) -> None:
        def apply() -> None:
            with self._database.transaction() as session:
                for key in drop:
                    row = session.get(SettingRow, key)
                    if row is not None:
                        session.delete(row)
                for key, value in values.items():
                    row = session.get(SettingRow, key)
                    if row is None:
                        session.add(SettingRow(key=key, value=value))
                    else:
                        row.value = value

        first_writer_wins(apply)

    def _key(self, setting: Setting, unit: str = "") -> str:
        if setting.scope is Scope.UNIT:
            unit = self._catalogue.resolve_unit(unit)
        return storage_key(setting, unit=unit, user=self.login)

    def get(self, setting: Setting, unit: str = "") -> str | int:
        """A declared setting's value in its scope (``unit`` for per-unit settings)."""
        key = self._key(setting, unit)
        return stored_value(setting, key, self._read_many(keys_to_read(setting, key)))

    def get_text(self, setting: Setting, unit: str = "") -> str:
        return str(self.get(setting, unit))

    def put(self, values: dict[Setting, str | int], unit: str = "") -> None:
        """Write declared settings in one transaction (each in its own scope)."""
        self._write({self._key(setting, unit): str(value) for setting, value in values.items()})

    def setting(self, key: str, default: str = "") -> str:
        """A shared or per-user setting by name; undeclared names are a programming error."""
        stored = self.get(REGISTRY[key])
        return str(stored) if stored != "" else default

    def set_settings(self, values: dict[str, str]) -> None:
        self.put({REGISTRY[key]: value for key, value in values.items()})

    # -- the unit's liaison (per unit, or per plan when it differs) ----------------------------
    def liaison(self, unit: str) -> LiaisonProfile:
        """Who reports for ``unit``: this plan's liaison if one was set, else the unit's."""
        unit = self._catalogue.resolve_unit(unit)
        plan_id = self._catalogue.plan_id
        keys = {plan: [storage_key(f, unit=unit, plan=plan) for f in _PROFILE] for plan in (plan_id, "")}
        legacy = [LAST_UNIT.name, LEGACY_PROFILE_NAME, LEGACY_PROFILE_PHONE]
        found = self._read_many([*keys[plan_id], *keys[""], *legacy])
        for plan in (plan_id, ""):
            if any(key in found for key in keys[plan]):
                name, phone, email = (found.get(key, "") for key in keys[plan])
                return LiaisonProfile(name, phone, email, plan_only=bool(plan))
        if found.get(LAST_UNIT.name) == unit:  # one profile for the whole folder, earlier
            return LiaisonProfile(found.get(LEGACY_PROFILE_NAME, ""), found.get(LEGACY_PROFILE_PHONE, ""), "")
        return LiaisonProfile()

    def set_liaison(self, unit: str, profile: LiaisonProfile) -> None:
        """Store the unit's liaison; ``profile.plan_only`` keeps it for the current plan only."""
        unit = self._catalogue.resolve_unit(unit)
        check_text(profile.name, "联络员姓名", 40)
        plan_id = self._catalogue.plan_id
        plan = plan_id if profile.plan_only else ""
        values = dict(
            zip(
                (storage_key(f, unit=unit, plan=plan) for f in _PROFILE),
                (profile.name, profile.phone, profile.email),
                strict=True,
            )
        )
        # the unit's liaison, set for the unit, holds for this plan too from now on
        drop = () if profile.plan_only else tuple(storage_key(f, unit=unit, plan=plan_id) for f in _PROFILE)
        self._write(values, drop)
