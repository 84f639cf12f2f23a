"""The layout keeps its promises: every package says what it exports, every exported name
exists, the layers below ``agent`` (tools, memory, db, prompts) import neither it nor the tests,
and no module grows past 400 lines (migrations aside)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMPORTED_ROOTS = ("agent", "tools", "memory", "db", "evals")
BELOW_AGENT = ("tools", "memory", "db", "prompts")
MIGRATIONS = ROOT / "db" / "migrations"
MAX_LINES = 400


def _sources(*roots: str, migrations: bool = False) -> list[Path]:
    files = (path for root in roots for path in sorted((ROOT / root).rglob("*.py")))
    return [path for path in files if migrations or not path.is_relative_to(MIGRATIONS)]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.fixture(scope="module")
def modules() -> dict[str, ModuleType]:
    return {
        _module_name(path): importlib.import_module(_module_name(path))
        for path in _sources(*IMPORTED_ROOTS)
    }


def test_every_package_has_an_init_with_all(modules: dict[str, ModuleType]) -> None:
    packages = {path.parent for path in _sources(*IMPORTED_ROOTS, "prompts")}
    without_init = sorted(
        str(p.relative_to(ROOT)) for p in packages if not (p / "__init__.py").exists()
    )
    assert not without_init, f"packages without __init__.py: {without_init}"
    without_all = sorted(
        name
        for name, module in modules.items()
        if hasattr(module, "__path__") and not hasattr(module, "__all__")
    )
    assert not without_all, f"package __init__ without __all__: {without_all}"


def test_every_name_in_all_exists(modules: dict[str, ModuleType]) -> None:
    missing = [
        f"{name}.{export}"
        for name, module in modules.items()
        for export in getattr(module, "__all__", ())
        if not hasattr(module, export)
    ]
    assert not missing, f"names in __all__ that the module does not define: {missing}"


def _imports_from_above(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name.split(".")[0] in ("agent", "tests") for name in names):
            lines.append(node.lineno)
    return lines


def test_the_layers_below_agent_import_neither_it_nor_the_tests() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources(*BELOW_AGENT, migrations=True)
        for line in _imports_from_above(
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        )
    ]
    assert not offenders, f"imports of agent or tests below agent: {offenders}"


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _sources(*IMPORTED_ROOTS)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them along a seam): {long}"
