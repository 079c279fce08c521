"""Socket Mode's schema (codegen.socket) -> slackrtm/_generated/envelopes.py, already formatted.

The RTM frames' emitters, reused as they are: one frozen attrs class per frame and shared object
(emit_events.py), each server frame's fast decoder (emit_event_fast.py) and strict decoder
(emit_event_strict.py), joined by ``_read_<name>``. What differs is written here: the classes'
roots (`SocketFrame`, `Envelope`), the readers of ``Event`` (any RTM event, the RTM classes'
own, imported from `slackrtm._envelope`), the ack (a client frame without a ``type``, whose
payload is any JSON object), the connection's facts and the tables.

What must not live here: the RTM frames' file (emit_events.py) and the shared helpers (text.py).
"""

from __future__ import annotations

from .emit_events import class_lines, frame_readers, object_readers, table_lines
from .rtm import Frame
from .socket import SocketMode
from .text import (
    call_lines,
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

__all__ = ["emit_envelopes"]

_IMPORTS = [
    "from collections.abc import Callable, Mapping",
    "from typing import Any, ClassVar, Final",
    "",
    "import attrs",
    "",
    "from slackrtm._envelope import Envelope, SocketFrame, json_object",
    "from slackrtm._envelope import strict_any_event as _strict_event",
    "from slackrtm._event import (",
    "    Event,",
    "    absent_is_none,",
    "    dict_setter,",
    "    extra_fields,",
    "    frame_error,",
    "    owned,",
    ")",
    "from slackrtm._generated.events import FAST_DECODERS as _EVENT_READERS",
    "from slackrtm._spec import redacted, strict",
    "",
]

_TABLES = [
    "ACK_SECONDS",
    "ACK_WRITER",
    "DECODERS",
    "DISCONNECT_REASONS",
    "DISCONNECT_REASONS_ENDING_SESSION",
    "ENVELOPE_TYPES",
    "FAST_DECODERS",
    "FRAME_TYPES",
    "MAX_CONNECTIONS",
    "MAX_RETRIES",
    "STRICT_DECODERS",
]
"""The module-level names of envelopes.py besides its classes."""


def _constants(schema: SocketMode) -> list[str]:
    out = ["", "", "_new: Final = object.__new__"]
    out += paragraph_docstring("How the fast readers make an instance (see events.py).", "")
    facts = (
        ("ACK_SECONDS", schema.ack_seconds, "How long Slack waits for an ack, in seconds."),
        (
            "MAX_RETRIES",
            schema.max_retries,
            "How many times Slack sends an envelope not acked in time again (``retry_attempt``"
            " 1 up to this), before it gives up.",
        ),
        ("MAX_CONNECTIONS", schema.max_connections, "The most connections an app may hold."),
    )
    for name, value, doc in facts:
        out += ["", "", f"{name}: Final = {value}", *paragraph_docstring(doc, "")]
    out += table_lines(
        "DISCONNECT_REASONS: Final[Mapping[str, str]] = {",
        [f"{quote(r.reason)}: {quote(r.description)}" for r in schema.reasons],
    )
    out += paragraph_docstring(
        "What each documented ``reason`` of a ``disconnect`` means; another is kept as it came.",
        "",
    )
    ending = ", ".join(quote(r.reason) for r in schema.reasons if r.ends_session)
    out += ["", "", f"DISCONNECT_REASONS_ENDING_SESSION: Final = frozenset({{{ending}}})"]
    out += paragraph_docstring(
        "The reasons after which no new connection can help (Socket Mode is off for the app).", ""
    )
    return out


def _ack_class(ack: Frame) -> list[str]:
    """The ack's class: checked at construction, as the RTM commands are."""
    out = ["", "", "@attrs.frozen(kw_only=True)", f"class {ack.class_name}:"]
    out += [*paragraph_docstring(ack.summary, "    "), ""]
    for field in ack.fields:
        if field.kind == "any":
            check = "json_object"
        else:
            optional = "False" if field.required else "True"
            check = f"strict({quote(field.kind)}, optional={optional})"
        annotation = "Any" if field.kind == "any" else field.py_type
        args = [] if field.required else ["default=None"]
        args += [f"validator={check}"]
        if field.secret:
            args.append("repr=redacted")
        args.append(f"metadata={{{quote('wire')}: {quote(field.wire)}}}")
        if not field.required and field.kind != "any":
            annotation += " | None"
        head = f"    {field.attr}: {annotation} = attrs.field("
        lines = call_lines("", head, args)
        if len(lines) > 1:
            lines = [lines[0], *(f"    {line}" for line in lines[1:-1]), "    )"]
        absent = "" if field.required else " Absent: None (not sent)."
        out += [*lines, *paragraph_docstring(field.description + absent, "    ")]
    return out


def _ack_writer(ack: Frame) -> list[str]:
    """The ack's writer, to a dict: no ``type`` (the frame has none), None fields left out."""
    name = ack.class_name
    required = [f for f in ack.fields if f.required]
    out = ["", "", f"def _write_{snake_case(name)}(command: {name}) -> dict[str, Any]:"]
    entries = [f"{quote(f.wire)}: command.{f.attr}" for f in required]
    out += call_lines("    ", "out: dict[str, Any] = {", entries, "}")
    for field in ack.fields:
        if not field.required:
            out += [
                f"    if command.{field.attr} is not None:",
                f"        out[{quote(field.wire)}] = command.{field.attr}",
            ]
    return [*out, "    return out"]


def _frame_classes(schema: SocketMode) -> list[tuple[str, list[str]]]:
    envelopes = {f.class_name for f in schema.envelopes}
    classes = [
        (m.name, class_lines(m.name, None, m.description, [], m.fields)) for m in schema.objects
    ]
    for frame in schema.frames:
        base = "Envelope" if frame.class_name in envelopes else "SocketFrame"
        consts = [f"    TYPE: ClassVar[str] = {quote(frame.discriminator)}"]
        classes.append(
            (
                frame.class_name,
                class_lines(frame.class_name, base, frame.summary, consts, frame.fields),
            )
        )
    classes.append((schema.ack.class_name, _ack_class(schema.ack)))
    return classes


def _decoder_tables(schema: SocketMode) -> list[str]:
    def entries(name_of: object) -> list[str]:
        assert callable(name_of)
        return [f"{quote(f.discriminator)}: {name_of(f.class_name)}" for f in schema.frames]

    out = table_lines(
        "DECODERS: Final[Mapping[str, Callable[[dict[str, Any]], SocketFrame]]] = {",
        entries(frame_reader_name),
    )
    out += paragraph_docstring("The decoder of each frame, by wire ``type``.", "")
    out += table_lines(
        "FAST_DECODERS: Final[Mapping[str, Callable[[dict[str, Any]], SocketFrame | None]]] = {",
        entries(fast_reader_name),
    )
    out += paragraph_docstring("The fast path alone of each frame's decoder (None: refused).", "")
    out += table_lines(
        "STRICT_DECODERS: Final[Mapping[str, Callable[[dict[str, Any]], SocketFrame]]] = {",
        entries(strict_reader_name),
    )
    out += paragraph_docstring("The strict path alone of each frame's decoder (it explains).", "")
    out += table_lines(
        "FRAME_TYPES: Final[Mapping[str, type[SocketFrame]]] = {",
        [f"{quote(f.discriminator)}: {f.class_name}" for f in schema.frames],
    )
    out += paragraph_docstring("The class of each frame, by wire ``type``.", "")
    types = ", ".join(quote(f.discriminator) for f in schema.envelopes)
    out += ["", "", f"ENVELOPE_TYPES: Final = frozenset({{{types}}})"]
    out += paragraph_docstring("The ``type`` of every frame that is an envelope, to be acked.", "")
    return out


def emit_envelopes(schema: SocketMode) -> dict[str, str]:
    """The generated module of Socket Mode's frames, by file name, as text.

    Args:
        schema: The loaded Socket Mode schema (`codegen.socket.load_socket`).

    Returns:
        ``{"envelopes.py": <its text>}``.
    """
    out = header(schema.sources, "Socket Mode's frames: classes, decoders, the ack's writer.")
    out += _IMPORTS
    classes = _frame_classes(schema)
    out += dunder_all([*_TABLES, *(name for name, _ in classes)])
    out += _constants(schema)
    for _, lines in sorted(classes):
        out += lines
    for model in schema.objects:
        out += object_readers(model)
    for frame in schema.frames:
        out += frame_readers(
            frame.class_name, frame.class_name, frame.fields, quote(frame.discriminator), "type"
        )
    out += _ack_writer(schema.ack)
    out += _decoder_tables(schema)
    out += ["", "", f"ACK_WRITER: Final = _write_{snake_case(schema.ack.class_name)}"]
    out += paragraph_docstring("The ack's writer: a dict without ``type``.", "")
    return {"envelopes.py": file_text(out)}
