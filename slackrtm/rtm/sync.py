"""`RtmSession`: the RTM session over the websockets library's sync client. Only I/O lives here.

Two threads per session, as in the async driver's two tasks: the engine (ticks the core at its
deadlines, writes what it gives, starts connection attempts) and one link thread per socket
(``rtm.connect`` through the `Client`, the handshake, then reading frames into the core, which
websockets' own reading thread does for each whole frame: `_sync_reader`), so that keepalive,
acks and reconnects go on while the user is not iterating. One lock guards the core; I/O
happens outside it. With replay on, a third thread makes its history calls
(`_replay_loops.replay_thread`). Every decision is in `_protocol.RtmProtocol` and `_replay`.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from types import TracebackType
from typing import Any, TypeVar, cast

import websockets.exceptions
from websockets.sync.client import ClientConnection

from .._exceptions import RtmSessionClosed, SlackError
from .._socket import client_closed, connect_error
from .._workspace import SyncWorkspace
from ._picture import SNAPSHOT_TYPES
from ._replay_loops import replay_thread
from ._sockets import Sockets
from ._surface import surface_doc
from ._sync_reader import SyncReader
from ._sync_sends import MAX_WAIT
from ._ws_sync import abort, close, close_all, controls, open_socket, write

__all__ = ["RtmSession"]

_MIN_WAIT = 0.001
_SLICE = 0.5
"""The longest a user's thread blocks at once (`_wait_readable`), so that Ctrl-C is seen."""
_Session = TypeVar("_Session", bound="RtmSession")  # `with` gives a subclass its own


