"""The send methods' arguments, checked before any I/O, and the commands they become.

Both sessions' send methods (`_surface.SessionSurface`) turn their arguments into commands
here: a bad argument raises TypeError or ValueError naming it, before the core or a socket sees
anything. What must not live here: anything that sends, waits or keeps state; the core's own
checks (the frame size, ids, timeouts) stay in `_sends` and `_protocol`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import events

__all__ = ["message_command", "presence_command", "typing_command"]


def _text(name: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")


def message_command(channel: str, text: str, thread_ts: str | None) -> Any:
    """The ``message`` command, its arguments checked before any I/O."""
    _text("channel", channel)
    _text("text", text)
    _text("thread_ts", thread_ts, optional=True)
    return events.MessageCommand(channel=channel, text=text, thread_ts=thread_ts)


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
