"""Intermediate model -> the Web API files of slackrtm/_generated/, already formatted.

`emit` is the one entry point: it asks each emitter for its file and writes the package's face,
``__init__.py``, itself (every generated name, imported from its module when first asked for,
so that ``import slackrtm`` loads no models and no attrs).

The output is a pure function of the schema: files, classes, fields and codes are sorted, lines
end in LF, and the layout is the one `ruff format` produces (every multi-line construct is
written exploded with a trailing comma, which the formatter keeps as it is). Long strings are
written as they are; the formatter never splits a string.

What must not live here: the text of any other generated file (each has its emitter:
emit_models.py, emit_methods.py, emit_api.py, emit_readers.py; the RTM frames' is
emit_events.py) and the helpers they share (text.py).
"""

from __future__ import annotations

from .emit_api import emit_api
from .emit_groups import SHARED, emit_groups, group_module, methods_face, models_face, readers_face
from .emit_models import emit_codes, emit_errors, emit_warning_codes
from .load import Api, error_class_name
from .text import dunder_all, file_text, header, quote

__all__ = ["emit"]


def _init_groups(api: Api) -> list[tuple[str, list[str]]]:
    """Every name the package offers, by the module it lives in."""
    errors = sorted(["ERROR_CLASSES", *(error_class_name(c.code) for c in api.errors)])
    groups = [
        (f".{group_module(m)}", [m.const_name, m.args_class, *(x.name for x in m.models)])
        for m in api.methods
    ]
    if api.shared_models:
        groups.append((f".{SHARED}", [x.name for x in api.shared_models]))
    return [
        *sorted(groups),
        (".api", ["AsyncMethods", "SyncMethods"]),
        (".codes", ["ERROR_DESCRIPTIONS", "WARNING_DESCRIPTIONS", "ErrorCode", "WarningCode"]),
        (".errors", errors),
        (".methods", ["METHODS"]),
    ]


def _init(api: Api) -> str:
    out = header(api.sources, "Code generated from schema/: models, codes, errors, methods.")
    groups = _init_groups(api)
    names: list[str] = []
    out += ["from typing import TYPE_CHECKING", "", "from slackrtm._lazy import lazy_names", ""]
    out += ["if TYPE_CHECKING:"]
    for module, items in groups:
        ordered = sorted(items, key=lambda n: (0 if n.isupper() else 1, n.lower()))
        out += [f"    from {module} import (", *(f"        {n}," for n in ordered), "    )"]
        names += items
    out.append("")
    out += dunder_all(names)
    out += ["", "_MODULES = {"]
    for module, items in groups:
        out += [f"    {quote(name)}: {quote(module)}," for name in sorted(items)]
    out += [
        "}",
        '"""Where each name lives: it is imported from there when first asked for."""',
        "",
        "# Nothing loads with the package: a client built and never called needs no models,",
        "# no method table and no attrs; a name loads only its own method's module.",
        "__getattr__, __dir__ = lazy_names(__name__, _MODULES)",
    ]
    return file_text(out)


def emit(api: Api) -> dict[str, str]:
    """Every Web API file of the generated package, by file name, as text.

    Args:
        api: The loaded schema (`codegen.load.load`).

    Returns:
        The text of each file, by its name in slackrtm/_generated/.
    """
    return {
        "__init__.py": _init(api),
        "api.py": emit_api(api),
        "codes.py": emit_codes(api),
        "_warning_codes.py": emit_warning_codes(api),
        "errors.py": emit_errors(api),
        "methods.py": methods_face(api),
        "models.py": models_face(api),
        "readers.py": readers_face(api),
        **emit_groups(api),
    }
