"""RTM frames (codegen.rtm) -> Python source of slackrtm/_generated/events.py, already formatted.

One frozen attrs class per frame and shared object (a union is a type alias of its members),
and for each server frame (and shared object, union, and event read nested in another) the
decoding functions:

- ``_fast_<name>``, the hot path (emit_event_fast.py): one pass over the frame against a table
  of the exact type of every field; None, rather than an explanation, for anything it does not
  take as it is;
- ``_strict_<name>``, the detailed path (emit_event_strict.py): the same checks one by one,
  raising `SlackFrameError` with the frame's type and the wire path of the offending field, or
  building the instance when the frame is valid after all;
- ``_read_<name>``: the first, else the second (what ``DECODERS`` holds).

So a valid frame gives the same instance either way, and an invalid one the same error as
before the fast path existed. `slackrtm.events.decode` also uses the fast path alone (the
``FAST_DECODERS`` tables) on what orjson decoded, where a None sends the frame to the standard
library's reader. Each client command gets an encoder, ``_write_<name>``, to a dict without
``id``.

This module owns the classes, the encoders and the file's layout; the decoders' bodies are the
two modules named above, and the helpers every emitter shares are text.py's.

The layout is what `ruff format` produces (statements that would not fit on one line are written
exploded with a trailing comma, which the formatter keeps), and the output is a pure function of
the schema: classes, fields and tables are sorted.
"""

from __future__ import annotations

from collections.abc import Mapping

from .emit_event_fast import fast_frame, fast_object, nullable_table, types_table
from .emit_event_strict import known_table, strict_frame, strict_object
from .rtm import Frame, FrameField, Frames, ObjectModel, UnionModel
from .text import (
    call_lines,
    def_lines,
    docstring,
    dunder_all,
    fast_reader_name,
    file_text,
    frame_reader_name,
    header,
    paragraph_docstring,
    quote,
    snake_case,
    strict_reader_name,
)

__all__ = ["class_lines", "emit_events", "frame_readers", "object_readers", "table_lines"]

_VALIDATORS = {"string": "string", "boolean": "boolean", "integer": "integer", "number": "number"}
"""The strict validator of a command field (`slackrtm._spec.strict`), by its schema kind."""


# --------------------------------------------------------------------------- classes


def _annotation(field: FrameField) -> str:
    return field.py_type if field.required else f"{field.py_type} | None"


def _metadata(field: FrameField) -> str:
    entries = [f'"wire": {quote(field.wire)}']
    if field.single is not None:
        entries.append(f'"single": {quote(field.single)}')
    return "metadata={" + ", ".join(entries) + "}"


def _field_lines(field: FrameField, *, command: bool) -> list[str]:
    args: list[str] = [] if field.required else ["default=None"]
    if command:
        if field.kind == "array":
            args.append("converter=string_tuple")
        else:
            optional = "False" if field.required else "True"
            args.append(f"validator=strict({quote(_VALIDATORS[field.kind])}, optional={optional})")
    if field.secret:
        args.append("repr=redacted")
    args.append(_metadata(field))
    head = f"    {field.attr}: {_annotation(field)} = attrs.field("
    lines = call_lines("", head, args)
    if len(lines) > 1:
        lines = [lines[0], *(f"    {line}" for line in lines[1:-1]), "    )"]
    absent = "" if field.required else " Absent: None."
    return [*lines, *paragraph_docstring(field.description + absent, "    ")]


_EXTRA_FIELD = [
    "    extra: Mapping[str, Any] = attrs.field("
    'factory=dict, repr=False, metadata={"role": "extra"})',
    *paragraph_docstring(
        "Fields Slack sent that the schema does not describe, by wire name.", "    "
    ),
]


def class_lines(
    name: str, base: str | None, doc: str, consts: list[str], fields: tuple[FrameField, ...]
) -> list[str]:
    """A frame's or object's class: its decorators, docstring, constants and fields.

    A ``Command`` is checked when made; anything else is what the server sends, built by the
    fast readers (without slots). Without a ``base`` the class declares ``extra`` itself.
    """
    if base == "Command":
        decorators = ["@attrs.frozen(kw_only=True)"]
    else:
        # What the server sends: built by the fast readers from a dict (see the module doc).
        decorators = ["@absent_is_none", "@attrs.frozen(kw_only=True, slots=False)"]
    out = ["", "", *decorators, f"class {name}{f'({base})' if base else ''}:"]
    out += docstring(doc, "    ") if "\n\n" in doc else paragraph_docstring(doc, "    ")
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


