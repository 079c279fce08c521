"""The Web API core's layout holds: one package, no loop, no I/O library, no import circle.

Read from the source, every import counted: at the top, inside functions (a lazy import), and
under ``TYPE_CHECKING`` (for the type checker only), since each of them ties two modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
WEB = ROOT / "slackrtm" / "_web"
WEB_MODULES = sorted(f"slackrtm._web.{path.stem}" for path in WEB.glob("*.py"))
FORBIDDEN = {"asyncio", "aiohttp", "urllib3", "websockets"}


def module_path(name: str) -> Path:
    base = ROOT.joinpath(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def imports(name: str) -> list[tuple[str, ast.stmt, bool]]:
    """Every import of a module: (absolute target, the statement, inside a function)."""
    path = module_path(name)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, ast.stmt, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend((alias.name, child, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                for target in _targets(child, package):
                    found.append((target, child, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


def _targets(node: ast.ImportFrom, package: str) -> list[str]:
    if node.level:
        parts = package.split(".")
        base = ".".join(parts[: len(parts) - node.level + 1])
        target = f"{base}.{node.module}" if node.module else base
    else:
        target = node.module or ""
    found = []
    for alias in node.names:
        # `from .. import events` names a module, not an attribute of the package.
        sub = f"{target}.{alias.name}"
        ours = sub.startswith("slackrtm") and module_path(sub).exists()
        found.append(sub if ours else target)
    return found


def graph() -> dict[str, set[str]]:
    """The modules of slackrtm reachable from the core, each with the modules of ours it imports."""
    edges: dict[str, set[str]] = {}
    todo = list(WEB_MODULES)
    while todo:
        current = todo.pop()
        if current in edges:
            continue
        edges[current] = {
            target
            for target, _, _ in imports(current)
            if target.startswith("slackrtm") and module_path(target).exists()
        }
        todo.extend(edges[current])
    return edges


def circles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(component)

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def test_the_core_is_a_package_of_small_modules() -> None:
    assert not (ROOT / "slackrtm" / "_wire.py").exists()
    assert "slackrtm._web.limits" in WEB_MODULES
    for name in WEB_MODULES:
        text = module_path(name).read_text(encoding="utf-8")
        assert ast.get_docstring(ast.parse(text)), f"{name} opens with what it owns"
        assert len(text.splitlines()) <= 600, name


def test_the_package_init_imports_nothing() -> None:
    # So no module of the core imports back up through its package.
    assert [target for target, _, _ in imports("slackrtm._web")] == []


def test_limits_imports_nothing_of_ours() -> None:
    ours = [target for target, _, _ in imports("slackrtm._web.limits") if "slackrtm" in target]
    assert ours == []


@pytest.mark.parametrize("name", WEB_MODULES)
def test_the_core_imports_no_loop_and_no_io_library(name: str) -> None:
    tops = {target.split(".")[0] for target, _, _ in imports(name)}
    assert not tops & FORBIDDEN


def test_the_core_is_in_no_import_circle() -> None:
    edges = graph()
    assert "slackrtm._spec" in edges, "the graph follows the core's imports"
    ours = [c for c in circles(edges) if any(m.startswith("slackrtm._web") for m in c)]
    assert ours == []
    assert not [c for c in circles(edges) if "slackrtm._spec" in c]


def test_every_lazy_import_says_why() -> None:
    for name in WEB_MODULES:
        lines = module_path(name).read_text(encoding="utf-8").splitlines()
        for target, node, in_function in imports(name):
            if not in_function:
                continue
            above = "\n".join(lines[max(0, node.lineno - 4) : node.lineno - 1])
            assert "Lazy" in above, f"{name}:{node.lineno} imports {target} lazily without why"


def test_the_circle_finder_finds_a_circle() -> None:
    edges = {"a": {"b"}, "b": {"a"}, "c": {"a"}, "d": {"d"}}
    assert sorted(map(sorted, circles(edges))) == [["a", "b"], ["d"]]
