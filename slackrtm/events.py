"""The RTM frames as typed classes: `decode` a frame from the server, `encode` a command to it.

    >>> from slackrtm import events
    >>> events.decode('{"type": "hello"}')
    Hello()
    >>> events.decode('{"type": "presence_change", "user": "U1", "presence": "away"}').users
    ('U1',)
    >>> events.encode(events.MessageCommand(channel="C1", text="hi"), 1)
    '{"id":1,"type":"message","channel":"C1","text":"hi"}'

Every class is generated from ``schema/rtm/`` (``_generated/events.py``); this module adds the
two entry points and the roots (`Event`, `UnknownEvent`, `Ack`, `Command`). The sessions in
`slackrtm.rtm` decode and encode through exactly these functions.

Reading is tolerant where Slack is loose and strict where a value would be wrong: fields Slack
does not always send are optional, unknown fields land in ``extra``, an unknown ``type`` is an
`UnknownEvent` with the frame kept whole, and a value of the wrong JSON type is an error, never
coerced. `decode` raises `SlackFrameError` and nothing else.
"""

from __future__ import annotations

import json
from typing import Any

from ._event import Ack, Command, Event, UnknownEvent
from ._exceptions import SlackFrameError
from ._generated.events import *  # noqa: F403 - one class per frame in the schema
from ._generated.events import ACK_DECODERS, COMMAND_ENCODERS, DECODERS
from ._generated.events import __all__ as _generated_all

__all__ = [
    "Ack",
    "Command",
    "Event",
    "SlackFrameError",
    "UnknownEvent",
    "decode",
    "encode",
]
__all__ += _generated_all

_decoder = json.JSONDecoder()
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _load(frame: str | bytes) -> Any:
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
        reason = "JSON nested too deeply to read"
    except ValueError:
        # What json raises beyond syntax errors: an integer over Python's digit limit.
        reason = "JSON holding a number too long to read"
    raise SlackFrameError(path="$", reason=reason)


def decode(frame: str | bytes) -> Event | Ack:
    """Read one text frame from the server into its typed class.

    Args:
        frame: The frame's text (bytes are read as UTF-8).

    Returns:
        The event's generated class (such as `Message`) for a known ``type``; an `UnknownEvent`
        keeping the whole frame for an unknown or missing ``type``; `MessageAck` or `ErrorAck`
        for an acknowledgement (a frame with ``reply_to`` and ``ok`` and no ``type``).

    Raises:
        SlackFrameError: The frame is not JSON, not an object, or a known frame with a field of
            the wrong JSON type or a required field missing. Nothing else is ever raised.
    """
    data = _load(frame)
    if type(data) is not dict:
        raise SlackFrameError(path="$", reason=f"expected an object, got JSON {_kind(data)}")
    kind = data.get("type")
    if type(kind) is str:
        read = DECODERS.get(kind)
        return UnknownEvent(raw=data) if read is None else read(data)
    if kind is None and "reply_to" in data and "ok" in data:
        ok = data["ok"]
        if type(ok) is not bool:
            raise SlackFrameError(path="ok", reason="expected boolean", frame_type="ack")
        return ACK_DECODERS[ok](data)
    return UnknownEvent(raw=data)


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
        command: A generated command, such as `MessageCommand`.
        id: The frame's ``id`` (a positive integer, unique on its connection), or None for none.

    Returns:
        Compact JSON text.

    Raises:
        TypeError: Not a generated command, or an ``id`` that is not an integer.
        ValueError: An ``id`` below 1.
    """
    write = COMMAND_ENCODERS.get(type(command))
    if write is None:
        raise TypeError(f"not an RTM command: {type(command).__name__}")
    body = write(command)
    if id is not None:
        if type(id) is not int:
            raise TypeError(f"id must be an integer, got {type(id).__name__}")
        if id < 1:
            raise ValueError(f"id must be positive, got {id}")
        body = {"id": id, **body}
    return _dumps(body)