def object_readers(
    model: ObjectModel, members: Mapping[str, ObjectModel] | None = None
) -> list[str]:
    """A shared object's tables and its two decoders (objects have no ``_read_``).

    ``members``: the shared objects by name, whose small union members are read in place.
    """
    out = ["", ""]
    out += known_table(model.name, model.fields, ())
    out += nullable_table(model.name, model.fields)
    out += types_table(model.name, model.fields, None)
    out += fast_object(model, members or {})
    out += strict_object(model)
    return out


def frame_readers(
    name: str,
    returns: str,
    fields: tuple[FrameField, ...],
    frame: str,
    discriminator: str,
    members: Mapping[str, ObjectModel] | None = None,
) -> list[str]:
    """A server frame's tables, its two decoders and ``_read_<name>``, which joins them.

    ``members``: the shared objects by name, whose small union members are read in place.
    """
    out = ["", ""]
    out += known_table(name, fields, (discriminator,))
    out += nullable_table(name, fields)
    out += types_table(name, fields, discriminator)
    out += fast_frame(name, fields, discriminator, members or {})
    out += strict_frame(name, returns, fields, frame)
    out += [
        "",
        "",
        f"def {frame_reader_name(name)}(data_: dict[str, Any]) -> {returns}:",
        f"    return {fast_reader_name(name)}(owned(data_)) or {strict_reader_name(name)}(data_)",
    ]
    return out


def _union_alias(union: UnionModel) -> list[str]:
    members = " | ".join(sorted(member for _, member in union.members))
    out = ["", "", f"{union.name}: TypeAlias = {members}"]
    return out + paragraph_docstring(f"{union.description} (by ``{union.on}``)", "")


def _union_reader(union: UnionModel) -> list[str]:
    """A union's two decoders: each hands the object to its member's, chosen by ``on``."""
    on = quote(union.on)
    names = ", ".join(repr(value) for value, _ in union.members)
    fast = ["", "", f"def {fast_reader_name(union.name)}(data_: Any) -> {union.name} | None:"]
    fast += [
        "    if type(data_) is not dict:",
        "        return None",
        f"    kind_ = data_.get({on})",
    ]
    params = "data_: Any, path_: str, frame_: str"
    strict = ["", "", *def_lines(strict_reader_name(union.name), params, union.name)]
    strict += [
        "    if type(data_) is not dict:",
        '        raise frame_error(frame_, path_, data_, "object")',
    ]
    strict += [f"    kind_ = data_.get({on})"]
    for value, member in union.members:
        fast += [
            f"    if kind_ == {quote(value)}:",
            f"        return {fast_reader_name(member)}(data_)",
        ]
        strict += [f"    if kind_ == {quote(value)}:"]
        strict += [f"        return {strict_reader_name(member)}(data_, path_, frame_)"]
    fast += ["    return None"]
    strict += call_lines(
        "    ",
        "raise frame_error(",
        ["frame_", f'path_ + ".{union.on}"', "kind_", quote(f"one of {names}")],
    )
    return fast + strict


def _nested_reader(frame: Frame) -> list[str]:
    """The two decoders of an event nested in another: read as that event whatever its ``type``."""
    name, kind = frame.class_name, quote(frame.discriminator)
    nested = f"Nested{name}"
    return [
        "",
        "",
        f"def {fast_reader_name(nested)}(data_: Any) -> {name} | None:",
        "    if type(data_) is not dict:",
        "        return None",
        "    data_ = data_.copy()  # the caller's, which the strict reader may read again",
        f'    data_["type"] = {kind}',
        f"    event_ = {fast_reader_name(name)}(data_)",
        "    if event_ is not None and event_.extra and holds_float(event_.extra):",
        "        # orjson may have made it of a long integer, and `decode` checks the text only",
        "        # for the outer frame's own extra: the strict reader, on json's parse, decides.",
        "        return None",
        "    return event_",
        "",
        "",
        *def_lines(strict_reader_name(nested), "data_: Any, path_: str, frame_: str", name),
        f"    return nested_event({frame_reader_name(name)}, {kind}, data_, path_, frame_)",
    ]


# --------------------------------------------------------------------------- encoding


def _encoder(name: str, wire_type: str, fields: tuple[FrameField, ...]) -> list[str]:
    def value(field: FrameField) -> str:
        return f"list(command.{field.attr})" if field.kind == "array" else f"command.{field.attr}"

    required = [f for f in fields if f.required]
    optional = [f for f in fields if not f.required]
    entries = [f'"type": {quote(wire_type)}', *(f"{quote(f.wire)}: {value(f)}" for f in required)]
    out = ["", "", f"def _write_{snake_case(name)}(command: {name}) -> dict[str, Any]:"]
    out += call_lines("    ", "out: dict[str, Any] = {", entries, "}")
    for field in optional:
        out.append(f"    if command.{field.attr} is not None:")
        out.append(f"        out[{quote(field.wire)}] = {value(field)}")
    out.append("    return out")
    return out


