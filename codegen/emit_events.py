"""RTM frames (codegen.rtm) -> Python source of slackrtm/_generated/events.py, already formatted.

One frozen attrs class per frame and shared object, and for each server frame a decoding
function written out field by field: a JSON type check per field (no coercion: ``"1"`` is not an
integer, ``1`` is not a boolean), the required ones present, the unknown ones kept in ``extra``.
Plain generated code is as fast as hand-written code, which matters for a 50,000-event burst;
the error raised names the frame's type and the wire path of the offending field.

The layout is what `ruff format` produces (statements that would not fit on one line are written
exploded with a trailing comma, which the formatter keeps), and the output is a pure function of
the schema: classes, fields and tables are sorted.
"""

from __future__ import annotations

import re
import textwrap

from .emit import _WIDTH, _all, _file, _header, _q
from .rtm import FrameField, Frames, ObjectModel

__all__ = ["emit_events"]

_CHECKS = {
    "string": "type({v}) is not str",
    "boolean": "type({v}) is not bool",
    "integer": "type({v}) is not int",
    "number": "type({v}) is not float and type({v}) is not int",
}
_VALIDATORS = {"string": "string", "boolean": "boolean", "integer": "integer", "number": "number"}


def _docstring(text: str, indent: str) -> list[str]:
    """A docstring of one paragraph: on one line when it fits there with its quotes, else wrapped.

    (A docstring of one line is always kept on one line by the formatter, so a text that does
    not fit is wrapped short enough to take two.)
    """
    lines = textwrap.wrap(
        " ".join(text.split()),
        width=_WIDTH - len(indent) - 6,
        break_long_words=False,
        break_on_hyphens=False,
    )
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *(f"{indent}{line}" for line in lines[1:]), f'{indent}"""']


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _call(indent: str, head: str, args: list[str], tail: str = ")") -> list[str]:
    """``head(arg, ...)tail`` on one line, or exploded with a trailing comma when too long."""
    one = f"{indent}{head}{', '.join(args)}{tail}"
    if len(one) <= _WIDTH:
        return [one]
    return [f"{indent}{head}", *(f"{indent}    {a}," for a in args), f"{indent}{tail}"]


def _annotation(field: FrameField) -> str:
    return field.py_type if field.required else f"{field.py_type} | None"


def _metadata(field: FrameField) -> str:
    entries = [f'"wire": {_q(field.wire)}']
    if field.single is not None:
        entries.append(f'"single": {_q(field.single)}')
    return "metadata={" + ", ".join(entries) + "}"


def _field_lines(field: FrameField, *, command: bool) -> list[str]:
    args: list[str] = [] if field.required else ["default=None"]
    if command:
        if field.kind == "array":
            args.append("converter=string_tuple")
        else:
            optional = "False" if field.required else "True"
            args.append(f"validator=strict({_q(_VALIDATORS[field.kind])}, optional={optional})")
    if field.secret:
        args.append("repr=redacted")
    args.append(_metadata(field))
    head = f"    {field.attr}: {_annotation(field)} = attrs.field("
    lines = _call("", head, args)
    if len(lines) > 1:
        lines = [lines[0], *(f"    {line}" for line in lines[1:-1]), "    )"]
    absent = "" if field.required else " Absent: None."
    return [*lines, *_docstring(field.description + absent, "    ")]


_EXTRA_FIELD = [
    "    extra: Mapping[str, Any] = attrs.field("
    'factory=dict, repr=False, metadata={"role": "extra"})',
    *_docstring("Fields Slack sent that the schema does not describe, by wire name.", "    "),
]


def _class(
    name: str, base: str | None, doc: str, consts: list[str], fields: tuple[FrameField, ...]
) -> list[str]:
    out = ["", "", "@attrs.frozen(kw_only=True)", f"class {name}{f'({base})' if base else ''}:"]
    out += _docstring(doc, "    ")
    out.append("")
    out += consts
    if consts and fields:
        out.append("")
    for field in fields:
        out += _field_lines(field, command=base == "Command")
    if base is None:
        out += _EXTRA_FIELD
    return out


# --------------------------------------------------------------------------- decoding


def _reader(name: str) -> str:
    return f"_read_{_snake(name)}"


def _check(field: FrameField, var: str, where: str, frame: str, indent: str) -> list[str]:
    """Lines that check (and for objects and arrays, convert) ``var`` in place."""
    out: list[str] = []
    if field.kind == "any":
        return out
    if field.kind == "object":
        assert field.ref is not None
        return _call(indent, f"{var} = {_reader(field.ref)}(", [var, where, frame])
    if field.kind == "array":
        item = "item_"
        out += [f"{indent}if type({var}) is not list:"]
        out += _call(indent + "    ", "raise frame_error(", [frame, where, var, '"array"'])
        if field.item_kind == "object":
            assert field.item_ref is not None
            out += _call(
                indent,
                f"{var} = tuple(",
                [
                    f'{_reader(field.item_ref)}({item}, {where} + f"[{{i_}}]", {frame})'
                    f" for i_, {item} in enumerate({var})"
                ],
            )
            return out
        if field.item_kind != "any":
            check = _CHECKS[str(field.item_kind)].format(v=item)
            out += [f"{indent}for i_, {item} in enumerate({var}):"]
            out += [f"{indent}    if {check}:"]
            out += _call(
                indent + "        ",
                "raise frame_error(",
                [frame, f'{where} + f"[{{i_}}]"', item, _q(str(field.item_kind))],
            )
        out.append(f"{indent}{var} = tuple({var})")
        return out
    out += [f"{indent}if {_CHECKS[field.kind].format(v=var)}:"]
    out += _call(indent + "    ", "raise frame_error(", [frame, where, var, _q(field.kind)])
    if field.kind == "number":
        out.append(f"{indent}{var} = float({var})")
    return out


