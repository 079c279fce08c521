"""What both RTM drivers share beyond the protocol core: argument checks and small helpers.

No I/O here. The drivers (`sync.py`, `aio.py`) differ only in how they wait and move frames.
"""

from __future__ import annotations

import inspect
import logging
import ssl
from collections.abc import Callable, Iterable
from typing import Any

from .. import events
from .._exceptions import SlackConnectionError
from ._sends import Pending

__all__ = [
    "Handlers",
    "connect_error",
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


def connect_error(what: str, exc: BaseException) -> SlackConnectionError:
    """A socket failure as a typed error that names no URL (socket URLs are secrets).

    The reason is told in the same words whichever library raised it (websockets and aiohttp
    wrap the same failure in classes of their own), so both sessions fail alike.
    """
    status = getattr(exc, "status", None) or getattr(
        getattr(exc, "response", None), "status_code", None
    )
    detail = _reason(exc)
    if isinstance(status, int):
        detail += f", HTTP {status}"
    return SlackConnectionError(f"RTM socket: {what} ({detail})")


def _reason(exc: BaseException) -> str:
    # Unwrap to the OS or TLS error underneath: aiohttp keeps it as `certificate_error` or
    # `os_error`, others as the cause.
    root = exc
    for _ in range(8):
        inner = (
            getattr(root, "certificate_error", None)
            or getattr(root, "os_error", None)
            or root.__cause__
        )
        if not isinstance(inner, BaseException) or inner is root:
            break
        root = inner
    if isinstance(root, ssl.SSLCertVerificationError):
        return f"certificate not trusted: {root.verify_message or 'verify failed'}"
    if isinstance(root, ssl.SSLError):
        return f"TLS error: {root.reason or type(root).__name__}"
    if isinstance(root, ConnectionRefusedError):
        return "connection refused"
    if isinstance(root, TimeoutError):
        return "timed out"
    if isinstance(root, OSError) and root.strerror:
        return root.strerror
    return type(exc).__name__


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
