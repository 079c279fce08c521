"""The layers stay apart: the cores import no I/O library, and nothing imports back up.

Checked on the source (every module a module imports, transitively, within slackrtm) and in a
fresh interpreter (what ``import slackrtm`` loads).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
IO_LIBRARIES = {"aiohttp", "websockets", "urllib3"}


def module_path(name: str) -> Path:
    base = ROOT.joinpath(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def imports_of(name: str, *, typing_too: bool = False) -> set[str]:
    """The modules one module imports (absolute names), from its source.

    Imports inside functions count; those under ``if TYPE_CHECKING:`` only with `typing_too`.
    """
    path = module_path(name)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only and not typing_too:
            continue  # never runs
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                # `from .. import events` names a module, not an attribute of the package.
                if target.startswith("slackrtm") and module_path(f"{target}.{alias.name}").exists():
                    found.add(f"{target}.{alias.name}")
                else:
                    found.add(target)
    return found


def closure(name: str, *, typing_too: bool = False) -> set[str]:
    """Every module `name` imports, following slackrtm's own modules transitively."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        for found in imports_of(current, typing_too=typing_too):
            if found in seen:
                continue
            seen.add(found)
            if found.startswith("slackrtm") and module_path(found).exists():
                todo.append(found)
    return seen


def our_modules() -> list[str]:
    """Every module of slackrtm, by its dotted name."""
    found = []
    for path in sorted((ROOT / "slackrtm").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(".".join(parts))
    return found


def circles() -> list[set[str]]:
    """The import circles among slackrtm's modules (strongly connected groups of two or more),
    counting every import: inside functions and under TYPE_CHECKING too."""
    modules = our_modules()
    graph = {m: {i for i in imports_of(m, typing_too=True) if i in modules} for m in modules}
    reach = {m: closure_in(graph, m) for m in modules}
    groups: list[set[str]] = []
    for m in modules:
        group = {n for n in reach[m] if m in reach[n]} | {m}
        if len(group) > 1 and group not in groups:
            groups.append(group)
    return groups


def closure_in(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for found in graph[todo.pop()] - seen:
            seen.add(found)
            todo.append(found)
    return seen


def top_levels(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_the_protocol_core_imports_no_io_library() -> None:
    found = closure("slackrtm.rtm._protocol")
    assert "slackrtm.events" in found, "the closure is followed"
    assert not top_levels(found) & IO_LIBRARIES, sorted(found)


@pytest.mark.parametrize(
    "core", sorted(f"slackrtm._web.{p.stem}" for p in (ROOT / "slackrtm" / "_web").glob("*.py"))
)
def test_the_web_api_core_imports_nothing_from_the_rtm_layer_or_the_package_face(
    core: str,
) -> None:
    found = closure(core)
    assert not [m for m in found if m.startswith("slackrtm.rtm")]
    assert "slackrtm" not in found, "_web must not import the package __init__ (runs back up)"
    assert not top_levels(found) & (IO_LIBRARIES | {"asyncio"})


@pytest.mark.parametrize(
    ("driver", "foreign"),
    [("slackrtm.rtm.sync", {"aiohttp"}), ("slackrtm.rtm.aio", {"websockets", "urllib3"})],
)
def test_each_driver_imports_only_its_own_io_library(driver: str, foreign: set[str]) -> None:
    assert not top_levels(closure(driver)) & foreign


def test_import_slackrtm_does_not_load_the_rtm_layer() -> None:
    code = (
        "import sys, slackrtm\n"
        "loaded = [m for m in ('slackrtm.rtm', 'websockets', 'aiohttp') if m in sys.modules]\n"
        "print(loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


CLIENTS = {"slackrtm.sync", "slackrtm.aio"}
SESSION_SIDE = [m for m in our_modules() if m.startswith("slackrtm.rtm")] + ["slackrtm._socket"]


@pytest.mark.parametrize("module", SESSION_SIDE)
def test_no_session_module_imports_a_client_not_even_for_typing(module: str) -> None:
    # A session gets what it needs from its client's `_socket_opener()`; only the client
    # imports its driver (lazily, in `rtm()`).
    assert not closure(module, typing_too=True) & CLIENTS


def test_no_import_circle_runs_through_the_clients_the_sessions_or_the_package_face() -> None:
    assert "slackrtm.rtm.sync" in our_modules(), "the modules are found"
    guarded = {"slackrtm", "slackrtm._lazy", *CLIENTS, *SESSION_SIDE}
    assert not [sorted(group) for group in circles() if group & guarded]


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert closure_in(graph, "a") == {"a", "b", "c"}
    assert closure_in(graph, "d") == {"a", "b", "c"}
