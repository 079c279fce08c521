"""`Client`: the Web API over urllib3. Only I/O lives here; every decision is in `_wire`.

One urllib3 PoolManager per client keeps connections alive between calls and is safe to share
between threads. urllib3's own retries and redirects are off: the shared `RetryPolicy` decides.

urllib3's read timeout bounds each socket read, not an attempt: a server that drips a byte a
second would never trip it. So every socket read of an attempt (status line, headers, body)
goes through `_DeadlineIO`, which sets the socket's timeout to the time left before the
attempt's deadline. The body is read raw (urllib3's decompression off) into the core's
`BodyReader`, which decodes and caps it; what urllib3 and http.client raise is named for the
core's `failure` by `_kind`.

`close()` ends the attempts in flight at once: each registers itself (`_Attempt`), and once its
socket is known `close()` shuts it down, which wakes a read blocked on it.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import socket
import ssl
import threading
import time
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import urllib3
import urllib3.connection

from ._base import ClientBase
from ._spec import MethodSpec
from ._wire import (
    BROKE_OFF,
    CLOSED,
    NOT_HTTP,
    TIMED_OUT,
    Attempts,
    BodyReader,
    Outcome,
    Request,
    build_request,
    causes,
    closed,
    failure,
    finish,
    log_attempt,
)
from ._workspace import SyncWorkspace

if TYPE_CHECKING:
    from .rtm import RtmOptions, RtmSession

__all__ = ["Client"]

R = TypeVar("R")

POOL_SIZE = 16
"""Connections kept per host; as many threads as this call at once without waiting."""
CHUNK = 64 * 1024
"""Bytes read at a time from an answer, as they came (the core decodes them)."""


class _Attempt:
    """One attempt in flight: its deadline, and its socket once the answer is being read."""

    __slots__ = ("closing", "deadline", "sock")

    def __init__(self, deadline: float, closing: threading.Event) -> None:
        self.deadline = deadline
        self.closing = closing
        self.sock: socket.socket | None = None

    def abort(self) -> None:
        """Wake a read blocked on the socket (called by `Client.close`, from any thread)."""
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


_ATTEMPT: ContextVar[_Attempt | None] = ContextVar("slackrtm_attempt", default=None)
"""The attempt running in this thread, read by `_DeadlineResponse`."""


class _DeadlineIO(io.RawIOBase):
    """A socket reader whose every read ends by the deadline, however slowly bytes come."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, attempt: _Attempt) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._attempt = attempt

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        if self._attempt.closing.is_set():
            raise ConnectionAbortedError("the client was closed")
        left = self._attempt.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the attempt's deadline passed")
        self._sock.settimeout(left)
        return self._raw.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        attempt = _ATTEMPT.get()
        if attempt is not None:
            attempt.sock = sock
            # detach(): the socket file stays open, now read through the deadline.
            raw = self.fp.detach()
            self.fp = io.BufferedReader(_DeadlineIO(raw, sock, attempt))

    def begin(self) -> None:
        super().begin()
        if self.msg.defects:
            # http.client skips a header line it cannot read (and every line after it) and
            # goes on; aiohttp refuses the answer, and so does this client.
            raise http.client.HTTPException("a header line that cannot be read")


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
    response_class = _DeadlineResponse


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    response_class = _DeadlineResponse

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
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._attempts: set[_Attempt] = set()

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
        connecting, once it has connected or timed out); so do calls made afterwards.
        """
        self._closed = True
        self._closing.set()
        with self._lock:
            flying = list(self._attempts)
        for attempt in flying:
            attempt.abort()
        self._pool.clear()

    def rtm(
        self,
        *,
        batch_presence_aware: bool | None = None,
        presence_sub: bool | None = None,
        options: RtmOptions | None = None,
    ) -> RtmSession:
        """An RTM session on this client's token; ``with`` connects it (see `RtmSession`).

        Args:
            batch_presence_aware: Passed to ``rtm.connect`` at every (re)connection.
            presence_sub: Passed to ``rtm.connect`` at every (re)connection.
            options: Keepalive, pacing, timeouts and reconnects; `RtmOptions()` by default.
        """
        from .rtm.sync import RtmSession  # loaded on first use: `import slackrtm` stays light

        return RtmSession(
            self,
            batch_presence_aware=batch_presence_aware,
            presence_sub=presence_sub,
            options=options,
        )

    def _call(self, method: MethodSpec[Any, R], args: object) -> R:
        if self._closed:
            raise closed(method.name, "before")
        config = self._config
        request = build_request(method, args, config)
        attempts = Attempts(config.retry)
        while True:
            outcome = self._send(request, attempts.retries + 1)
            if self._closing.is_set():
                raise closed(method.name, "during")
            wait = attempts.next_wait(outcome)
            if wait is None:
                return finish(method, outcome, config)
            if self._closing.wait(wait):
                raise closed(method.name, "waiting")

    def _send(self, request: Request, attempt_number: int) -> Outcome:
        config = self._config
        started = time.perf_counter()
        attempt = _Attempt(time.monotonic() + config.timeout, self._closing)
        with self._lock:
            self._attempts.add(attempt)
        reset = _ATTEMPT.set(attempt)
        outcome: Outcome
        try:
            response = self._pool.request(
                request.verb,
                request.url,
                body=request.body,
                headers=request.headers,
                redirect=False,
                preload_content=False,
                decode_content=False,
                timeout=urllib3.Timeout(connect=config.timeout, read=config.timeout),
            )
            stopped = True
            try:
                reader = BodyReader(request, response.status, response.headers, config)
                stopped = reader.done
                while not stopped and (chunk := response.read(CHUNK, decode_content=False)):
                    stopped = reader.feed(chunk)
            finally:
                if stopped or not response.closed:
                    # Not read to the end: the connection cannot be reused.
                    response.close()
                response.release_conn()
            outcome = reader.outcome()
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            # NewConnectionError first: urllib3 2 makes it a subclass of ConnectTimeoutError.
            timed_out = not isinstance(exc, urllib3.exceptions.NewConnectionError) and (
                time.monotonic() >= attempt.deadline
                or isinstance(exc, urllib3.exceptions.TimeoutError)
            )
            outcome = failure(request, config, exc, kind=TIMED_OUT if timed_out else _kind(exc))
        finally:
            _ATTEMPT.reset(reset)
            with self._lock:
                self._attempts.discard(attempt)
        log_attempt(config.logger, request, outcome, time.perf_counter() - started, attempt_number)
        return outcome
