"""The engine's shape holds: no import cycle anywhere in engine/, no import between engine
modules hidden inside a function, and the import-linter contracts of pyproject.toml (wings one
way, faces only from api/ and bench/, no flask in the engine) pass."""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

pytestmark = pytest.mark.no_database

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_cycle_anywhere_in_the_engine() -> None:
    graph = grimp.build_graph("engine")
    cycles = []
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            # a package's __init__ naming its own modules is how a face is made, not a cycle
            if back and not importer.startswith(imported + ".") and not imported.startswith(importer + "."):
                cycles.append(" → ".join((importer, *back)))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def _imports_engine(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").startswith("engine")
    return isinstance(node, ast.Import) and any(a.name.startswith("engine") for a in node.names)


def _nested_engine_imports(path: Path) -> list[str]:
    functions = [f for f in ast.walk(ast.parse(path.read_text("utf-8")))
                 if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)]
    return [f"{path.relative_to(ROOT)}:{node.lineno}"
            for function in functions for node in ast.walk(function) if _imports_engine(node)]


def test_no_engine_module_imports_another_inside_a_function() -> None:
    """Optional third-party drivers (psycopg, boto3) may be imported where used; engine
    modules never: a lazy import between them hides a cycle or a misplaced piece."""
    found = [hit for path in sorted(ENGINE.rglob("*.py")) for hit in _nested_engine_imports(path)]
    assert not found, found


def test_every_engine_module_says_what_it_holds() -> None:
    missing = [_module(p) for p in sorted(ENGINE.rglob("*.py")) if not ast.get_docstring(ast.parse(p.read_text()))]
    assert not missing, f"modules without a docstring: {missing}"


def test_the_import_linter_contracts_hold() -> None:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = subprocess.run([tool, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("wing", ["regulations", "language", "cases", "revisions"])
def test_a_face_names_no_module_of_its_wing(wing: str) -> None:
    """A face name equal to a module's (`deploy` the function over `deploy` the module) would
    hide the module from `engine.<wing>.<module>` and from anyone importing it by name."""
    face = importlib.import_module(f"engine.{wing}")
    modules = {p.stem for p in (ENGINE / wing).iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert not set(face.__all__) & modules
    assert all(hasattr(face, name) for name in face.__all__)
