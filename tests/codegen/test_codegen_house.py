"""The generator's house rules, checked on the source: no import circle, no borrowed privates.

In `codegen/`: no module imports another module's ``_private`` name (what emitters share lives
in `codegen/text.py`), no module imports itself back through others, every module opens with a
docstring, none is over 600 lines and no function over 60. In the generated package: no circle
either, so `slackrtm/_generated/api.py` reaches its method table without importing the package.

Every import counts: at the top, inside a function, under ``TYPE_CHECKING``. ``from . import x``
counts as an import of the package itself as well as of ``x``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .codegen_suite import GENERATED_DIR, ROOT

CODEGEN_DIR = ROOT / "codegen"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


def _modules(directory: Path, package: str) -> dict[str, Path]:
    """Every module of a flat package, by dotted name (the package itself included)."""
    found = {}
    for path in sorted(directory.glob("*.py")):
        found[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> list[tuple[str, list[str]]]:
    """``(module imported, names taken from it)`` for every import in a module, among ``known``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names = [alias.name for alias in node.names]
            found.append((target, names))
            # `from pkg import mod` imports the module as well as the package.
            found += [(f"{target}.{n}", []) for n in names if f"{target}.{n}" in known]
    return [(target, names) for target, names in found if target in known and target != name]


def _graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    known = set(modules)
    return {
        name: {target for target, _ in _imports(name, path, known)}
        for name, path in modules.items()
    }


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of the graph, as the modules along it, or None."""
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> list[str] | None:
        if name in trail:
            return [*trail[trail.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph[name]):
            circle = visit(target, [*trail, name])
            if circle is not None:
                return circle
        done.add(name)
        return None

    for start in sorted(graph):
        circle = visit(start, [])
        if circle is not None:
            return circle
    return None


def test_the_circle_finder_finds_a_circle_and_only_a_circle() -> None:
    assert _circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _circle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_a_from_dot_import_counts_as_an_import_of_the_package(tmp_path: Path) -> None:
    # The shape the generated api.py had: the package's __init__ imports api (for the type
    # checker), api imports the package back to reach a sibling.
    (tmp_path / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .api import X\n"
    )
    (tmp_path / "api.py").write_text("def f():\n    from . import methods\n")
    (tmp_path / "methods.py").write_text("")
    graph = _graph(_modules(tmp_path, "pkg"))
    assert graph["pkg.api"] == {"pkg", "pkg.methods"}
    assert _circle(graph) == ["pkg", "pkg.api", "pkg"]
    # The shape it has now: the sibling itself, not the package.
    (tmp_path / "api.py").write_text("def f():\n    from .methods import METHODS\n")
    graph = _graph(_modules(tmp_path, "pkg"))
    assert graph["pkg.api"] == {"pkg.methods"}
    assert _circle(graph) is None


def test_codegen_has_no_import_circle() -> None:
    assert _circle(_graph(_modules(CODEGEN_DIR, "codegen"))) is None


def test_the_generated_package_has_no_import_circle() -> None:
    assert _circle(_graph(_modules(GENERATED_DIR, "slackrtm._generated"))) is None


def test_no_codegen_module_imports_another_ones_private_names() -> None:
    modules = _modules(CODEGEN_DIR, "codegen")
    borrowed = [
        f"{name} imports {target}.{taken}"
        for name, path in modules.items()
        for target, names in _imports(name, path, set(modules))
        for taken in names
        if taken.startswith("_")
    ]
    assert borrowed == []


def test_the_emitters_share_helpers_through_text_only() -> None:
    modules = _modules(CODEGEN_DIR, "codegen")
    graph = _graph(modules)
    # The shared helpers import no emitter, so any emitter may import them.
    assert not any(target.startswith("codegen.emit") for target in graph["codegen.text"])
    for name in modules:
        if name.startswith("codegen.emit"):
            assert "codegen.text" in graph[name], name


@pytest.mark.parametrize("path", sorted(CODEGEN_DIR.glob("*.py")), ids=lambda p: p.name)
def test_each_codegen_module_is_small_and_says_what_it_owns(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    assert ast.get_docstring(tree), f"{path.name} opens with no docstring"
    assert len(text.splitlines()) <= MAX_MODULE_LINES
    long = {
        node.name: node.end_lineno - min([node.lineno, *(d.lineno for d in node.decorator_list)])
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno
    }
    assert {name: lines + 1 for name, lines in long.items() if lines + 1 > MAX_FUNCTION_LINES} == {}
