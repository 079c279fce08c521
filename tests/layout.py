"""Reading the project's imports from its source, for the tests that hold the house's shape.

Every import statement counts, wherever it stands: at the top, inside a function (a lazy
import) and under ``TYPE_CHECKING`` (for the type checker only), since each ties two modules
for a reader. ``from pkg import name`` is an import of the module ``pkg.name`` when there is
one, and of ``pkg`` otherwise. `tests/test_layout.py` holds the rules for every module; the
tests of each package hold that package's own (`tests/web/test_layout.py`, ...).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).parents[1]
PACKAGES = ("slackrtm", "codegen")


class Import(NamedTuple):
    """One name a module imports: the absolute module, where, and whether inside a function."""

    target: str
    line: int
    in_function: bool


def module_name(path: Path, root: Path = ROOT) -> str:
    """The dotted name of a source file under ``root``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def find_modules(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Every module of the given packages, by dotted name, in a fixed order."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            found[module_name(path, root)] = path
    return found


MODULES = find_modules()


def imports(
    name: str, modules: dict[str, Path] = MODULES, *, typing_too: bool = True
) -> list[Import]:
    """Every import of one module, with its target made absolute.

    With ``typing_too=False``, those under ``if TYPE_CHECKING:`` are left out: what the module
    loads when it runs, rather than what it ties itself to.
    """
    path = modules[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend(Import(a.name, child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                found.extend(
                    Import(target, child.lineno, in_function)
                    for target in _targets(child, package, modules)
                )
            elif _typing_only(child) and not typing_too:
                continue
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, in_function or inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _typing_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")


def _targets(node: ast.ImportFrom, package: str, modules: dict[str, Path]) -> list[str]:
    if node.level:
        parts = package.split(".")
        base = ".".join(parts[: len(parts) - node.level + 1])
        target = f"{base}.{node.module}" if node.module else base
    else:
        target = node.module or ""
    # `from .. import events` names the module `events`, not an attribute of the package.
    return [
        f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target
        for alias in node.names
    ]


def graph(modules: dict[str, Path] = MODULES) -> dict[str, set[str]]:
    """Each module with the modules of ours it imports."""
    return {
        name: {i.target for i in imports(name, modules) if i.target in modules} - {name}
        for name in modules
    }


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected components of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for name in sorted(edges):
        if name not in index:
            visit(name)
    return sorted(found)


def closure(
    prefix: str, modules: dict[str, Path] = MODULES, *, typing_too: bool = True
) -> set[str]:
    """Every module ``prefix`` (a module, or a package and its modules) reaches by importing.

    Our own modules are followed transitively; a module of another project is named as
    imported and not followed.
    """
    todo = [m for m in modules if m == prefix or m.startswith(prefix + ".")]
    seen: set[str] = set()
    while todo:
        for target, _, _ in imports(todo.pop(), modules, typing_too=typing_too):
            if target not in seen:
                seen.add(target)
                if target in modules:
                    todo.append(target)
    return seen


def libraries(prefix: str, *, typing_too: bool = True) -> set[str]:
    """The top-level names of what ``prefix`` reaches outside our own modules."""
    return {m.split(".")[0] for m in closure(prefix, typing_too=typing_too) if m not in MODULES}


def type_checking_imports(path: Path) -> dict[str, str]:
    """Name -> module of each import under ``if TYPE_CHECKING:`` at a module's top.

    A lazy module lists its names for mypy and IDEs there, one ``from M import X as X`` each
    (the form that marks a re-export); anything else under that ``if`` fails the reading.
    """
    found: dict[str, str] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for inner in node.body:
                assert isinstance(inner, ast.ImportFrom), ast.unparse(inner)
                for alias in inner.names:
                    assert alias.asname == alias.name, f"{alias.name}: re-export it `X as X`"
                    found[alias.name] = "." * inner.level + (inner.module or "")
    return found
