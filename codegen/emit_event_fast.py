"""RTM frames -> the fast decoders of slackrtm/_generated/events.py (``_fast_<name>``).

The hot path: one pass over the frame's items against a table of the exact Python type of every
field (``_TYPES_<NAME>``; no coercion: ``"1"`` is not an integer, ``1`` is not a boolean), the
required fields present, unknown fields into ``extra``. The instance is built without its
``__init__`` (``object.__new__``, then its ``__dict__`` filled from the frame at C speed: the
server-side classes are attrs classes without slots, and their optional fields read None from
the class when a frame leaves them out). It returns None, rather than explain, for anything it
does not take as it is: a wrong type, a missing field, a number given as an integer, an ``any``
field, an unknown field inside a nested object. The strict decoder (emit_event_strict.py) then
explains, or builds the instance after all.

A small class's reader opens with a branch for a frame or object that carries every field, and a
small object's reads it field by field once it has no unknown one (emit_event_exact.py): both
accept and build exactly what the loop does.

What must not live here: the strict path (emit_event_strict.py), the classes and the file's
layout (emit_events.py), and helpers another emitter needs (text.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from .emit_event_exact import (
    TAKEN_OVER,
    branches,
    exact_branch,
    inlined,
    known_branch,
    known_only,
    member_in_place,
)
from .rtm import FrameField, ObjectModel
from .socket import ANY_EVENT
from .text import WIDTH, fast_reader_name, paragraph_docstring, quote, snake_case

__all__ = ["fast_frame", "fast_object", "nullable_table", "types_table"]

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

_Models = Mapping[str, ObjectModel]
_NO_MODELS: _Models = MappingProxyType({})


def _exact(field: FrameField) -> str | None:
    """The type the fast path takes for a field; None for one it never takes (``any``)."""
    if field.kind == "any" or (field.kind == "array" and field.item_kind == "any"):
        return None
    return _EXACT[field.kind]


def nullable_table(name: str, fields: tuple[FrameField, ...]) -> list[str]:
    """``_NULLABLE_<NAME>``: the wire names that may be null, meaning absent.

    Args:
        name: The class name.
        fields: Its fields; the optional ones and the ``single`` alternatives may be null.

    Returns:
        The constant's lines, or none when no field may be null.
    """
    wires = {f.wire for f in fields if not f.required} | {f.single for f in fields if f.single}
    head = f"_NULLABLE_{snake_case(name).upper()}: Final = frozenset("
    if not wires:
        return []
    items = [quote(w) for w in sorted(w for w in wires if w)]
    one = head + "{" + ", ".join(items) + "})"
    if len(one) <= WIDTH:
        return ["", "", one]
    return ["", "", head, "    {", *(f"        {item}," for item in items), "    },", ")"]


def types_table(name: str, fields: tuple[FrameField, ...], discriminator: str | None) -> list[str]:
    """``_TYPES_<NAME>``: the exact type of every field the fast path takes, by wire name.

    Also ``_DICT_<NAME>``, the setter that gives a checked dict to an instance as its
    ``__dict__``.

    Args:
        name: The class name.
        fields: Its fields; an ``any`` field is left out (the fast path never takes it).
        discriminator: The wire name that tells the frame apart, or None for an object.

    Returns:
        The constants' lines.
    """
    entries: dict[str, str] = {}
    converted: dict[str, str] = {}
    if discriminator is not None:
        entries[discriminator] = _DISCRIMINATOR_TYPES[discriminator]
    for field in fields:
        # In a frame, the fields the fast path converts have a table of their own (see
        # `_one_pass`): a frame without them then pays nothing for them.
        into = converted if discriminator is not None and _flagged(field) else entries
        exact = _exact(field)
        if exact is not None:
            into[field.wire] = exact
        if field.single is not None:
            into[field.single] = _EXACT[str(field.item_kind)]
    upper = snake_case(name).upper()
    out = ["", "", f"_TYPES_{upper}: Final[Mapping[str, type]] = {{"]
    out += [f"    {quote(wire)}: {entries[wire]}," for wire in sorted(entries)]
    out += ["}", f"_DICT_{upper}: Final = dict_setter({name})"]
    if converted:
        out += [f"_CONVERT_{upper}: Final[Mapping[str, type]] = {{"]
        out += [f"    {quote(wire)}: {converted[wire]}," for wire in sorted(converted)]
        out += ["}"]
    return out


def _convertible(field: FrameField) -> bool:
    """Whether the fast path turns a field's value into another (an object, a tuple).

    Not an array of ``any``: the one pass refuses any value of it but null (see `_exact`).
    """
    if field.kind == "array" and field.item_kind == "any":
        return False
    return field.single is not None or field.kind == "object" or field.kind == "array"


def _always(field: FrameField) -> bool:
    """Whether a frame's reader converts a field unconditionally: one every frame must have.

    Such a field (a reaction's ``item``) is checked in the one pass by its container type, like
    any scalar, and needs neither ``convert_`` nor ``conv_``: a call and a branch less a frame.
    """
    return _convertible(field) and field.required and field.single is None


def _flagged(field: FrameField) -> bool:
    """Whether a frame's reader converts a field only when the one pass saw it (``conv_``)."""
    return _convertible(field) and not _always(field)


def _convert(
    fields: tuple[FrameField, ...],
    only: Callable[[FrameField], bool] = _convertible,
    members: _Models = _NO_MODELS,
) -> list[str]:
    """Lines that check and build the values of nested objects and arrays into ``valueN_``.

    Nothing is changed in ``data_`` yet: a None returned here leaves the frame as it came,
    for the strict reader. ``only`` picks the fields written here (``N`` counts them all).
    """
    out: list[str] = []
    convertible = enumerate(f for f in fields if _convertible(f))
    # A value whose reader takes its dict over is built last (`TAKEN_OVER`): nothing refuses
    # the frame after it, so a refused frame's dicts are as they came.
    for index, field in sorted(convertible, key=lambda pair: pair[1].ref in TAKEN_OVER):
        if not only(field):
            continue
        var = f"value{index}_"
        wire = quote(field.wire)
        out.append(f"    {var} = data_.get({wire})")
        if _always(field) and only is _always:
            # Checked as a dict (a list) by the one pass, and required: present, or refused.
            out += [f"    if {var} is None:", "        return None"]
            out += _build_one(field, var, "    ", members)
            continue
        if field.single is not None:
            single = quote(field.single)
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
        else:
            out += [f"    if {var} is not None:", *_build_one(field, var, "        ", members)]
    return out


def _build_one(
    field: FrameField, var: str, indent: str, members: _Models = _NO_MODELS
) -> list[str]:
    """Lines that check and build one value ``var`` (not None), or return None."""
    if field.union_members:
        return _union_inline(field, var, indent, members)
    if field.kind == "object" and field.ref == ANY_EVENT:
        return _any_event(var, indent)
    if field.kind == "object":
        return [
            f"{indent}{var} = {fast_reader_name(field.reader)}({var})",
            f"{indent}if {var} is None:",
            f"{indent}    return None",
        ]
    return _array_items(field, var, indent)


def _any_event(var: str, indent: str) -> list[str]:
    """Any RTM event (Socket Mode's inner one) by the fast reader of its type, written in place.

    None for what is not an object with a known string ``type`` (the strict reader then makes
    it an `UnknownEvent` or a `FallbackEvent`); the reader takes the dict over, which is safe
    because the event is built last (`TAKEN_OVER`, ``slackrtm._envelope``).
    """
    return [
        f"{indent}if type({var}) is not dict:",
        f"{indent}    return None",
        f'{indent}kind_ = {var}.get("type")',
        f"{indent}read_ = _EVENT_READERS.get(kind_) if type(kind_) is str else None",
        f"{indent}if read_ is None:",
        f"{indent}    return None",
        *_reader_call("read_", var, indent),
    ]


def _union_inline(field: FrameField, var: str, indent: str, members: _Models) -> list[str]:
    """The union's dispatch, written in place (a call less per frame): its member's reader.

    ``var`` is a dict already (the one pass took the field's value only as one). A member of
    scalars alone (`_inlined`) is read in place too when the object has all its fields.
    """
    out = [  # a subscript: cheaper than ``.get`` when the member's field is there, as it is
        f"{indent}try:",
        f"{indent}    kind_ = {var}[{quote(str(field.union_on))}]",
        f"{indent}except KeyError:",
        f"{indent}    kind_ = None",
    ]
    for number, (value, member) in enumerate(field.union_members):
        out.append(f"{indent}{'if' if number == 0 else 'elif'} kind_ == {quote(value)}:")
        model = members.get(member)
        if model is not None and inlined(model):
            out += member_in_place(model, str(field.union_on), var, indent + "    ")
            out += [f"{indent}    else:"]
            out += _reader_call(fast_reader_name(member), var, indent + "        ")
        else:
            out += _reader_call(fast_reader_name(member), var, indent + "    ")
    return [*out, f"{indent}else:", f"{indent}    return None"]


def _builder(members: _Models) -> Callable[[FrameField, str, str], list[str]]:
    """`_build_one` for `exact_branch`, with the shared objects a union's reader inlines."""

    def build(field: FrameField, var: str, indent: str) -> list[str]:
        return _build_one(field, var, indent, members)

    return build


def _reader_call(reader: str, var: str, indent: str) -> list[str]:
    return [
        f"{indent}{var} = {reader}({var})",
        f"{indent}if {var} is None:",
        f"{indent}    return None",
    ]


def _store(fields: tuple[FrameField, ...]) -> list[str]:
    """Lines that put the built values (see `_convert`) and the Python names into ``data_``."""
    return _store_built(fields) + _store_names(fields)


def _store_built(
    fields: tuple[FrameField, ...], only: Callable[[FrameField], bool] = _convertible
) -> list[str]:
    """Lines that put the values `_convert` built into ``data_`` (``only``: as there)."""
    out: list[str] = []
    convertible = enumerate(f for f in fields if _convertible(f))
    # A value whose reader takes its dict over is built last (`TAKEN_OVER`): nothing refuses
    # the frame after it, so a refused frame's dicts are as they came.
    for index, field in sorted(convertible, key=lambda pair: pair[1].ref in TAKEN_OVER):
        if not only(field):
            continue
        var = f"value{index}_"
        if field.single is not None:
            out.append(f"    data_.pop({quote(field.single)}, None)")
        out += [f"    if {var} is not None:", f"        data_[{quote(field.wire)}] = {var}"]
    return out


def _store_frame_built(fields: tuple[FrameField, ...], converts: bool) -> list[str]:
    """A frame's `_store_built`: the `_always` values stored as they are, the others if built."""
    out: list[str] = []
    for index, field in enumerate(f for f in fields if _convertible(f)):
        if _always(field):
            out.append(f"    data_[{quote(field.wire)}] = value{index}_")
    if converts:
        built = _store_built(fields, _flagged)
        if len(built) == 2:  # one value: one condition (ruff's SIM102)
            out += [built[0].replace("    if ", "    if conv_ and ", 1), built[1]]
        else:
            out += ["    if conv_:", *(f"    {line}" for line in built)]
    return out


def _store_names(fields: tuple[FrameField, ...]) -> list[str]:
    """Lines that move values from their wire names to their Python names in ``data_``."""
    out: list[str] = []
    for field in fields:
        if field.attr != field.wire:
            wire = quote(field.wire)
            out += [
                f"    if {wire} in data_:",
                f"        data_[{quote(field.attr)}] = data_.pop({wire})",
            ]
    return out


def _array_items(field: FrameField, var: str, indent: str) -> list[str]:
    """Check the items of the list ``var`` and make it a tuple (of built objects)."""
    if field.item_kind == "object":
        return [
            f"{indent}items_ = []",
            f"{indent}for item_ in {var}:",
            f"{indent}    item_ = {fast_reader_name(field.item_reader)}(item_)",
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


def _required(fields: tuple[FrameField, ...], converted: bool = False) -> list[str]:
    """Lines that refuse a frame without a required field.

    With ``converted`` (a frame's reader), not those `_always` converts: it refuses them there.
    """
    out: list[str] = []
    for field in fields:
        if field.required and field.single is None and not (converted and _always(field)):
            out += [f"    if {quote(field.wire)} not in data_:", "        return None"]
    return out


def _has_nullable(fields: tuple[FrameField, ...]) -> bool:
    return any(not f.required or f.single for f in fields)


def _one_pass(nullable: bool, converts: bool) -> list[str]:
    """The loop of a frame's fast decoder: each field's exact type, unknown fields to ``extra_``.

    A value of the wrong type refuses the frame, except a null where the field may be absent.
    With ``converts``, a field the fast path converts (an object, an array) is checked against
    ``convert_`` instead, and sets ``conv_``: only a frame that has one converts anything.
    """
    out = [
        "    extra_: dict[str, Any] | None = None",
        *(["    conv_ = False"] if converts else []),
        "    for key_, value_ in data_.items():",
        "        if types_.get(key_) is not type(value_):",
        "            if key_ not in known_:",
        "                if extra_ is None:",
        "                    extra_ = {key_: value_}",
        "                else:",
        "                    extra_[key_] = value_",
    ]
    if converts:
        out += [
            "            elif convert_.get(key_) is type(value_):",
            "                conv_ = True",
        ]
    if nullable:
        out += ["            elif value_ is not None or key_ not in nullable_:"]
    else:
        out += ["            else:"]
    out += ["                return None"]
    return out


def fast_frame(
    name: str, fields: tuple[FrameField, ...], discriminator: str, members: _Models = _NO_MODELS
) -> list[str]:
    """``_fast_<frame>(data_)``: a server frame in one pass, or None for the strict decoder.

    Args:
        name: The frame's class.
        fields: Its fields.
        discriminator: Its discriminating wire name (``type``, or ``ok`` for an ack).
        members: The shared objects by name: a union's small members are read in place.

    Returns:
        The function's lines.
    """
    upper = snake_case(name).upper()
    nullable = _has_nullable(fields)
    out = [
        "",
        "",
        f"def {fast_reader_name(name)}(data_: dict[str, Any]) -> {name} | None:",
        *paragraph_docstring(
            "The frame as it is, else None; takes ``data_`` over as the instance's ``__dict__``"
            " (changed only when it returns the instance).",
            "    ",
        ),
    ]
    if branches(fields, discriminator):
        out += exact_branch(name, fields, discriminator, _builder(members))
    out += [f"    types_ = _TYPES_{upper}", f"    known_ = _KNOWN_{upper}"]
    converts = any(_flagged(f) for f in fields)
    if nullable:
        out.append(f"    nullable_ = _NULLABLE_{upper}")
    if converts:
        out.append(f"    convert_ = _CONVERT_{upper}")
    out += _one_pass(nullable, converts)
    out += [f"    if {quote(discriminator)} not in data_:", "        return None"]
    out += _required(fields, converted=True)
    out += _convert(fields, _always, members)
    if converts:
        flagged = _convert(fields, _flagged, members)
        out += ["    if conv_:", *(f"    {line}" for line in flagged)]
        if any(f.required and f.single is not None for f in fields):
            out += ["    else:", "        return None  # neither of a required field's names"]
    # Without unknown fields, ``extra`` is left to the class (NO_EXTRA): see absent_is_none.
    out += [
        "    if extra_ is not None:",
        "        for key_ in extra_:",
        "            del data_[key_]",
        f"    del data_[{quote(discriminator)}]",
    ]
    out += _store_frame_built(fields, converts)
    out += _store_names(fields)
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


def fast_object(model: ObjectModel, members: _Models = _NO_MODELS) -> list[str]:
    """``_fast_<object>(data_)``: a shared object inside a frame, or None.

    Args:
        model: The shared object.
        members: The shared objects by name: a union's small members are read in place.

    Returns:
        The function's lines.
    """
    upper = snake_case(model.name).upper()
    nullable = _has_nullable(model.fields)
    out = [
        "",
        "",
        f"def {fast_reader_name(model.name)}(data_: Any) -> {model.name} | None:",
        "    if type(data_) is not dict:",
        "        return None",
    ]
    if branches(model.fields, None):
        out += exact_branch(model.name, model.fields, None, _builder(members))
    if known_only(model):
        return out + known_branch(model, _builder(members))
    out += [f"    types_ = _TYPES_{upper}"]
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
    if any(_convertible(f) or f.attr != f.wire for f in model.fields):
        if model.name not in TAKEN_OVER:
            # A copy: the values stored below must not change the frame, which the strict
            # reader may read again when the fast one gives up further on.
            out += ["    data_ = data_.copy()"]
        elif not any(f.ref in TAKEN_OVER for f in model.fields):
            raise ValueError(f"{model.name} is in TAKEN_OVER but holds no object read in place")
        out += _store(model.fields)
    # Else the dict itself becomes the instance's: a fast reader is handed only dicts the
    # decoder owns (its own parse, or `owned`'s copy in ``_read_<name>``).
    out += [
        f"    object_ = _new({model.name})",
        f"    _DICT_{upper}(object_, data_)",
        "    return object_",
    ]
    return out
