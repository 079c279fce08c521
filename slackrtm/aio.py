"""`AsyncClient`: the Web API over aiohttp. Only I/O lives here; every decision is in `_web`.

This module is the only one in the client that imports aiohttp, and `slackrtm` imports it only
when `AsyncClient` is first used. One ClientSession per client keeps connections alive.

The timeout is one deadline per attempt, the same as `Client`'s (`_Deadline`, an
`asyncio.timeout` that can pause) around the whole request and the reading of its body; the
attempts of a client share one timer (`_Deadlines`), as `Client`'s share one watchdog.
Waiting for a free pooled connection is not part of an attempt: aiohttp's connection-queue
trace signals pause the deadline while a call waits in line, and resume it with the time that
was left. Only the attempts that may have to wait carry them (a second session on the same
pool): with fewer attempts in flight than the pool holds, one of its connections is free, and a
session without a trace config spares aiohttp's ten or so signal coroutines per request. RTM
sockets, which keep their connection while they are open, get theirs outside the pool.

The body is read raw (the session's ``auto_decompress`` off) into the core's `BodyReader`,
which decodes and caps it (in one read when its Content-Length is known and under the cap);
what aiohttp raises is named for the core's `failure` by `_kind`. The line a warning points
at is found by `_aio_caller.task_caller` (through the tasks a call may run in), given to `finish`.
`close()` closes the session, which aborts the requests in flight: their calls raise
`ClientClosed`, as `Client`'s do.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
import warnings
from collections import deque
from collections.abc import AsyncIterator
from types import SimpleNamespace, TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from aiohttp import http_exceptions

from ._aio_caller import task_caller
from ._base import ClientBase
from ._exceptions import ClientClosed, SlackError
from ._socket import AsyncSocketOpener
from ._web.body import BodyReader, Outcome
from ._web.failures import BROKE_OFF, CLOSED, NOT_HTTP, TIMED_OUT, causes, closed, failure
from ._web.finish import finish
from ._web.request import Request, build_request
from ._web.retry import Attempts, log_attempt
from ._workspace import AsyncWorkspace

if TYPE_CHECKING:
    from ._spec import MethodSpec
    from .rtm import AsyncRtmSession, AsyncSocketModeSession, ReplayOptions, RtmOptions

__all__ = ["AsyncClient"]

R = TypeVar("R")

POOL_SIZE = 100
"""Connections open at once; more concurrent calls wait for a free one."""


_EARLY = 0.001
"""How early a deadline may be found due: the loop runs a timer up to its clock's resolution
before its time, so a deadline that close counts as passed (the timer is not re-armed for it)."""


class _Deadline:
    """One attempt's deadline: cancels the task when it passes; `expired` says it did.

    `asyncio.timeout` with a pause: while the call waits for a pooled connection the clock is
    stopped (`pause` / `resume`). Written here because Python 3.10 lacks `asyncio.timeout`; a
    plain object, started by `_Deadlines.start` and stopped by `_send`, so no coroutine runs
    for it. It waits in its client's `_Deadlines` under one timer shared by all; a paused
    deadline leaves that queue and, resumed, gets a timer of its own (its time is then no longer
    in the order the attempts started).
    """

    __slots__ = ("_handle", "_loop", "_task", "expired", "left", "queued", "when")

    def __init__(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        self.when = when
        self.left = 0.0
        self.expired = False
        self.queued = True
        """Waiting in the shared queue (not stopped, paused, or on a timer of its own)."""
        self._loop = loop
        self._task = asyncio.current_task(loop)
        self._handle: asyncio.TimerHandle | None = None

    def stop(self) -> None:
        """The attempt ended; if the deadline had passed, the cancel it caused is taken back."""
        self.queued = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self.expired:
            uncancel = getattr(self._task, "uncancel", None)
            if uncancel is not None:
                uncancel()

    def expire(self) -> None:
        self.expired = True
        self.queued = False
        self._handle = None
        if self._task is not None:
            self._task.cancel()

    def pause(self) -> None:
        if self.expired or (not self.queued and self._handle is None):
            return  # passed, stopped, or paused already
        self.queued = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.left = max(0.0, self.when - self._loop.time())

    def resume(self) -> None:
        if self._handle is None and not self.queued and not self.expired:
            self.when = self._loop.time() + self.left
            self._handle = self._loop.call_at(self.when, self.expire)


class _Deadlines:
    """The deadlines of one client's attempts on one loop, in the order they started.

    Every attempt gets the same timeout, so the deadlines come due in the order they started:
    one timer, set for the oldest, serves them all. Starting an attempt appends to a queue,
    stopping one only marks it; a timer is scheduled and cancelled again only when the oldest
    deadline comes due, not twice per attempt (which was about a twentieth of a call's
    instructions). Marked deadlines leave the queue from its front, when an attempt starts
    and when the timer fires.
    """

    __slots__ = ("_handle", "_loop", "_pending", "_timeout")

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        self._loop = loop
        self._timeout = timeout
        self._pending: deque[_Deadline] = deque()
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> _Deadline:
        """A deadline one timeout from now, for the attempt the running task makes."""
        loop = self._loop
        deadline = _Deadline(loop, loop.time() + self._timeout)
        pending = self._pending
        while pending and not pending[0].queued:
            pending.popleft()
        pending.append(deadline)
        if self._handle is None:
            self._handle = loop.call_at(deadline.when, self._fire)
        return deadline

    def _fire(self) -> None:
        pending = self._pending
        due = self._loop.time() + _EARLY
        while pending:
            first = pending[0]
            if first.queued:
                if first.when > due:
                    break
                first.expire()
            pending.popleft()
        self._handle = self._loop.call_at(pending[0].when, self._fire) if pending else None

    def cancel(self) -> None:
        """Drop the timer (the client is closed; its attempts end on their own)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._pending.clear()