# --------------------------------------------------------------------------- the file

_IMPORTS = [
    "from collections.abc import Callable, Mapping",
    "from typing import Any, ClassVar, Final, TypeAlias",
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
    "    holds_float,",
    "    nested_event,",
    "    owned,",
    "    string_tuple,",
    ")",
    "from slackrtm._spec import redacted, strict",
    "",
]

_TABLES = [
    "ACK_DECODERS",
    "COMMAND_ENCODERS",
    "DECODERS",
    "EVENT_TYPES",
    "MAX_FRAME_BYTES",
    "RTM_ERROR_DESCRIPTIONS",
    "RTM_ERROR_MESSAGES",
    "RTM_ERRORS_ENDING_CONNECTION",
    "STRICT_ACK_DECODERS",
    "STRICT_DECODERS",
]
"""The module-level names of events.py besides its classes."""


def table_lines(head: str, entries: list[str]) -> list[str]:
    """A module-level table: ``head``, one entry a line, the closing brace."""
    return ["", "", head, *(f"    {e}," for e in entries), "}"]


def _constants(frames: Frames) -> list[str]:
    """The constants before the classes: the instance maker, the frame limit, the error texts."""
    out = ["", "", "_new: Final = object.__new__"]
    out += paragraph_docstring(
        "How the fast readers make an instance: without its ``__init__``, the checked frame then"
        " given as its ``__dict__`` (by the class's ``_DICT_`` setter).",
        "",
    )
    out += ["", "", f"MAX_FRAME_BYTES: Final = {frames.max_frame_bytes}"]
    out += paragraph_docstring("The largest client frame Slack accepts, in bytes of UTF-8.", "")
    out += table_lines(
        "RTM_ERROR_DESCRIPTIONS: Final[Mapping[int, str]] = {",
        [f"{e.code}: {quote(e.description)}" for e in frames.errors],
    )
    out += table_lines(
        "RTM_ERROR_MESSAGES: Final[Mapping[int, str]] = {",
        [f"{e.code}: {quote(e.msg)}" for e in frames.errors],
    )
    ending = ", ".join(str(e.code) for e in frames.errors if e.ends_connection)
    out += ["", "", f"RTM_ERRORS_ENDING_CONNECTION: Final = frozenset({{{ending}}})"]
    out += paragraph_docstring(
        "The codes of an ``error`` event that mean the socket is done (the session reconnects);"
        " an error event with any other code is delivered as an event.",
        "",
    )
    return out


def _frame_class(frame: Frame, base: str) -> list[str]:
    """The class of a frame: its discriminator as a class constant, then its fields."""
    if base == "Ack":
        consts = [f"    OK: ClassVar[bool] = {frame.discriminator == 'true'}"]
        # ``reply_to`` is declared once, on `Ack` itself.
        fields = tuple(f for f in frame.fields if f.wire != "reply_to")
    else:
        consts = [f"    TYPE: ClassVar[str] = {quote(frame.discriminator)}"]
        fields = frame.fields
    out = class_lines(frame.class_name, base, _frame_doc(frame), consts, fields)
    for name, description in frame.marks:
        # Set by the session, never read: the readers' tables know wire names only.
        out.append(f'    {name}: bool = attrs.field(default=False, metadata={{"role": "mark"}})')
        out += paragraph_docstring(description, "    ")
    return out


def _frame_doc(frame: Frame) -> str:
    """A frame class's docstring: its summary, then for an event what the catalogue says."""
    if frame.kind != "event":
        return frame.summary
    if frame.scopes is None:
        facts = "RTM only: not in Slack's Events API catalogue."
    else:
        scopes = ", ".join(f"``{s}``" for s in frame.scopes) or "none"
        facts = f"Scopes: {scopes}. Token types: {', '.join(frame.tokens)}."
    return f"{frame.summary}\n\n{facts}"


def _classes(frames: Frames) -> list[str]:
    """Every class, shared objects and frames alike, sorted by name."""
    classes = [
        (m.name, class_lines(m.name, None, m.description, [], m.fields)) for m in frames.objects
    ]
    for kind, base in (
        (frames.events, "Event"),
        (frames.acks, "Ack"),
        (frames.commands, "Command"),
    ):
        classes += [(frame.class_name, _frame_class(frame, base)) for frame in kind]
    out: list[str] = []
    for _, lines in sorted(classes):
        out += lines
    return out


