"""The emulator's house rules, checked on its source.

No import circle, small modules and functions, an opening docstring in each module, and a
workspace class named apart from the SDK's.

Imports count wherever they are written: at the top, inside a function, or under
``TYPE_CHECKING`` (a circle that only the type checker walks is still a circle for a reader).
``from pkg import sub`` counts as an import of ``pkg`` itself: its ``__init__`` runs first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import slackrtm
import slackrtm.emulator

PACKAGE = "slackrtm.emulator"
HOME = Path(slackrtm.emulator.__file__).parent
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


def _name(path: Path) -> str:
    return PACKAGE if path.name == "__init__.py" else f"{PACKAGE}.{path.stem}"


MODULES = {_name(path): path for path in sorted(HOME.glob("*.py"))}


def _imports(name: str) -> set[str]:
    """The emulator modules `name` imports, anywhere in its source."""
    path = MODULES[name]
    package = PACKAGE.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


def _circle_from(start: str) -> list[str] | None:
    """A chain of imports from `start` back to itself, or None."""
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, chain = stack.pop()
        for imported in sorted(_imports(name)):
            if imported == start:
                return [*chain, start]
            if imported not in seen:
                seen.add(imported)
                stack.append((imported, [*chain, imported]))
    return None


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_circle(name: str) -> None:
    assert _circle_from(name) is None, " -> ".join(_circle_from(name) or [])


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n != PACKAGE))
def test_no_submodule_imports_the_package(name: str) -> None:
    assert PACKAGE not in _imports(name)


def test_the_checker_sees_a_circle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The rule's own test: a function-level import and a TYPE_CHECKING one make a circle.
    (tmp_path / "a.py").write_text("def f():\n    from .b import x\n", encoding="utf-8")
    (tmp_path / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n",
        encoding="utf-8",
    )
    fake = {f"{PACKAGE}.a": tmp_path / "a.py", f"{PACKAGE}.b": tmp_path / "b.py"}
    monkeypatch.setattr(f"{__name__}.MODULES", fake)
    assert _circle_from(f"{PACKAGE}.a") == [f"{PACKAGE}.a", f"{PACKAGE}.b", f"{PACKAGE}.a"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_and_functions_are_small(name: str) -> None:
    source = MODULES[name].read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{name}.{node.name}: {length} lines"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_module_says_what_it_owns(name: str) -> None:
    docstring = ast.get_docstring(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    assert docstring, f"{name} opens with no docstring"


def test_the_emulators_workspace_has_a_name_of_its_own() -> None:
    # The SDK's `slackrtm.Workspace` (from `client.workspace()`) and the emulator's seeded data
    # are different things; the emulator's is `EmulatedWorkspace`, with no alias.
    assert slackrtm.emulator.EmulatedWorkspace.__name__ == "EmulatedWorkspace"
    assert "EmulatedWorkspace" in slackrtm.emulator.__all__
    assert "Workspace" not in slackrtm.emulator.__all__
    assert not hasattr(slackrtm.emulator, "Workspace")
