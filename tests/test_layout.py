"""The house holds its shape: no import circle, I/O-free cores, small modules, a README map.

Read from the source (`tests/layout.py`), not from what an interpreter happens to load: an
import inside a function or under ``TYPE_CHECKING`` counts as much as one at the top.
`tests/rtm/test_boundary.py` holds the layers (which module may import which); each package's
tests hold its own rules; this file holds the rules for every module.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .layout import MODULES, ROOT, circles, find_modules, graph, imports, libraries

GENERATED = ROOT / "slackrtm" / "_generated"
IO_LIBRARIES = {"asyncio", "aiohttp", "urllib3", "websockets"}
SANS_IO_CORES = (
    "slackrtm._web",
    "slackrtm._spec",
    "slackrtm.events",
    "slackrtm.rtm._protocol",
    "slackrtm.rtm._outputs",
    "slackrtm.rtm._handover",
    "slackrtm.rtm._envelopes",
    "slackrtm.rtm._dedupe",
    "slackrtm.rtm._sockets",
    "slackrtm.rtm._options",
    "slackrtm.rtm._dialects",
    "slackrtm.rtm._sends",
    "slackrtm.rtm._reconnect",
    "slackrtm.rtm._state",
    "slackrtm.rtm._replay",
    "slackrtm.rtm._endings",
)
MAX_LINES = 600
MAX_FUNCTION_LINES = 60
HAND_WRITTEN = {n: p for n, p in MODULES.items() if GENERATED not in p.parents}


def test_no_module_imports_itself_back_through_others() -> None:
    assert circles(graph()) == []


def test_the_circle_finder_finds_circles_and_only_circles() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": {"g"}, "g": {"f"}}
    assert circles(edges) == [["a", "b", "c"], ["e"], ["f", "g"]]
    assert circles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_imports_in_functions_and_for_the_type_checker_count(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from .b import x\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n"
    )
    modules = find_modules(tmp_path, ("pkg",))
    assert [i.in_function for i in imports("pkg.a", modules)] == [True]
    assert circles(graph(modules)) == [["pkg.a", "pkg.b"]]


@pytest.mark.parametrize("core", SANS_IO_CORES)
def test_the_sans_io_cores_import_no_io_library(core: str) -> None:
    assert core in MODULES or any(m.startswith(core + ".") for m in MODULES), core
    assert not libraries(core) & IO_LIBRARIES


@pytest.mark.parametrize("name", sorted(HAND_WRITTEN))
def test_each_hand_written_module_is_small_and_says_what_it_owns(name: str) -> None:
    source = HAND_WRITTEN[name].read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert ast.get_docstring(tree), f"{name} opens with no docstring"
    assert source.count("\n") <= MAX_LINES, f"{name}: split it by job"
    spans = [
        (node.name, (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    long = [
        f"{function} ({lines} lines)" for function, lines in spans if lines > MAX_FUNCTION_LINES
    ]
    assert long == [], f"{name}: split these into named steps"


def readme_layout() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## How the code is laid out\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, "the README has a section 'How the code is laid out'"
    return set(re.findall(r"^- `([\w/.*]+\.py)`", match[1], re.M))


def test_the_readme_names_every_module_and_only_modules_that_exist() -> None:
    named = readme_layout()
    on_disk = {str(path.relative_to(ROOT)) for path in HAND_WRITTEN.values()}
    on_disk.add(str(GENERATED.relative_to(ROOT) / "*.py"))
    assert sorted(on_disk - named) == [], "modules the README's layout does not name"
    assert sorted(named - on_disk) == [], "modules the README's layout names but do not exist"
