"""The Web API core's own rules: one package, its limits apart, every lazy import explained.

`tests/test_layout.py` holds what every module must (no circle, small, no I/O in a core);
these are the core's. Read from the source with `tests/layout.py`.
"""

from __future__ import annotations

import pytest

from ..layout import MODULES, ROOT, imports

WEB_MODULES = sorted(name for name in MODULES if name.startswith("slackrtm._web."))


def test_the_core_is_a_package_of_modules() -> None:
    assert not (ROOT / "slackrtm" / "_wire.py").exists()
    assert "slackrtm._web.limits" in WEB_MODULES
    assert len(WEB_MODULES) >= 8, "one job a module"


def test_the_package_init_imports_nothing() -> None:
    # So no module of the core imports back up through its package.
    assert imports("slackrtm._web") == []


def test_limits_imports_nothing_of_ours() -> None:
    assert [i.target for i in imports("slackrtm._web.limits") if i.target in MODULES] == []


@pytest.mark.parametrize("name", WEB_MODULES)
def test_every_lazy_import_says_why(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").splitlines()
    for target, line, in_function in imports(name):
        if in_function:
            above = "\n".join(lines[max(0, line - 4) : line - 1])
            assert "Lazy" in above, f"{name}:{line} imports {target} lazily without why"
