"""RTM frames (codegen.rtm) -> Python source of slackrtm/_generated/events.py, already formatted.

One frozen attrs class per frame and shared object, and for each server frame (and shared
object) three decoding functions:

- ``_fast_<name>``, the hot path: one pass over the frame's items against a table of the exact
  Python type of every field (no coercion: ``"1"`` is not an integer, ``1`` is not a boolean),
  the required fields present, unknown fields into ``extra``; the instance is built without its
  ``__init__`` (``object.__new__``, then its ``__dict__`` filled from the frame at C speed: the
  server-side classes are attrs classes without slots, and their optional fields read None
  from the class when a frame leaves them out). It returns None, rather than explain, for
  anything it does not take as it is: a wrong type, a missing field, a number given as an
  integer, an ``any`` field, an unknown field inside a nested object;
- ``_strict_<name>``, the detailed path, written out field by field: the same checks one by one,
  raising `SlackFrameError` with the frame's type and the wire path of the offending field, or
  building the instance when the frame is valid after all;
- ``_read_<name>``: the first, else the second (what ``DECODERS`` holds).

So a valid frame gives the same instance either way, and an invalid one the same error as
before the fast path existed. `slackrtm.events.decode` also uses the fast path alone (the
``FAST_DECODERS`` tables) on what orjson decoded, where a None sends the frame to the standard
library's reader.

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
    if base == "Command":
        decorators = ["@attrs.frozen(kw_only=True)"]
    else:
        # What the server sends: built by the fast readers from a dict (see the module doc).
        decorators = ["@absent_is_none", "@attrs.frozen(kw_only=True, slots=False)"]
    out = ["", "", *decorators, f"class {name}{f'({base})' if base else ''}:"]
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


def _strict(name: str) -> str:
    return f"_strict_{_snake(name)}"


def _fast(name: str) -> str:
    return f"_fast_{_snake(name)}"


def _check(field: FrameField, var: str, where: str, frame: str, indent: str) -> list[str]:
    """Lines that check (and for objects and arrays, convert) ``var`` in place."""
    out: list[str] = []
    if field.kind == "any":
        return out
    if field.kind == "object":
        assert field.ref is not None
        return _call(indent, f"{var} = {_strict(field.ref)}(", [var, where, frame])
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
                    f'{_strict(field.item_ref)}({item}, {where} + f"[{{i_}}]", {frame})'
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
    name = _snake(model.name).upper()
    known = f"_KNOWN_{name}"
    out = ["", ""]
    out += _known(model.name, model.fields, ())
    out += _nullable(model.name, model.fields)
    out += _types(model.name, model.fields, None)
    out += _fast_object(model)
    out += [
        "",
        "",
        f"def {_strict(model.name)}(data_: Any, path_: str, frame_: str) -> {model.name}:",
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
    out += _nullable(name, fields)
    out += _types(name, fields, discriminator)
    out += _fast_frame(name, fields, discriminator)
    out += ["", "", f"def {_strict(name)}(data_: dict[str, Any]) -> {returns}:"]
    out += _read_fields(fields, frame, nested=False)
    out += _construct(name, fields, known)
    out += [
        "",
        "",
        f"def {_reader(name)}(data_: dict[str, Any]) -> {returns}:",
        f"    return {_fast(name)}(data_.copy()) or {_strict(name)}(data_)",
    ]
    return out


# --------------------------------------------------------------------------- the fast path

_EXACT = {
    "string": "str",
    "boolean": "bool",
    "integer": "int",
    "number": "float",
    "object": "dict",
    "array": "list",
}
"""The one Python type the fast path takes for a JSON kind (an integer for a number: no)."""

_DISCRIMINATOR_TYPES = {"type": "str", "ok": "bool"}


def _exact(field: FrameField) -> str | None:
    """The type the fast path takes for a field; None for one it never takes (``any``)."""
    if field.kind == "any" or (field.kind == "array" and field.item_kind == "any"):
        return None
    return _EXACT[field.kind]


def _nullable(name: str, fields: tuple[FrameField, ...]) -> list[str]:
    """The wire names that may be null, meaning absent: the optional fields and the singles."""
    wires = {f.wire for f in fields if not f.required} | {f.single for f in fields if f.single}
    head = f"_NULLABLE_{_snake(name).upper()}: Final = frozenset("
    if not wires:
        return []
    items = [_q(w) for w in sorted(w for w in wires if w)]
    one = head + "{" + ", ".join(items) + "})"
    if len(one) <= _WIDTH:
        return ["", "", one]
    return ["", "", head, "    {", *(f"        {item}," for item in items), "    },", ")"]


def _types(name: str, fields: tuple[FrameField, ...], discriminator: str | None) -> list[str]:
    """The table of the exact type of every field the fast path takes, by wire name."""
    entries: dict[str, str] = {}
    if discriminator is not None:
        entries[discriminator] = _DISCRIMINATOR_TYPES[discriminator]
    for field in fields:
        exact = _exact(field)
        if exact is not None:
            entries[field.wire] = exact
        if field.single is not None:
            entries[field.single] = _EXACT[str(field.item_kind)]
    upper = _snake(name).upper()
    out = ["", "", f"_TYPES_{upper}: Final[Mapping[str, type]] = {{"]
    out += [f"    {_q(wire)}: {entries[wire]}," for wire in sorted(entries)]
    out += ["}", f"_DICT_{upper}: Final = dict_setter({name})"]
    return out


def _convertible(field: FrameField) -> bool:
    """Whether the fast path turns a field's value into another (an object, a tuple)."""
    return field.single is not None or field.kind == "object" or field.kind == "array"


