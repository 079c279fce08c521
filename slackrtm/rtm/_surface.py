"""The public surface both RTM sessions share: `SessionSurface`, and what it is made of.

`RtmSession` (``sync.py``) and `AsyncRtmSession` (``aio.py``) are one session in two forms, as
httpx's `Client` and `AsyncClient` are one `BaseClient`. Written once, here: the constructor,
the properties, ``repr``, ``on``, the send methods (names and docstrings; `_arguments` checks
their arguments before any I/O), the docs of the methods that wait (``connect``,
``next_event``, ``run``: each driver implements them in its form), and the rules behind them
that do not wait (what ``connect`` raises after a failure, when ``next_event`` ends or gives
up, the backpressure notices). The base's send methods call the driver's `_send`, which
waits; the async driver overrides each with an ``async def`` that awaits the base's, so its
checks and docs are these (an override without a docstring shows the base's in ``help()`` and
`inspect.getdoc`).

What must not live here: anything that waits, a lock, an event, a thread, a task, a socket or
an I/O library; the drivers own those. No decision of the protocol either: that is `_protocol`.
"""

from __future__ import annotations

import inspect
import logging
import math
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Generic, TypeVar

import attrs

from .._socket import SocketOpener
from ._arguments import checked_command, message_command, presence_command, typing_command
from ._dialects import RTM_DIALECT, Dialect
from ._options import RtmOptions, check_seconds
from ._picture import Picture
from ._protocol import RtmProtocol
from ._replay import Replay, replay_options
from ._sends import Pending
from ._stats import RtmStats

__all__ = [
    "Handlers",
    "SessionSurface",
    "outcome",
    "report_handler_error",
    "surface_doc",
]

# -- a completed send --------------------------------------------------------------------------


def outcome(pending: Pending) -> Any:
    """The result of a completed send, or raise its error."""
    if pending.error is not None:
        raise pending.error
    return pending.result


# -- callbacks: ``on`` and ``run`` -----------------------------------------------------------------

Handler = Callable[[Any], Any]

ANY = "*"
"""The kind of a handler for everything `run` dispatches (as slack_sdk's ``"*"``)."""


def _check_takes_one_event(handler: Handler) -> None:
    """Refuse a handler that cannot be called with exactly one positional argument, the event.

    What ``inspect.signature`` reads is what a call binds: a bound method without ``self``, a
    `functools.partial` without what it holds, ``*args`` taking anything. A callable without
    a readable signature (some builtins) cannot be told, so it is taken.

    Raises:
        TypeError: The handler needs more (slack_sdk's ``(client, event)``) or takes nothing.
    """
    try:
        signature = inspect.signature(handler)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(None)
    except TypeError as error:
        name = getattr(handler, "__qualname__", None) or repr(handler)
        raise TypeError(
            f"a handler is called with one argument, the event; {name}{signature} cannot take "
            f"it ({error}). For slack_sdk's (client, event) handlers, register "
            "functools.partial(handler, session), or a function of the event alone"
        ) from None


class Handlers:
    """Callbacks by event kind, for ``session.on(...)`` and ``session.run()``.

    A kind is an event class (`slackrtm.events.Message`, `slackrtm.rtm.Connected`, ...; its
    subclasses match too), a wire ``type`` string (``"message"``), or ``"*"``: every event and
    lifecycle notice. An event's handlers run in this order: those of its classes, those of its
    wire type, then those of ``"*"``, each group in registration order.
    """

    def __init__(self, *, coroutines: bool) -> None:
        """Accept coroutine functions only when the session can await them."""
        self._coroutines = coroutines
        self._by_class: list[tuple[type, Handler]] = []
        self._by_type: dict[str, list[Handler]] = {}
        self._any: list[Handler] = []

    def add(self, kind: type | str, handler: Handler) -> None:
        """Register `handler` for `kind`.

        Raises:
            TypeError: A kind that is neither a class nor a string, a handler that is not
                callable or cannot take one event, or a coroutine function on the sync session.
        """
        if not callable(handler):
            raise TypeError(f"a handler must be callable, got {type(handler).__name__}")
        if not self._coroutines and inspect.iscoroutinefunction(handler):
            raise TypeError("the sync session cannot await a coroutine handler; use AsyncClient")
        if not isinstance(kind, (str, type)):
            raise TypeError(f"kind must be an event class or a type string, got {kind!r}")
        _check_takes_one_event(handler)
        if kind == ANY:
            self._any.append(handler)
        elif isinstance(kind, str):
            self._by_type.setdefault(kind, []).append(handler)
        else:
            self._by_class.append((kind, handler))

    def matching(self, event: object, *, every: bool = True) -> list[Handler]:
        """The handlers for one event: by class, by wire type, then ``"*"`` (each in order).

        Args:
            event: The event.
            every: Whether the handlers of ``"*"`` are among them (not for the inner event of
                a Socket Mode envelope: they get the envelope).
        """
        found = [handler for cls, handler in self._by_class if isinstance(event, cls)]
        wire = getattr(event, "type", None)
        if isinstance(wire, str):
            found.extend(self._by_type.get(wire, ()))
        if every:
            found.extend(self._any)
        return found


