"""Value types the emulator exposes: its limits, the requests it recorded, its counters.

What lives here: frozen attrs classes and nothing that does I/O. `Limits` configures the server;
`RecordedRequest` and `Counters` are what a test reads back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs

__all__ = ["Counters", "Limits", "RecordedRequest", "TokenSource"]

TokenSource = Literal["header", "body", "query"]


@attrs.frozen(kw_only=True)
class Limits:
    """The emulator's limits; Slack's own values by default, shorten them in tests.

    Attributes:
        ticket_ttl: Seconds a socket URL from `rtm.connect` stays valid (Slack: 30).
        max_frame_bytes: A client frame over this many bytes disconnects it (Slack: 16 kB).
        message_rate: Sustained ``message`` frames per second a connection may send (Slack: 1).
        message_burst: How many ``message`` frames above the sustained rate are tolerated at once.
        disconnect_on_rate_limit: Close the socket after the rate-limit error (else only the error).
        max_text_length: Longest message text accepted, in characters; longer gets an error ack.
        web_rate_limit: `rtm.connect` calls allowed per token in `web_rate_window` (Tier 1 is
            about one a minute with bursts); None turns the limit off.
        web_rate_window: The rate-limit window, in seconds.
        max_arg_name_length: Longest argument name before ``invalid_arg_name``.
    """

    ticket_ttl: float = 30.0
    max_frame_bytes: int = 16 * 1024
    message_rate: float = 1.0
    message_burst: int = 10
    disconnect_on_rate_limit: bool = True
    max_text_length: int = 4000
    web_rate_limit: int | None = 20
    web_rate_window: float = 60.0
    max_arg_name_length: int = 100


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """One Web API call the emulator received, as it arrived (before any fault applied).

    Attributes:
        method: The HTTP verb, ``GET`` or ``POST``.
        path: The URL path, e.g. ``/api/rtm.connect`` (no query string).
        content_type: The full Content-Type header value, or None.
        args: Form and query arguments other than ``token`` (the body wins over the query).
        token_source: Where the token that was used came from: ``header``, ``body``, ``query``
            or None.
        token_in_url: Whether a ``token`` argument was in the query string (a leak).
        headers: The request headers, with the Authorization value redacted.
        peer: The client's ``host:port``: calls that share a peer shared a TCP connection.
        at: When it arrived, on the emulator's monotonic clock (``time.monotonic()`` of its
            process): the time between calls, such as a wait for ``Retry-After``.
    """

    method: str
    path: str
    content_type: str | None
    args: Mapping[str, str]
    token_source: TokenSource | None
    token_in_url: bool
    headers: Mapping[str, str]
    peer: str | None = None
    at: float = 0.0


@attrs.frozen(kw_only=True)
class Counters:
    """A snapshot of the emulator's counters (`Emulator.counters`).

    Attributes:
        requests: Web API calls received (under ``/api/``).
        token_in_url: Web API calls that had a token in the query string.
        web_faults: Injected Web API faults applied.
        rate_limited: Calls answered 429 by the emulator's own rate limit.
        tickets_issued: Socket URLs handed out by a successful `rtm.connect`.
        tickets_rejected: Socket connections refused (expired, reused or unknown URL).
        connections_open: RTM sockets open now.
        connections_total: RTM sockets accepted since the start or the last reset.
        frames_in: Frames received from RTM clients (text, binary; not WebSocket control).
        frames_out: Frames sent to RTM clients (text; not WebSocket control).
    """

    requests: int = 0
    token_in_url: int = 0
    web_faults: int = 0
    rate_limited: int = 0
    tickets_issued: int = 0
    tickets_rejected: int = 0
    connections_open: int = 0
    connections_total: int = 0
    frames_in: int = 0
    frames_out: int = 0
