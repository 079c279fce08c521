"""Lazy module attributes: one table (name -> module) turned into ``__getattr__`` and ``__dir__``.

A module that imports some of its public names only on first use (so that ``import slackrtm``
loads no attrs, cattrs, aiohttp or websockets) writes one table and installs what `lazy_names`
returns. Nothing else lives here, and this module imports nothing of ours: every module may use
it without an import circle.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    module_name: str, table: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` that load a module's names from `table` on first use.

    Use it at the end of the module, as
    ``__getattr__, __dir__ = lazy_names(__name__, _LAZY)``. A name is imported from its module
    when it is first asked for and then kept in the module's namespace, so each is imported
    once and later lookups never reach ``__getattr__``.

    Args:
        module_name: The ``__name__`` of the module that installs them (it must be importing,
            or imported, already).
        table: Each lazy name -> the module that defines it, relative to the installing
            module's package (``".sync"``) or absolute.

    Returns:
        The module's ``__getattr__`` (it raises AttributeError for a name not in `table`,
        never returns None) and ``__dir__`` (the namespace's names and the table's, sorted).
    """
    module = sys.modules[module_name]
    namespace = vars(module)
    anchor = module.__package__ or module_name

    def __getattr__(name: str) -> Any:
        home = table.get(name)
        if home is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, anchor), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *table})

    return __getattr__, __dir__
