"""#17 item 3: every setting the code uses is declared once, with a type, a default and a scope;
per-machine state never reaches the shared database."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from liaison_app import paths, settings
from liaison_app.clock import FixedClock
from liaison_app.settings import REGISTRY, Scope
from liaison_app.store.service import LiaisonService
from liaison_app.ui.main_window import MainWindow
from tests.helpers import first_start

REPO = Path(__file__).resolve().parent.parent
SOURCES = [
    p for folder in ("liaison_app", "scripts", "benchmarks", "tests") for p in (REPO / folder).rglob("*.py")
]
NAMESPACES = {name.split(".")[0] for name in REGISTRY} | {"profile"}
KEY_LIKE = re.compile(rf"^({'|'.join(sorted(NAMESPACES))})\.[a-z_]+$")
LEGACY = {settings.LEGACY_PROFILE_NAME, settings.LEGACY_PROFILE_PHONE}


API_CALLS = {"setting", "set_settings", "get", "get_text", "put", "storage_key"}


def setting_names_used(path: Path) -> list[tuple[int, str]]:
    """String keys handed to the settings API: ``setting("x")``, ``set_settings({"x": …})``,
    ``SettingRow(key="x")``, and any string that looks like a key in a settings namespace."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        candidates: list[ast.expr] = []
        if name in API_CALLS:
            for arg in node.args:
                candidates.extend(arg.keys if isinstance(arg, ast.Dict) else [arg])  # type: ignore[arg-type]
        if name == "SettingRow":
            candidates.extend(k.value for k in node.keywords if k.arg == "key")
        found.extend(
            (c.lineno, c.value)
            for c in candidates
            if isinstance(c, ast.Constant) and isinstance(c.value, str)
        )
    return found


def test_every_key_spelled_in_the_code_is_declared() -> None:
    undeclared = [
        f"{path.relative_to(REPO)}:{line}: {value}"
        for path in SOURCES
        for line, value in setting_names_used(path)
        if (KEY_LIKE.match(value) or "." in value)
        and value not in REGISTRY
        and path.name != "test_settings_registry.py"  # it spells wrong keys on purpose
    ]
    assert undeclared == []


def test_no_module_keeps_its_own_setting_constants() -> None:
    loose = [
        f"{path.relative_to(REPO)}: {match.group(0)}"
        for path in SOURCES
        if path.name != "settings.py"
        for match in re.finditer(r"^SETTING_\w+ = .*$", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert loose == []


def test_every_declared_key_is_used_and_documented() -> None:
    constants = {name: value for name, value in vars(settings).items() if isinstance(value, settings.Setting)}
    assert set(constants.values()) == set(REGISTRY.values())
    code = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES if p.name != "settings.py")
    unused = [name for name in constants if not re.search(rf"\b{name}\b", code)]
    assert unused == []
    for setting in REGISTRY.values():
        assert setting.doc and isinstance(setting.default, setting.type)


def test_scopes_are_kept_apart(service: LiaisonService) -> None:
    with pytest.raises(ValueError, match="per machine"):
        service.put({settings.GEOMETRY: "x"})
    with pytest.raises(ValueError, match="per unit"):
        settings.storage_key(settings.LIAISON_NAME)
    with pytest.raises(KeyError):
        service.set_settings({"ui.undeclared": "x"})
    service.put({settings.SPLIT_MB: 5})
    assert service.get(settings.SPLIT_MB) == 5


def test_window_state_goes_to_qsettings_not_the_shared_database(
    qtbot: QtBot, data_dir: Path, clock: FixedClock
) -> None:
    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    service = LiaisonService.open(data_dir, clock=clock)
    window = MainWindow(service)
    qtbot.addWidget(window)
    window.show()
    window.resize(700, 500)
    window.close()
    service.close()
    db = sqlite3.connect(paths.database_path(data_dir))
    keys = {key for (key,) in db.execute("SELECT key FROM setting")}
    db.close()
    machine = {s.name for s in REGISTRY.values() if s.scope is Scope.MACHINE}
    assert not keys & machine
    ini = paths.machine_settings_file()
    assert ini is not None and "ui.geometry" in ini.read_text(encoding="utf-8")

    service = LiaisonService.open(data_dir, clock=clock)  # the next start gets the size back
    again = MainWindow(service)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 500)
    again.close()
    service.close()