def _where(field: FrameField, nested: bool) -> str:
    return f'path_ + ".{field.wire}"' if nested else _q(field.wire)


def _read_fields(fields: tuple[FrameField, ...], frame: str, *, nested: bool) -> list[str]:
    out: list[str] = []
    for field in fields:
        var = field.attr
        where = _where(field, nested)
        out.append(f"    {var} = data_.get({_q(field.wire)})")
        if field.single is not None:
            single_where = f'path_ + ".{field.single}"' if nested else _q(field.single)
            out.append(f"    if {var} is None:")
            out.append(f"        {var} = data_.get({_q(field.single)})")
            out.append(f"        if {var} is not None:")
            item_check = _CHECKS[str(field.item_kind)].format(v=var)
            out.append(f"            if {item_check}:")
            out += _call(
                "                ",
                "raise frame_error(",
                [frame, single_where, var, _q(str(field.item_kind))],
            )
            out.append(f"            {var} = ({var},)")
            if field.required:
                out.append("        else:")
                out += _call("            ", "raise frame_error(", [frame, where, "None", '""'])
            out.append("    else:")
            out += _check(field, var, where, frame, "        ")
            continue
        if field.required:
            if field.kind == "any":
                out.append(f"    if {_q(field.wire)} not in data_:")
                out += _call("        ", "raise frame_error(", [frame, where, "None", '""'])
            else:
                out += _check(field, var, where, frame, "    ")
        elif field.kind in _CHECKS:
            # One condition, not two nested ifs (the linter's SIM102).
            condition = f"{var} is not None and {_CHECKS[field.kind].format(v=var)}"
            if field.kind == "number":
                condition = f"{var} is not None and ({_CHECKS[field.kind].format(v=var)})"
            out.append(f"    if {condition}:")
            out += _call("        ", "raise frame_error(", [frame, where, var, _q(field.kind)])
            if field.kind == "number":
                out.append(f"    if {var} is not None:")
                out.append(f"        {var} = float({var})")
        else:
            checks = _check(field, var, where, frame, "        ")
            if checks:
                out.append(f"    if {var} is not None:")
                out += checks
    return out


def _known(name: str, fields: tuple[FrameField, ...], discriminators: tuple[str, ...]) -> list[str]:
    wires = {f.wire for f in fields} | {f.single for f in fields if f.single} | set(discriminators)
    head = f"_KNOWN_{_snake(name).upper()}: Final = frozenset("
    items = [_q(w) for w in sorted(wires)]
    one = head + "{" + ", ".join(items) + "})"
    if len(one) <= _WIDTH:
        return [one]
    return [head, "    {", *(f"        {item}," for item in items), "    },", ")"]


def _construct(name: str, fields: tuple[FrameField, ...], known: str) -> list[str]:
    args = [f"{f.attr}={f.attr}" for f in fields]
    args.append(f"extra=extra_fields(data_, {known})")
    return _call("    ", f"return {name}(", args)


def _object_reader(model: ObjectModel) -> list[str]:
    known = f"_KNOWN_{_snake(model.name).upper()}"
    out = ["", ""]
    out += _known(model.name, model.fields, ())
    out += [
        "",
        "",
        f"def {_reader(model.name)}(data_: Any, path_: str, frame_: str) -> {model.name}:",
        "    if type(data_) is not dict:",
        '        raise frame_error(frame_, path_, data_, "object")',
    ]
    out += _read_fields(model.fields, "frame_", nested=True)
    out += _construct(model.name, model.fields, known)
    return out


def _frame_reader(
    name: str, returns: str, fields: tuple[FrameField, ...], frame: str, discriminator: str
) -> list[str]:
    known = f"_KNOWN_{_snake(name).upper()}"
    out = ["", ""]
    out += _known(name, fields, (discriminator,))
    out += ["", "", f"def {_reader(name)}(data_: dict[str, Any]) -> {returns}:"]
    out += _read_fields(fields, frame, nested=False)
    out += _construct(name, fields, known)
    return out


# --------------------------------------------------------------------------- encoding