def _convert(fields: tuple[FrameField, ...]) -> list[str]:
    """Lines that check and build the values of nested objects and arrays into ``valueN_``.

    Nothing is changed in ``data_`` yet: a None returned here leaves the frame as it came,
    for the strict reader.
    """
    out: list[str] = []
    for index, field in enumerate(f for f in fields if _convertible(f)):
        var = f"value{index}_"
        wire = _q(field.wire)
        out.append(f"    {var} = data_.get({wire})")
        if field.single is not None:
            single = _q(field.single)
            out += [
                f"    if {var} is None:",
                f"        single_ = data_.get({single})",
                "        if single_ is not None:",
                f"            {var} = (single_,)",
            ]
            if field.required:
                out += ["        else:", "            return None"]
            out += ["    else:"]
            out += _array_items(field, var, "        ")
        elif field.kind == "object":
            assert field.ref is not None
            out += [
                f"    if {var} is not None:",
                f"        {var} = {_fast(field.ref)}({var})",
                f"        if {var} is None:",
                "            return None",
            ]
        else:
            out += [f"    if {var} is not None:"]
            out += _array_items(field, var, "        ")
    return out


def _store(fields: tuple[FrameField, ...]) -> list[str]:
    """Lines that put the built values (see `_convert`) and the Python names into ``data_``."""
    out: list[str] = []
    for index, field in enumerate(f for f in fields if _convertible(f)):
        var = f"value{index}_"
        if field.single is not None:
            out.append(f"    data_.pop({_q(field.single)}, None)")
        out += [f"    if {var} is not None:", f"        data_[{_q(field.wire)}] = {var}"]
    for field in fields:
        if field.attr != field.wire:
            wire = _q(field.wire)
            out += [
                f"    if {wire} in data_:",
                f"        data_[{_q(field.attr)}] = data_.pop({wire})",
            ]
    return out


def _array_items(field: FrameField, var: str, indent: str) -> list[str]:
    """Check the items of the list ``var`` and make it a tuple (of built objects)."""
    if field.item_kind == "object":
        assert field.item_ref is not None
        return [
            f"{indent}items_ = []",
            f"{indent}for item_ in {var}:",
            f"{indent}    item_ = {_fast(field.item_ref)}(item_)",
            f"{indent}    if item_ is None:",
            f"{indent}        return None",
            f"{indent}    items_.append(item_)",
            f"{indent}{var} = tuple(items_)",
        ]
    if field.item_kind == "any":
        return [f"{indent}return None"]
    return [
        f"{indent}for item_ in {var}:",
        f"{indent}    if type(item_) is not {_EXACT[str(field.item_kind)]}:",
        f"{indent}        return None",
        f"{indent}{var} = tuple({var})",
    ]


def _required(fields: tuple[FrameField, ...]) -> list[str]:
    out: list[str] = []
    for field in fields:
        if field.required and field.single is None:
            out += [f"    if {_q(field.wire)} not in data_:", "        return None"]
    return out


def _has_nullable(fields: tuple[FrameField, ...]) -> bool:
    return any(not f.required or f.single for f in fields)


