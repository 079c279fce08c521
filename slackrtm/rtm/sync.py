"""`RtmSession`: the RTM session over the websockets library's sync client. Only I/O lives here.

Two threads per session, as in the async driver's two tasks: the engine (ticks the core at its
deadlines, writes what it gives, starts connection attempts) and one link thread per socket
(``rtm.connect`` through the `Client`, the handshake, then reading frames into the core), so
that keepalive, acks and reconnects go on while the user is not iterating. One lock guards the
core; I/O happens outside it. Every decision is in `_protocol.RtmProtocol`.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import websockets.exceptions
from websockets.frames import CloseCode
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from .._exceptions import RtmSessionClosed, SlackError
from .._socket import SyncSocketOpener, connect_error
from ._common import (
    Handlers,
    message_command,
    outcome,
    presence_command,
    report_handler_error,
    typing_command,
)
from ._protocol import Pending, RtmOptions, RtmProtocol, check_seconds

__all__ = ["RtmSession"]

_MIN_WAIT = 0.001
_MAX_WAIT = 3600.0
"""The longest single wait on a lock or an event: the platform refuses much longer ones
(``OverflowError``), and a wake-up an hour costs nothing. A longer wait (``math.inf``: no
limit) is made of several."""
_NO_LIMIT = 1e9
"""Seconds beyond which a socket timeout counts as none (sockets refuse about 1e10)."""
_BATCH = 256
"""The most frames the link thread hands the core under one hold of the lock: the frames
websockets has already received, taken without waiting, so that a burst costs one lock, one
clock read and one wake-up of the iterator per batch rather than per frame; bounded so that
the first events of a burst are not held back for long."""


class _Redacting(logging.LoggerAdapter):  # type: ignore[type-arg]
    """websockets' logger, minus the socket URL's path in its DEBUG request line (the path
    carries the single-use ticket, a secret)."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if isinstance(msg, str) and msg.startswith("> GET "):
            args = ("<redacted>",)
        super().log(level, msg, *args, **kwargs)


_WS_LOGGER = _Redacting(logging.getLogger("websockets.client"), {})
_WAIT_MARGIN = 5.0
"""Seconds a sender waits beyond its send's own deadline before assuming the engine is gone."""


