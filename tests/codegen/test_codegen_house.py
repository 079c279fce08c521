"""The generator's own rules, checked on its source: no borrowed privates, one shared helper.

No module of `codegen/` imports another module's ``_private`` name: what the emitters share
lives in `codegen/text.py`, which imports no emitter. What every module must (no import
circle, here or in the generated package; small modules; an opening docstring) is held for the
whole project by `tests/test_layout.py`.
"""

from __future__ import annotations

import ast

from ..layout import MODULES, graph

CODEGEN = {name: path for name, path in MODULES.items() if name.split(".")[0] == "codegen"}


def borrowed(name: str) -> list[str]:
    """The ``_private`` names a codegen module takes from another module of ours."""
    tree = ast.parse(CODEGEN[name].read_text(encoding="utf-8"))
    return [
        f"{name} imports {node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.level or "codegen" in (node.module or ""))
        for alias in node.names
        if alias.name.startswith("_")
    ]


def test_no_codegen_module_imports_another_ones_private_names() -> None:
    assert [line for name in sorted(CODEGEN) for line in borrowed(name)] == []


def test_the_emitters_share_helpers_through_text_only() -> None:
    edges = graph()
    # The shared helpers import no emitter, so any emitter may import them.
    assert not any(target.startswith("codegen.emit") for target in edges["codegen.text"])
    for name in CODEGEN:
        if name.startswith("codegen.emit"):
            assert "codegen.text" in edges[name], name
