"""The send methods' arguments, checked before any I/O, and the commands they become.

Both sessions' send methods (`_surface.SessionSurface`) turn their arguments into commands
here: a bad argument raises TypeError or ValueError naming it, before the core or a socket sees
anything.

One rule covers every text a frame carries: it must be encodable as UTF-8. A lone surrogate
(U+D800 alone, e.g. from bytes decoded with ``surrogateescape``) is not, and would otherwise
surface as a bare `UnicodeEncodeError` from deep in the encoder; here it is a ValueError naming
the argument (or, for `send`, the frame's field), from the named methods and `send` alike.

What must not live here: anything that sends, waits or keeps state; the core's own
checks (the frame size, ids, timeouts) stay in `_sends` and `_protocol`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from .. import events

__all__ = ["checked_command", "message_command", "presence_command", "typing_command"]


def _unicode(name: str, value: str) -> None:
    """Refuse a text UTF-8 cannot encode (a lone surrogate), naming it.

    Raises:
        ValueError: `value` holds a lone surrogate.
    """
    if value.isascii():
        return  # the common case, and the cheap one
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        at = error.start
        raise ValueError(
            f"{name} holds a lone surrogate ({value[at]!r} at index {at}), which UTF-8 cannot "
            "encode; pair it, or decode the bytes with errors='replace'"
        ) from None


def _text(name: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    _unicode(name, value)


_MAX_DEPTH = 100
"""How deep a frame's values may nest (far beyond any Slack frame; a circular one stops here)."""


def _json(value: object, name: str, depth: int = 0) -> None:
    """Check that `value` is JSON a frame may carry, every text encodable, naming where it is.

    Raises:
        TypeError: A value JSON has no type for, or an object key that is not a string.
        ValueError: A text UTF-8 cannot encode, a number that is not finite, or a nesting
            deeper than `_MAX_DEPTH`.
    """
    if isinstance(value, str):
        _unicode(name, value)
    elif value is None or isinstance(value, (bool, int)):
        pass
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    elif depth >= _MAX_DEPTH:
        raise ValueError(f"{name} nests deeper than {_MAX_DEPTH} levels")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"the keys of {name} must be strings, got {key!r}")
            _unicode(f"a key of {name}", key)
            _json(item, f"{name}[{key!r}]", depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _json(item, f"{name}[{index}]", depth + 1)
    else:
        raise TypeError(f"{name} must be a JSON value, got {type(value).__name__}")


def _frame(fields: Mapping[Any, Any]) -> events.FrameCommand:
    """A mapping given to `send`, checked, as the command that sends it as it is.

    Raises:
        TypeError: No string ``type``, or a value or key JSON cannot carry.
        ValueError: An empty ``type``, an ``id`` of its own, or a bad value (see `_json`).
    """
    kind = fields.get("type")
    if not isinstance(kind, str):
        raise TypeError(f"a frame's 'type' must be a string, got {type(kind).__name__}")
    if not kind:
        raise ValueError("a frame's 'type' must not be empty")
    if "id" in fields:
        raise ValueError("a frame must not carry an 'id': the session gives each frame its own")
    frame = dict(fields)
    for key, value in frame.items():
        if not isinstance(key, str):
            raise TypeError(f"a frame's keys must be strings, got {key!r}")
        _unicode(f"a key of the frame ({key!r})", key)
        _json(value, key)
    return events.FrameCommand(frame=frame)


def message_command(
    channel: str, text: str, thread_ts: str | None, reply_broadcast: bool | None = None
) -> Any:
    """The ``message`` command, its arguments checked before any I/O."""
    _text("channel", channel)
    _text("text", text)
    _text("thread_ts", thread_ts, optional=True)
    if reply_broadcast is not None and type(reply_broadcast) is not bool:
        raise TypeError(f"reply_broadcast must be a bool, got {type(reply_broadcast).__name__}")
    return events.MessageCommand(
        channel=channel, text=text, thread_ts=thread_ts, reply_broadcast=reply_broadcast
    )


def typing_command(channel: str) -> Any:
    """The ``typing`` command, its argument checked."""
    _text("channel", channel)
    return events.TypingCommand(channel=channel)


def presence_command(user_ids: Iterable[str]) -> Any:
    """The ``presence_sub`` command: the whole list of users to follow (it replaces the last)."""
    if isinstance(user_ids, str):
        raise TypeError("user_ids must be a list of user IDs, not one string")
    ids = tuple(user_ids)
    for uid in ids:
        _text("each user ID", uid)
    return events.PresenceSubCommand(ids=ids)


def checked_command(command: object) -> Any:
    """`send`'s argument: a command, every text of its frame checked; a mapping made one.

    A mapping (or a `FrameCommand`) is a frame the schema does not describe, sent as it is
    with the session's ``id``: it needs a string ``type`` and JSON values, and no ``id`` of its
    own. Anything else that is not a command is returned as it is: the core's encoder refuses it
    with a TypeError, after the session's own checks (a session not connected says so first).

    Raises:
        TypeError, ValueError: A bad mapping, or a text UTF-8 cannot encode (named by its
            field's wire name).
    """
    if isinstance(command, Mapping):
        return _frame(command)
    if isinstance(command, events.FrameCommand):
        return _frame(command.frame)
    write = events.COMMAND_ENCODERS.get(type(command))  # type: ignore[arg-type]
    if write is None:
        return command
    for field, value in write(command).items():
        _json(value, field)
    return command