async def _queued_start(_session: Any, context: SimpleNamespace, _params: Any) -> None:
    if isinstance(context.trace_request_ctx, _Deadline):
        context.trace_request_ctx.pause()


async def _queued_end(_session: Any, context: SimpleNamespace, _params: Any) -> None:
    if isinstance(context.trace_request_ctx, _Deadline):
        context.trace_request_ctx.resume()


def _kind(exc: BaseException) -> str | None:
    """The core's `failure` kind for what aiohttp raised, if it is one."""
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        # Its message is the part of the head already read, if any: an answer cut off there
        # is not valid HTTP (Client can tell no more, http.client reading the part it has).
        return CLOSED if exc.message is None or isinstance(exc.message, str) else NOT_HTTP
    if isinstance(exc, aiohttp.ClientPayloadError):
        # At the end of the stream the parser says "not enough data" with these two; any
        # other payload error is a body that is not valid HTTP framing.
        ended = (http_exceptions.ContentLengthError, http_exceptions.TransferEncodingError)
        return BROKE_OFF if any(isinstance(item, ended) for item in causes(exc)) else NOT_HTTP
    if isinstance(exc, aiohttp.ClientResponseError) and any(
        isinstance(item, http_exceptions.HttpProcessingError) for item in causes(exc)
    ):
        return NOT_HTTP  # the parser's error, as a fake "400": a bad status line or head
    return None


async def _close_at_loop_end(*sessions: aiohttp.ClientSession) -> AsyncIterator[None]:
    # An async generator that is started and left suspended: asyncio.run() finalizes it
    # (shutdown_asyncgens) before it closes the loop, so the sessions' sockets never outlive
    # the loop they belong to, and a later loop gets fresh sessions.
    try:
        yield
    finally:
        for session in sessions:
            await session.close()


