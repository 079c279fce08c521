"""The RTM frames as typed classes: `decode` a frame from the server, `encode` a command to it.

    >>> from slackrtm import events
    >>> events.decode('{"type": "hello"}')
    Hello()
    >>> events.decode('{"type": "presence_change", "user": "U1", "presence": "away"}').users
    ('U1',)
    >>> events.encode(events.MessageCommand(channel="C1", text="hi"), 1)
    '{"id":1,"type":"message","channel":"C1","text":"hi"}'

Every class is generated from ``schema/rtm/`` (``_generated/events.py``); this module adds the
two entry points and the roots (`Event`, `UnknownEvent`, `FallbackEvent`, `Ack`, `Command`,
`FrameCommand`).
The sessions in `slackrtm.rtm` decode and encode through exactly these functions.

Reading is tolerant where Slack is loose and strict where a value would be wrong: fields Slack
does not always send are optional, unknown fields land in ``extra``, an unknown ``type`` is an
`UnknownEvent` with the frame kept whole, and a value of the wrong JSON type is never coerced:
the frame becomes a `FallbackEvent`, kept whole with the wire path and the reason (or, with
``strict=True``, raises `SlackFrameError`). A JSON object with a string ``type`` is never
refused; `decode` raises `SlackFrameError`, and nothing else, only for a frame that is not a
JSON object, or an acknowledgement with bad fields.

Speed (a burst is tens of thousands of frames): with orjson installed (``pip install
'slackrtm[fast]'``) a frame is parsed by orjson and read by the generated fast path
(``FAST_DECODERS``: one pass, exact types, no ``__init__``); everything else, and every
frame without orjson, goes through the standard library's ``json`` (its C scanner called
directly) and the generated decoders, whose strict half explains a bad frame. orjson reads an
integer beyond 64 bits as a float where ``json`` keeps it exact, so a frame that keeps values
as they came (``extra``, an `UnknownEvent`'s ``raw``) and has 19 digits in a row anywhere in
its text goes to ``json`` too: both ways give the same classes, values and errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from ._event import Ack, Command, Event, FallbackEvent, FrameCommand, UnknownEvent
from ._exceptions import SlackFrameError
from ._fresh_stack import on_fresh_stack
from ._generated.events import *  # noqa: F403 - one class per frame in the schema
from ._generated.events import (
    COMMAND_ENCODERS,
    FAST_ACK_DECODERS,
    FAST_DECODERS,
    STRICT_ACK_DECODERS,
    STRICT_DECODERS,
)
from ._generated.events import __all__ as _generated_all

__all__ = [
    "Ack",
    "Command",
    "Event",
    "FallbackEvent",
    "FrameCommand",
    "SlackFrameError",
    "UnknownEvent",
    "decode",
    "encode",
]
__all__ += _generated_all

_decoder = json.JSONDecoder()
_scan: Callable[[str, int], tuple[Any, int]] = vars(_decoder)["scan_once"]
"""What ``_decoder`` decodes with (the C scanner): one JSON value at an index, and where it ends."""
_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_c_encoder = getattr(json.encoder, "c_make_encoder", None)


def _dumps(body: dict[str, Any]) -> str:
    """`_encoder.encode` of a frame's dict, through the C encoder as that would make it.

    ``JSONEncoder.encode`` makes that encoder anew in Python at each call: a fifth of a
    send's encoding (issue 23). A fresh ``markers`` dict each time, as there: circular
    values are refused, and threads encoding at once share nothing.
    """
    if _c_encoder is None:  # pragma: no cover (CPython has it)
        return _encoder.encode(body)
    make = _c_encoder(
        {}, _encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    return "".join(make(body, 0))


_orjson_loads: Callable[[Any], Any] | None
"""orjson's ``loads`` when orjson is installed (the ``fast`` extra), else None; set it to None
to read every frame with the standard library alone."""
try:
    import orjson
except ImportError:  # pragma: no cover - the extra is not installed
    _orjson_loads = None
else:
    _orjson_loads = orjson.loads

_fast_decoder = FAST_DECODERS.get

_DIGIT_MARKS = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
"""A `bytes.translate` table: every ASCII digit to ``0``, every other byte to a space."""
_LONG_DIGIT_RUN = b"0" * 19
"""An integer orjson reads as a float (outside [-2**63, 2**64)) has 19 digits or more."""


def _exact_text(frame: str | bytes | bytearray | memoryview) -> bool:
    """Whether orjson read this frame as ``json`` does: no run of 19 digits anywhere in its text.

    orjson reads an integer outside [-2**63, 2**64) as a float where ``json`` keeps it an `int`,
    and such an integer is written with 19 digits at least; every other value reads the same
    either way (a number with a fraction or an exponent is a float to both). Two passes over
    the bytes in C, asked only of a frame that keeps values as they came (``extra``, ``raw``):
    cheaper than walking those values (a message's ``blocks``) in Python. 19 digits in a row
    inside a string only cost that frame a second parse, by ``json``.
    """
    if isinstance(frame, str):
        try:
            raw = frame.encode()
        except UnicodeEncodeError:  # a lone surrogate (orjson refuses those): ``json`` reads it
            return False
    else:
        raw = bytes(frame)
    return raw.translate(_DIGIT_MARKS).find(_LONG_DIGIT_RUN) < 0  # find: cheaper than ``in``


def _load(frame: str | bytes) -> Any:
    """The frame's JSON, by the standard library: the C scanner alone for a plain text frame."""
    if type(frame) is str:
        try:
            value, end = _scan(frame, 0)
        except (StopIteration, ValueError, RecursionError):
            pass  # leading white space, or not JSON: `_load_carefully` says which
        else:
            if end == len(frame):
                return value
    return _load_carefully(frame)


def _load_carefully(frame: str | bytes) -> Any:
    """The frame's JSON, or the `SlackFrameError` saying why it is none."""
    if isinstance(frame, (bytes, bytearray, memoryview)):
        try:
            frame = bytes(frame).decode("utf-8")
        except UnicodeDecodeError:
            raise SlackFrameError(path="$", reason="not UTF-8 text") from None
    elif not isinstance(frame, str):
        raise SlackFrameError(path="$", reason=f"not text but {type(frame).__name__}")
    try:
        return _decoder.decode(frame)
    except json.JSONDecodeError as exc:
        reason = f"not JSON: {exc.msg} at character {exc.pos}"
    except RecursionError:
        # Too deep for what is left of this stack: on an empty one, the frame alone decides.
        try:
            return on_fresh_stack(partial(_decoder.decode, frame))
        except RecursionError:
            reason = "JSON nested too deeply to read"
    except ValueError:
        # What json raises beyond syntax errors: an integer over Python's digit limit.
        reason = "JSON holding a number too long to read"
    raise SlackFrameError(path="$", reason=reason)


def decode(frame: str | bytes, *, strict: bool = False) -> Event | Ack:
    """Read one text frame from the server into its typed class.

    Args:
        frame: The frame's text (bytes are read as UTF-8).
        strict: Raise `SlackFrameError` for a frame of a known ``type`` that does not fit its
            schema, rather than return it as a `FallbackEvent`.

    Returns:
        The generated class (such as `Message`) of a known ``type``; a `FallbackEvent` (the
        whole frame, the wire path and the reason) when its fields do not fit; an
        `UnknownEvent` (the whole frame) for an unknown or missing ``type``; `MessageAck` or
        `ErrorAck` for an acknowledgement (``reply_to`` and ``ok``, no ``type``).

    Raises:
        SlackFrameError: Not JSON, not a JSON object, an acknowledgement with a bad field; with
            ``strict``, a known frame that does not fit. Nothing else is ever raised.
    """
    loads = _orjson_loads
    if loads is not None:
        # The fast path, inline (a burst is tens of thousands of frames): orjson, the generated
        # fast reader; anything it does not take as it is falls through to the careful path.
        # A fast reader takes ``data`` over as the instance's ``__dict__``, where it puts
        # ``extra`` only when the frame has unknown fields: cheaper to ask than the attribute.
        try:
            data = loads(frame)
        except ValueError:  # orjson's JSONDecodeError: the standard library names the problem
            data = None
        if type(data) is dict:
            kind = data.get("type")
            if type(kind) is str:
                fast = _fast_decoder(kind)
                if fast is None:
                    if _exact_text(frame):
                        return UnknownEvent(raw=data)
                else:
                    try:
                        event = fast(data)
                    except RecursionError:  # events nested too deeply: the careful path says
                        event = None
                    if event is not None and ("extra" not in data or _exact_text(frame)):
                        return event
            elif kind is None and "reply_to" in data and "ok" in data:
                ok = data["ok"]
                ack = FAST_ACK_DECODERS[ok](data) if type(ok) is bool else None
                if ack is not None and ("extra" not in data or _exact_text(frame)):
                    return ack
            elif _exact_text(frame):
                return UnknownEvent(raw=data)
    return _decode_carefully(frame, strict)


def _decode_carefully(frame: str | bytes, strict: bool) -> Event | Ack:
    """`decode` by the standard library's ``json``: every frame without orjson, and the rest.

    `_load` and the fast reader's call are written in place (a call less per frame each).
    """
    if type(frame) is str:
        try:
            data, end = _scan(frame, 0)
        except (StopIteration, ValueError, RecursionError):
            data = _load_carefully(frame)  # leading white space, or not JSON: it says which
        else:
            if end != len(frame):
                data = _load_carefully(frame)
    else:
        data = _load_carefully(frame)
    if type(data) is not dict:
        raise SlackFrameError(path="$", reason=f"expected an object, got JSON {_kind(data)}")
    kind = data.get("type")
    if type(kind) is str:
        fast = _fast_decoder(kind)
        if fast is None:
            return UnknownEvent(raw=data)
        try:
            event = fast(data)
        except RecursionError:
            event = None  # `_typed` says why
        return event if event is not None else _typed(kind, data, strict)
    if kind is None and "reply_to" in data and "ok" in data:
        return _ack(data)
    return UnknownEvent(raw=data)


def _ack(data: dict[str, Any]) -> Ack:
    """An acknowledgement, read carefully; one with bad fields is refused (it has no type)."""
    ok = data["ok"]
    if type(ok) is not bool:
        raise SlackFrameError(path="ok", reason="expected boolean", frame_type="ack")
    return FAST_ACK_DECODERS[ok](data) or STRICT_ACK_DECODERS[ok](data)


def _typed(kind: str, data: dict[str, Any], strict: bool) -> Event:
    """A frame of a known type read into its class, else its `FallbackEvent` (or the error).

    ``data`` is the decoder's own parse: the fast reader may take its dicts over, and changes
    nothing unless it succeeds; the strict one changes nothing. So the fallback keeps it whole.
    """
    try:
        try:
            return FAST_DECODERS[kind](data) or STRICT_DECODERS[kind](data)
        except RecursionError:
            # Events nested in events deeper than this stack allows (the JSON itself was read).
            raise SlackFrameError(
                path="$", reason="events nested too deeply to read", frame_type=kind
            ) from None
    except SlackFrameError as exc:
        if strict:
            raise
        return FallbackEvent(raw=data, path=exc.path, reason=exc.reason)


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"


def encode(command: Command, id: int | None = None) -> str:
    """Write a command as the frame's JSON text, with its ``id`` first.

    Fields left as None are not sent. The 16 kB limit is not checked here: a session checks
    every frame it sends (`MAX_FRAME_BYTES`).

    Args:
        command: A generated command, such as `MessageCommand`, or a `FrameCommand` (its
            fields are written as they are).
        id: The frame's ``id`` (a positive integer, unique on its connection), or None for none.

    Returns:
        Compact JSON text.

    Raises:
        TypeError: Not a generated command, or an ``id`` that is not an integer.
        ValueError: An ``id`` below 1.
    """
    write = COMMAND_ENCODERS.get(type(command))
    if write is not None:
        body = write(command)
    elif isinstance(command, FrameCommand):
        body = dict(command.frame)
    else:
        raise TypeError(f"not an RTM command: {type(command).__name__}")
    if id is not None:
        if type(id) is not int:
            raise TypeError(f"id must be an integer, got {type(id).__name__}")
        if id < 1:
            raise ValueError(f"id must be positive, got {id}")
        body = {"id": id, **body}
    return _dumps(body)
