"""RTM frames -> the strict decoders of slackrtm/_generated/events.py (``_strict_<name>``).

The detailed path, written out field by field: each value checked against its field's kind one
by one (no coercion: ``"1"`` is not an integer, ``1`` is not a boolean; an integer is taken for
a number and made a float), nested objects read by their own strict decoders, arrays item by
item, and the first value refused raised as `SlackFrameError` with the frame's type and the
wire path of the offending field. A valid frame is built through the class's ``__init__``, the
fields the schema does not describe kept on ``extra`` (by the ``_KNOWN_`` table written here).

What must not live here: the fast path (emit_event_fast.py), the classes and the file's layout
(emit_events.py), and helpers another emitter needs (text.py).
"""

from __future__ import annotations

from .rtm import FrameField, ObjectModel
from .text import WIDTH, call_lines, def_lines, quote, snake_case, strict_reader_name

__all__ = ["known_table", "strict_frame", "strict_object"]

_CHECKS = {
    "string": "type({v}) is not str",
    "boolean": "type({v}) is not bool",
    "integer": "type({v}) is not int",
    "number": "type({v}) is not float and type({v}) is not int",
}
"""The condition of a value that is not of a scalar kind, with ``{v}`` for the value."""


def _check(field: FrameField, var: str, where: str, frame: str, indent: str) -> list[str]:
    """Lines that check (and for objects and arrays, convert) ``var`` in place."""
    out: list[str] = []
    if field.kind == "any":
        return out
    if field.kind == "object":
        return call_lines(
            indent, f"{var} = {strict_reader_name(field.reader)}(", [var, where, frame]
        )
    if field.kind == "array":
        item = "item_"
        out += [f"{indent}if type({var}) is not list:"]
        out += call_lines(indent + "    ", "raise frame_error(", [frame, where, var, '"array"'])
        if field.item_kind == "object":
            # A loop, not a generator: a generator too long for one line cannot be exploded.
            out += [f"{indent}items_ = []", f"{indent}for i_, {item} in enumerate({var}):"]
            read = strict_reader_name(field.item_reader)
            args = [item, f'{where} + f"[{{i_}}]"', frame]
            lines = call_lines(indent + "    ", f"items_.append({read}(", args, "))")
            if len(lines) > 1:  # the formatter breaks the outer call first
                lines = [
                    f"{indent}    items_.append(",
                    *call_lines(indent + "        ", f"{read}(", args),
                    f"{indent}    )",
                ]
            out += lines
            out.append(f"{indent}{var} = tuple(items_)")
            return out
        if field.item_kind != "any":
            check = _CHECKS[str(field.item_kind)].format(v=item)
            out += [f"{indent}for i_, {item} in enumerate({var}):"]
            out += [f"{indent}    if {check}:"]
            out += call_lines(
                indent + "        ",
                "raise frame_error(",
                [frame, f'{where} + f"[{{i_}}]"', item, quote(str(field.item_kind))],
            )
        out.append(f"{indent}{var} = tuple({var})")
        return out
    out += [f"{indent}if {_CHECKS[field.kind].format(v=var)}:"]
    out += call_lines(indent + "    ", "raise frame_error(", [frame, where, var, quote(field.kind)])
    if field.kind == "number":
        out.append(f"{indent}{var} = float({var})")
    return out


_SHADOWED = frozenset({"type", "tuple", "float", "enumerate"})
"""Builtins a strict reader calls: a field of that name is held in a local with another name."""


def _local(field: FrameField) -> str:
    return f"{field.attr}_v" if field.attr in _SHADOWED else field.attr


def _where(field: FrameField, nested: bool) -> str:
    return f'path_ + ".{field.wire}"' if nested else quote(field.wire)


