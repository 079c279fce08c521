"""Intermediate model -> the group modules of slackrtm/_generated/: ``_m_*.py``, ``_shared.py``.

Why per method: the first call of a method imports only what reading its answer needs. One
module per Web API method holds its arguments class, its response models, their fast readers
and its `MethodSpec`; ``_shared.py`` holds the models of ``schema/models/`` (User,
Conversation, Team, ...) with their readers, imported by the methods that answer with them.
``rtm.connect``'s first call builds four attrs classes, not every model of the schema
(`models.py`, `readers.py` and `methods.py` are the faces that import every group).

The output is a pure function of the schema: groups, classes and readers sorted, and only the
imports a group uses, in the order ruff's isort keeps.

What must not live here: the text of one class, reader or spec (emit_models.py,
emit_readers.py, emit_methods.py write those), and helpers other emitters share (text.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .emit_methods import method_spec
from .emit_models import args_class, model_class
from .emit_readers import array_types, model_reader, tuple_reader
from .load import Api, Method, Model
from .text import dunder_all, file_text, header, quote, reader_name

__all__ = [
    "SHARED",
    "emit_groups",
    "group_module",
    "import_lines",
    "methods_face",
    "models_face",
    "name_key",
    "readers_face",
]

SHARED = "_shared"
"""The module of the shared models (schema/models/)."""

_CANDIDATES = (
    ("collections.abc", ("Mapping",)),
    ("typing", ("Any", "Final")),
    ("attrs", ()),
    ("slackrtm._convert", ("NO_EXTRA", "filler", "parse_warnings", "unknown_fields")),
    ("slackrtm._spec", ("ArgSpec", "MethodSpec", "PageSpec", "redacted", "strict")),
)


def group_module(method: Method) -> str:
    """The module (without ``.py``) of a method's group: ``rtm.connect`` -> ``_m_rtm_connect``."""
    return "_m_" + method.name.replace(".", "_").lower()


def name_key(name: str) -> tuple[int, str]:
    """The order ruff's isort keeps the names of one import in: CONSTANTS, Classes, functions."""
    rank = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return (rank, name.lower())


def import_lines(module: str, names: Iterable[str]) -> list[str]:
    """``from module import (...)``, exploded with a trailing comma, names in isort's order."""
    ordered = sorted(set(names), key=name_key)
    return [f"from {module} import (", *(f"    {n}," for n in ordered), ")"]


def _used(body: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}\b", body) is not None


def _imports(body: str, shared: list[Model]) -> list[str]:
    """The imports a group's body uses: standard library, attrs, slackrtm, then ours."""
    out: list[str] = []
    for section in (
        ("collections.abc", "typing"),
        ("attrs",),
        ("slackrtm._convert", "slackrtm._spec"),
    ):
        lines: list[str] = []
        for module, names in _CANDIDATES:
            if module not in section:
                continue
            if module == "attrs":
                if _used(body, "attrs"):
                    lines.append("import attrs")
                continue
            wanted = [n for n in names if _used(body, n)]
            if wanted:
                lines.append(f"from {module} import {', '.join(sorted(wanted, key=name_key))}")
        if lines:
            out += [*lines, ""]
    ours: list[str] = []
    shared_names = [m.name for m in shared] + [reader_name(m.name) for m in shared]
    borrowed = [n for n in shared_names if _used(body, n)]
    if borrowed:
        ours += import_lines(f".{SHARED}", borrowed)
    if _used(body, "WarningCode"):
        ours.append("from ._warning_codes import WarningCode")
    if ours:
        out += [*ours, ""]
    return out


def _group(
    api: Api,
    summary: str,
    classes: list[tuple[str, list[str]]],
    models: list[Model],
    method: Method | None,
    shared: list[Model],
) -> str:
    body: list[str] = []
    names = [name for name, _ in classes] + [reader_name(m.name) for m in models]
    if method is not None:
        names.append(method.const_name)
    body += dunder_all(names)
    for _, lines in sorted(classes):
        body += lines
    body += ["", "", "_new: Final = object.__new__"]
    for model in sorted(models, key=lambda m: m.name):
        body += model_reader(model)
    for py_type in array_types(models):
        body += tuple_reader(py_type)
    if method is not None:
        body += method_spec(method)
    out = header(api.sources, summary)
    out += _imports("\n".join(body), shared)
    return file_text(out + body)


def emit_groups(api: Api) -> dict[str, str]:
    """The text of each group module, by file name.

    Args:
        api: The loaded schema.

    Returns:
        ``_shared.py`` (when the schema has shared models) and one ``_m_<method>.py`` per method.
    """
    shared = list(api.shared_models)
    files: dict[str, str] = {}
    if shared:
        classes = [(m.name, model_class(m)) for m in shared]
        summary = "The shared models (schema/models/) and their fast readers."
        files[f"{SHARED}.py"] = _group(api, summary, classes, shared, None, [])
    for method in api.methods:
        classes = [(method.args_class, args_class(method))]
        classes += [(model.name, model_class(model)) for model in method.models]
        summary = f"`{method.name}`: its arguments, its response models, their readers, its spec."
        files[f"{group_module(method)}.py"] = _group(
            api, summary, classes, list(method.models), method, shared
        )
    return files


def models_face(api: Api) -> str:
    """The text of models.py: every model class, imported from its group module.

    The classes live in the group modules (`codegen.emit_groups`), so that a method's first
    call builds only its own; this face imports them all, for whoever wants every model.

    Args:
        api: The loaded schema.

    Returns:
        The file's text.
    """
    out = header(api.sources, "attrs models of each method's arguments and response.")
    names: list[str] = []
    groups: list[tuple[str, list[str]]] = []
    for method in api.methods:
        groups.append((group_module(method), [method.args_class, *(m.name for m in method.models)]))
    if api.shared_models:
        groups.append((SHARED, [m.name for m in api.shared_models]))
    for module, items in sorted(groups):
        out += import_lines(f".{module}", items)
        names += items
    out.append("")
    out += dunder_all(names)
    return file_text(out)


def readers_face(api: Api) -> str:
    """The text of readers.py: every reader, imported from its group module.

    The readers live beside their models in the group modules (`codegen.emit_groups`).
    """
    out = header(
        api.sources,
        "Fast readers of the response models: the model, or None for the core's detailed path.",
    )
    names: list[str] = []
    groups = [(group_module(m), [reader_name(x.name) for x in m.models]) for m in api.methods]
    if api.shared_models:
        groups.append((SHARED, [reader_name(m.name) for m in api.shared_models]))
    for module, items in sorted(groups):
        out += import_lines(f".{module}", items)
        names += items
    out.append("")
    out += dunder_all(names)
    return file_text(out)


def methods_face(api: Api) -> str:
    """The text of methods.py: every `MethodSpec`, imported from its group, and ``METHODS``.

    Args:
        api: The loaded schema.

    Returns:
        The file's text.
    """
    out = header(api.sources, "The method table: how each Web API method is called and read.")
    out += [
        "from collections.abc import Mapping",
        "from typing import Any, Final",
        "",
        "from slackrtm._spec import MethodSpec",
        "",
    ]
    for method in sorted(api.methods, key=group_module):
        out += import_lines(f".{group_module(method)}", [method.const_name])
    out.append("")
    out += dunder_all(["METHODS", *(m.const_name for m in api.methods)])
    out += ["", "", "METHODS: Final[Mapping[str, MethodSpec[Any, Any]]] = {"]
    out += [f"    {quote(m.name)}: {m.const_name}," for m in api.methods]
    out.append("}")
    return file_text(out)