def _functions(frames: Frames) -> list[str]:
    """The decoders of the shared objects and the server frames, the commands' encoders."""
    out: list[str] = []
    models = {model.name: model for model in frames.objects}
    for model in frames.objects:
        out += object_readers(model, models)
    for union in frames.unions:
        out += _union_reader(union)
    by_class = {f.class_name: f for f in frames.events}
    for name in frames.nested:
        out += _nested_reader(by_class[name])
    for frame in frames.events:
        name = frame.class_name
        out += frame_readers(name, name, frame.fields, quote(frame.discriminator), "type", models)
    for frame in frames.acks:
        name = frame.class_name
        out += frame_readers(name, name, frame.fields, '"ack"', "ok", models)
    for frame in frames.commands:
        out += _encoder(frame.class_name, frame.discriminator, frame.fields)
    return out


def _decoder_tables(frames: Frames) -> list[str]:
    """``DECODERS``, ``ACK_DECODERS`` and their fast-path-only twins."""
    out = table_lines(
        "DECODERS: Final[Mapping[str, Callable[[dict[str, Any]], Event]]] = {",
        [f"{quote(f.discriminator)}: {frame_reader_name(f.class_name)}" for f in frames.events],
    )
    out += paragraph_docstring("The decoder of each server event, by wire ``type``.", "")
    out += table_lines(
        "ACK_DECODERS: Final[Mapping[bool, Callable[[dict[str, Any]], Ack]]] = {",
        [f"{f.discriminator == 'true'}: {frame_reader_name(f.class_name)}" for f in frames.acks],
    )
    out += paragraph_docstring("The decoder of each acknowledgement, by wire ``ok``.", "")
    out += table_lines(
        "FAST_DECODERS: Final[Mapping[str, Callable[[dict[str, Any]], Event | None]]] = {",
        [f"{quote(f.discriminator)}: {fast_reader_name(f.class_name)}" for f in frames.events],
    )
    out += paragraph_docstring(
        "The fast path alone of each server event's decoder: None for a frame it does not take"
        " as it is (see `DECODERS` for one that explains it).",
        "",
    )
    out += table_lines(
        "FAST_ACK_DECODERS: Final[Mapping[bool, Callable[[dict[str, Any]], Ack | None]]] = {",
        [f"{f.discriminator == 'true'}: {fast_reader_name(f.class_name)}" for f in frames.acks],
    )
    out += paragraph_docstring("The fast path alone of each acknowledgement's decoder.", "")
    out += table_lines(
        "STRICT_DECODERS: Final[Mapping[str, Callable[[dict[str, Any]], Event]]] = {",
        [f"{quote(f.discriminator)}: {strict_reader_name(f.class_name)}" for f in frames.events],
    )
    out += paragraph_docstring(
        "The strict path alone of each server event's decoder: for a frame the fast path gave"
        " up on (it reads the dict without changing it, and explains a refusal).",
        "",
    )
    out += table_lines(
        "STRICT_ACK_DECODERS: Final[Mapping[bool, Callable[[dict[str, Any]], Ack]]] = {",
        [f"{f.discriminator == 'true'}: {strict_reader_name(f.class_name)}" for f in frames.acks],
    )
    out += paragraph_docstring("The strict path alone of each acknowledgement's decoder.", "")
    return out


def _type_tables(frames: Frames) -> list[str]:
    """``EVENT_TYPES`` and ``COMMAND_ENCODERS``: the classes by wire type, the encoders by class."""
    out = table_lines(
        "EVENT_TYPES: Final[Mapping[str, type[Event]]] = {",
        [f"{quote(f.discriminator)}: {f.class_name}" for f in frames.events],
    )
    out += paragraph_docstring("The class of each server event, by wire ``type``.", "")
    out += table_lines(
        "COMMAND_ENCODERS: Final[Mapping[type[Command], Callable[[Any], dict[str, Any]]]] = {",
        [f"{f.class_name}: _write_{snake_case(f.class_name)}" for f in frames.commands],
    )
    out += paragraph_docstring(
        "The writer of each client command, by class: a dict without ``id``.", ""
    )
    return out


def emit_events(frames: Frames) -> dict[str, str]:
    """The generated module of RTM frames, by file name, as text.

    Args:
        frames: The loaded RTM schema (`codegen.rtm.load_frames`).

    Returns:
        ``{"events.py": <its text>}``.
    """
    out = header(frames.sources, "The RTM frames, both directions: classes, decoders, encoders.")
    out += _IMPORTS
    names = [o.name for o in frames.objects] + [u.name for u in frames.unions]
    names += [f.class_name for f in (*frames.events, *frames.acks, *frames.commands)]
    out += dunder_all([*_TABLES, *names])
    out += _constants(frames)
    out += _classes(frames)
    for union in frames.unions:
        out += _union_alias(union)
    out += _functions(frames)
    out += _decoder_tables(frames)
    out += _type_tables(frames)
    return {"events.py": file_text(out)}
