"""What a user sets and what a user is told: `RtmOptions`, and the session's lifecycle notices.

`RtmOptions` comes with its validators; the notices (`Connected`, `Disconnected`,
`Reconnecting`) are what the session puts among the events.

The same for both drivers and for the engine (`_protocol.py`), which reads the options and
emits the notices. Also here: the session's rule for every duration (`check_seconds`), so that
both forms refuse and accept alike. The rule for every socket URL is the Web API core's
(`slackrtm._web.urls.socket_url_refusal`), written once for ``rtm.connect``'s answer and for
the session.

Nothing here keeps state, reads a frame or knows a socket: the engine's rules live in
`_protocol.py`, what a frame means in `_dialects.py`, the books of each send in `_sends.py`.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from .. import events
from .._web.policy import RetryPolicy

__all__ = [
    "DEFAULT_MAX_INBOUND_BYTES",
    "DEFAULT_RECONNECT",
    "Connected",
    "Disconnected",
    "Lifecycle",
    "Reconnecting",
    "RtmOptions",
    "check_seconds",
]

DEFAULT_RECONNECT = RetryPolicy(
    max_retries=1000, max_total=3600.0, backoff_base=0.5, backoff_max=30.0
)
"""Reconnect until an hour of consecutive failures: ``uniform(0, min(30, 0.5 * 2**n))``."""

DEFAULT_MAX_INBOUND_BYTES = 4 * 1024 * 1024
"""The largest inbound frame by default (`RtmOptions.max_inbound_bytes`): far above a typical
event (Slack truncates a message's text at 40,000 characters), small enough to bound what one
frame and its decoded JSON cost when a broken or hostile peer sends more."""


def check_seconds(name: str, value: object, *, zero: bool = False) -> float:
    """A duration argument, checked before any I/O: seconds, where ``math.inf`` is no limit.

    The same rule for every timeout of both drivers (`RtmOptions` fields, each send's
    ``timeout=``, ``next_event(timeout)``), so that the two forms refuse and accept alike.

    Args:
        name: The argument's name, for the message.
        value: What was passed.
        zero: Whether 0 is allowed (a poll, for ``next_event``).

    Returns:
        The value as a float.

    Raises:
        TypeError: Not an int or a float (a bool is not a number of seconds).
        ValueError: NaN, negative, or zero where it is not allowed.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, got {type(value).__name__}")
    if math.isnan(value) or value < 0 or (value == 0 and not zero):
        least = "a non-negative" if zero else "a positive"
        raise ValueError(
            f"{name} must be {least} number of seconds (math.inf: no limit), got {value!r}"
        )
    return float(value)


# --------------------------------------------------------------------------- the options


def _seconds(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    check_seconds(attribute.name, value)


def _rate(_inst: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{attribute.name} must be a number or None, got {type(value).__name__}")
    if not value > 0:  # NaN too
        raise ValueError(
            f"{attribute.name} must be a positive number (math.inf or None: no pacing), "
            f"got {value!r}"
        )


def _count(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, got {value!r}")


@attrs.frozen(kw_only=True)
class RtmOptions:
    """How an RTM session keeps alive, paces, waits and reconnects; the same for both drivers.

    Every duration is in seconds and may be ``math.inf`` (no limit: no keepalive ping, no
    deadline); NaN, zero, negatives, bools and non-numbers are refused (`check_seconds`).

    Attributes:
        ping_interval: Seconds without an inbound frame before a ``ping`` is sent.
        pong_timeout: Seconds a ping may wait for any inbound frame before the socket counts
            as stalled and is replaced. A stall is found within ``ping_interval + pong_timeout``.
        ack_timeout: Seconds a send may take, queueing and waiting for its ack included
            (`RtmSendTimeout`); each send method's ``timeout=`` overrides it.
        hello_timeout: Seconds from an open socket to Slack's ``hello`` before trying again.
        connect_timeout: Seconds the WebSocket handshake may take.
        write_timeout: Seconds the write of one frame to the socket may take. A peer that stops
            reading fills the socket's buffers and blocks the write: past this, the connection
            ends (its cause says so) and the session reconnects; sends on it fail with
            `RtmConnectionLost`, as on any lost socket.
        send_rate: Frames written per second, sustained; None (or ``math.inf``) turns pacing
            off. Slack closes a socket that sustains more than one message a second.
        send_burst: Frames that may be written at once before pacing applies.
        max_frame_bytes: The largest frame sent (UTF-8 bytes); Slack closes the socket on a
            larger one, so a larger send fails with `RtmFrameTooLarge` before anything is sent.
        max_inbound_bytes: The largest frame read from Slack (bytes). A larger one is refused by
            the WebSocket library from its header, before its payload is read (so memory stays
            bounded); the socket is closed (code 1009) with a WARNING and the session
            reconnects, its `Disconnected` cause saying so.
        reconnect: Backoff and limits of reconnect attempts (`RetryPolicy`: ``max_retries``
            and ``max_total`` bound one outage); None ends the session at the first disconnect.
        max_buffered: Events held for a consumer that is not reading; when full, the session
            stops reading the socket (backpressure) until the consumer catches up.
    """

    ping_interval: float = attrs.field(default=10.0, validator=_seconds)
    pong_timeout: float = attrs.field(default=10.0, validator=_seconds)
    ack_timeout: float = attrs.field(default=10.0, validator=_seconds)
    hello_timeout: float = attrs.field(default=10.0, validator=_seconds)
    connect_timeout: float = attrs.field(default=10.0, validator=_seconds)
    write_timeout: float = attrs.field(default=10.0, validator=_seconds)
    send_rate: float | None = attrs.field(default=1.0, validator=_rate)
    send_burst: int = attrs.field(default=5, validator=_count)
    max_frame_bytes: int = attrs.field(default=events.MAX_FRAME_BYTES, validator=_count)
    max_inbound_bytes: int = attrs.field(default=DEFAULT_MAX_INBOUND_BYTES, validator=_count)
    reconnect: RetryPolicy | None = DEFAULT_RECONNECT
    max_buffered: int = attrs.field(default=10_000, validator=_count)


# --------------------------------------------------------------------------- lifecycle notices


@attrs.frozen
class Lifecycle:
    """A change in the session's connection, delivered among the events in arrival order.

    Attributes:
        cause: Why it happened, in words (``"goodbye"``, ``"connection dropped"``, ...).
    """

    cause: str


@attrs.frozen
class Connected(Lifecycle):
    """Slack said ``hello``: the session is live. ``cause`` is ``"start"`` the first time.

    Attributes:
        connects: How many times the session has connected, this one included.
    """

    connects: int = 1


@attrs.frozen
class Disconnected(Lifecycle):
    """The socket is gone (or being replaced); sends queue until the next `Connected`."""


@attrs.frozen
class Reconnecting(Lifecycle):
    """A new connection attempt is scheduled.

    Attributes:
        attempt: The attempt's number in this outage, from 1.
        delay: Seconds until it starts (backoff with jitter, or Slack's ``Retry-After``).
    """

    attempt: int = 1
    delay: float = 0.0
