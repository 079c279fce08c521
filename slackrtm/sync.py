"""`Client`: the Web API over urllib3. Only I/O lives here; every decision is in `_web`.

One urllib3 PoolManager per client keeps connections alive between calls and is safe to share
between threads; without a proxy, calls go straight to the base URL's connection pool.
urllib3's own retries and redirects are off: the shared `RetryPolicy` decides.

urllib3's read timeout bounds each socket read, not an attempt: a server that drips a byte a
second would never trip it. So each client has a `_Watchdog`, a thread that shuts down the
socket of an attempt whose deadline passed, which wakes the read blocked on it; that attempt is
then timed out, whatever part of the answer was read. Nothing is added to the reads themselves,
and the thread never needs waking: every deadline is the client's timeout after its attempt
starts, so sleeping until the oldest deadline in flight (or one timeout, when none is) never
oversleeps a newer one. The body is read raw (urllib3's decompression off) into the core's
`BodyReader`, which decodes and caps it (in one read when its Content-Length is known and under
the cap); its header fields are taken from http.client as they came. What urllib3 and
http.client raise is named for the core's `failure` by `_kind`.

`close()` ends the attempts in flight at once the same way: it shuts down every socket the
watchdog knows of (an attempt still connecting, once its socket is known).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import ssl
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import urllib3
import urllib3.connection

from ._base import ClientBase
from ._socket import SyncSocketOpener
from ._web.body import BodyReader, Outcome
from ._web.failures import BROKE_OFF, CLOSED, NOT_HTTP, TIMED_OUT, causes, closed, failure
from ._web.finish import finish
from ._web.report import stack_caller
from ._web.request import Request, build_request
from ._web.retry import Attempts, log_attempt
from ._workspace import SyncWorkspace

if TYPE_CHECKING:
    from ._spec import MethodSpec
    from .rtm import ReplayOptions, RtmOptions, RtmSession, SocketModeSession

__all__ = ["Client"]

R = TypeVar("R")

POOL_SIZE = 16
"""Connections kept per host; as many threads as this call at once without waiting."""
CHUNK = 64 * 1024
"""Bytes read at a time from an answer, as they came (the core decodes them)."""


class _Attempt:
    """One attempt in flight: its deadline, and its socket once the answer is being read."""

    __slots__ = ("deadline", "done", "expired", "head", "sock")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.sock: socket.socket | None = None
        self.head: list[tuple[str, str]] | None = None
        """The answer's header fields as http.client read them, in order, once it has one."""
        self.done = False
        """The attempt ended: its socket may be back in the pool and is never touched again."""
        self.expired = False
        """The deadline passed (or the client was closed) before the attempt ended."""

    def abort(self) -> None:
        """Wake a read blocked on the socket (from any thread)."""
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


_FORKS = [0]
"""Forks of this process: a child has none of its parent's threads, so it starts its own."""
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _FORKS.__setitem__(0, _FORKS[0] + 1))


class _Watchdog:
    """The attempts of one client in flight, oldest first, and the thread ending late ones.

    The thread holds no reference to the client: it ends when the client is closed or
    collected (`closing` is set then).
    """

    def __init__(self, timeout: float, closing: threading.Event) -> None:
        self._timeout = timeout
        self._closing = closing
        self._lock = threading.Lock()
        self._pending: deque[_Attempt] = deque()
        self._started = -1  # the value of _FORKS when the thread started

    def begin(self) -> _Attempt:
        """A new attempt, its deadline one timeout from now, watched until `end`."""
        attempt = _Attempt(time.monotonic() + self._timeout)
        with self._lock:
            pending = self._pending
            while pending and pending[0].done:
                pending.popleft()
            pending.append(attempt)
            if self._started != _FORKS[0]:
                self._started = _FORKS[0]
                thread = threading.Thread(target=self._run, name="slackrtm-deadline", daemon=True)
                thread.start()
        return attempt

    def end(self, attempt: _Attempt) -> None:
        """The attempt is over; from here its socket is the pool's."""
        with self._lock:
            attempt.done = True

    def expire(self, attempt: _Attempt) -> None:
        """End the attempt now, if it is still running (its socket known or, later, on sight)."""
        with self._lock:
            if not attempt.done:
                attempt.expired = True
                attempt.abort()

    def abort_all(self) -> None:
        with self._lock:
            flying = [attempt for attempt in self._pending if not attempt.done]
        for attempt in flying:
            self.expire(attempt)

    def _run(self) -> None:
        pending, lock = self._pending, self._lock
        while True:
            now = time.monotonic()
            late: list[_Attempt] = []
            with lock:
                while pending and (pending[0].done or pending[0].deadline <= now):
                    attempt = pending.popleft()
                    if not attempt.done:
                        late.append(attempt)
                wake = pending[0].deadline - now if pending else self._timeout
            for attempt in late:
                self.expire(attempt)
            if self._closing.wait(wake):
                return