class RtmSession(SyncReader):
    """One RTM session over the websockets library's sync client (see `SessionSurface`).

    Made by `Client.rtm`; ``with`` connects (``rtm.connect``, the socket, Slack's ``hello``)
    and closes. Events come by ``for event in session`` in arrival order. Safe to use from
    several threads: sends may come from any thread while one thread iterates.

    A public method without a docstring here is documented once, in `SessionSurface`
    (``help()`` and `inspect.getdoc` show that text).
    """

    def _prepare(self) -> None:
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
        self._resume_at = self._proto.reading_bounds()[1]
        """The buffer's length at or below which a paused link thread reads again."""
        self._engine: threading.Thread | None = None
        self._link_thread: threading.Thread | None = None
        self._linking = False
        self._sockets: Sockets[ClientConnection] = Sockets()
        """The current socket, and in a Socket Mode handover the one the core drains."""
        self._draining_thread: threading.Thread | None = None
        self._controls = 0
        """WebSocket pings and pongs of the current socket already reported (Socket Mode)."""
        self._replay_cv = threading.Condition(self._lock)
        self._replay_thread: threading.Thread | None = None
        self._writing: ClientConnection | None = None
        """The socket the engine (or a sender) is writing to, unlocked (`close` aborts it)."""
        self._idle: tuple[bool, float | None] = (False, None)  # asleep, until (None: poked)

    # -- lifecycle ----------------------------------------------------------------------------

    @surface_doc
    def connect(self: _Session) -> _Session:
        with self._lock:
            self._start()
        self._engine = threading.Thread(target=self._run, name="slackrtm-rtm-engine", daemon=True)
        self._engine.start()
        if self._replay is not None:
            self._replay_thread = replay_thread(
                self._replay,
                self._replay_cv,
                lambda: self._proto.closed,
                self._clock,
                self._opener.web.conversations_history,
                self._replayed,
                self._died,
            )
        try:
            with self._lock:
                while self._proto.connects == 0 and not self._proto.closed:
                    self._wait_readable(None)
                while self._picture_pending():
                    self._wait_readable(None)
                failed = self._proto.connects == 0
                picture_error = self._picture.error if self._picture is not None else None
        except BaseException:
            # Given up on (KeyboardInterrupt, ...): nothing of the session is left running.
            self.close()
            raise
        if failed or picture_error is not None:
            self.close()
            raise picture_error or self._connect_error()
        return self

    def __enter__(self: _Session) -> _Session:
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
        the handshake); a write blocked by a peer that stopped reading is not: its socket is
        aborted.
        """
        self._stop(None)

    def _client_closed(self) -> None:
        """The client was closed: the session ends at once with `ClientClosed` (events kept)."""
        self._stop(client_closed())

    def _stop(self, error: BaseException | None) -> None:
        """End the session (closed by the user, or ended by `error`) and stop both threads."""
        with self._lock:
            if error is None:
                self._proto.close(self._clock())
                self._settle()
                # Iteration ends at once: events not taken yet are dropped, as asked.
                self._buffer.clear()
            else:
                self._proto.fail(self._clock(), error)
                self._settle()
            self._poke()
            self._space.notify_all()
            self._replay_cv.notify_all()
            writing = self._writing
        if writing is not None:
            abort(writing)
        current = threading.current_thread()
        for thread in (self._engine, self._replay_thread):
            if thread is not None and thread is not current:
                thread.join()
        self._close_socket()
        for link in (self._link_thread, self._draining_thread):
            if link is not None and link is not current:
                link.join()

    # -- sending: the base's (`_sync_sends`) ----------------------------------------------

    # -- events -------------------------------------------------------------------------------

    def __iter__(self: _Session) -> _Session:
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

    @surface_doc
    def fetch_user(self, user_id: str) -> Any:
        picture = self._live_picture()  # its lookups and `remember` are single dict operations
        known = picture.known_user(user_id)
        return known or picture.remember(self._opener.web.users_info(user=user_id).user)

    @surface_doc
    def next_event(self, timeout: float | None = None) -> Any:
        if timeout is not None:
            timeout = self._check_timeout(timeout)
        buffer = self._buffer
        if buffer:
            # The common case in a burst: no lock. A deque's popleft is atomic; one that lost
            # a race (another consumer, close() clearing the buffer) takes the locked way.
            try:
                event = buffer.popleft()
            except IndexError:
                pass
            else:
                if self._paused and len(buffer) <= self._resume_at:
                    with self._lock:
                        self._space.notify_all()  # see `_poke`
                return event
        deadline = self._deadline_after(timeout)
        with self._lock:
            while not buffer:
                self._check_may_wait()
                if deadline is None:
                    self._wait_readable(None)
                else:
                    self._wait_readable(min(self._time_left(deadline, timeout), MAX_WAIT))
            event = buffer.popleft()
            if self._paused and len(buffer) <= self._resume_at:
                self._space.notify_all()  # see `_poke`
            return event

    def _wait_readable(self, timeout: float | None) -> None:
        """Wait (the lock held) until `_settle` notifies: events came, or the end.

        Never longer than `_SLICE` at a time (callers wait in a loop): a Ctrl-C whose signal
        the kernel handed to another of the process's threads does not wake a blocked wait,
        and is only seen when the waiting thread runs Python again.
        """
        self._waiting += 1
        try:
            self._readable.wait(_SLICE if timeout is None else min(timeout, _SLICE))
        finally:
            self._waiting -= 1

    # -- callbacks (`on` is the base's) ------------------------------------------------------

    @surface_doc
    def run(self) -> None:
        for event in self:
            for handler in self._handlers.matching(event):
                try:
                    handler(event)
                except Exception:
                    self._handler_failed(handler, event)

    # -- the engine (all of these run with the lock held unless said otherwise) ---------------

    def _poke(self) -> None:
        """Wake the engine (the lock held).

        ``notify_all``, though the engine is its only waiter: a KeyboardInterrupt landing in
        ``Condition.notify`` between a waiter's release and its removal leaves that waiter in
        the list, and a later ``notify()`` would wake it, not the engine (a Ctrl-C during an
        ack once left `close` joining an engine asleep until its next deadline).
        """
        self._dirty = True
        self._engine_cv.notify_all()

    def _settle(self) -> None:
        """Hand the core's events to the iterator (waking it) and wake the completed senders."""
        proto = self._proto
        found = proto.events
        picture = self._picture
        if found:
            replay = self._replay
            self._buffer.extend(
                self._through_replay(found if picture is None else picture.take(found))
            )
            found.clear()
            if replay is not None and replay.busy:
                self._replay_cv.notify()
            if self._waiting:
                self._readable.notify_all()
        elif proto.closed and self._waiting:
            self._readable.notify_all()
        for pending in proto.take_completed():
            waiter = pending.waiter  # a held lock (`_sync_sends`); a send completes once
            if waiter is not None and waiter.locked():
                waiter.release()
        if picture is not None and picture.snapshot_due and not proto.closed:
            picture.snapshot_started()
            threading.Thread(
                target=self._snapshot, name="slackrtm-rtm-picture", daemon=True
            ).start()

    def _snapshot(self) -> None:
        """Take the live picture's snapshot (unlocked); hand it and the held events over."""
        try:
            taken: Any = cast(SyncWorkspace, self._opener.web).workspace(types=SNAPSHOT_TYPES)
        except Exception as exc:  # the picture keeps the last one, and says why
            taken = exc
        with self._lock:
            self._buffer.extend(self._through_replay(self._picture_taken(taken)))
            self._settle()
            self._readable.notify_all()

    def _through_replay(self, found: Any) -> Any:
        """The events to deliver of those the engine (or the picture) gave, replay applied."""
        replay = self._replay
        return found if replay is None else replay.feed(found, time.time())

    def _replayed(self, found: list[object]) -> None:
        """Hand the replay's events to the iterator (the lock held)."""
        self._buffer.extend(found)
        if found and self._waiting:
            self._readable.notify_all()

    def _run(self) -> None:
        """The engine thread: tick the core, write what it gives, start attempts, sleep."""
        proto = self._proto
        clock = self._clock
        try:
            while True:
                with self._lock:
                    self._dirty = False
                    now = clock()
                    self._note_controls(now)
                    proto.tick(now)
                    # Not while a sender writes (`_sync_sends`): it pokes for what is left.
                    frames = proto.data_to_send(now) if self._writing is None else []
                    if frames and self._paused:
                        self._space.notify_all()  # an ack awaited now may lift the pause
                    self._settle()
                    stale = self._sockets.follow(proto.link, proto.draining)
                    ws = self._sockets.for_link(proto.write_link)
                    closed = proto.closed
                    start = not closed and proto.connect_due(now) and not self._linking
                    url = proto.begin_connect(now) if start else None
                    if start:
                        self._linking = True
                    if frames:
                        self._writing = ws
                # Unlocked: only this thread writes, so frames keep their order.
                if frames:
                    self._write_frames(ws, frames)
                close_all(stale, aside=proto.dialect.has_envelopes)
                if closed:
                    return
                if start:
                    thread = threading.Thread(
                        target=self._link, args=(url,), name="slackrtm-rtm-link", daemon=True
                    )
                    self._link_thread = thread
                    thread.start()
                    continue
                with self._lock:
                    self._sleep()
        except BaseException as exc:
            self._died("engine", exc)

    def _note_controls(self, now: float) -> None:
        """Report WebSocket pings and pongs received since the last look (the lock held)."""
        sockets = self._sockets
        seen = controls(sockets.current)
        if seen != self._controls:
            self._controls = seen
            self._proto.control_received(sockets.link, now)

    def _write_frames(self, ws: ClientConnection | None, frames: list[str]) -> None:
        """Write `frames` (unlocked), then tell the core how many went out."""
        together = self._proto.dialect.has_envelopes  # Socket Mode's acks: one write a batch
        count = write(ws, frames, together=together) if ws is not None else 0
        with self._lock:
            self._writing = None
            self._proto.frames_written(self._clock(), count)
            self._settle()

    def _sleep(self) -> None:
        """Wait until poked, or until the core's next deadline."""
        proto = self._proto
        clock = self._clock
        deadline = proto.next_deadline()
        if self._linking and proto.connect_due(clock()):
            deadline = None  # the link thread pokes when it ends
        self._idle = (True, deadline)
        while not self._dirty:
            if deadline is None:
                self._engine_cv.wait()
            else:
                # At least a millisecond: a deadline the core failed to clear must not spin.
                left = deadline - clock()
                self._engine_cv.wait(min(max(left, _MIN_WAIT), MAX_WAIT))
                if left <= _MIN_WAIT:
                    break
        self._idle = (False, None)

    def _died(self, what: str, exc: BaseException) -> None:
        """A thread of the session failed of a bug: end the session with that error.

        The error is logged, raised by the iterator and the cause of every waiting send's
        `RtmSessionClosed`, rather than the session left hanging. Unlocked.
        """
        proto = self._proto
        proto._log.error("RTM: the session's %s thread failed", what, exc_info=exc)
        with self._lock:
            proto.fail(self._clock(), exc)
            self._settle()
            self._poke()
            self._space.notify_all()

    def _close_socket(self) -> None:
        with self._lock:
            held = self._sockets.take_all()
        for ws in held:
            close(ws)

    # -- one link thread per connection attempt ------------------------------------------------

    def _link(self, url: str | None) -> None:
        """One connection attempt, unlocked.

        ``rtm.connect`` unless `url` is given, the handshake, then reading until the socket ends.
        """
        proto = self._proto
        # The socket is used as a context manager (websockets asks for it); this thread owns
        # it for its whole life and the exit closes it.
        owner = contextlib.ExitStack()
        try:
            opened = self._open(url, owner)
            if opened is None:
                return
            ws, info = opened
            with self._lock:
                link = proto.socket_opened(self._clock(), info)
                current = proto.link == link
                stale = self._sockets.opened(ws, link, proto.draining) if current else []
                if current:
                    self._poke()
            close_all(stale, aside=proto.dialect.has_envelopes)
            if current:
                self._read(ws, link)
        except BaseException as exc:
            self._died("link", exc)
        finally:
            with contextlib.suppress(websockets.exceptions.WebSocketException, OSError):
                owner.close()
            with self._lock:
                if self._link_thread is threading.current_thread():
                    self._linking = False  # not when it drained (`_release`)
                self._poke()

    def _open(
        self, url: str | None, owner: contextlib.ExitStack
    ) -> tuple[ClientConnection, Any] | None:
        """The socket, open (`owner` closes it), and the ``rtm.connect`` answer if one was asked.

        None when the attempt failed, which the core has been told.
        """
        opener = self._opener
        info = None
        stage = self._proto.dialect.open_method
        try:
            if url is None:
                info = getattr(opener.web, self._open_call)(**self._connect_args)
                url = self._socket_url(info.url)
            stage = "socket"
            watch = self._proto.dialect.websocket_pings
            ws = open_socket(url, opener, self.options, owner, watch_pings=watch)
            return ws, info
        except SlackError as exc:
            error: SlackError = exc
        except (websockets.exceptions.WebSocketException, OSError, TimeoutError) as exc:
            error, stage = connect_error("handshake failed", exc), "socket"
        with self._lock:
            self._proto.connect_failed(self._clock(), error, stage=stage)
            self._settle()
        return None