def _encoder(name: str, wire_type: str, fields: tuple[FrameField, ...]) -> list[str]:
    def value(field: FrameField) -> str:
        return f"list(command.{field.attr})" if field.kind == "array" else f"command.{field.attr}"

    required = [f for f in fields if f.required]
    optional = [f for f in fields if not f.required]
    entries = [f'"type": {_q(wire_type)}', *(f"{_q(f.wire)}: {value(f)}" for f in required)]
    out = ["", "", f"def _write_{_snake(name)}(command: {name}) -> dict[str, Any]:"]
    out += _call("    ", "out: dict[str, Any] = {", entries, "}")
    for field in optional:
        out.append(f"    if command.{field.attr} is not None:")
        out.append(f"        out[{_q(field.wire)}] = {value(field)}")
    out.append("    return out")
    return out


# --------------------------------------------------------------------------- the file


def _table(head: str, entries: list[str]) -> list[str]:
    return ["", "", head, *(f"    {e}," for e in entries), "}"]


def emit_events(frames: Frames) -> dict[str, str]:
    """The generated module of RTM frames, by file name, as text."""
    out = _header(frames.sources, "The RTM frames, both directions: classes, decoders, encoders.")
    out += [
        "from collections.abc import Callable, Mapping",
        "from typing import Any, ClassVar, Final",
        "",
        "import attrs",
        "",
        "from slackrtm._event import Ack, Command, Event, extra_fields, frame_error, string_tuple",
        "from slackrtm._spec import redacted, strict",
        "",
    ]
    names = [o.name for o in frames.objects]
    names += [f.class_name for f in (*frames.events, *frames.acks, *frames.commands)]
    tables = [
        "ACK_DECODERS",
        "COMMAND_ENCODERS",
        "DECODERS",
        "EVENT_TYPES",
        "MAX_FRAME_BYTES",
        "RTM_ERROR_DESCRIPTIONS",
        "RTM_ERROR_MESSAGES",
    ]
    out += _all([*tables, *names])
    out += ["", "", f"MAX_FRAME_BYTES: Final = {frames.max_frame_bytes}"]
    out += _docstring("The largest client frame Slack accepts, in bytes of UTF-8.", "")
    out += _table(
        "RTM_ERROR_DESCRIPTIONS: Final[Mapping[int, str]] = {",
        [f"{e.code}: {_q(e.description)}" for e in frames.errors],
    )
    out += _table(
        "RTM_ERROR_MESSAGES: Final[Mapping[int, str]] = {",
        [f"{e.code}: {_q(e.msg)}" for e in frames.errors],
    )

    classes: list[tuple[str, list[str]]] = []
    for model in frames.objects:
        classes.append((model.name, _class(model.name, None, model.description, [], model.fields)))
    for frame in frames.events:
        consts = [f"    TYPE: ClassVar[str] = {_q(frame.discriminator)}"]
        classes.append(
            (
                frame.class_name,
                _class(frame.class_name, "Event", frame.summary, consts, frame.fields),
            )
        )
    for frame in frames.acks:
        consts = [f"    OK: ClassVar[bool] = {frame.discriminator == 'true'}"]
        own = tuple(f for f in frame.fields if f.wire != "reply_to")
        classes.append(
            (frame.class_name, _class(frame.class_name, "Ack", frame.summary, consts, own))
        )
    for frame in frames.commands:
        consts = [f"    TYPE: ClassVar[str] = {_q(frame.discriminator)}"]
        classes.append(
            (
                frame.class_name,
                _class(frame.class_name, "Command", frame.summary, consts, frame.fields),
            )
        )
    for _, lines in sorted(classes):
        out += lines

    for model in frames.objects:
        out += _object_reader(model)
    for frame in frames.events:
        out += _frame_reader(
            frame.class_name, frame.class_name, frame.fields, _q(frame.discriminator), "type"
        )
    for frame in frames.acks:
        out += _frame_reader(frame.class_name, frame.class_name, frame.fields, '"ack"', "ok")
    for frame in frames.commands:
        out += _encoder(frame.class_name, frame.discriminator, frame.fields)

    out += _table(
        "DECODERS: Final[Mapping[str, Callable[[dict[str, Any]], Event]]] = {",
        [f"{_q(f.discriminator)}: {_reader(f.class_name)}" for f in frames.events],
    )
    out += _docstring("The decoder of each server event, by wire ``type``.", "")
    out += _table(
        "ACK_DECODERS: Final[Mapping[bool, Callable[[dict[str, Any]], Ack]]] = {",
        [f"{f.discriminator == 'true'}: {_reader(f.class_name)}" for f in frames.acks],
    )
    out += _docstring("The decoder of each acknowledgement, by wire ``ok``.", "")
    out += _table(
        "EVENT_TYPES: Final[Mapping[str, type[Event]]] = {",
        [f"{_q(f.discriminator)}: {f.class_name}" for f in frames.events],
    )
    out += _docstring("The class of each server event, by wire ``type``.", "")
    out += _table(
        "COMMAND_ENCODERS: Final[Mapping[type[Command], Callable[[Any], dict[str, Any]]]] = {",
        [f"{f.class_name}: _write_{_snake(f.class_name)}" for f in frames.commands],
    )
    out += _docstring("The writer of each client command, by class: a dict without ``id``.", "")
    return {"events.py": _file(out)}
