"""No usable answer: `Failure`, and the words for why, the same in both transports.

What lives here: the kinds a transport names (`TIMED_OUT`, `NOT_HTTP`, `BROKE_OFF`, `CLOSED`),
`failure` (the typed error of an attempt that got no usable answer), the reason read from the
standard-library exceptions underneath a library's own (`causes`), the TLS wording
(`untrusted_certificate`, for the RTM session too), and `closed` (a call on a closed client).
What must not: any library's exception class (each transport maps its own to a kind), or
anything about an answer that came.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .._exceptions import ClientClosed, SlackConnectionError, SlackTimeoutError
from .redact import scrub

if TYPE_CHECKING:  # imports for the type checker only: dropping one changes nothing
    from .config import Config  # pragma: no mutate
    from .request import Request  # pragma: no mutate

__all__ = [
    "BROKE_OFF",
    "CLOSED",
    "NOT_HTTP",
    "TIMED_OUT",
    "Failure",
    "causes",
    "closed",
    "failure",
    "untrusted_certificate",
]

TIMED_OUT = "timed out"
"""`failure` kinds a transport names: the attempt's deadline passed, ..."""
NOT_HTTP = "not HTTP"
"""... what came is not a valid HTTP answer (status line, head, or chunk framing), ..."""
BROKE_OFF = "broke off"
"""... the connection closed in the middle of the body, ..."""
CLOSED = "closed"
"""... or the connection closed before any answer."""


class Failure:
    """No usable answer came; ``error`` is already the typed exception to raise.

    ``sent`` is False only when the request cannot have reached the server (the connection was
    refused, the name not resolved, TLS failed): a method that must not run twice is retried
    only then. A timeout counts as sent, even one while connecting: the transports cannot
    always tell the two apart, and a second post is worse than a reported doubt.
    """

    __slots__ = ("error", "sent")

    def __init__(self, error: SlackConnectionError, *, sent: bool = True) -> None:
        self.error = error
        self.sent = sent

    def __repr__(self) -> str:
        return f"Failure({self.error!r})"


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it holds (cause, context, arguments), each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo and len(seen) < 32:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        held = (current.__cause__, current.__context__, *current.args)
        todo += [item for item in held if isinstance(item, BaseException)]


def untrusted_certificate(error: ssl.SSLCertVerificationError) -> str:
    """The words for a server certificate that failed verification, the same everywhere.

    Args:
        error: The standard library's error (``verify_message`` says why; aiohttp's copy of it
            may lack the field).

    Returns:
        ``"TLS certificate not trusted (<why>)"``, ``verify failed`` when it says nothing.
    """
    message = getattr(error, "verify_message", None)
    return f"TLS certificate not trusted ({message or 'verify failed'})"


def tls_failed(reason: str) -> str:
    """The words for any other TLS failure, the same everywhere: ``"TLS failed (<reason>)"``."""
    return f"TLS failed ({reason})"


_NOT_SENT = ("host name not resolved", "connection refused", "TLS certificate not trusted")
"""How the reasons of a failure before the request left begin (`_reason` words them)."""


def _reason(exc: BaseException | None, config: Config) -> str:
    """Why no answer came, worded alike for both transports where the standard library says why.

    Both libraries wrap the same `OSError` and `ssl` errors, so the words can be the same.
    """
    if exc is None:
        return "no reason given"
    found = list(causes(exc))
    # getattr: aiohttp's certificate error is an `ssl.CertificateError` without its fields.
    for item in found:
        if isinstance(item, ssl.SSLCertVerificationError) and getattr(item, "verify_message", None):
            return untrusted_certificate(item)
    for item in found:
        reason: object = getattr(item, "reason", None)
        if isinstance(item, ssl.SSLError) and reason:
            return tls_failed(str(reason))
    if any(isinstance(item, socket.gaierror) for item in found):
        return "host name not resolved"
    if any(isinstance(item, ConnectionRefusedError) for item in found):
        return "connection refused"
    resets = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
    if any(isinstance(item, resets) for item in found):
        return "connection reset"
    # The library's own words: the twins may word the rare rest differently.
    return scrub(str(exc) or type(exc).__name__, config.secrets)


def failure(
    request: Request, config: Config, exc: BaseException | None = None, *, kind: str | None = None
) -> Failure:
    """The outcome of an attempt without a usable answer, worded the same by both transports.

    Args:
        request: The request that was sent.
        config: The client's settings (the timeout, the proxy, the secrets).
        exc: The library's exception, whose standard-library causes give the reason.
        kind: What the transport recognised: `TIMED_OUT`, `NOT_HTTP`, `BROKE_OFF`, `CLOSED`,
            or None to let ``exc`` say.

    Returns:
        The failure; its error is a SlackTimeoutError for `TIMED_OUT`, else a
        SlackConnectionError.
    """
    parts = urlsplit(request.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    where = f"{host}:{port}" + (" through the proxy" if config.proxy else "")
    name = request.method_name
    if kind == TIMED_OUT:
        text = f"{name}: no complete answer within {config.timeout:g} s from {where}"
        return Failure(SlackTimeoutError(text))
    if kind == NOT_HTTP:
        text = f"{name}: the answer from {where} is not valid HTTP"
    elif kind == BROKE_OFF:
        text = f"{name}: the answer from {where} broke off before its end"
    elif kind == CLOSED:
        text = f"{name}: no answer from {where}: the connection closed"
    else:
        reason = _reason(exc, config)
        text = f"{name}: no answer from {where}: {reason}"
        return Failure(SlackConnectionError(text), sent=not reason.startswith(_NOT_SENT))
    return Failure(SlackConnectionError(text))


def closed(method_name: str, when: str) -> ClientClosed:
    """The error of a call on a closed client, the same text in both forms.

    Args:
        method_name: The method called.
        when: ``"before"`` (closed before the call), ``"during"`` (while an attempt was in
            flight: it is abandoned) or ``"waiting"`` (while the call waited to retry).

    Returns:
        The error to raise.
    """
    what = {
        "before": "the client is closed",
        "during": "the client was closed during the call",
        "waiting": "the client was closed while the call waited to retry",
    }[when]
    return ClientClosed(f"{method_name}: {what}")