def report_handler_error(logger: logging.Logger, handler: Handler, event: object) -> None:
    """Log a handler's exception (from an ``except`` block); the session goes on."""
    name = getattr(handler, "__qualname__", None) or repr(handler)
    logger.exception(
        "RTM: handler %s raised on %s; the session goes on", name, type(event).__name__
    )


# -- the surface ----------------------------------------------------------------------------------

_Method = TypeVar("_Method", bound=Callable[..., Any])


def surface_doc(method: _Method) -> _Method:
    """Mark a driver's method whose doc is written once, on `SessionSurface`.

    It changes nothing: ``inspect.getdoc`` and ``help()`` find the surface's doc, which both
    forms share (`tests/rtm/test_surface.py` holds that). It tells readers, and ruff's
    docstring rule (``ignore-decorators`` in pyproject.toml), where the doc is.
    """
    return method


_Opener = TypeVar("_Opener", bound=SocketOpener)
_Result = TypeVar("_Result")
"""What a method that waits for a value gives: the value (sync), or an awaitable of it (async)."""
_Done = TypeVar("_Done")
"""What a method that waits for nothing to give gives: None (sync), or an awaitable of None."""


class SessionSurface(Generic[_Opener, _Result, _Done]):
    """One RTM session, in the form its driver gives it (`RtmSession`, `AsyncRtmSession`).

    Made by ``client.rtm()``; the context manager connects (``rtm.connect``, the socket,
    Slack's ``hello``) and closes. Events come by iterating over the session, in arrival order.

    Args:
        opener: What the client hands a socket session (``client._socket_opener()``).
        batch_presence_aware: Passed to ``rtm.connect``.
        presence_sub: Passed to ``rtm.connect``.
        options: Timings, pacing and reconnects (`RtmOptions`).
        replay: Replay after each reconnect: False (off), True, or a `ReplayOptions`.
        workspace: Keep ``workspace`` current (the live picture).
        clock: A monotonic clock in seconds.
    """

    _coroutine_handlers: ClassVar[bool] = False
    """Whether ``on`` takes coroutine functions (only a session that can await them)."""
    _how_to_connect: ClassVar[str] = "with client.rtm() as rtm"
    """How the user connects this form, for the error of a session used before it connects."""
    _open_call: ClassVar[str] = "rtm_connect"
    """The client's method that gives a socket URL (``apps_connections_open`` for Socket Mode)."""

    def __init__(
        self,
        opener: _Opener,
        *,
        batch_presence_aware: bool | None = None,
        presence_sub: bool | None = None,
        options: RtmOptions | None = None,
        replay: object = False,
        workspace: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Prepare a session; nothing is opened until `connect`.

        Raises:
            TypeError: `options` is not an `RtmOptions`, `replay` not a bool or
                `ReplayOptions`, or `workspace` not a bool.
        """
        if options is not None and not isinstance(options, RtmOptions):
            raise TypeError("options must be an RtmOptions")
        replaying = replay_options(replay)
        if not isinstance(workspace, bool):
            raise TypeError(f"workspace must be a bool, got {type(workspace).__name__}")
        self._opener = opener
        self._connect_args = {
            "batch_presence_aware": batch_presence_aware,
            "presence_sub": presence_sub,
        }
        self._clock = clock
        self._proto = RtmProtocol(
            options,
            dialect=self._dialect(),
            logger=opener.logger,
            allow_insecure=opener.allow_insecure,
        )
        self.options = self._proto.options
        self._replay = Replay(replaying, self._proto._log) if replaying is not None else None
        """The replay core, when replay is on: the driver hands it the engine's events."""
        self._picture = Picture(self.options.max_buffered) if workspace else None
        self._started = False
        self._raised = False
        """Whether the error that ended the session has been raised to the user (it is once)."""
        self._handlers = Handlers(coroutines=self._coroutine_handlers)
        self._prepare()

    def _prepare(self) -> None:
        """Set up the driver's own state: how it waits and where its events wait."""
        raise NotImplementedError

    def _socket_url(self, url: str) -> str:
        """The socket URL to open, from the one the Web API call gave (Socket Mode adds to it)."""
        return url

    @classmethod
    def _dialect(cls) -> Dialect:
        """What the session's frames mean (Socket Mode's sessions give theirs)."""
        return RTM_DIALECT

    def __repr__(self) -> str:
        return f"<{type(self).__name__} state={self._proto.state}>"

    # -- public facts -----------------------------------------------------------------------------

    @property
    def self_(self) -> Any:
        """The connecting user (``self`` in the latest ``rtm.connect`` answer)."""
        return getattr(self._proto.info, "self_", None)

    @property
    def team(self) -> Any:
        """The workspace, from the latest ``rtm.connect`` answer."""
        return getattr(self._proto.info, "team", None)

    @property
    def state(self) -> str:
        """Where the session is in its life.

        ``idle`` (before `connect`), ``connecting``, ``open``, ``connected``, ``waiting`` (to
        reconnect) or ``closed``.
        """
        return self._proto.state

    @property
    def stats(self) -> RtmStats:
        """The session's health in numbers now, as an `RtmStats` snapshot.

        Uptime, the last ping's round trip, the newest frame's age, connects and disconnects
        with their causes, events in, sends with their acks and failures. Reading it never
        blocks and never waits for the session's thread or task: it reads a few counters (a
        read racing the session's own thread may see a send counted a moment late).
        """
        stats = self._proto.stats(self._clock())
        if self._replay is None:
            return stats
        return attrs.evolve(stats, replayed=self._replay.delivered)

    @property
    def workspace(self) -> Any:
        """The live picture: a `slackrtm.Workspace` kept current by the session's events.

        Made with ``client.rtm(workspace=True)``; taken at connect (``connect`` returns once it
        is) and again after every reconnect (see the README's "The live picture").

        Raises:
            RuntimeError: The session was made without ``workspace=True``, or not connected.
        """
        picture = self._live_picture()
        if picture.workspace is None:
            raise RuntimeError("the live picture is taken at connect; connect the session first")
        return picture.workspace

    def _live_picture(self) -> Picture:
        picture = self._picture
        if picture is None:
            raise RuntimeError("the live picture is off; make the session with rtm(workspace=True)")
        return picture

    def _picture_pending(self) -> bool:
        """Whether `connect` still waits for the first picture (not while it fails or ends)."""
        picture = self._picture
        return (
            picture is not None
            and picture.snapshots == 0
            and picture.error is None
            and not self._proto.closed
        )

    def _picture_taken(self, taken: Any) -> list[object]:
        """Hand the core a snapshot, or the error that stopped it; the events to deliver now."""
        picture = self._live_picture()
        if isinstance(taken, BaseException):
            return picture.snapshot_failed(taken)
        return picture.snapshot_taken(taken, getattr(self.self_, "id", None))

    # -- what waits: each driver's, in its form (``await`` in the async one); the docs are here ---

    def connect(self) -> Any:
        """Call ``rtm.connect``, open the socket and wait for Slack's ``hello``.

        Returns:
            The session.

        Raises:
            SlackApiError: ``rtm.connect`` refused (e.g. `slackrtm.errors.InvalidAuth`).
            SlackError: Another failure that ended the session before it connected.
            RuntimeError: It was connected before.
        """
        raise NotImplementedError

    def fetch_user(self, user_id: str) -> _Result:
        """A user by ID: from the live picture, else fetched once with ``users.info`` and kept.

        A user the picture does not hold (one from another workspace in a shared channel, say)
        costs one call, the first time; the async form awaits it, never blocking the loop.

        Raises:
            RuntimeError: The session was made without ``workspace=True``.
            SlackApiError: ``users.info`` refused (`slackrtm.errors.UserNotFound`, ...).
        """
        raise NotImplementedError

    def next_event(self, timeout: float | None = None) -> _Result:
        """The next event or lifecycle notice, waiting at most `timeout` seconds.

        Raises:
            TimeoutError: None came in time.
            RtmSessionClosed: The session was closed and every event has been taken.
            SlackError: The error that ended the session (once, after the buffered events;
                afterwards RtmSessionClosed).
        """
        raise NotImplementedError

    def run(self) -> _Done:
        """Dispatch events to the handlers of `on`, in arrival order, until the session closes.

        A handler that raises is logged with its traceback and the session goes on.

        Raises:
            SlackError: The error that ended the session, if one did.
        """
        raise NotImplementedError

    # -- sending ----------------------------------------------------------------------------------

    def send_message(
        self,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        reply_broadcast: bool | None = None,
        timeout: float | None = None,
    ) -> _Result:
        """Post a message and wait for Slack's ack.

        Every argument the schema gives the ``message`` command is a keyword here
        (`tests/rtm/test_surface.py` holds that).

        Args:
            channel: The channel ID.
            text: The text (Slack refuses more than 4,000 characters with an error ack).
            thread_ts: Reply in this thread.
            reply_broadcast: With `thread_ts`: show the reply in the channel too.
            timeout: Seconds for queueing, pacing and the ack; `RtmOptions.ack_timeout` default.

        Returns:
            The `slackrtm.events.MessageAck` (``ts``, ``text``).

        Raises:
            TypeError, ValueError: A bad argument, before any I/O.
            RtmFrameTooLarge: Over 16 kB encoded; nothing sent.
            RtmErrorAck: Slack refused it (``code``, ``msg``, ``description``).
            RtmSendTimeout: Not sent or not acked in time.
            RtmConnectionLost: The socket went away before the ack (delivery unknown).
            RtmSessionClosed: The session is closed or has ended.
        """
        return self._send(message_command(channel, text, thread_ts, reply_broadcast), timeout)

    def typing(self, channel: str, *, timeout: float | None = None) -> _Done:
        """Show "typing" in a channel; returns once the frame is written.

        Raises:
            TypeError, ValueError: A bad argument, before any I/O.
            RtmSendTimeout: Not written in time (not connected, or held back by pacing).
            RtmConnectionLost: The socket failed as the frame was written (delivery unknown).
            RtmSessionClosed: The session is closed or has ended.
        """
        return self._send_written(typing_command(channel), timeout)

    def subscribe_presence(self, user_ids: Iterable[str], *, timeout: float | None = None) -> _Done:
        """Follow these users' presence (the list replaces the last); kept across reconnects.

        Returns once the frame is written; it is sent again after every reconnect.

        Raises:
            TypeError, ValueError: A bad argument, before any I/O.
            RtmSendTimeout: Not written in time (it is still sent after the next ``hello``).
            RtmConnectionLost: The socket failed as the frame was written (it is still sent
                after the next ``hello``).
            RtmSessionClosed: The session is closed or has ended.
        """
        return self._send_written(presence_command(user_ids), timeout)

    def send(self, command: Any, *, timeout: float | None = None) -> _Result:
        """Send a client command (`slackrtm.events.Command`), or a frame as a mapping.

        A mapping is a frame the schema does not describe yet (``{"type": "presence_query",
        "ids": [...]}`` before it did): it needs a string ``type``, holds JSON values only, and
        is sent as it is with the session's next ``id`` (so it may carry none of its own: ids
        are unique per connection). It completes once written, as the session cannot know
        whether Slack answers it; an answer that is an event comes among the events.

        Returns:
            The ack of a command that has one (``message``); None for the others.

        Raises:
            TypeError, ValueError: A bad mapping, or a text UTF-8 cannot encode, before I/O.
            RtmFrameTooLarge: Over 16 kB encoded; nothing sent.
            RtmSendTimeout, RtmConnectionLost, RtmSessionClosed: As for `send_message`.
        """
        return self._send(checked_command(command), timeout)

    def _send(self, command: Any, timeout: float | None) -> _Result:
        """The driver's send: hand `command` to the core and wait until it completes."""
        raise NotImplementedError

    def _send_written(self, command: Any, timeout: float | None) -> _Done:
        """`_send` for a command that completes once written: nothing to give back."""
        raise NotImplementedError

    # -- callbacks --------------------------------------------------------------------------------

    def on(self, kind: type | str, handler: Callable[[Any], Any] | None = None) -> Any:
        """Call `handler` for each event of `kind` during `run`; usable as a decorator.

        Args:
            kind: An event class (``events.Message``, ``Connected``; subclasses match), a
                wire type (``"message"``), or ``"*"`` for every event and lifecycle notice
                (after the handlers of its class and its wire type).
            handler: A callable taking one positional argument, the event (a function, a
                bound method, a `functools.partial`); on `AsyncRtmSession` a coroutine
                function too.

        Returns:
            The handler (or, without one, a decorator that registers it).

        Raises:
            TypeError: A bad kind, a handler that is not callable or whose signature cannot
                take one event (slack_sdk's ``(client, event)``), or a coroutine function on
                `RtmSession` (use `AsyncClient`).
        """
        if handler is None:

            def register(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
                self._handlers.add(kind, fn)
                return fn

            return register
        self._handlers.add(kind, handler)
        return handler

    def _handler_failed(self, handler: Handler, event: object) -> None:
        """Log a handler's exception (from its ``except`` block); `run` goes on."""
        report_handler_error(self._proto._log, handler, event)

    # -- the rules of the waiting methods, without the waiting ------------------------------------

    def _start(self) -> None:
        """Mark the session started (`connect`), once.

        Raises:
            RuntimeError: It was started before.
        """
        if self._started:
            raise RuntimeError("an RTM session connects once; make a new one with client.rtm()")
        self._started = True

    def _connect_error(self) -> BaseException:
        """What `connect` raises when the session ended before Slack's ``hello``."""
        error = self._proto.error
        if error is None:  # closed by the user, e.g. from another thread or task, before hello
            return self._proto.closed_error()
        self._raised = True
        return error

    def _check_started(self) -> None:
        """Raise RuntimeError for a session used before `connect`."""
        if not self._started:
            raise RuntimeError(f"connect the session first ({self._how_to_connect})")

    def _check_may_wait(self) -> None:
        """With no event buffered: raise if none can come, else return (the caller waits).

        Raises:
            SlackError: The error that ended the session, the first time.
            RtmSessionClosed: The session is closed (or ended, its error raised before).
            RuntimeError: The session was never connected.
        """
        proto = self._proto
        if proto.closed:
            error = proto.error
            if error is not None and not self._raised:
                self._raised = True
                raise error
            raise proto.closed_error()
        self._check_started()

    @staticmethod
    def _check_timeout(timeout: object) -> float:
        """`next_event`'s timeout, checked (a float >= 0 passes as is; call it when not None).

        Raises:
            TypeError, ValueError: A bad `timeout` (see `check_seconds`).
        """
        if type(timeout) is float and timeout >= 0.0:
            return timeout
        return check_seconds("timeout", timeout, zero=True)

    def _deadline_after(self, timeout: float | None) -> float | None:
        """When `next_event` gives up, by the session's clock; None for never."""
        if timeout is None or math.isinf(timeout):
            return None
        return self._clock() + timeout

    def _time_left(self, deadline: float, timeout: float | None) -> float:
        """Seconds until `deadline`.

        Raises:
            TimeoutError: It has passed: no event came within `timeout`.
        """
        left = deadline - self._clock()
        if left <= 0:
            raise TimeoutError(f"no RTM event within {timeout:g} s")
        return left

    def _pause_reading(self, waiting: int) -> None:
        """Tell the core (and the log) that reading stops: `waiting` events are unread."""
        self._proto.set_reading_paused(True, self._clock(), waiting)

    def _resume_reading(self) -> None:
        """Tell the core that reading goes on."""
        self._proto.set_reading_paused(False, self._clock())