def _read_fields(fields: tuple[FrameField, ...], frame: str, *, nested: bool) -> list[str]:
    out: list[str] = []
    for field in fields:
        var = _local(field)
        where = _where(field, nested)
        out.append(f"    {var} = data_.get({quote(field.wire)})")
        if field.single is not None:
            single_where = f'path_ + ".{field.single}"' if nested else quote(field.single)
            out.append(f"    if {var} is None:")
            out.append(f"        {var} = data_.get({quote(field.single)})")
            out.append(f"        if {var} is not None:")
            item_check = _CHECKS[str(field.item_kind)].format(v=var)
            out.append(f"            if {item_check}:")
            out += call_lines(
                "                ",
                "raise frame_error(",
                [frame, single_where, var, quote(str(field.item_kind))],
            )
            out.append(f"            {var} = ({var},)")
            if field.required:
                out.append("        else:")
                out += call_lines(
                    "            ", "raise frame_error(", [frame, where, "None", '""']
                )
            out.append("    else:")
            out += _check(field, var, where, frame, "        ")
            continue
        if field.required:
            if field.kind == "any":
                out.append(f"    if {quote(field.wire)} not in data_:")
                out += call_lines("        ", "raise frame_error(", [frame, where, "None", '""'])
            else:
                out += _check(field, var, where, frame, "    ")
        elif field.kind in _CHECKS:
            # One condition, not two nested ifs (the linter's SIM102).
            condition = f"{var} is not None and {_CHECKS[field.kind].format(v=var)}"
            if field.kind == "number":
                condition = f"{var} is not None and ({_CHECKS[field.kind].format(v=var)})"
            out.append(f"    if {condition}:")
            out += call_lines(
                "        ", "raise frame_error(", [frame, where, var, quote(field.kind)]
            )
            if field.kind == "number":
                out.append(f"    if {var} is not None:")
                out.append(f"        {var} = float({var})")
        else:
            checks = _check(field, var, where, frame, "        ")
            if checks:
                out.append(f"    if {var} is not None:")
                out += checks
    return out


def known_table(
    name: str, fields: tuple[FrameField, ...], discriminators: tuple[str, ...]
) -> list[str]:
    """``_KNOWN_<NAME>``: every wire name the schema describes for a frame or object.

    Args:
        name: The class name.
        fields: Its fields (a field's ``single`` alternative counts as known).
        discriminators: The wire names that tell the frame apart (``type``, ``ok``), if any.

    Returns:
        The constant's lines; what is not in it goes to the instance's ``extra``.
    """
    wires = {f.wire for f in fields} | {f.single for f in fields if f.single} | set(discriminators)
    head = f"_KNOWN_{snake_case(name).upper()}: Final = frozenset("
    items = [quote(w) for w in sorted(wires)]
    one = head + "{" + ", ".join(items) + "})"
    if len(one) <= WIDTH:
        return [one]
    return [head, "    {", *(f"        {item}," for item in items), "    },", ")"]


def _construct(name: str, fields: tuple[FrameField, ...], known: str) -> list[str]:
    args = [f"{f.attr}={_local(f)}" for f in fields]
    args.append(f"extra=extra_fields(data_, {known})")
    return call_lines("    ", f"return {name}(", args)


def strict_object(model: ObjectModel) -> list[str]:
    """``_strict_<object>(data_, path_, frame_)``: a shared object, read inside a frame.

    Args:
        model: The shared object.

    Returns:
        The function's lines; it raises with ``path_`` (the object's wire path) prefixed.
    """
    name = model.name
    out = [
        "",
        "",
        *def_lines(strict_reader_name(name), "data_: Any, path_: str, frame_: str", name),
        "    if type(data_) is not dict:",
        '        raise frame_error(frame_, path_, data_, "object")',
    ]
    out += _read_fields(model.fields, "frame_", nested=True)
    out += _construct(name, model.fields, f"_KNOWN_{snake_case(name).upper()}")
    return out


def strict_frame(name: str, returns: str, fields: tuple[FrameField, ...], frame: str) -> list[str]:
    """``_strict_<frame>(data_)``: a whole server frame, already known to be a dict.

    Args:
        name: The frame's class.
        returns: The annotation of what the function returns.
        fields: The frame's fields.
        frame: The expression naming the frame in errors (its wire type, quoted).

    Returns:
        The function's lines.
    """
    out = ["", "", f"def {strict_reader_name(name)}(data_: dict[str, Any]) -> {returns}:"]
    out += _read_fields(fields, frame, nested=False)
    out += _construct(name, fields, f"_KNOWN_{snake_case(name).upper()}")
    return out
