"""Every setting the program keeps, declared once: name, type, default and scope.

Scopes say who shares a value, and so where it lives:

* ``SHARED``  one value for the whole database (everyone who opens it): the office's address.
* ``UNIT``    one value per unit, optionally narrowed to one plan: the unit's liaison.
* ``USER``    one value per person (login name) using the database: the unit they work for.
* ``MACHINE`` this computer only, in QSettings, never in the database: window geometry, the
  splitter, the folders last used. A shared database or a second PC must not overwrite them.

The first three are stored in the database's ``setting`` table under :func:`storage_key`; the
last by :mod:`liaison_app.ui.machine_settings`. Code never spells a key as a bare string: it uses
the constants below, and ``tests/test_settings_registry.py`` greps the code to keep it so.
No Qt here: the services read and write the database scopes.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    SHARED = "shared"
    UNIT = "unit"
    USER = "user"
    MACHINE = "machine"


@dataclass(frozen=True)
class Setting:
    name: str
    scope: Scope
    type: type[str] | type[int]
    default: str | int
    doc: str

    def parse(self, stored: str | None) -> str | int:
        """The stored text as this setting's type; the default when absent or unreadable."""
        if stored is None or stored == "":
            return self.default
        if self.type is int:
            try:
                return int(stored)
            except ValueError:
                return self.default
        return stored


REGISTRY: dict[str, Setting] = {}


def _declare(name: str, scope: Scope, kind: type[str] | type[int], default: str | int, doc: str) -> Setting:
    if name in REGISTRY:
        raise ValueError(f"setting {name!r} declared twice")
    setting = Setting(name, scope, kind, default, doc)
    REGISTRY[name] = setting
    return setting


# -- shared: the same for everyone who opens this database ------------------------------------
OFFICE_EMAIL = _declare("office.email", Scope.SHARED, str, "", "领导小组办公室收报表的邮箱")

# -- per unit (and per plan if it differs): who reports for the unit --------------------------
LIAISON_NAME = _declare("liaison.name", Scope.UNIT, str, "", "本单位联络员姓名(写入报表封面)")
LIAISON_PHONE = _declare("liaison.phone", Scope.UNIT, str, "", "本单位联络员电话")
LIAISON_EMAIL = _declare("liaison.email", Scope.UNIT, str, "", "本单位联络员邮箱")

# -- per user: this person's choices ----------------------------------------------------------
LAST_UNIT = _declare("ui.last_unit", Scope.USER, str, "", "上次选择的本单位")
SPLIT_MB = _declare("ui.split_mb", Scope.USER, int, 20, "佐证材料包分卷大小(MB)")
OFFICE_PERIOD = _declare("office.period", Scope.USER, str, "", "办公室汇总上次选择的报送期(YYYY-MM)")

# -- per machine: window state and folders on this computer (QSettings) ------------------------
GEOMETRY = _declare("ui.geometry", Scope.MACHINE, str, "", "主窗口位置和大小")
SPLITTER = _declare("ui.splitter", Scope.MACHINE, str, "", "主窗口左右分栏")
SIDE_MINIMUM = _declare("ui.side_minimum", Scope.MACHINE, str, "", "主窗口右侧分页的最小尺寸(宽x高)")
OFFICE_GEOMETRY = _declare("office.geometry", Scope.MACHINE, str, "", "汇总窗口位置和大小")
EXPORT_DIR = _declare("ui.export_dir", Scope.MACHINE, str, "", "上次导出报表的文件夹")
BUNDLE_DIR = _declare("ui.bundle_dir", Scope.MACHINE, str, "", "上次导出佐证材料包的文件夹")
EVIDENCE_DIR = _declare("ui.evidence_dir", Scope.MACHINE, str, "", "上次选取佐证材料的文件夹")
BACKUP_DIR = _declare("ui.backup_dir", Scope.MACHINE, str, "", "上次备份到的文件夹")
OFFICE_DIR = _declare("office.last_dir", Scope.MACHINE, str, "", "办公室上次收取报表的文件夹")

# Written by earlier versions, read once as a fallback (never written again).
LEGACY_PROFILE_NAME = "profile.name"
LEGACY_PROFILE_PHONE = "profile.phone"


def storage_key(setting: Setting, *, unit: str = "", user: str = "", plan: str = "") -> str:
    """The database key of one value of ``setting``; scope qualifiers are required, not guessed."""
    if setting.scope is Scope.SHARED:
        return setting.name
    if setting.scope is Scope.UNIT:
        if not unit:
            raise ValueError(f"{setting.name} is kept per unit: name the unit")
        return f"plan/{plan}/unit/{unit}/{setting.name}" if plan else f"unit/{unit}/{setting.name}"
    if setting.scope is Scope.USER:
        return f"user/{user}/{setting.name}"
    raise ValueError(f"{setting.name} is kept per machine (QSettings), never in the database")


def login_name() -> str:
    """Who uses the database here, for the ``USER`` scope ("" when the system cannot tell)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def keys_to_read(setting: Setting, key: str) -> list[str]:
    """The database keys whose rows answer ``setting`` stored under ``key``."""
    if setting is LAST_UNIT:  # earlier versions kept one for everyone
        return [key, LAST_UNIT.name]
    return [key]


def stored_value(setting: Setting, key: str, found: Mapping[str, str]) -> str | int:
    """``setting``'s value from the rows read for :func:`keys_to_read` (its default if absent)."""
    if setting is LAST_UNIT:
        return setting.parse(found.get(key, found.get(LAST_UNIT.name)))
    return setting.parse(found.get(key))
