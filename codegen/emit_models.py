"""Intermediate model -> codes.py, errors.py and models.py of slackrtm/_generated/.

The three data files of the Web API side: the enums of error and warning codes with their
descriptions, one exception class per error code, and the attrs classes of every method's
arguments and response (and of the shared models). Each emitter returns a file's whole text,
formatted as `ruff format` leaves it, and is a pure function of the schema (classes and codes
sorted).

What must not live here: the method table (emit_methods.py), the typed wrappers (emit_api.py),
the fast readers (emit_readers.py), and helpers another emitter needs (text.py).
"""

from __future__ import annotations

from .load import Api, Code, Method, Model, error_class_name
from .text import (
    ARG_TYPES,
    WIDTH,
    argument_doc,
    constant_name,
    docstring,
    dunder_all,
    file_text,
    header,
    quote,
)

__all__ = ["args_class", "emit_codes", "emit_errors", "emit_warning_codes", "model_class"]


# --------------------------------------------------------------------------- codes.py


def _codes(enum_name: str, table: str, codes: tuple[Code, ...], what: str) -> list[str]:
    """An enum of codes and its table of descriptions."""
    out = ["", "", f"class {enum_name}(str, enum.Enum):"]
    out += docstring(f"Every documented {what} code; the value is the wire code.", "    ")
    out.append("")
    out += [f"    {constant_name(c.code)} = {quote(c.code)}" for c in codes]
    out += ["", "    def __str__(self) -> str:", "        return self.value"]
    out += ["", "", f"{table}: Final[Mapping[{enum_name}, str]] = {{"]
    out += [f"    {enum_name}.{constant_name(c.code)}: {quote(c.description)}," for c in codes]
    out.append("}")
    return out


_STANDARD = ["import enum", "from collections.abc import Mapping", "from typing import Final", ""]


def emit_codes(api: Api) -> str:
    """The text of codes.py: `ErrorCode` and its descriptions; `WarningCode`'s, re-exported.

    Args:
        api: The loaded schema.

    Returns:
        The file's text.
    """
    out = header(api.sources, "Error and warning codes documented by the Web API methods.")
    out += _STANDARD
    out += ["from ._warning_codes import WARNING_DESCRIPTIONS, WarningCode", ""]
    out += dunder_all(["ErrorCode", "WarningCode", "ERROR_DESCRIPTIONS", "WARNING_DESCRIPTIONS"])
    out += _codes("ErrorCode", "ERROR_DESCRIPTIONS", api.errors, "error")
    return file_text(out)


def emit_warning_codes(api: Api) -> str:
    """The text of _warning_codes.py: `WarningCode` and its descriptions.

    Apart from `ErrorCode`, whose enum of every documented code costs a fresh interpreter's
    first call 7-10M instructions to build: every answer's reader needs `WarningCode`, only
    an error needs `ErrorCode`.

    Args:
        api: The loaded schema.

    Returns:
        The file's text.
    """
    out = header(api.sources, "Warning codes documented by the Web API methods.")
    out += _STANDARD
    out += dunder_all(["WarningCode", "WARNING_DESCRIPTIONS"])
    out += _codes("WarningCode", "WARNING_DESCRIPTIONS", api.warnings, "warning")
    return file_text(out)


# --------------------------------------------------------------------------- errors.py