def _fast_frame(name: str, fields: tuple[FrameField, ...], discriminator: str) -> list[str]:
    upper = _snake(name).upper()
    nullable = _has_nullable(fields)
    out = [
        "",
        "",
        f"def {_fast(name)}(data_: dict[str, Any]) -> {name} | None:",
        *_docstring(
            "The frame as it is, else None; takes ``data_`` over as the instance's ``__dict__``"
            " (changed only when it returns the instance).",
            "    ",
        ),
        f"    types_ = _TYPES_{upper}",
        f"    known_ = _KNOWN_{upper}",
    ]
    if nullable:
        out.append(f"    nullable_ = _NULLABLE_{upper}")
    # One pass: each field's exact type; a field the schema does not describe goes to extra_.
    out += [
        "    extra_: dict[str, Any] | None = None",
        "    for key_, value_ in data_.items():",
        "        if types_.get(key_) is not type(value_):",
        "            if key_ not in known_:",
        "                if extra_ is None:",
        "                    extra_ = {key_: value_}",
        "                else:",
        "                    extra_[key_] = value_",
    ]
    if nullable:
        out += ["            elif value_ is not None or key_ not in nullable_:"]
    else:
        out += ["            else:"]
    out += ["                return None"]
    out += [f"    if {_q(discriminator)} not in data_:", "        return None"]
    out += _required(fields)
    out += _convert(fields)
    # Without unknown fields, ``extra`` is left to the class (NO_EXTRA): see absent_is_none.
    out += [
        "    if extra_ is not None:",
        "        for key_ in extra_:",
        "            del data_[key_]",
        f"    del data_[{_q(discriminator)}]",
    ]
    out += _store(fields)
    out += [
        "    if extra_ is not None:",
        '        data_["extra"] = extra_',
        f"    event_ = _new({name})",
        f"    _DICT_{upper}(event_, data_)",
        "    return event_",
    ]
    return out


def _wrong(expected: str, nullable: bool) -> str:
    """The condition of a value that is not of its field's type (a null optional one is)."""
    condition = f"{expected} is not type(value_)"
    if nullable:
        condition += " and (value_ is not None or key_ not in nullable_)"
    return condition


def _fast_object(model: ObjectModel) -> list[str]:
    upper = _snake(model.name).upper()
    nullable = _has_nullable(model.fields)
    out = [
        "",
        "",
        f"def {_fast(model.name)}(data_: Any) -> {model.name} | None:",
        "    if type(data_) is not dict:",
        "        return None",
        f"    types_ = _TYPES_{upper}",
    ]
    if nullable:
        out.append(f"    nullable_ = _NULLABLE_{upper}")
    out += [
        "    try:",
        "        for key_, value_ in data_.items():",
        f"            if {_wrong('types_[key_]', nullable)}:",
        "                return None",
        "    except KeyError:  # a field the schema does not describe: the strict reader keeps it",
        "        return None",
    ]
    out += _required(model.fields)
    out += _convert(model.fields)
    # A copy: the dict may be the caller's (through DECODERS), and becomes the instance's.
    out += ["    data_ = data_.copy()"]
    out += _store(model.fields)
    out += [
        f"    object_ = _new({model.name})",
        f"    _DICT_{upper}(object_, data_)",
        "    return object_",
    ]
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
        "from slackrtm._event import (",
        "    Ack,",
        "    Command,",
        "    Event,",
        "    absent_is_none,",
        "    dict_setter,",
        "    extra_fields,",
        "    frame_error,",
        "    string_tuple,",
        ")",
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
    out += ["", "", "_new: Final = object.__new__"]
    out += _docstring(
        "How the fast readers make an instance: without its ``__init__``, the checked frame then"
        " given as its ``__dict__`` (by the class's ``_DICT_`` setter).",
        "",
    )
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
        "FAST_DECODERS: Final[Mapping[str, Callable[[dict[str, Any]], Event | None]]] = {",
        [f"{_q(f.discriminator)}: {_fast(f.class_name)}" for f in frames.events],
    )
    out += _docstring(
        "The fast path alone of each server event's decoder: None for a frame it does not take"
        " as it is (see `DECODERS` for one that explains it).",
        "",
    )
    out += _table(
        "FAST_ACK_DECODERS: Final[Mapping[bool, Callable[[dict[str, Any]], Ack | None]]] = {",
        [f"{f.discriminator == 'true'}: {_fast(f.class_name)}" for f in frames.acks],
    )
    out += _docstring("The fast path alone of each acknowledgement's decoder.", "")
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