class AsyncClient(ClientBase, AsyncWorkspace):
    """An asynchronous Slack Web API client: `Client` with ``await``.

    Its options are `ClientBase.__init__`'s. The aiohttp session opens on first use, on the
    running loop; use it as an async context manager, or await `close`. A client may be used
    under successive event loops (two ``asyncio.run`` calls): the end of a loop closes its
    connections, and the next loop opens new ones.
    """

    _transport = f"aiohttp/{aiohttp.__version__}"

    def _open_transport(self, ssl_context: ssl.SSLContext | None) -> None:
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._session: aiohttp.ClientSession | None = None
        self._queued: aiohttp.ClientSession | None = None
        self._sockets: aiohttp.ClientSession | None = None
        self._flying = 0
        """Web API attempts in flight on the pool (see `_send`)."""
        self._guard: AsyncIterator[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Event | None = None
        self._deadlines: _Deadlines | None = None

    async def __aenter__(self) -> AsyncClient:
        await self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session and its connections, and stop every call of this client.

        A call in flight or waiting to retry raises `ClientClosed` at once; so do calls made
        afterwards. An RTM session of this client that is still open ends at once: its
        iterator raises `ClientClosed` after the events it holds, its waiting sends fail with
        `RtmSessionClosed` chained to it.
        """
        self._closed = True
        if self._closing is not None:
            self._closing.set()  # wakes the calls waiting to retry
        for rtm in list(self._sessions):
            await rtm._client_closed()  # ends with ClientClosed at once, its tasks stopped
        sessions = [self._session, self._queued, self._sockets]
        self._session = self._queued = self._sockets = None
        if self._loop is asyncio.get_running_loop():
            if self._deadlines is not None:
                self._deadlines.cancel()
            for session in sessions:
                if session is not None:
                    await session.close()

    def __del__(self, _warn: Any = warnings.warn) -> None:
        session = getattr(self, "_session", None)
        if session is not None and not session.closed:
            _warn(
                "slackrtm.AsyncClient was never closed: use `async with AsyncClient(...)` or "
                "`await client.close()`",
                ResourceWarning,
                source=self,
            )

    def rtm(
        self,
        *,
        batch_presence_aware: bool | None = None,
        presence_sub: bool | None = None,
        options: RtmOptions | None = None,
        replay: bool | ReplayOptions = False,
        workspace: bool = False,
    ) -> AsyncRtmSession:
        """An RTM session on this client's token; ``async with`` connects it.

        Args:
            batch_presence_aware: Passed to ``rtm.connect`` at every (re)connection.
            presence_sub: Passed to ``rtm.connect`` at every (re)connection.
            options: Keepalive, pacing, timeouts and reconnects; `RtmOptions()` by default.
            replay: After each reconnect, fetch what was posted meanwhile from
                ``conversations.history`` (True, or a `ReplayOptions`); off by default.
            workspace: Keep ``rtm.workspace`` current: a snapshot at connect and after every
                reconnect, and every change the events tell (the README's "The live picture").
        """
        from .rtm.aio import AsyncRtmSession  # loaded on first use

        session = AsyncRtmSession(
            self._socket_opener(),
            batch_presence_aware=batch_presence_aware,
            presence_sub=presence_sub,
            options=options,
            replay=replay,
            workspace=workspace,
        )
        self._sessions.add(session)
        return session

    def socket_mode(
        self,
        *,
        ack: str = "after",
        debug_reconnects: bool | None = None,
        options: RtmOptions | None = None,
    ) -> AsyncSocketModeSession:
        """A Socket Mode session on this client's app-level token; ``async with`` connects it.

        The same session as `rtm` (notices, options, ``on``/``run``/iteration, ``close``,
        errors, ``stats``) on ``apps.connections.open`` and Socket Mode's frames: envelopes
        delivered once and acked, handovers without a gap (the README's "Socket Mode").

        Args:
            ack: When envelopes are acked by the session: ``"after"`` their handlers return
                (iteration: when the next event is asked for), ``"before"`` they run, or
                ``"manual"`` (only ``session.ack(envelope)``).
            debug_reconnects: Ask Slack for short-lived connections (``debug_reconnects=true``
                on each socket URL ``apps.connections.open`` gives), to exercise handovers.
            options: Timings and reconnects; `RtmOptions` with pacing off by default.

        Raises:
            TypeError, ValueError: A bad argument, before any I/O.
        """
        from .rtm._sm_aio import (
            AsyncSocketModeSession,  # loaded on first use: `import slackrtm` stays light
        )

        session = AsyncSocketModeSession(
            self._socket_opener(), ack=ack, debug_reconnects=debug_reconnects, options=options
        )
        self._sessions.add(session)
        return session

    async def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosed("this AsyncClient is closed")
        loop = asyncio.get_running_loop()
        if self._session is not None and self._loop is not loop:
            if not self._session.closed:
                raise SlackError(
                    "this AsyncClient is in use on another event loop that is still open: "
                    "use one client per loop"
                )
            self._session = None
        if self._session is None:
            options: dict[str, Any] = {
                # The deadline is ours (`_Deadline`): aiohttp's `total` would count the time
                # spent waiting for a pooled connection.
                "timeout": aiohttp.ClientTimeout(total=None, connect=None, sock_connect=None),
                # The core decodes the body (`BodyReader`), the same way as for `Client`.
                "auto_decompress": False,
                # Proxies are resolved once, by the core, the same way for both clients.
                "trust_env": False,
            }
            pool = aiohttp.TCPConnector(limit=POOL_SIZE, ssl=self._ssl)
            session = aiohttp.ClientSession(connector=pool, **options)
            # The same pool, for the attempts that may have to wait for one of its connections:
            # its connection-queue signals pause their deadlines. A session with a trace
            # config awaits every one of aiohttp's signals (about ten a request), so the
            # attempts that cannot wait go through `session`, which has none (see `_send`).
            trace = aiohttp.TraceConfig()
            trace.on_connection_queued_start.append(_queued_start)
            trace.on_connection_queued_end.append(_queued_end)
            queued = aiohttp.ClientSession(
                connector=pool, connector_owner=False, trace_configs=[trace], **options
            )
            # RTM sockets hold their connection for as long as they are open: they get
            # connections of their own, never the pool's.
            sockets = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, ssl=self._ssl), **options
            )
            guard = _close_at_loop_end(session, queued, sockets)
            await guard.__anext__()
            self._session, self._queued, self._sockets = session, queued, sockets
            self._guard, self._loop = guard, loop
            self._closing = asyncio.Event()
            self._deadlines = _Deadlines(loop, self._config.timeout)
        return self._session

    def _socket_opener(self) -> AsyncSocketOpener:
        """What a socket session (RTM; Socket Mode later) needs to open its sockets."""
        config = self._config
        return AsyncSocketOpener(
            self,
            self._socket_session,
            ssl_context=self._ssl if isinstance(self._ssl, ssl.SSLContext) else None,
            proxy=config.proxy,
            timeout=config.timeout,
            allow_insecure=config.allow_insecure,
            logger=config.logger,
        )

    async def _socket_session(self) -> aiohttp.ClientSession:
        """The session sockets are opened on (its connections are not the pool's)."""
        await self._open()
        assert self._sockets is not None
        return self._sockets

    async def _call(self, method: MethodSpec[Any, R], args: object) -> R:
        if self._closed:
            raise closed(method.name, "before")
        session = self._session
        if session is None or self._loop is not asyncio.get_running_loop():
            session = await self._open()
        config = self._config
        request = build_request(method, args, config)
        attempts = Attempts(config.retry, idempotent=method.idempotent)
        while True:
            outcome = await self._send(session, request, attempts.retries + 1)
            if self._closed:
                raise closed(method.name, "during")
            wait = attempts.next_wait(outcome)
            if wait is None:
                return finish(method, outcome, config, caller=task_caller)
            await self._sleep(wait)
            if self._closed:
                raise closed(method.name, "waiting")

    async def _sleep(self, seconds: float) -> None:
        closing = self._closing
        if closing is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(asyncio.TimeoutError):  # the wait ended: time to retry
            await asyncio.wait_for(closing.wait(), seconds)

    async def _send(
        self, session: aiohttp.ClientSession, request: Request, attempt: int
    ) -> Outcome:
        config = self._config
        started = time.perf_counter()
        outcome: Outcome
        assert self._deadlines is not None  # set with the session, before any attempt
        deadline = self._deadlines.start()
        # With fewer attempts in flight than the pool holds, a connection is free (the pool
        # serves this client's attempts only, and each holds at most one until it is done),
        # so this attempt cannot wait for one: no trace signals are needed.
        if self._flying >= POOL_SIZE and self._queued is not None:
            session = self._queued
        self._flying += 1
        try:
            async with session.request(
                request.verb,
                request.url,
                data=request.body,
                headers=request.headers,
                proxy=config.proxy,
                allow_redirects=False,
                trace_request_ctx=deadline,
            ) as response:
                reader = BodyReader(request, response.status, response.raw_headers, config)
                if not reader.done:
                    await _read_body(response, reader)
            deadline.stop()
            outcome = reader.outcome()
        except asyncio.CancelledError:
            deadline.stop()
            if not deadline.expired:
                raise
            outcome = failure(request, config, kind=TIMED_OUT)
        except (TimeoutError, asyncio.TimeoutError):
            deadline.stop()
            outcome = failure(request, config, kind=TIMED_OUT)
        except (aiohttp.ClientError, OSError, RuntimeError) as exc:
            deadline.stop()
            # RuntimeError: aiohttp's "Session is closed", when `close` ran during the call.
            if isinstance(exc, RuntimeError) and not self._closed:
                raise
            outcome = failure(request, config, exc, kind=_kind(exc))
        except BaseException:
            deadline.stop()
            raise
        finally:
            self._flying -= 1
        log_attempt(config.logger, request, outcome, time.perf_counter() - started, attempt)
        return outcome


async def _read_body(response: aiohttp.ClientResponse, reader: BodyReader) -> None:
    """Feed the raw body to the core's reader until it has all it takes."""
    if reader.at_once:
        # Known and under the cap: one read of exactly that many raw bytes.
        reader.feed(await response.read())
        return
    async for chunk in response.content.iter_any():
        if reader.feed(chunk):
            return
