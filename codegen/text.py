"""The emitters' shared helpers: names, literals and the layout of generated Python text.

What lives here is what more than one emitter writes the same way: the line width, a string
literal, the names of generated readers and constants, the two docstring layouts, an ``__all__``,
a call exploded as the formatter explodes it, a file's ``DO NOT EDIT`` header and its last line.
Everything here is a pure function of its arguments.

What must not live here: the layout of any one generated file (that is its emitter's), and any
import of an emitter. Every emitter imports from this module and none of them from another
emitter's private names, so the generator has no import circle.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable

from .load import Argument

__all__ = [
    "ARG_TYPES",
    "WIDTH",
    "argument_doc",
    "call_lines",
    "constant_name",
    "def_lines",
    "docstring",
    "dunder_all",
    "fast_reader_name",
    "file_text",
    "frame_reader_name",
    "header",
    "paragraph_docstring",
    "quote",
    "reader_name",
    "snake_case",
    "strict_reader_name",
]

WIDTH = 100
"""The line length of the generated code (ruff's, from pyproject.toml)."""

ARG_TYPES = {
    "string": "str",
    "boolean": "bool",
    "integer": "int",
    "number": "float",
    "array": "list[Any] | tuple[Any, ...]",
    "object": "Mapping[str, Any]",
}
"""The Python annotation of a Web API argument, by its schema type (array and object: JSON-able
values, sent JSON-encoded)."""


# --------------------------------------------------------------------------- names


def snake_case(name: str) -> str:
    """A class name in snake case: ``RtmConnectTeam`` -> ``rtm_connect_team``.

    Args:
        name: A PascalCase class name from the schema.

    Returns:
        The name in lower case, an underscore before each inner capital.
    """
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def constant_name(code: str) -> str:
    """The enum member of a wire code: ``invalid_auth`` -> ``INVALID_AUTH``."""
    return code.upper()


def reader_name(model: str) -> str:
    """The fast reader of a model in readers.py: ``RtmConnectTeam`` -> ``read_rtm_connect_team``."""
    return f"read_{snake_case(model)}"


def frame_reader_name(name: str) -> str:
    """The decoder of a frame or object in events.py (fast path, else strict): ``_read_<name>``."""
    return f"_read_{snake_case(name)}"


def strict_reader_name(name: str) -> str:
    """The detailed decoder in events.py, which explains a refusal: ``_strict_<name>``."""
    return f"_strict_{snake_case(name)}"


def fast_reader_name(name: str) -> str:
    """The fast decoder in events.py, which returns None for what it refuses: ``_fast_<name>``."""
    return f"_fast_{snake_case(name)}"


# --------------------------------------------------------------------------- literals and text


def quote(text: str) -> str:
    """A Python string literal in double quotes (JSON's escapes are valid Python escapes)."""
    return json.dumps(text, ensure_ascii=False)


def argument_doc(arg: Argument) -> str:
    """An argument's description, with Slack's default when the schema gives one.

    Args:
        arg: The argument, from the loaded schema.

    Returns:
        The text both its model field's docstring and its wrapper's ``Args:`` entry use.
    """
    default = "" if arg.default is None else f" Slack's default: {json.dumps(arg.default)}."
    return f"{arg.description}{default}"


def docstring(text: str, indent: str) -> list[str]:
    """A docstring block; the text's paragraphs are wrapped to the line width.

    A paragraph that opens a Google-style section (``Args:``, ``Returns:``, ``Raises:``) is kept
    line by line. A text of one short line stays on one line with its quotes.

    Args:
        text: The docstring's text; paragraphs are separated by blank lines.
        indent: The white space before each line.

    Returns:
        The lines of the docstring, quotes included.
    """
    paragraphs = text.strip().split("\n\n")
    lines: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        if number:
            lines.append("")
        if paragraph.lstrip().startswith(("Args:", "Returns:", "Raises:")):
            lines.extend(paragraph.splitlines())
            continue
        lines.extend(
            textwrap.wrap(
                " ".join(paragraph.split()),
                width=WIDTH - len(indent) - 3,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    if len(lines) == 1 and len(indent) + 6 + len(lines[0]) <= WIDTH:
        return [f'{indent}"""{lines[0]}"""']
    body = [f"{indent}{line}".rstrip() if line else "" for line in lines]
    body[0] = f'{indent}"""{lines[0]}'
    return [*body, f'{indent}"""']


def paragraph_docstring(text: str, indent: str) -> list[str]:
    """A docstring of one paragraph: on one line when it fits there with its quotes, else wrapped.

    (A docstring of one line is always kept on one line by the formatter, so a text that does
    not fit is wrapped short enough to take two.)

    Args:
        text: The docstring's text, one paragraph.
        indent: The white space before each line.

    Returns:
        The lines of the docstring, quotes included.
    """
    lines = textwrap.wrap(
        " ".join(text.split()),
        width=WIDTH - len(indent) - 6,
        break_long_words=False,
        break_on_hyphens=False,
    )
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *(f"{indent}{line}" for line in lines[1:]), f'{indent}"""']


def def_lines(head: str, params: str, returns: str) -> list[str]:
    """``def head(params) -> returns:`` on one line, or its parameters on a line of their own.

    (What ``ruff format`` makes of a signature too long for one line.)
    """
    one = f"def {head}({params}) -> {returns}:"
    if len(one) <= WIDTH:
        return [one]
    return [f"def {head}(", f"    {params}", f") -> {returns}:"]


def call_lines(indent: str, head: str, args: list[str], tail: str = ")") -> list[str]:
    """``head(arg, ...)tail`` on one line, or exploded with a trailing comma when too long.

    Args:
        indent: The white space before the statement.
        head: Everything up to and including the opening bracket.
        args: The arguments, in order.
        tail: The closing bracket (and anything after it).

    Returns:
        One line, or the head, one line per argument and the tail.
    """
    one = f"{indent}{head}{', '.join(args)}{tail}"
    if len(one) <= WIDTH:
        return [one]
    return [f"{indent}{head}", *(f"{indent}    {a}," for a in args), f"{indent}{tail}"]


# --------------------------------------------------------------------------- a file's frame


def dunder_all(names: Iterable[str]) -> list[str]:
    """An ``__all__`` in the order ruff's RUF022 expects: CONSTANTS, Classes, functions."""

    def key(name: str) -> tuple[int, str]:
        rank = 0 if name.isupper() else 1 if name[:1].isupper() else 2
        return (rank, name)

    out = ["__all__ = ["]
    out += [f"    {quote(name)}," for name in sorted(set(names), key=key)]
    out.append("]")
    return out


def header(sources: Iterable[str], summary: str) -> list[str]:
    """A generated file's opening: the ``DO NOT EDIT`` banner naming its sources, its docstring.

    Args:
        sources: The schema files the module is generated from (listed sorted).
        summary: The module's one-line docstring.

    Returns:
        The opening lines, up to and including ``from __future__ import annotations``.
    """
    return [
        "# DO NOT EDIT: generated by `python -m codegen` from:",
        *(f"#   {source}" for source in sorted(sources)),
        "# Edit the schema and regenerate (`make generate`).",
        f'"""{summary}"""',
        "",
        "from __future__ import annotations",
        "",
    ]


def file_text(lines: list[str]) -> str:
    """The text of a generated file: the lines joined with LF, one newline at the end."""
    # Two blank lines before top-level definitions are written by the emitters; here only
    # trailing white space is normalised so the output is byte-stable.
    return "\n".join(line.rstrip() for line in lines).rstrip("\n") + "\n"
