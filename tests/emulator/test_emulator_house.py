"""The emulator's own rules: no submodule reaches back into the package's face.

And its workspace class has a name apart from the SDK's.

What every module must (no import circle, small modules and functions, an opening docstring)
is held for the whole project by `tests/test_layout.py`.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import slackrtm.emulator

from ..layout import MODULES, imports, type_checking_imports

PACKAGE = "slackrtm.emulator"
SUBMODULES = sorted(name for name in MODULES if name.startswith(PACKAGE + "."))


@pytest.mark.parametrize("name", SUBMODULES)
def test_no_submodule_takes_a_name_from_the_package_face(name: str) -> None:
    # The package's __init__ imports its submodules to show their names; one that imported
    # the package back would run half-made. Each takes what it needs from the module owning it.
    assert PACKAGE not in {i.target for i in imports(name)}


def test_the_emulators_workspace_has_a_name_of_its_own() -> None:
    # The SDK's `slackrtm.Workspace` (from `client.workspace()`) and the emulator's seeded data
    # are different things; the emulator's is `EmulatedWorkspace`, with no alias.
    assert slackrtm.emulator.EmulatedWorkspace.__name__ == "EmulatedWorkspace"
    assert "EmulatedWorkspace" in slackrtm.emulator.__all__
    assert "Workspace" not in slackrtm.emulator.__all__
    assert not hasattr(slackrtm.emulator, "Workspace")


def test_the_lazy_table_all_and_the_type_checking_imports_agree() -> None:
    table = slackrtm.emulator._HOMES
    assert type_checking_imports(Path(slackrtm.emulator.__file__)) == table
    assert slackrtm.emulator.__all__ == sorted(table)
    for name, home in table.items():
        value = getattr(slackrtm.emulator, name)
        assert value is getattr(importlib.import_module(home, PACKAGE), name), name
        assert name in dir(slackrtm.emulator)
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        slackrtm.emulator.Nope  # noqa: B018 - the lookup is the test