def emit_errors(api: Api) -> str:
    """The text of errors.py: one `SlackApiError` subclass per code, and `ERROR_CLASSES`.

    Args:
        api: The loaded schema.

    Returns:
        The file's text.
    """
    out = header(api.sources, "One exception class per documented error code.")
    out += [
        "from collections.abc import Mapping",
        "from typing import Final",
        "",
        "from slackrtm._exceptions import SlackApiError",
        "",
        "from .codes import ERROR_DESCRIPTIONS, ErrorCode",
        "",
    ]
    out += dunder_all(["ERROR_CLASSES", *(error_class_name(c.code) for c in api.errors)])
    for code in sorted(api.errors, key=lambda c: error_class_name(c.code)):
        name = error_class_name(code.code)
        member = f"ErrorCode.{constant_name(code.code)}"
        out += ["", "", f"class {name}(SlackApiError):"]
        text = code.description
        own = [(m, d) for m, d in code.by_method if d != code.description]
        if own:
            text += "\n\n" + " ".join(f"In ``{m}``: {d}" for m, d in code.by_method)
        retry = {"helps": " Calling again can succeed.", "never": " Calling again never helps."}
        text += f"\n\nWire code: ``{code.code}``.{retry.get(code.retry or '', '')}"
        out += docstring(text, "    ")
        out += [
            "",
            f"    code = {member}.value",
            f"    default_description = ERROR_DESCRIPTIONS[{member}]",
        ]
        if code.retry is not None:
            out.append(f"    retry_helps = {code.retry == 'helps'}")
    out += ["", "", "ERROR_CLASSES: Final[Mapping[str, type[SlackApiError]]] = {"]
    out += [f"    {quote(c.code)}: {error_class_name(c.code)}," for c in api.errors]
    out.append("}")
    return file_text(out)


# --------------------------------------------------------------------------- models.py


def _field_line(attr: str, annotation: str, args: list[str]) -> list[str]:
    one = f"    {attr}: {annotation} = attrs.field({', '.join(args)})"
    if len(one) <= WIDTH:
        return [one]
    return [f"    {attr}: {annotation} = attrs.field(", *(f"        {a}," for a in args), "    )"]


def _metadata(wire: str, secret: bool) -> str:
    entries = [f'"wire": {quote(wire)}']
    if secret:
        entries.append('"secret": True')
    return "metadata={" + ", ".join(entries) + "}"


def args_class(method: Method) -> list[str]:
    """The lines of a method's arguments class (the token is the client's, never a field)."""
    out = ["", "", "@attrs.frozen(kw_only=True)", f"class {method.args_class}:"]
    out += docstring(
        f"The arguments of `{method.name}` other than the token (which the client sends in "
        "the Authorization header). An argument left as None is not sent, so Slack's default "
        "applies.",
        "    ",
    )
    fields = [a for a in method.arguments if a.role != "token"]
    if fields:
        out.append("")
    for arg in fields:
        annotation = ARG_TYPES[arg.kind] + ("" if arg.required else " | None")
        args = []
        if not arg.required:
            args.append("default=None")
        optional = "False" if arg.required else "True"
        args.append(f"validator=strict({quote(arg.kind)}, optional={optional})")
        if arg.secret:
            args.append("repr=redacted")
        args.append(_metadata(arg.wire, arg.secret))
        out += _field_line(arg.attr, annotation, args)
        out += docstring(argument_doc(arg), "    ")
    return out


def model_class(model: Model) -> list[str]:
    """The lines of a model's attrs class: its fields, ``extra``, and a response's ``warnings``."""
    out = ["", "", "@attrs.frozen(kw_only=True)", f"class {model.name}:"]
    out += docstring(model.description, "    ")
    out.append("")
    for field in model.fields:
        annotation = field.py_type if field.required else f"{field.py_type} | None"
        args = [] if field.required else ["default=None"]
        if field.secret:
            args.append("repr=redacted")
        args.append(_metadata(field.wire, field.secret))
        out += _field_line(field.attr, annotation, args)
        out += docstring(field.description + ("" if field.required else " Absent: None."), "    ")
    out += _field_line(
        "extra",
        "Mapping[str, Any]",
        ["factory=dict", "repr=False", 'metadata={"role": "extra"}'],
    )
    out += docstring("Fields Slack sent that the schema does not describe, by wire name.", "    ")
    if model.is_response:
        out += _field_line(
            "warnings",
            "tuple[WarningCode | str, ...]",
            ["default=()", 'metadata={"role": "warnings", "enum": WarningCode}'],
        )
        out += docstring(
            "Warnings Slack attached to the answer; unknown codes are kept as strings.", "    "
        )
    return out
