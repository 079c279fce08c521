"""`AsyncRtmSession`: the RTM session over aiohttp's ``ws_connect``. Only I/O lives here.

Two tasks per session, as in the sync driver's two threads: the engine (ticks the core at its
deadlines, writes what it gives, starts connection attempts) and one link task per socket
(``rtm.connect`` through the `AsyncClient`, the handshake on the client's own aiohttp session,
then reading frames into the core); with replay on, a third makes its history calls
(`_replay_loops.replay_task`). Every decision is in `_protocol.RtmProtocol` and `_replay`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import inspect
import time
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, TypeVar, cast

import aiohttp

from .._exceptions import RtmSessionClosed, SlackError
from .._socket import client_closed, connect_error
from .._workspace import AsyncWorkspace
from ._aio_sends import AsyncSends
from ._endings import SocketEnd
from ._picture import SNAPSHOT_TYPES
from ._replay_loops import replay_task
from ._sockets import Sockets
from ._surface import surface_doc
from ._ws_aio import DROPPED, WriteWatch, abort, close, control, ending, open_socket, write

__all__ = ["AsyncRtmSession"]

_MIN_WAIT = 0.001
_Session = TypeVar("_Session", bound="AsyncRtmSession")  # `with` gives a subclass its own
_BATCH = 256
"""The most frames the link task reads without letting the iterator run. aiohttp hands over
everything it holds (thousands of frames in a burst) without suspending, so the link task
yields this often: the events leave the buffer young (cheap for the garbage collector: a
buffer of thousands of live events costs more in collections than the yields) and the first
ones are not held back."""


class AsyncRtmSession(AsyncSends):
    """One RTM session over aiohttp: `RtmSession` with ``await`` (see `SessionSurface`).

    Made by `AsyncClient.rtm`; ``async with`` connects (``rtm.connect``, the socket, Slack's
    ``hello``) and closes. Events come by ``async for event in session`` in arrival order.

    A public method without a docstring here is documented once, in `SessionSurface`
    (``help()`` and `inspect.getdoc` show that text).
    """

    _coroutine_handlers = True
    _how_to_connect = "async with client.rtm() as rtm"

    def _prepare(self) -> None:
        # The core's own queue of events: it appends, the iterator pops; nothing in between,
        # unless replay or the live picture is on (`_settle` moves them through those then).
        self._moving = self._replay is not None or self._picture is not None
        self._buffer: collections.deque[object] = (
            collections.deque() if self._moving else self._proto.events
        )
        self._replay_wake = asyncio.Event()
        self._readable = asyncio.Event()
        self._waiting = 0
        """Tasks waiting on `_readable` (so a frame wakes nobody when none waits)."""
        self._space = asyncio.Event()
        self._paused = False
        """Whether the link task waits on `_space` (backpressure)."""
        self._resume_at = self._proto.reading_bounds()[1]
        """The buffer's length at or below which a paused link task reads again."""
        self._wake = asyncio.Event()
        self._ack_woke = False  # Socket Mode: an ack set `_wake` since the engine cleared it
        self._idle: tuple[bool, float | None] = (False, None)  # asleep, until (None: woken)
        self._engine: asyncio.Task[None] | None = None
        self._links: set[asyncio.Task[None]] = set()
        self._linking = False
        self._sockets: Sockets[aiohttp.ClientWebSocketResponse[bool]] = Sockets()
        """The current socket, and in a Socket Mode handover the one the core drains."""
        self._link_task: asyncio.Task[None] | None = None
        """The task of the current connection attempt or link (not of a draining socket)."""
        self._writing: aiohttp.ClientWebSocketResponse[bool] | None = None
        """The socket the engine (or a sender) is writing to (`close` aborts it)."""
        self._watch = WriteWatch(self.options.write_timeout)

    # -- lifecycle ----------------------------------------------------------------------------

    @surface_doc
    async def connect(self: _Session) -> _Session:
        self._start()
        self._engine = asyncio.get_running_loop().create_task(
            self._run(), name="slackrtm-rtm-engine"
        )
        self._engine.add_done_callback(self._engine_done)
        if self._replay is not None:
            task = asyncio.get_running_loop().create_task(
                replay_task(
                    self._replay,
                    self._replay_wake,
                    lambda: self._proto.closed,
                    self._clock,
                    self._opener.web.conversations_history,
                    self._replayed,
                ),
                name="slackrtm-rtm-replay",
            )
            self._links.add(task)  # close() cancels it with the links
            task.add_done_callback(self._replay_done)
        try:
            while self._proto.connects == 0 and not self._proto.closed:
                await self._wait_readable()
            while self._picture_pending():
                await self._wait_readable()
        except BaseException:
            # Cancelled (asyncio.wait_for, a cancelled task): no session is left running.
            await self.close()
            raise
        picture_error = self._picture.error if self._picture is not None else None
        if self._proto.connects == 0 or picture_error is not None:
            await self.close()
            raise picture_error or self._connect_error()
        return self

    async def __aenter__(self: _Session) -> _Session:
        return await self.connect()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Send a close frame and stop every task; unfinished sends fail with RtmSessionClosed.

        Safe to call twice, and from a handler. A write blocked by a peer that stopped reading
        is not waited for: its socket is aborted.
        """
        await self._stop(None)

    async def _client_closed(self) -> None:
        """The client was closed: the session ends at once with `ClientClosed` (events kept)."""
        await self._stop(client_closed())

    async def _stop(self, error: BaseException | None) -> None:
        """End the session (closed by the user, or ended by `error`) and stop every task."""
        if error is None:
            self._proto.close(self._clock())
            self._settle()
            # Iteration ends at once: events not taken yet are dropped, as asked.
            self._buffer.clear()
        else:
            self._proto.fail(self._clock(), error)
            self._settle()
        self._wake.set()
        self._space.set()
        if self._writing is not None:
            abort(self._writing)
        engine = self._engine
        if engine is not None and engine is not asyncio.current_task():
            await asyncio.wait([engine])
        await self._close_socket()
        links = [t for t in self._links if t is not asyncio.current_task()]
        for task in links:
            task.cancel()
        if links:
            await asyncio.wait(links)

    # -- events -------------------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[Any]:
        """Events and lifecycle notices in arrival order, as from `__anext__` one at a time."""
        return self._events()

    async def _events(self) -> AsyncIterator[Any]:
        # An async generator rather than `__anext__` per event: in a burst it resumes one frame
        # instead of making a coroutine per event; what it yields, and raises, is the same.
        buffer = self._buffer
        resume_at = self._resume_at
        while True:
            if buffer:
                event = buffer.popleft()
                if self._paused and len(buffer) <= resume_at:
                    self._space.set()
            else:
                try:
                    event = await self.__anext__()
                except StopAsyncIteration:
                    return
            yield event

    async def __anext__(self) -> Any:
        """The next event or lifecycle notice, in arrival order.

        Raises:
            StopAsyncIteration: The session was closed.
            SlackError: The error that ended the session (once, after the buffered events).
        """
        buffer = self._buffer
        if buffer:  # the common case in a burst: no coroutine to wait in
            event = buffer.popleft()
            if self._paused and len(buffer) <= self._resume_at:
                self._space.set()
            return event
        try:
            return await self.next_event()
        except RtmSessionClosed as exc:
            if exc is self._proto.error:
                raise
            raise StopAsyncIteration from None

    @surface_doc
    async def fetch_user(self, user_id: str) -> Any:
        picture = self._live_picture()
        known = picture.known_user(user_id)
        return known or picture.remember((await self._opener.web.users_info(user=user_id)).user)

    @surface_doc
    async def next_event(self, timeout: float | None = None) -> Any:
        if timeout is not None:
            timeout = self._check_timeout(timeout)
        deadline = self._deadline_after(timeout)
        buffer = self._buffer
        while not buffer:
            self._check_may_wait()
            if deadline is None:
                await self._wait_readable()
            else:
                left = self._time_left(deadline, timeout)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wait_event(), left)
        event = buffer.popleft()
        if self._paused and len(buffer) <= self._resume_at:
            self._space.set()
        return event

    async def _wait_event(self) -> None:
        """`_wait_readable`, unless an event waits in the buffer already (or the session ended).

        Under `asyncio.wait_for` (Python 3.11) this runs as a task of its own, started a turn
        after `next_event` looked at the buffer: events that came in between woke nobody (no
        task was counted in `_waiting` yet), and clearing `_readable` then would sleep on them
        until the next frame or the timeout. The look and the clear run with no suspension
        between them, so nothing can slip in.
        """
        if self._buffer or self._proto.closed:
            return
        await self._wait_readable()

    async def _wait_readable(self) -> None:
        """Wait until the link or the engine sets `_readable` (an event came, or the end)."""
        self._readable.clear()
        self._waiting += 1
        try:
            await self._readable.wait()
        finally:
            self._waiting -= 1

    # -- callbacks (`on` is the base's) ------------------------------------------------------

    @surface_doc
    async def run(self) -> None:
        async for event in self:
            for handler in self._handlers.matching(event):
                try:
                    result = handler(event)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    self._handler_failed(handler, event)

    # -- the engine ---------------------------------------------------------------------------

    def _settle(self) -> None:
        """Wake the iterator when there are events (or the end), and the completed senders.

        The events are in the buffer already (it is the core's queue), unless replay or the
        live picture is on: then they are moved to it here, through the picture (which may
        ask for a snapshot) and then the replay core.
        """
        proto = self._proto
        picture = self._picture
        if self._moving and proto.events:
            found = list(proto.events)
            proto.events.clear()
            self._buffer.extend(
                self._through_replay(found if picture is None else picture.take(found))
            )
        if picture is not None and picture.snapshot_due and not proto.closed:
            picture.snapshot_started()
            task = asyncio.get_running_loop().create_task(self._snapshot())
            self._links.add(task)
            task.add_done_callback(self._link_done)
        replay = self._replay
        if replay is not None and replay.busy:
            self._replay_wake.set()
        if self._buffer or proto.closed:
            self._readable.set()
        for pending in proto.take_completed():
            waiter = pending.waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    async def _snapshot(self) -> None:
        """Take the live picture's snapshot; hand it and the held events over."""
        try:
            web = cast(AsyncWorkspace, self._opener.web)
            taken: Any = await web.workspace(types=SNAPSHOT_TYPES)
        except Exception as exc:  # the picture keeps the last one, and says why
            taken = exc
        self._buffer.extend(self._through_replay(self._picture_taken(taken)))
        self._settle()
        self._readable.set()

    def _through_replay(self, found: Any) -> Any:
        """The events to deliver of those the engine (or the picture) gave, replay applied."""
        replay = self._replay
        return found if replay is None else replay.feed(found, time.time())

    async def _run(self) -> None:
        proto = self._proto
        clock = self._clock
        # A failure (or a cancel from outside) ends the session in _engine_done.
        while True:
            self._wake.clear()
            self._ack_woke = False
            now = clock()
            proto.tick(now)
            frames = proto.data_to_send(now) if self._writing is None else []  # `_write_now`
            if frames:
                if self._paused:
                    self._space.set()  # an ack awaited now may lift the pause
                await self._write_frames(frames)
            self._settle()
            if not self._sockets.follows(proto.link, proto.draining):
                await self._close_stale(self._sockets.follow(proto.link, proto.draining))
            if proto.closed:
                return
            if proto.connect_due(now) and not self._linking:
                self._linking = True
                url = proto.begin_connect(now)
                task = asyncio.get_running_loop().create_task(
                    self._link(url), name="slackrtm-rtm-link"
                )
                self._link_task = task
                self._links.add(task)
                task.add_done_callback(self._link_done)
                continue
            deadline = proto.next_deadline()
            if self._linking and proto.connect_due(now):
                deadline = None  # the link task wakes the engine when it ends
            self._idle = (True, deadline)
            if deadline is None:
                await self._wake.wait()
            else:
                # At least a millisecond: a deadline the core failed to clear must not
                # spin the loop and starve the link task.
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), max(deadline - now, _MIN_WAIT))
            self._idle = (False, None)

    def _replayed(self, found: list[object]) -> None:
        """Hand the replay's events to the iterator."""
        self._buffer.extend(found)
        if found:
            self._readable.set()

    def _replay_done(self, task: asyncio.Task[None]) -> None:
        self._links.discard(task)
        self._task_done("replay", task)

    def _engine_done(self, task: asyncio.Task[None]) -> None:
        self._task_done("engine", task)

    def _link_done(self, task: asyncio.Task[None]) -> None:
        self._links.discard(task)
        self._task_done("link", task)

    def _task_done(self, what: str, task: asyncio.Task[None]) -> None:
        """A task of the session ended.

        One that failed of a bug, or was cancelled from outside, ends the session with that
        error (logged, raised by the iterator, the cause of every waiting send's
        `RtmSessionClosed`) rather than leave it hanging. Reading the exception here also means
        asyncio never reports it as "never retrieved".
        """
        proto = self._proto
        if task.cancelled():
            if proto.closed:
                return  # close() cancels links
            error: BaseException = RtmSessionClosed(
                cause=f"the session's {what} task was cancelled"
            )
        else:
            exc = task.exception()
            if exc is None:
                return
            proto._log.error("RTM: the session's %s task failed", what, exc_info=exc)
            error = exc
        proto.fail(self._clock(), error)
        self._settle()
        self._wake.set()
        self._space.set()

    async def _write_frames(self, frames: list[str]) -> None:
        """Write `frames`, tell the core how many went out, and whether the peer held a write."""
        proto = self._proto
        link = proto.write_link
        ws = self._sockets.for_link(link)
        if ws is None or link is None:
            proto.frames_written(self._clock(), 0)
            return
        self._writing = ws
        try:
            count, overdue, cancel = await write(ws, frames, self._watch)
        finally:
            self._writing = None
        proto.frames_written(self._clock(), count)
        if overdue:
            abort(ws)
            proto.socket_ended(link, self._clock(), SocketEnd(write_timed_out=True))
        if cancel is not None:
            raise cancel

    async def _close_stale(self, stale: list[aiohttp.ClientWebSocketResponse[bool]]) -> None:
        """Close sockets that are the session's no more.

        In Socket Mode on a task of their own: a close waits up to a second for the peer's
        answer, and the engine must go on writing acks meanwhile (a handover's old socket).
        """
        for ws in stale:
            if not self._proto.dialect.has_envelopes:
                await close(ws)
                continue
            task = asyncio.get_running_loop().create_task(close(ws))
            self._links.add(task)  # close() waits for it
            task.add_done_callback(self._links.discard)

    async def _close_socket(self) -> None:
        for ws in self._sockets.take_all():
            await close(ws)

    async def _link(self, url: str | None) -> None:
        try:
            await self._connect_and_read(url)
        finally:
            if self._link_task is asyncio.current_task():
                self._linking = False  # not when it drained (`_drains`)
            self._wake.set()

    def _drains(self, link: int) -> bool:
        """Whether `link` is the socket the core drains (its task then reads on).

        That task is no longer the link task: the engine may start the next attempt.
        """
        if self._proto.draining != link:
            return False
        if self._link_task is asyncio.current_task():
            self._link_task = None
            self._linking = False
        return True

    async def _connect_and_read(self, url: str | None) -> None:
        opened = await self._open(url)
        if opened is None:
            return
        ws, info = opened
        proto = self._proto
        link = proto.socket_opened(self._clock(), info)
        if proto.link != link:
            with contextlib.suppress(aiohttp.ClientError, ConnectionError, asyncio.TimeoutError):
                await ws.close()
            return
        await self._close_stale(self._sockets.opened(ws, link, proto.draining))
        self._wake.set()
        await self._read(ws, link)

    async def _open(
        self, url: str | None
    ) -> tuple[aiohttp.ClientWebSocketResponse[bool], Any] | None:
        """The socket, open, and the ``rtm.connect`` answer if one was asked for.

        None when the attempt failed, which the core has been told.
        """
        opener = self._opener
        info = None
        stage = self._proto.dialect.open_method
        try:
            if url is None:
                info = await getattr(opener.web, self._open_call)(**self._connect_args)
                url = self._socket_url(info.url)
            stage = "socket"
            watch = self._proto.dialect.websocket_pings
            handshake = open_socket(
                await opener.session(), url, opener, self.options, watch_pings=watch
            )
            return await asyncio.wait_for(handshake, self.options.connect_timeout), info
        except SlackError as exc:
            error: SlackError = exc
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError) as exc:
            error, stage = connect_error("handshake failed", exc), "socket"
        self._proto.connect_failed(self._clock(), error, stage=stage)
        self._wake.set()
        return None

    async def _read(self, ws: aiohttp.ClientWebSocketResponse[bool], link: int) -> None:
        """Read frames into the core until the socket ends or is not the session's any more."""
        end = DROPPED
        try:
            end = await self._read_frames(ws, link)
        finally:
            self._proto.socket_ended(link, self._clock(), end)
            self._settle()
            self._wake.set()

    async def _read_frames(self, ws: aiohttp.ClientWebSocketResponse[bool], link: int) -> SocketEnd:
        """The reading loop (hot: one pass per frame); returns how the socket ended (`_ending`)."""
        proto = self._proto
        clock = self._clock
        buffer = self._buffer
        bounds = proto.reading_bounds
        floor = self.options.max_buffered  # the bounds are never lower (`_keepalive`)
        receive_text = proto.receive_text
        readable = self._readable
        unyielded = 0
        # One clock read per turn of the event loop, as the sync driver reads one per batch:
        # the frames aiohttp already holds come without a suspension, so they count as
        # arriving together; a callback at the next turn marks the reading stale.
        call_soon = asyncio.get_running_loop().call_soon
        now = 0.0
        fresh = False
        to_wake = True  # whether `_readable` was not set yet in this turn of the task

        def turn_over() -> None:
            nonlocal fresh
            fresh = False

        text, binary = aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY
        moving = self._moving  # every event goes through `_settle`: to the picture, the replay
        while True:
            if len(buffer) >= floor and len(buffer) >= bounds()[0]:
                await self._backpressure()
            msg = await ws.receive()
            kind = msg.type
            if kind is not text and kind is not binary:
                ended = await self._not_text(ws, link, kind, msg.data)
                if ended is not None:
                    return ended
                continue
            if not fresh:  # the first frame since this task suspended (see `turn_over`)
                now = clock()
                fresh = to_wake = True
                call_soon(turn_over)
            if receive_text(link, msg.data, now) or moving:
                self._settle()
                if proto.link != link or proto.engine_due:
                    self._wake.set()
                    if proto.link != link and not self._drains(link):
                        return DROPPED
            elif self._waiting and to_wake:
                # A plain event while connected, nothing queued or completed: the event is in
                # the buffer; only a waiting iterator needs waking, once a turn (it clears
                # `_readable` only while this task is suspended).
                readable.set()
                to_wake = False
            unyielded += 1
            if unyielded >= _BATCH:
                unyielded = 0
                await asyncio.sleep(0)  # the iterator's turn (see _BATCH)

    async def _not_text(
        self, ws: aiohttp.ClientWebSocketResponse[bool], link: int, kind: Any, data: object
    ) -> SocketEnd | None:
        """A message that is not a frame: a ping or pong (Socket Mode), or maybe the end."""
        if await control(ws, kind, data):
            self._proto.control_received(link, self._clock())
            self._wake.set()  # the keepalive's deadline moved
            return None
        return ending(kind, data)

    async def _backpressure(self) -> None:
        """Stop reading while the buffer is full: TCP holds the frames back."""
        proto = self._proto
        self._pause_reading(len(self._buffer))
        self._paused = True
        try:
            # The engine wakes it too, when a send starts to await its ack (`_keepalive`).
            while len(self._buffer) > proto.reading_bounds()[1] and not proto.closed:
                self._space.clear()
                await self._space.wait()
        finally:
            self._paused = False
        self._resume_reading()
        self._wake.set()
