"""What both RTM drivers share beyond the protocol core: argument checks and small helpers.

No I/O here. The drivers (`sync.py`, `aio.py`) differ only in how they wait and move frames.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable
from typing import Any

from .. import events
from ._protocol import Pending

__all__ = [
    "Handlers",
    "message_command",
    "outcome",
    "presence_command",
    "typing_command",
]


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


def outcome(pending: Pending) -> Any:
    """The result of a completed send, or raise its error."""
    if pending.error is not None:
        raise pending.error
    return pending.result


Handler = Callable[[Any], Any]


class Handlers:
    """Callbacks by event kind, for ``session.on(...)`` and ``session.run()``.

    A kind is an event class (`slackrtm.events.Message`, `slackrtm.rtm.Connected`, ...; its
    subclasses match too) or a wire ``type`` string (``"message"``).
    """

    def __init__(self, *, coroutines: bool) -> None:
        """Accept coroutine functions only when the session can await them."""
        self._coroutines = coroutines
        self._by_class: list[tuple[type, Handler]] = []
        self._by_type: dict[str, list[Handler]] = {}

    def add(self, kind: type | str, handler: Handler) -> None:
        """Register `handler` for `kind`.

        Raises:
            TypeError: A kind that is neither a class nor a string, a handler that is not
                callable, or a coroutine function on the sync session.
        """
        if not callable(handler):
            raise TypeError(f"a handler must be callable, got {type(handler).__name__}")
        if not self._coroutines and inspect.iscoroutinefunction(handler):
            raise TypeError("the sync session cannot await a coroutine handler; use AsyncClient")
        if isinstance(kind, str):
            self._by_type.setdefault(kind, []).append(handler)
        elif isinstance(kind, type):
            self._by_class.append((kind, handler))
        else:
            raise TypeError(f"kind must be an event class or a type string, got {kind!r}")

    def matching(self, event: object) -> list[Handler]:
        """The handlers for one event, in registration order (classes, then wire types)."""
        found = [handler for cls, handler in self._by_class if isinstance(event, cls)]
        wire = getattr(event, "type", None)
        if isinstance(wire, str):
            found.extend(self._by_type.get(wire, ()))
        return found


def report_handler_error(logger: logging.Logger, handler: Handler, event: object) -> None:
    """Log a handler's exception (from an ``except`` block); the session goes on."""
    name = getattr(handler, "__qualname__", None) or repr(handler)
    logger.exception(
        "RTM: handler %s raised on %s; the session goes on", name, type(event).__name__
    )