class RtmSession:
    """One RTM session over the websockets library's sync client.

    Made by `Client.rtm`; ``with`` connects (``rtm.connect``, the socket, Slack's ``hello``)
    and closes. Events come by ``for event in session`` in arrival order. Safe to use from
    several threads: sends may come from any thread while one thread iterates.

    Args:
        opener: What its client hands it to open sockets (`Client._socket_opener`).
        batch_presence_aware: Passed to ``rtm.connect``.
        presence_sub: Passed to ``rtm.connect``.
        options: Timings, pacing and reconnects (`RtmOptions`).
        clock: A monotonic clock in seconds.
    """

    def __init__(
        self,
        opener: SyncSocketOpener,
        *,
        batch_presence_aware: bool | None = None,
        presence_sub: bool | None = None,
        options: RtmOptions | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Prepare a session; nothing is opened until `connect`."""
        if options is not None and not isinstance(options, RtmOptions):
            raise TypeError("options must be an RtmOptions")
        self._opener = opener
        self._connect_args = {
            "batch_presence_aware": batch_presence_aware,
            "presence_sub": presence_sub,
        }
        self._clock = clock
        self._proto = RtmProtocol(
            options, logger=opener.logger, allow_insecure=opener.allow_insecure
        )
        self.options = self._proto.options
        self._lock = threading.Lock()
        self._readable = threading.Condition(self._lock)
        self._space = threading.Condition(self._lock)
        self._engine_cv = threading.Condition(self._lock)
        self._dirty = False
        self._buffer: collections.deque[object] = collections.deque()
        """Events for the iterator. The core's own queue (`RtmProtocol.events`) is moved here
        under the lock once a call into the core is over, so that the iterator never sees an
        event before the state it comes with; it pops from here without the lock."""
        self._waiting = 0
        """Threads waiting on `_readable` (so that no frame notifies when none waits)."""
        self._paused = False
        """Whether the link thread waits on `_space` (backpressure)."""
        self._engine: threading.Thread | None = None
        self._link_thread: threading.Thread | None = None
        self._linking = False
        self._ws: ClientConnection | None = None
        self._ws_link: int | None = None
        self._started = False
        self._raised = False
        self._handlers = Handlers(coroutines=False)

    def __repr__(self) -> str:
        return f"<RtmSession state={self._proto.state}>"

    # -- public facts -------------------------------------------------------------------------

    @property
    def self_(self) -> Any:
        """The connecting user (``self`` in the latest ``rtm.connect`` answer)."""
        return self._proto.info.self_ if self._proto.info is not None else None

    @property
    def team(self) -> Any:
        """The workspace, from the latest ``rtm.connect`` answer."""
        return self._proto.info.team if self._proto.info is not None else None

    @property
    def state(self) -> str:
        """``connecting``, ``open``, ``connected``, ``waiting`` (to reconnect) or ``closed``."""
        return self._proto.state

    # -- lifecycle ----------------------------------------------------------------------------

    def connect(self) -> RtmSession:
        """Call ``rtm.connect``, open the socket and wait for Slack's ``hello``.

        Returns:
            The session.

        Raises:
            SlackApiError: ``rtm.connect`` refused (e.g. `slackrtm.errors.InvalidAuth`).
            SlackError: Another failure that ended the session before it connected.
            RuntimeError: It was connected before.
        """
        with self._lock:
            if self._started:
                raise RuntimeError("an RTM session connects once; make a new one with client.rtm()")
            self._started = True
        self._engine = threading.Thread(target=self._run, name="slackrtm-rtm-engine", daemon=True)
        self._engine.start()
        with self._lock:
            while self._proto.connects == 0 and not self._proto.closed:
                self._wait_readable(None)
            failed = self._proto.connects == 0
        if failed:
            self.close()
            error = self._proto.error
            if error is None:  # closed by the user, e.g. from another thread, before hello
                raise self._proto.closed_error()
            self._raised = True
            raise error
        return self

    def __enter__(self) -> RtmSession:
        return self.connect()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Send a close frame and stop both threads; unfinished sends fail with RtmSessionClosed.

        Safe to call twice and from any thread. A connection attempt in flight is waited for
        (at most the client's timeout for ``rtm.connect``, `RtmOptions.connect_timeout` for
        the handshake).
        """
        with self._lock:
            self._proto.close(self._clock())
            self._settle()
            # Iteration ends at once: events not taken yet are dropped, as asked.
            self._buffer.clear()
            self._poke()
            self._space.notify_all()
        current = threading.current_thread()
        engine = self._engine
        if engine is not None and engine is not current:
            engine.join()
        self._close_socket()
        link = self._link_thread
        if link is not None and link is not current:
            link.join()

    # -- sending ------------------------------------------------------------------------------

    def send_message(
        self, channel: str, text: str, *, thread_ts: str | None = None, timeout: float | None = None
    ) -> Any:
        """Post a message and wait for Slack's ack.

        Args:
            channel: The channel ID.
            text: The text (Slack refuses more than 4,000 characters with an error ack).
            thread_ts: Reply in this thread.
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
        return self._send(message_command(channel, text, thread_ts), timeout)

    def typing(self, channel: str, *, timeout: float | None = None) -> None:
        """Show "typing" in a channel; returns once the frame is written.

        Raises:
            TypeError, ValueError: A bad argument, before any I/O.
            RtmSendTimeout: Not written in time (the session was not connected).
            RtmConnectionLost: The socket failed as the frame was written (delivery unknown).
            RtmSessionClosed: The session is closed or has ended.
        """
        self._send(typing_command(channel), timeout)

    def subscribe_presence(self, user_ids: Iterable[str], *, timeout: float | None = None) -> None:
        """Follow these users' presence (the list replaces the last); kept across reconnects.

        Returns once the frame is written; it is sent again after every reconnect.

        Raises:
            TypeError, ValueError: A bad argument, before any I/O.
            RtmSendTimeout: Not written in time (it is still sent after the next ``hello``).
            RtmConnectionLost: The socket failed as the frame was written (it is still sent
                after the next ``hello``).
            RtmSessionClosed: The session is closed or has ended.
        """
        self._send(presence_command(user_ids), timeout)

    def send(self, command: Any, *, timeout: float | None = None) -> Any:
        """Send any client command (`slackrtm.events.Command`); the ack, or None without one."""
        return self._send(command, timeout)

    def _send(self, command: Any, timeout: float | None) -> Any:
        with self._lock:
            if not self._started:
                raise RuntimeError("connect the session first (with client.rtm() as rtm)")
            pending = self._proto.send(command, self._clock(), timeout=timeout)
            pending.waiter = threading.Event()
            self._poke()
        try:
            self._wait_for(pending)
        except BaseException:
            # Given up on (KeyboardInterrupt, ...): a send not written yet is withdrawn, as
            # an async send whose await is cancelled.
            with self._lock:
                self._proto.cancel(pending)
            raise
        return outcome(pending)

    def _wait_for(self, pending: Pending) -> None:
        """Wait until the engine completes `pending`, which it does by the send's deadline.

        The margin beyond it, and the check that the engine still runs, only guard against an
        engine gone for a reason it could not report.
        """
        clock = self._clock
        end = clock() + pending.timeout + _WAIT_MARGIN  # math.inf: no limit
        waiter = pending.waiter
        while not waiter.wait(min(max(end - clock(), 0.0), _MAX_WAIT)):
            engine = self._engine
            if clock() >= end or engine is None or not engine.is_alive():
                with self._lock:
                    if not pending.done:
                        self._proto.close(clock(), "the session's engine stopped")
                        self._settle()
                return

    # -- events -------------------------------------------------------------------------------

    def __iter__(self) -> RtmSession:
        return self

    def __next__(self) -> Any:
        """The next event or lifecycle notice, in arrival order; blocks until there is one.

        Raises:
            StopIteration: The session was closed.
            SlackError: The error that ended the session (once, after the buffered events).
        """
        try:
            return self.next_event()
        except RtmSessionClosed as exc:
            if exc is self._proto.error:
                raise
            raise StopIteration from None

    def next_event(self, timeout: float | None = None) -> Any:
        """The next event or lifecycle notice, waiting at most `timeout` seconds.

        Raises:
            TimeoutError: None came in time.
            RtmSessionClosed: The session was closed and every event has been taken.
            SlackError: The error that ended the session (once, after the buffered events;
                afterwards RtmSessionClosed).
        """
        if timeout is not None and (type(timeout) is not float or not timeout >= 0.0):
            timeout = check_seconds("timeout", timeout, zero=True)  # (a float >= 0 passes as is)
        buffer = self._buffer
        if buffer:
            # The common case in a burst: no lock. A deque's popleft is atomic; one that lost
            # a race (another consumer, close() clearing the buffer) takes the locked way.
            try:
                event = buffer.popleft()
            except IndexError:
                pass
            else:
                if self._paused and len(buffer) < self.options.max_buffered:
                    with self._lock:
                        self._space.notify()
                return event
        deadline = None if timeout is None or math.isinf(timeout) else self._clock() + timeout
        with self._lock:
            while not buffer:
                proto = self._proto
                if proto.closed:
                    error = proto.error
                    if error is not None and not self._raised:
                        self._raised = True
                        raise error
                    raise proto.closed_error()
                if not self._started:
                    raise RuntimeError("connect the session first (with client.rtm() as rtm)")
                if deadline is None:
                    self._wait_readable(None)
                else:
                    left = deadline - self._clock()
                    if left <= 0:
                        raise TimeoutError(f"no RTM event within {timeout:g} s")
                    self._wait_readable(min(left, _MAX_WAIT))
            event = buffer.popleft()
            if self._paused and len(buffer) < self.options.max_buffered:
                self._space.notify()
            return event

    def _wait_readable(self, timeout: float | None) -> None:
        """Wait (the lock held) until `_settle` notifies: events came, or the end."""
        self._waiting += 1
        try:
            self._readable.wait(timeout)
        finally:
            self._waiting -= 1

    # -- callbacks ----------------------------------------------------------------------------

    def on(self, kind: type | str, handler: Callable[[Any], Any] | None = None) -> Any:
        """Call `handler` for each event of `kind` during `run`; usable as a decorator.

        Args:
            kind: An event class (``events.Message``, ``Connected``; subclasses match) or a
                wire type (``"message"``).
            handler: A function or bound method taking the event.

        Returns:
            The handler (or, without one, a decorator that registers it).

        Raises:
            TypeError: A coroutine function (use `AsyncClient`), or a bad kind.
        """
        if handler is None:

            def register(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
                self._handlers.add(kind, fn)
                return fn

            return register
        self._handlers.add(kind, handler)
        return handler

    def run(self) -> None:
        """Dispatch events to the handlers of `on`, in arrival order, until the session closes.

        A handler that raises is logged with its traceback and the session goes on.

        Raises:
            SlackError: The error that ended the session, if one did.
        """
        for event in self:
            for handler in self._handlers.matching(event):
                try:
                    handler(event)
                except Exception:
                    report_handler_error(self._proto._log, handler, event)

    # -- the engine (all of these run with the lock held unless said otherwise) ---------------

    def _poke(self) -> None:
        self._dirty = True
        self._engine_cv.notify()

    def _settle(self) -> None:
        """Hand the core's events to the iterator, waking it if it waits, and wake the senders
        whose sends completed."""
        proto = self._proto
        found = proto.events
        if found:
            self._buffer.extend(found)
            found.clear()
            if self._waiting:
                self._readable.notify_all()
        elif proto.closed and self._waiting:
            self._readable.notify_all()
        for pending in proto.take_completed():
            if pending.waiter is not None:
                pending.waiter.set()

    def _run(self) -> None:
        """The engine thread."""
        proto = self._proto
        clock = self._clock
        lock = self._lock
        try:
            while True:
                with lock:
                    self._dirty = False
                    now = clock()
                    proto.tick(now)
                    frames = proto.data_to_send(now)
                    self._settle()
                    ws = self._ws if self._ws_link == proto.link else None
                    stale = None
                    if self._ws is not None and self._ws_link != proto.link:
                        stale, self._ws, self._ws_link = self._ws, None, None
                    closed = proto.closed
                    start = not closed and proto.connect_due(now) and not self._linking
                    url = proto.begin_connect(now) if start else None
                    if start:
                        self._linking = True
                # Unlocked: only this thread writes, so frames keep their order.
                if frames:
                    count = self._write(ws, frames) if ws is not None else 0
                    with lock:
                        proto.frames_written(clock(), count)
                        self._settle()
                if stale is not None:
                    self._close(stale)
                if closed:
                    return
                if start:
                    thread = threading.Thread(
                        target=self._link, args=(url,), name="slackrtm-rtm-link", daemon=True
                    )
                    self._link_thread = thread
                    thread.start()
                    continue
                with lock:
                    deadline = proto.next_deadline()
                    if self._linking and proto.connect_due(clock()):
                        deadline = None  # the link thread pokes when it ends
                    while not self._dirty:
                        if deadline is None:
                            self._engine_cv.wait()
                        else:
                            # At least a millisecond: a deadline the core failed to clear
                            # must not spin.
                            left = deadline - clock()
                            self._engine_cv.wait(min(max(left, _MIN_WAIT), _MAX_WAIT))
                            if left <= _MIN_WAIT:
                                break
        except BaseException as exc:
            self._died("engine", exc)

    def _died(self, what: str, exc: BaseException) -> None:
        """A thread of the session failed of a bug: end the session with that error (logged,
        raised by the iterator, the cause of every waiting send's `RtmSessionClosed`) rather
        than leave it hanging. Unlocked."""
        proto = self._proto
        proto._log.error("RTM: the session's %s thread failed", what, exc_info=exc)
        with self._lock:
            proto.fail(self._clock(), exc)
            self._settle()
            self._poke()
            self._space.notify_all()

    @staticmethod
    def _write(ws: ClientConnection, frames: list[str]) -> int:
        """Write `frames` in order; returns how many were written before a failure."""
        count = 0
        try:
            for frame in frames:
                ws.send(frame)
                count += 1
        except (websockets.exceptions.WebSocketException, OSError):
            # The socket is going away; its link thread reports how. The core fails the frame
            # that was being written and those after it ("delivery unknown").
            pass
        return count

    @staticmethod
    def _close(ws: ClientConnection) -> None:
        with contextlib.suppress(websockets.exceptions.WebSocketException, OSError):
            ws.close()

    def _close_socket(self) -> None:
        with self._lock:
            ws, self._ws, self._ws_link = self._ws, None, None
        if ws is not None:
            self._close(ws)

    # -- one link thread per connection attempt ------------------------------------------------

    def _link(self, url: str | None) -> None:
        proto = self._proto
        clock = self._clock
        opener = self._opener
        info = None
        stage = "rtm.connect"
        # The socket is used as a context manager (websockets asks for it); this thread owns
        # it for its whole life and the exit closes it.
        owner = contextlib.ExitStack()
        try:
            try:
                if url is None:
                    info = opener.web.rtm_connect(**self._connect_args)
                    url = info.url
                stage = "socket"
                connecting = ws_connect(
                    url,
                    # The same TLS settings as the client's Web API calls.
                    ssl=opener.ssl_context if url.startswith("wss:") else None,
                    proxy=opener.proxy,
                    open_timeout=_socket_timeout(self.options.connect_timeout),
                    close_timeout=1.0,
                    ping_interval=None,  # the core's RTM pings keep alive, the same in both
                    compression=None,
                    max_size=self.options.max_inbound_bytes,
                    logger=_WS_LOGGER,
                )
                ws = owner.enter_context(connecting)
            except SlackError as exc:
                with self._lock:
                    proto.connect_failed(clock(), exc, stage=stage)
                    self._settle()
                return
            except (websockets.exceptions.WebSocketException, OSError, TimeoutError) as exc:
                error = connect_error("handshake failed", exc)
                with self._lock:
                    proto.connect_failed(clock(), error, stage="socket")
                    self._settle()
                return
            with self._lock:
                link = proto.socket_opened(clock(), info)
                current = proto.link == link
                if current:
                    self._ws, self._ws_link = ws, link
                    self._poke()
            if current:
                self._read(ws, link)
        except BaseException as exc:
            self._died("link", exc)
        finally:
            with contextlib.suppress(websockets.exceptions.WebSocketException, OSError):
                owner.close()
            with self._lock:
                self._linking = False
                self._poke()

    def _read(self, ws: ClientConnection, link: int) -> None:
        proto = self._proto
        clock = self._clock
        buffer = self._buffer
        limit = self.options.max_buffered
        lock = self._lock
        recv = ws.recv
        receive_texts = proto.receive_texts
        cause = "connection dropped"
        too_large = False
        try:
            while True:
                if len(buffer) >= limit:
                    with lock:
                        self._backpressure()
                try:
                    batch = [recv()]
                except websockets.exceptions.ConnectionClosed as exc:
                    ended: BaseException | None = exc
                else:
                    # Then the frames websockets already holds, without waiting, never more
                    # than the buffer has room for (backpressure stays as it was, frame by
                    # frame); an end met on the way comes after them.
                    ended = None
                    room = min(limit - len(buffer), _BATCH)
                    while len(batch) < room:
                        try:
                            batch.append(recv(timeout=0))
                        except TimeoutError:
                            break
                        except (websockets.exceptions.ConnectionClosed, OSError) as exc:
                            ended = exc
                            break
                    with lock:
                        now = clock()
                        taken, count = 0, len(batch)
                        while taken < count:
                            # Up to the end, or to a frame that needs more than its event
                            # delivered: then settled and checked at once, as if alone.
                            taken = receive_texts(link, batch, taken, now)
                            self._settle()
                            if proto.link != link:
                                self._poke()
                                return
                            if proto.queued or proto.state != "connected":
                                self._poke()
                if isinstance(ended, websockets.exceptions.ConnectionClosed):
                    too_large = _refused_as_too_large(ended)
                    received = ended.rcvd
                    if received is not None and not too_large:
                        cause = f"closed by Slack (code {received.code})"
                    return
                if ended is not None:
                    return  # an OSError, as from the first recv
        except OSError:
            return
        finally:
            with lock:
                if too_large:
                    proto.inbound_too_large(link, clock())
                else:
                    proto.connection_lost(link, clock(), cause)
                self._settle()
                self._poke()

    def _backpressure(self) -> None:
        proto = self._proto
        if len(self._buffer) < self.options.max_buffered or proto.closed:
            return
        proto.set_reading_paused(True, self._clock())
        proto._log.warning(
            "RTM: %d events are waiting for the consumer; reading paused", len(self._buffer)
        )
        # The flag before the check of the length, the iterator's pop before its look at the
        # flag (both without the lock): one of the two always sees the other.
        self._paused = True
        try:
            while len(self._buffer) >= self.options.max_buffered and not proto.closed:
                self._space.wait()
        finally:
            self._paused = False
        proto.set_reading_paused(False, self._clock())
        self._poke()


def _refused_as_too_large(exc: websockets.exceptions.ConnectionClosed) -> bool:
    """Whether websockets closed the socket itself (code 1009) for a frame over ``max_size``.

    A 1009 that Slack sent first (and websockets echoed) is Slack's close, not ours.
    """
    sent = exc.sent
    if sent is None or sent.code != CloseCode.MESSAGE_TOO_BIG:
        return False
    return exc.rcvd is None or not exc.rcvd_then_sent


def _socket_timeout(seconds: float) -> float | None:
    """A timeout as a socket takes it: None for no limit (``math.inf`` or too long for it)."""
    return None if seconds > _NO_LIMIT else seconds
