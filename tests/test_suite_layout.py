"""The test suite's own rule: test modules never import each other (shared helpers and fixtures
live in tests/helpers.py, tests/plan_tables.py and tests/conftest.py), so running one module, or
changing one, never depends on another's internals."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_test_modules(source: str) -> list[str]:
    """Test modules (``tests.test_x`` or ``.test_x``) that ``source`` imports, at any depth."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("tests.test_")]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if module.startswith(("tests.test_", ".test_")):
                found.append(module)
            elif module in ("tests", "."):
                found += [f"{module}.{a.name}" for a in node.names if a.name.startswith("test_")]
    return found


def test_the_check_sees_every_form_of_import() -> None:
    source = (
        "import tests.test_a\n"
        "from tests.test_b import x\n"
        "from .test_c import y\n"
        "from tests import test_d\n"
        "def f():\n    from tests.test_e import z\n"
        "from tests.helpers import make_file\n"
    )
    assert imported_test_modules(source) == [
        "tests.test_a",
        "tests.test_b",
        ".test_c",
        "tests.test_d",
        "tests.test_e",
    ]


def test_no_test_module_imports_another() -> None:
    offenders = {
        path.name: imported
        for path in sorted(TESTS.glob("test_*.py"))
        if (imported := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "move what they share into tests/helpers.py or tests/conftest.py"
