"""What a socket session needs from its client to open a socket, and how a failed open is told.

Each client has one internal method, ``_socket_opener()``, that hands a session a
`SyncSocketOpener` or an `AsyncSocketOpener`: the client's Web API methods (to ask for a socket
URL: ``rtm.connect`` today, ``apps.connections.open`` for Socket Mode), its TLS context, proxy,
timeout, ``allow_insecure`` and logger, and for the async form the aiohttp session that sockets
open on. A session takes this object and never reads the client's private attributes, so no
session module imports a client module: the import goes one way, from a client's ``rtm()`` to
its driver.

`connect_error` is the one wording of a failed socket open, whichever library raised it;
`client_closed` the one error of a session whose client was closed under it.

No I/O here, no I/O library imported at run time, and neither client module (`slackrtm.sync`,
`slackrtm.aio`) is imported, not even for typing.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ._exceptions import ClientClosed, SlackConnectionError
from ._web.failures import tls_failed, untrusted_certificate

if TYPE_CHECKING:
    import aiohttp

    from ._generated.api import AsyncMethods, SyncMethods

__all__ = [
    "AsyncSocketOpener",
    "SocketOpener",
    "SyncSocketOpener",
    "client_closed",
    "connect_error",
]


class SocketOpener:
    """The client's settings a socket shares with its Web API calls (read-only by convention).

    Attributes:
        ssl_context: The client's TLS context; None for the I/O library's default (certificates
            verified).
        proxy: The client's proxy URL (resolved from the environment once), or None.
        timeout: The client's timeout in seconds for one Web API attempt (the call that asks
            for a socket URL); the handshake has a timeout of the session's own.
        allow_insecure: Whether a ``ws://`` socket URL on a host that is not loopback is taken.
        logger: Where the session logs.
    """

    __slots__ = ("allow_insecure", "logger", "proxy", "ssl_context", "timeout")

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None,
        proxy: str | None,
        timeout: float,
        allow_insecure: bool,
        logger: logging.Logger,
    ) -> None:
        """Keep the settings as given (the client checked them)."""
        self.ssl_context = ssl_context
        self.proxy = proxy
        self.timeout = timeout
        self.allow_insecure = allow_insecure
        self.logger = logger


class SyncSocketOpener(SocketOpener):
    """What `Client` hands a sync socket session.

    Attributes:
        web: The client's Web API methods (``web.rtm_connect(...)``).
    """

    __slots__ = ("web",)

    def __init__(
        self,
        web: SyncMethods,
        *,
        ssl_context: ssl.SSLContext | None,
        proxy: str | None,
        timeout: float,
        allow_insecure: bool,
        logger: logging.Logger,
    ) -> None:
        """Keep the client's methods and settings."""
        super().__init__(
            ssl_context=ssl_context,
            proxy=proxy,
            timeout=timeout,
            allow_insecure=allow_insecure,
            logger=logger,
        )
        self.web = web


class AsyncSocketOpener(SocketOpener):
    """What `AsyncClient` hands an async socket session.

    Attributes:
        web: The client's Web API methods (``await web.rtm_connect(...)``).
        session: Gives the aiohttp session that sockets open on, opening it on the running
            loop if need be (its connections are not the Web API pool's: a socket holds its
            connection for as long as it is open).
    """

    __slots__ = ("session", "web")

    def __init__(
        self,
        web: AsyncMethods,
        session: Callable[[], Awaitable[aiohttp.ClientSession]],
        *,
        ssl_context: ssl.SSLContext | None,
        proxy: str | None,
        timeout: float,
        allow_insecure: bool,
        logger: logging.Logger,
    ) -> None:
        """Keep the client's methods, its socket session's opener and its settings."""
        super().__init__(
            ssl_context=ssl_context,
            proxy=proxy,
            timeout=timeout,
            allow_insecure=allow_insecure,
            logger=logger,
        )
        self.web = web
        self.session = session


def connect_error(what: str, exc: BaseException) -> SlackConnectionError:
    """A socket failure as a typed error that names no URL (socket URLs are secrets).

    The reason is told in the same words whichever library raised it (websockets and aiohttp
    wrap the same failure in classes of their own), so both sessions fail alike.

    Args:
        what: What failed (``"handshake failed"``).
        exc: What the I/O library raised.

    Returns:
        The error to raise or to end a connection attempt with.
    """
    status = getattr(exc, "status", None) or getattr(
        getattr(exc, "response", None), "status_code", None
    )
    # A refusal is told by its status alone: each library's class for it is its own.
    detail = f"HTTP {status}" if isinstance(status, int) else _reason(exc)
    return SlackConnectionError(f"RTM socket: {what} ({detail})")


def client_closed() -> ClientClosed:
    """The error that ends a socket session when its client is closed, in both forms."""
    return ClientClosed("the session's client was closed")


def _reason(exc: BaseException) -> str:
    # Unwrap to the OS or TLS error underneath: aiohttp keeps it as `certificate_error` or
    # `os_error`, others as the cause.
    if isinstance(exc, TimeoutError):
        return "timed out"  # asyncio's is chained to the CancelledError that made it
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
    # The TLS words are the Web API's (`_web.failures`), so a failure reads alike from both.
    if isinstance(root, ssl.SSLCertVerificationError):
        return untrusted_certificate(root)
    if isinstance(root, ssl.SSLError):
        return tls_failed(root.reason or type(root).__name__)
    if isinstance(root, ConnectionRefusedError):
        return "connection refused"
    if isinstance(root, TimeoutError):
        return "timed out"
    if isinstance(root, OSError) and root.strerror:
        return root.strerror
    return type(exc).__name__