_ATTEMPT: ContextVar[_Attempt | None] = ContextVar("slackrtm_attempt", default=None)
"""The attempt running in this thread, read by `_Response` and `_HTTPSConnection`."""


class _Response(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self._attempt = attempt = _ATTEMPT.get()
        if attempt is not None:
            attempt.sock = sock
            if attempt.expired:  # the deadline passed (or close() came) while connecting
                attempt.abort()

    def begin(self) -> None:
        super().begin()
        if self.msg.defects:
            # http.client skips a header line it cannot read (and every line after it) and
            # goes on; aiohttp refuses the answer, and so does this client.
            raise http.client.HTTPException("a header line that cannot be read")
        if self._attempt is not None:
            # The fields as they came, for the core: cheaper than reading them back out of
            # urllib3's HTTPHeaderDict, which groups repeats by name.
            self._attempt.head = self.getheaders()


def _kind(exc: BaseException) -> str | None:
    """The core's `failure` kind for what urllib3 or http.client raised, if it is one."""
    for item in causes(exc):
        if isinstance(item, http.client.RemoteDisconnected):
            return CLOSED
        if isinstance(item, urllib3.exceptions.InvalidChunkLength):
            return NOT_HTTP
        if isinstance(item, http.client.IncompleteRead):
            # http.client reports a chunk size that is not a number as an IncompleteRead,
            # with its ValueError as the context.
            return NOT_HTTP if any(isinstance(c, ValueError) for c in causes(item)) else BROKE_OFF
        if isinstance(item, (http.client.HTTPException, urllib3.exceptions.InvalidHeader)):
            return NOT_HTTP  # a bad status line, too many or too long header lines
    return None


class _HTTPConnection(urllib3.connection.HTTPConnection):
    response_class = _Response


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    response_class = _Response

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        attempt = _ATTEMPT.get()
        if attempt is not None:
            # The TLS handshake that follows gets the time left, not a whole timeout of its
            # own (CPython gives a handshake one deadline: the socket's timeout).
            sock.settimeout(max(attempt.deadline - time.monotonic(), 0.001))
        return sock


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class Client(ClientBase, SyncWorkspace):
    """A synchronous Slack Web API client; its options are `ClientBase.__init__`'s.

    Safe to share between threads. Use it as a context manager, or call `close`.
    """

    _transport = f"urllib3/{getattr(urllib3, '__version__', '?')}"

    def _open_transport(self, ssl_context: ssl.SSLContext | None) -> None:
        options: dict[str, Any] = {
            "maxsize": POOL_SIZE,
            "retries": False,
            "ssl_context": ssl_context,
        }
        self._pool: urllib3.PoolManager = (
            urllib3.ProxyManager(self._config.proxy, **options)
            if self._config.proxy
            else urllib3.PoolManager(**options)
        )
        self._pool.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        # Every call goes to the base URL's host, so without a proxy its connection pool is
        # taken once and each request goes to it directly: PoolManager's per-request work
        # (parsing the URL, building the pool key, copying the headers, the redirect logic)
        # was about a fifth of a call's instructions. This pool manager never holds another
        # pool, so it never evicts this one. Through a proxy, ProxyManager does its part.
        self._api: urllib3.HTTPConnectionPool | None = (
            None if self._config.proxy else self._pool.connection_from_url(self._config.base_url)
        )
        self._targets: dict[str, str] = {}
        """Request URL -> the request target urllib3 makes of it (one per method called)."""
        self._closing = threading.Event()
        self._watchdog = _Watchdog(self._config.timeout, self._closing)
        # Built once: the deadline is the watchdog's; these bound connecting and each read.
        self._timeout = urllib3.Timeout(connect=self._config.timeout, read=self._config.timeout)
        weakref.finalize(self, self._closing.set)  # ends the watchdog of a client never closed

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close every pooled connection, and stop every call of this client.

        A call in flight or waiting to retry raises `ClientClosed` at once (an attempt still
        connecting, once it has connected or timed out); so do calls made afterwards. An RTM
        session of this client that is still open ends at once: its iterator raises
        `ClientClosed` after the events it holds, its waiting sends fail with
        `RtmSessionClosed` chained to it.
        """
        self._closed = True
        self._closing.set()
        self._watchdog.abort_all()
        for session in list(self._sessions):
            session._client_closed()  # ends with ClientClosed at once, its threads stopped
        if self._api is not None:
            self._api.close()  # PoolManager.clear() only forgets its pools; this one is held
        self._pool.clear()

    def rtm(
        self,
        *,
        batch_presence_aware: bool | None = None,
        presence_sub: bool | None = None,
        options: RtmOptions | None = None,
        replay: bool | ReplayOptions = False,
        workspace: bool = False,
    ) -> RtmSession:
        """An RTM session on this client's token; ``with`` connects it (see `RtmSession`).

        Args:
            batch_presence_aware: Passed to ``rtm.connect`` at every (re)connection.
            presence_sub: Passed to ``rtm.connect`` at every (re)connection.
            options: Keepalive, pacing, timeouts and reconnects; `RtmOptions()` by default.
            replay: After each reconnect, fetch what was posted meanwhile from
                ``conversations.history`` (True, or a `ReplayOptions`); off by default.
            workspace: Keep ``rtm.workspace`` current: a snapshot at connect and after every
                reconnect, and every change the events tell (the README's "The live picture").
        """
        from .rtm.sync import RtmSession  # loaded on first use: `import slackrtm` stays light

        session = RtmSession(
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
    ) -> SocketModeSession:
        """A Socket Mode session on this client's app-level token; ``with`` connects it.

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
        from .rtm._sm_sync import (
            SocketModeSession,  # loaded on first use: `import slackrtm` stays light
        )

        session = SocketModeSession(
            self._socket_opener(), ack=ack, debug_reconnects=debug_reconnects, options=options
        )
        self._sessions.add(session)
        return session

    def _socket_opener(self) -> SyncSocketOpener:
        """What a socket session (RTM; Socket Mode later) needs to open its sockets."""
        config = self._config
        return SyncSocketOpener(
            self,
            ssl_context=self._pool.connection_pool_kw.get("ssl_context"),
            proxy=config.proxy,
            timeout=config.timeout,
            allow_insecure=config.allow_insecure,
            logger=config.logger,
        )

    def _call(self, method: MethodSpec[Any, R], args: object) -> R:
        if self._closed:
            raise closed(method.name, "before")
        config = self._config
        request = build_request(method, args, config)
        attempts = Attempts(config.retry, idempotent=method.idempotent)
        while True:
            outcome = self._send(request, attempts.retries + 1)
            if self._closing.is_set():
                raise closed(method.name, "during")
            wait = attempts.next_wait(outcome)
            if wait is None:
                return finish(method, outcome, config, caller=stack_caller)
            if self._closing.wait(wait):
                raise closed(method.name, "waiting")

    def _send(self, request: Request, attempt_number: int) -> Outcome:
        config = self._config
        started = time.perf_counter()
        watchdog = self._watchdog
        attempt = watchdog.begin()
        reset = _ATTEMPT.set(attempt)
        outcome: Outcome
        try:
            outcome = self._receive(request, self._urlopen(request), attempt)
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            watchdog.end(attempt)
            # NewConnectionError first: urllib3 2 makes it a subclass of ConnectTimeoutError.
            timed_out = not isinstance(exc, urllib3.exceptions.NewConnectionError) and (
                attempt.expired
                or time.monotonic() >= attempt.deadline
                or isinstance(exc, urllib3.exceptions.TimeoutError)
            )
            outcome = failure(request, config, exc, kind=TIMED_OUT if timed_out else _kind(exc))
        finally:
            _ATTEMPT.reset(reset)
        log_attempt(config.logger, request, outcome, time.perf_counter() - started, attempt_number)
        return outcome

    def _urlopen(self, request: Request) -> urllib3.BaseHTTPResponse:
        """Send the request; the response is open, its body unread."""
        api = self._api
        send: Callable[..., urllib3.BaseHTTPResponse]
        if api is None:
            send, target = self._pool.urlopen, request.url
        else:
            send, target = api.urlopen, self._targets.get(request.url, "")
            if not target:
                target = urllib3.util.parse_url(request.url).request_uri
                self._targets[request.url] = target
        return send(
            request.verb,
            target,
            body=request.body,
            headers=request.headers,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
            timeout=self._timeout,
        )

    def _receive(
        self, request: Request, response: urllib3.BaseHTTPResponse, attempt: _Attempt
    ) -> Outcome:
        """Read the body into the core's reader, and end the attempt.

        The connection goes back to the pool only when the body was read to its end.
        """
        stopped = True
        try:
            head = attempt.head
            reader = BodyReader(
                request, response.status, response.headers if head is None else head, self._config
            )
            stopped = reader.done
            if not stopped and reader.at_once:
                stopped = reader.feed(response.read(decode_content=False))
            # http.client closes the response once its body is complete (Content-Length
            # reached, or the last chunk): no read after that, only the one that ends it.
            while (
                not stopped
                and not response.closed
                and (chunk := response.read(CHUNK, decode_content=False))
            ):
                stopped = reader.feed(chunk)
        finally:
            self._watchdog.end(attempt)
            if stopped or not response.closed or attempt.expired:
                # Not read to the end: the connection cannot be reused.
                response.close()
            response.release_conn()
        if attempt.expired:
            return failure(request, self._config, kind=TIMED_OUT)
        return reader.outcome()
