"""The RTM session's sans-I/O core: frames and time in; frames to send, events and deadlines out.

No sockets, no threads, no event loop, no clock of its own: every call takes ``now`` (seconds
on a monotonic clock). Both drivers (`sync.py` over websockets, `aio.py` over aiohttp) are two
loops around it that only move frames:

    link loop (one per socket)                  engine loop (one per session)
      url = proto.begin_connect(now)              proto.tick(now)
      ... rtm.connect, open the socket ...        write proto.data_to_send(now) on the socket,
                                                  then proto.frames_written(now, n)
      link = proto.socket_opened(now, info)       wake the senders of proto.take_completed()
      for each text frame:                        hand proto.events to the user
          proto.receive_text(link, text, now)     close the socket if proto.link != its link
      proto.connection_lost(link, now, cause)     sleep until proto.next_deadline() or a wake-up

Everything that decides lives here:

- ids: positive, increasing over the whole session, so unique per connection too;
- sends: the frame-size check (nothing sent when too large), a token bucket pacing writes
  (`RtmOptions.send_rate` sustained, `send_burst` at once), a deadline per send; a send made
  while disconnected waits for the next ``hello`` or fails at its deadline, never dropped;
- acks: matched by ``reply_to``; an error ack fails its send with `RtmErrorAck`; a socket lost
  before the ack fails it with `RtmConnectionLost` (delivery unknown, not sent again);
- keepalive: a ping after `ping_interval` seconds without an inbound frame, a pong deadline of
  `pong_timeout`; any inbound frame proves liveness. A stall is found within the sum of both;
- sends the driver could not write (`frames_written` tells how far it got): one without an
  ack (``typing``) completes only once written, and fails with `RtmConnectionLost` otherwise;
- reconnects: on goodbye, team migration, an ``error`` event, a lost socket, a stall, a
  missing ``hello`` or an inbound frame over `RtmOptions.max_inbound_bytes`: `RetryPolicy`
  backoff with full jitter, ``Retry-After`` honoured, a fresh ``reconnect_url`` used when it has
  one and it passes the rule of ``rtm.connect``'s URL (``wss://``; ``ws://`` only on loopback
  or with ``allow_insecure``); fatal auth errors end the session with that error;
- presence subscriptions: remembered and sent again after every ``hello``;
- lifecycle notices (`Connected`, `Disconnected`, `Reconnecting`) in the event stream.

What a frame means comes from a `Dialect`: `RTM_DIALECT` for Slack's RTM API (acks by ``id`` /
``reply_to``). Socket Mode (envelopes the client acknowledges by ``envelope_id``, a
``disconnect`` frame instead of ``goodbye``) would be another dialect on this same engine.

This module imports no aiohttp, websockets or urllib3 (a test holds that line).
"""

from __future__ import annotations

import collections
import heapq
import logging
import math
import random
from collections.abc import Callable, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

import attrs

from .. import events
from .._exceptions import (
    ClientClosed,
    RateLimited,
    RtmConnectionLost,
    RtmErrorAck,
    RtmFrameTooLarge,
    RtmSendTimeout,
    RtmSessionClosed,
    SlackApiError,
    SlackConnectionError,
    SlackError,
    SlackFrameError,
    SlackHttpError,
)
from .._generated.errors import AccountInactive, InvalidAuth, NotAuthed, TokenRevoked
from .._web.policy import RetryPolicy
from .._web.retry import backoff
from .._web.urls import is_loopback

__all__ = [
    "DEFAULT_MAX_INBOUND_BYTES",
    "DEFAULT_RECONNECT",
    "FATAL_ERRORS",
    "FIRST_CONNECT_ATTEMPTS",
    "RTM_DIALECT",
    "Connected",
    "Dialect",
    "Disconnected",
    "Lifecycle",
    "Pending",
    "Reconnecting",
    "RtmOptions",
    "RtmProtocol",
    "State",
    "check_seconds",
    "socket_url_refusal",
]

log = logging.getLogger("slackrtm")

FIRST_CONNECT_ATTEMPTS = 3
"""Attempts the first connection gets (socket, handshake, ``hello``) before `connect()` fails
with the last error; an ``rtm.connect`` failure ends it at once. Reconnects follow the policy."""

DEFAULT_RECONNECT = RetryPolicy(
    max_retries=1000, max_total=3600.0, backoff_base=0.5, backoff_max=30.0
)
"""Reconnect until an hour of consecutive failures: ``uniform(0, min(30, 0.5 * 2**n))``."""

DEFAULT_MAX_INBOUND_BYTES = 4 * 1024 * 1024
"""The largest inbound frame by default (`RtmOptions.max_inbound_bytes`): far above a typical
event (Slack truncates a message's text at 40,000 characters), small enough to bound what one
frame and its decoded JSON cost when a broken or hostile peer sends more."""

FATAL_ERRORS: tuple[type[SlackApiError], ...] = (
    NotAuthed,
    InvalidAuth,
    AccountInactive,
    TokenRevoked,
)
"""`rtm.connect` errors that end the session at once: trying again cannot help. (So does
`ClientClosed`: the session's client was closed under it.)"""

State = Literal["idle", "connecting", "open", "connected", "waiting", "closed"]
"""Where the session is.

``idle`` (not started), ``connecting`` (rtm.connect and the handshake under way), ``open``
(socket open, waiting for ``hello``), ``connected``, ``waiting`` (backing off before the next
attempt), ``closed`` (for good; `RtmProtocol.error` says why when it was not the user).
"""


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


def socket_url_refusal(url: object, *, allow_insecure: bool = False) -> str | None:
    """Why a socket URL may not be opened, or None when it may: the rule of ``rtm.connect``'s.

    ``wss://`` with a host always; ``ws://`` (unencrypted) only on a loopback host, or with the
    client's ``allow_insecure``. The reason never quotes the URL (its path is the single-use
    ticket, a secret).
    """
    if not isinstance(url, str):
        return "not a string"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        scheme = parts.scheme
    except ValueError:
        return "not a URL"
    if scheme == "wss" and host:
        return None
    if scheme == "ws" and host:
        if allow_insecure or is_loopback(host):
            return None
        return "ws:// (unencrypted) on a host that is not loopback, and allow_insecure is off"
    return "not a wss:// URL"


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


# --------------------------------------------------------------------------- dialects


class Dialect:
    """What the frames of one socket protocol mean to the engine.

    The engine needs only these answers; everything else is an event for the user. `RtmDialect`
    is Slack's RTM API. A Socket Mode dialect would decode envelopes with its own schema, send
    acks as commands without an id, and map ``disconnect`` to a reconnect.
    """

    HELLO = 1
    ACK = 2
    PONG = 3
    RECONNECT = 4
    RECONNECT_URL = 5  # pragma: no mutate (any value unlike the others)
    EVENT = 0

    kind_by_class = False
    """Whether `kind` depends on the frame's class alone: the engine then asks once per class
    and remembers the answer (an inbound burst is tens of thousands of frames)."""

    def decode(self, frame: str | bytes) -> object:
        """One inbound frame as a typed object; raises `SlackFrameError` on a malformed one."""
        raise NotImplementedError

    def encode(self, command: Any, id: int | None) -> str:
        """One outbound frame's text."""
        raise NotImplementedError

    def kind(self, frame: object) -> int:
        """Which of the engine's kinds a decoded frame is (`EVENT` for anything else)."""
        raise NotImplementedError

    def wants_id(self, command: Any) -> bool:
        """Whether the frame carries an ``id`` (and so gets an ack or a pong)."""
        raise NotImplementedError

    def expects_ack(self, command: Any) -> bool:
        """Whether a send completes with an ack (else: once written)."""
        raise NotImplementedError

    def ping(self) -> Any:
        """The command of a keepalive ping."""
        raise NotImplementedError

    def presence_sub(self, ids: tuple[str, ...]) -> Any:
        """The command that (re)subscribes to presence."""
        raise NotImplementedError

    def presence_ids(self, command: Any) -> tuple[str, ...] | None:
        """The ids a presence subscription command subscribes to; None for other commands."""
        raise NotImplementedError

    def ack(self, frame: Any) -> tuple[int, Any, SlackError | None]:
        """An ack's ``reply_to``, its result, and the error it stands for (or None)."""
        raise NotImplementedError

    def reply_to(self, frame: Any) -> int | None:
        """The id a pong answers."""
        raise NotImplementedError

    def reconnect_cause(self, frame: Any) -> str:
        """Why a frame of kind `RECONNECT` asks for a new connection."""
        raise NotImplementedError

    def reconnect_url(self, frame: Any) -> str | None:
        """The URL a frame of kind `RECONNECT_URL` offers."""
        raise NotImplementedError

    def delivered(self, kind: int) -> bool:
        """Whether a frame of this kind also goes to the user."""
        return kind in (self.EVENT, self.HELLO, self.RECONNECT)


class RtmDialect(Dialect):
    """Slack's RTM API, through the generated `slackrtm.events`."""

    def __init__(self) -> None:
        """Build the type table once."""
        self._kinds: dict[type, int] = {
            events.Hello: self.HELLO,
            events.MessageAck: self.ACK,
            events.ErrorAck: self.ACK,
            events.Pong: self.PONG,
            events.Goodbye: self.RECONNECT,
            events.TeamMigrationStarted: self.RECONNECT,
            events.Error: self.RECONNECT,
            events.ReconnectUrl: self.RECONNECT_URL,
        }

    # The function itself, not a method calling it: one call less per inbound frame.
    decode = staticmethod(events.decode)

    def encode(self, command: Any, id: int | None) -> str:
        return events.encode(command, id)

    kind_by_class = True  # a bounded set of classes: the generated ones

    def kind(self, frame: object) -> int:
        kind = self._kinds.get(type(frame))
        if kind is None:
            # An ack subclass the schema may add later is still an ack.
            return self.ACK if isinstance(frame, events.Ack) else self.EVENT
        return kind

    def wants_id(self, command: Any) -> bool:
        return not isinstance(command, (events.TypingCommand, events.PresenceSubCommand))

    def expects_ack(self, command: Any) -> bool:
        return isinstance(command, events.MessageCommand)

    def ping(self) -> Any:
        return events.PingCommand()

    def presence_sub(self, ids: tuple[str, ...]) -> Any:
        return events.PresenceSubCommand(ids=ids)

    def presence_ids(self, command: Any) -> tuple[str, ...] | None:
        if isinstance(command, events.PresenceSubCommand):
            return tuple(command.ids)
        return None

    def ack(self, frame: Any) -> tuple[int, Any, SlackError | None]:
        if isinstance(frame, events.ErrorAck):
            info = frame.error
            error = RtmErrorAck(
                code=info.code,
                msg=info.msg,
                description=events.RTM_ERROR_DESCRIPTIONS.get(info.code),
                reply_to=frame.reply_to,
            )
            return frame.reply_to, None, error
        return frame.reply_to, frame, None

    def reply_to(self, frame: Any) -> int | None:
        return frame.reply_to  # type: ignore[no-any-return]

    def reconnect_cause(self, frame: Any) -> str:
        if isinstance(frame, events.Error):
            return f"error event {frame.error.code}: {frame.error.msg or 'no message'}"
        return str(frame.type)

    def reconnect_url(self, frame: Any) -> str | None:
        return frame.url  # type: ignore[no-any-return]


RTM_DIALECT: Dialect = RtmDialect()
_EVENT = Dialect.EVENT


# --------------------------------------------------------------------------- sends


@attrs.define(eq=False)
class Pending:
    """One send, from `RtmProtocol.send` until it completes.

    Attributes:
        id: The frame's id (None for frames without one, such as ``typing``).
        command: What was sent.
        frame: The encoded text.
        deadline: When it fails with `RtmSendTimeout` if not complete.
        timeout: The seconds it was given.
        expects_ack: Completes on its ack (else once written).
        written: Whether it has been handed to a driver to write.
        done: Whether it is complete; then at most one of ``result`` / ``error`` holds
            (neither for a frame without an ack, or a send withdrawn by `RtmProtocol.cancel`).
        result: The ack (or None for a frame without one).
        error: Why it failed.
        waiter: Free for the driver (an event or a future to wake).
    """

    id: int | None
    command: Any
    frame: str
    deadline: float
    timeout: float
    expects_ack: bool
    written: bool = False
    done: bool = False
    result: Any = None
    error: BaseException | None = None
    waiter: Any = None
    internal: bool = False


class _Bucket:
    """A token bucket on an injected clock: `rate` per second sustained, `burst` at once."""

    __slots__ = ("burst", "last", "rate", "tokens")

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = self.burst
        self.last: float | None = None

    def _refill(self, now: float) -> None:
        if self.last is not None and now > self.last:
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        if self.last is None or now > self.last:
            self.last = now

    def take(self, now: float) -> bool:
        self._refill(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def ready_at(self, now: float) -> float:
        """When the next token is there."""
        self._refill(now)
        return now if self.tokens >= 1.0 else now + (1.0 - self.tokens) / self.rate


# --------------------------------------------------------------------------- the engine


class RtmProtocol:
    """The state machine of one RTM session, across all of its connections.

    Args:
        options: Timings, pacing and the reconnect policy.
        dialect: What frames mean; `RTM_DIALECT` by default.
        rng: The random source of the backoff jitter (injectable for tests).
        logger: Where lifecycle lines and skipped frames are logged.
        allow_insecure: The client's setting: whether a ``reconnect_url`` may be ``ws://`` on
            a host that is not loopback (see `socket_url_refusal`).
    """

    def __init__(
        self,
        options: RtmOptions | None = None,
        *,
        dialect: Dialect = RTM_DIALECT,
        rng: Callable[[], float] = random.random,
        logger: logging.Logger | None = None,
        allow_insecure: bool = False,
    ) -> None:
        """Start idle: the driver's first `begin_connect` starts the session."""
        self.options = options if options is not None else RtmOptions()
        self.allow_insecure = allow_insecure
        self.dialect = dialect
        self.state: State = "idle"
        self.error: BaseException | None = None
        """Why the session ended, when it was not closed by the user."""
        self.info: Any = None
        """The latest `rtm.connect` answer (``self_``, ``team``)."""
        self.link: int | None = None
        """The current socket's number; a driver closes any socket that is not this one."""
        self.connects = 0
        self._log = logger if logger is not None else log
        self._rng = rng
        self._next_id = 1
        self._links = 0  # pragma: no mutate (link numbers are opaque, only compared)
        self._queue: collections.deque[Pending] = collections.deque()
        self._inflight: dict[int, Pending] = {}
        self._deadlines: list[tuple[float, int, Pending]] = []
        self._seq = 0  # pragma: no mutate (a tie-break: only its order counts)
        self._completed: list[Pending] = []
        self.events: collections.deque[object] = collections.deque()
        """Events and lifecycle notices not delivered yet, oldest first. A driver may hand them
        over by popping from the left (its buffer can be this deque itself); `take_events`
        takes them all at once."""
        self._decode = dialect.decode
        self._kinds: dict[type, int] = {}
        """The dialect's kind of each class seen, when it depends on the class alone."""
        rate = self.options.send_rate
        if rate is not None and math.isinf(rate):
            rate = None  # no limit: no pacing
        self._bucket = _Bucket(rate, self.options.send_burst) if rate is not None else None
        self._last_received = 0.0
        self._ping_id: int | None = None
        self._pong_deadline: float | None = None
        self._ping_due = False
        self._reading_paused = False
        self._hello_deadline: float | None = None
        self._reconnect_at: float | None = None
        self._failures = 0
        self._outage_started: float | None = None
        self._cause = "start"
        self._subscription: tuple[str, ...] = ()
        self._reconnect_url: tuple[str, float] | None = None
        self._writing: list[tuple[int, Pending]] = []
        """The sends of the last `data_to_send`, by frame index, until `frames_written`."""

    def __repr__(self) -> str:
        return f"<RtmProtocol state={self.state} link={self.link} queued={len(self._queue)}>"

    # -- outputs ------------------------------------------------------------------------------

    def take_events(self) -> list[object]:
        """Events and lifecycle notices to deliver, in arrival order, since the last call."""
        queued = self.events
        out = list(queued)
        queued.clear()
        return out

    def take_completed(self) -> list[Pending]:
        """Sends completed (acked, written, failed or timed out) since the last call."""
        out, self._completed = self._completed, []
        return out

    @property
    def closed(self) -> bool:
        """Whether the session has ended for good."""
        return self.state == "closed"

    @property
    def queued(self) -> int:
        """Frames waiting to be written."""
        return len(self._queue)

    @property
    def subscription(self) -> tuple[str, ...]:
        """The presence subscription, sent again after each ``hello``."""
        return self._subscription

    def connect_due(self, now: float) -> bool:
        """Whether the driver should start a connection attempt now (`begin_connect`)."""
        if self.state == "idle":
            return True
        return (
            self.state == "waiting" and self._reconnect_at is not None and now >= self._reconnect_at
        )

    def next_deadline(self) -> float | None:
        """When the driver must call `tick` (or `data_to_send`) again; None: only on input."""
        times: list[float] = []
        state = self.state
        if state == "closed":
            return None
        deadlines = self._deadlines
        while deadlines and deadlines[0][2].done:
            heapq.heappop(deadlines)  # acked, written or withdrawn: no wake-up for it
        if deadlines:
            times.append(deadlines[0][0])
        if state == "waiting" and self._reconnect_at is not None:
            times.append(self._reconnect_at)
        elif state == "open" and self._hello_deadline is not None:
            times.append(self._hello_deadline)
        elif state == "connected":
            if self._queue and self._bucket is not None and not self._ping_due:
                times.append(self._bucket.ready_at(self._bucket.last or 0.0))
            if not self._reading_paused:
                if self._pong_deadline is not None:
                    times.append(self._pong_deadline)
                elif not self._ping_due:
                    times.append(self._last_received + self.options.ping_interval)
        # An infinite timeout is no deadline at all.
        soonest = min(times) if times else math.inf
        return None if math.isinf(soonest) else soonest

    # -- connecting ---------------------------------------------------------------------------

    def begin_connect(self, now: float) -> str | None:
        """Start a connection attempt.

        Returns:
            A fresh ``reconnect_url`` to open directly, or None: call ``rtm.connect`` for one.

        Raises:
            RuntimeError: No attempt is due (see `connect_due`).
        """
        if not self.connect_due(now):
            raise RuntimeError(f"no connection attempt is due (state {self.state})")
        self.state = "connecting"
        self._reconnect_at = None
        offered, self._reconnect_url = self._reconnect_url, None
        if offered is not None and offered[1] > now:
            return offered[0]
        return None

    def connect_failed(self, now: float, error: BaseException, *, stage: str) -> None:
        """A connection attempt failed.

        Args:
            now: The time.
            error: The typed error (a `SlackError` from ``rtm.connect``, or a
                `SlackConnectionError` for the socket).
            stage: ``"rtm.connect"`` or ``"socket"``. Before the first ``hello``, an
                ``rtm.connect`` failure ends the session at once (the client's own retry policy
                has already been applied), so that a wrong token or URL fails fast.
        """
        if self.state == "closed":
            return
        if isinstance(error, (*FATAL_ERRORS, ClientClosed)) or (
            stage == "rtm.connect" and self.connects == 0
        ):
            self._end(now, error)
            return
        self._failures += 1
        self._schedule(now, f"{stage} failed: {error}", error)

    def socket_opened(self, now: float, info: Any = None) -> int:
        """The WebSocket is open; ``hello`` is awaited.

        Args:
            now: The time.
            info: The ``rtm.connect`` answer that gave the URL (None for a ``reconnect_url``).

        Returns:
            The socket's link number, to pass to `receive_text` and `connection_lost`.
        """
        self._links += 1  # pragma: no mutate (any step keeps them unique)
        if self.state == "closed":
            return self._links  # not current: the driver closes it at once
        if info is not None:
            self.info = info
        self.link = self._links
        self.state = "open"
        self._hello_deadline = now + self.options.hello_timeout
        self._last_received = now
        return self._links

    # -- receiving ----------------------------------------------------------------------------

    def receive_text(self, link: int, text: str | bytes, now: float) -> bool:
        """One inbound frame. Events go to `events`; acks complete their sends.

        A malformed frame is logged and skipped; it never ends the session.

        Returns:
            Whether the driver has more to do than deliver `events`. False only after a
            plain event (or nothing) while connected, with no send completed and none queued:
            then the engine need not wake. True after anything else (an ack, ``hello``, a
            pong, a skipped frame, a frame of a socket being replaced, a change of state),
            and while sends wait to be written.
        """
        if link != self.link:
            return True  # a socket being replaced: its late frames are not acted on
        self._last_received = now
        if self._ping_id is not None or self._ping_due:
            self._ping_id = None
            self._pong_deadline = None
            self._ping_due = False
        try:
            frame = self._decode(text)
        except SlackFrameError as exc:
            self._log.warning("RTM: skipped a malformed frame: %s", exc)
            return True
        kind = self._kinds.get(type(frame))
        if kind is None:
            kind = self._kind(frame)
        if kind == _EVENT:
            # The burst path: one event, nothing else changes.
            self.events.append(frame)
            return not (self.state == "connected" and not self._queue and not self._completed)
        self._receive_other(frame, kind, now)
        return True

    def receive_texts(self, link: int, texts: Sequence[str | bytes], start: int, now: float) -> int:
        """Inbound frames that came together: ``texts[start:]``, each as by `receive_text`.

        It stops after the first frame for which `receive_text` would return True (the driver
        then does what that asks before it goes on), so handing a driver's batch over this way
        is the same, frame by frame, as handing each frame over alone at the same ``now``.

        Returns:
            The index after the last frame taken: ``len(texts)`` when all were.
        """
        end = len(texts)
        if start >= end:
            return end
        if link != self.link or not (
            self.state == "connected" and not self._queue and not self._completed
        ):
            self.receive_text(link, texts[start], now)
            return start + 1
        # Connected, nothing queued or completed: while the frames are plain events nothing
        # changes but the events and the liveness, noted once (all at the same ``now``).
        self._last_received = now
        if self._ping_id is not None or self._ping_due:
            self._ping_id = None
            self._pong_deadline = None
            self._ping_due = False
        decode = self._decode
        kind_of = self._kinds.get
        append = self.events.append
        index = start
        while index < end:
            text = texts[index]
            index += 1
            try:
                frame = decode(text)
            except SlackFrameError as exc:
                self._log.warning("RTM: skipped a malformed frame: %s", exc)
                return index
            kind = kind_of(type(frame))
            if kind is None:
                kind = self._kind(frame)
            if kind == _EVENT:
                append(frame)
                continue
            self._receive_other(frame, kind, now)
            return index
        return index

    def _kind(self, frame: object) -> int:
        """The dialect's kind of a frame, remembered for its class when the dialect allows."""
        dialect = self.dialect
        kind = dialect.kind(frame)
        if dialect.kind_by_class:
            self._kinds[type(frame)] = kind
        return kind

    def _receive_other(self, frame: object, kind: int, now: float) -> None:
        """A frame the engine acts on (ack, hello, pong, reconnect, reconnect_url)."""
        dialect = self.dialect
        if dialect.delivered(kind):
            self.events.append(frame)
        if kind == Dialect.ACK:
            reply_to, result, error = dialect.ack(frame)
            pending = self._inflight.pop(reply_to, None)
            if pending is None:
                self._log.debug("RTM: an ack for frame %s, which is not awaited", reply_to)
            else:
                self._complete(pending, result, error)
        elif kind == Dialect.HELLO:
            if self.state == "open":
                self._hello(now)
        elif kind == Dialect.RECONNECT:
            cause = dialect.reconnect_cause(frame)
            if self.state == "open":
                self._failures += 1  # e.g. an expired URL: the attempt failed
            self._drop(now, cause)
        elif kind == Dialect.RECONNECT_URL:
            url = dialect.reconnect_url(frame)
            if url:
                refused = socket_url_refusal(url, allow_insecure=self.allow_insecure)
                if refused is None:
                    # Socket URLs are single use and live 30 s; keep a margin.
                    self._reconnect_url = (url, now + 25.0)
                else:
                    # Never opened, never logged (it holds the ticket); an older offer is
                    # dropped too: the next attempt asks rtm.connect.
                    self._reconnect_url = None
                    self._log.warning(
                        "RTM: ignored a reconnect_url from Slack (%s); the next reconnect "
                        "calls rtm.connect",
                        refused,
                    )

    def _hello(self, now: float) -> None:
        self.state = "connected"
        self.connects += 1
        self._hello_deadline = None
        self._failures = 0
        self._outage_started = None
        self._ping_id = None
        self._pong_deadline = None
        self._ping_due = False
        presence_ids = self.dialect.presence_ids
        if self._subscription and not any(presence_ids(p.command) is not None for p in self._queue):
            self._queue.appendleft(self._internal(self.dialect.presence_sub(self._subscription)))
        self._log.info("RTM: connected (%s)", self._cause)
        self.events.append(Connected(self._cause, self.connects))

    def set_reading_paused(self, paused: bool, now: float) -> None:
        """The driver stopped (or resumed) reading the socket because the consumer lags.

        Liveness is not judged meanwhile: unread pongs are not a stall.
        """
        if self._reading_paused and not paused:
            self._last_received = now
            if self._pong_deadline is not None:
                self._pong_deadline = now + self.options.pong_timeout
        self._reading_paused = paused

    def connection_lost(self, link: int, now: float, cause: str) -> None:
        """The socket `link` closed or failed."""
        if link != self.link or self.state == "closed":
            return
        if self.state == "open":
            self._failures += 1
        self._drop(now, cause)

    def inbound_too_large(self, link: int, now: float) -> None:
        """The socket `link` ended because Slack sent a frame over `RtmOptions.max_inbound_bytes`.

        The driver's WebSocket library refused it from the frame's header and closed the
        socket (code 1009); each driver maps its library's own report of that here, so that
        both tell it in the same words, decided here.
        """
        if link != self.link or self.state == "closed":
            return
        cap = self.options.max_inbound_bytes
        cause = f"a frame over max_inbound_bytes ({cap} bytes) from Slack"
        after = "reconnecting" if self.options.reconnect is not None else "the session ends"
        self._log.warning("RTM: %s; %s", cause, after)
        if self.state == "open":
            self._failures += 1
        self._drop(now, cause)

    # -- sending ------------------------------------------------------------------------------

    def send(self, command: Any, now: float, *, timeout: float | None = None) -> Pending:
        """Queue a command; it is written when connected and the pacing allows.

        Args:
            command: A client command (`slackrtm.events.MessageCommand`, ...).
            now: The time.
            timeout: Seconds until it fails with `RtmSendTimeout`; `RtmOptions.ack_timeout`
                by default.

        Returns:
            Its `Pending`, completed later (see `take_completed`).

        Raises:
            RtmFrameTooLarge: The frame is over `RtmOptions.max_frame_bytes`; nothing is sent.
            RtmSessionClosed: The session has ended.
            TypeError, ValueError: A timeout that is not a positive number of seconds
                (``math.inf`` is allowed: no limit).
        """
        if timeout is not None:
            timeout = check_seconds("timeout", timeout)
        seconds = self.options.ack_timeout if timeout is None else timeout
        if self.state == "closed":
            raise self._closed_error()
        dialect = self.dialect
        id_ = self._next_id if dialect.wants_id(command) else None
        frame = dialect.encode(command, id_)
        size = len(frame) if frame.isascii() else len(frame.encode("utf-8"))
        if size > self.options.max_frame_bytes:
            raise RtmFrameTooLarge(size=size, limit=self.options.max_frame_bytes)
        if id_ is not None:
            self._next_id += 1
        ids = dialect.presence_ids(command)
        if ids is not None:
            self._subscription = ids
        pending = Pending(
            id=id_,
            command=command,
            frame=frame,
            deadline=now + seconds,
            timeout=float(seconds),
            expects_ack=dialect.expects_ack(command),
        )
        self._queue.append(pending)
        if not math.isinf(pending.deadline):
            self._seq += 1  # pragma: no mutate (any step keeps the order)
            heapq.heappush(self._deadlines, (pending.deadline, self._seq, pending))
        return pending

    def cancel(self, pending: Pending) -> bool:
        """Withdraw a send its caller gave up on (an async send whose ``await`` was cancelled).

        A send not written yet leaves the queue and is never written; it is done then, with
        neither result nor error, and not reported by `take_completed`. A presence
        subscription stays remembered, as after its timeout: it is sent after the next
        ``hello``. A send already written cannot be withdrawn: Slack has it.

        Returns:
            Whether it was withdrawn (False: already written, or complete).
        """
        if pending.done or pending.written:
            return False
        try:
            self._queue.remove(pending)
        except ValueError:
            return False  # not one of this session's queued sends
        pending.done = True
        return True

    def _internal(self, command: Any) -> Pending:
        id_ = self._next_id if self.dialect.wants_id(command) else None
        if id_ is not None:
            self._next_id += 1
        return Pending(
            id=id_,
            command=command,
            frame=self.dialect.encode(command, id_),
            deadline=math.inf,
            timeout=math.inf,
            expects_ack=False,
            internal=True,
        )

    def data_to_send(self, now: float) -> list[str]:
        """Frames to write now, in order: a due ping first, then sends as pacing allows.

        The driver then reports with `frames_written` how many it wrote (a driver that does not
        has them all count as written at its next call).
        """
        if self._writing:
            self.frames_written(now, self._writing[-1][0] + 1)
        if self.state != "connected":
            return []
        out: list[str] = []
        writing = self._writing
        if self._ping_due:
            ping = self._internal(self.dialect.ping())
            self._ping_due = False
            self._ping_id = ping.id
            self._pong_deadline = now + self.options.pong_timeout
            out.append(ping.frame)
        queue = self._queue
        bucket = self._bucket
        while queue and (bucket is None or bucket.take(now)):
            pending = queue.popleft()
            pending.written = True
            out.append(pending.frame)
            if pending.internal:
                continue
            writing.append((len(out) - 1, pending))
            if pending.expects_ack and pending.id is not None:
                self._inflight[pending.id] = pending
        return out

    def frames_written(self, now: float, count: int) -> None:
        """The driver wrote the first `count` frames of the last `data_to_send` on the socket.

        A send without an ack among them is complete now. The write of the next one failed (the
        socket is going away; its loss is reported by `connection_lost`): it and those after it
        fail with `RtmConnectionLost`, as a send written but never acked does (delivery
        unknown, not sent again).
        """
        writing, self._writing = self._writing, []
        lost: RtmConnectionLost | None = None
        for index, pending in writing:
            if pending.done:
                continue  # timed out, closed or lost meanwhile
            if index < count:
                if not (pending.expects_ack and pending.id is not None):
                    self._complete(pending, None, None)
                continue
            if pending.id is not None:
                self._inflight.pop(pending.id, None)
            if lost is None:
                lost = RtmConnectionLost(cause="the socket failed as the frame was written")
            self._complete(pending, None, lost)

    # -- time ---------------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Apply every deadline that has passed: send timeouts, hello, keepalive, reconnect."""
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            _, _, pending = heapq.heappop(deadlines)
            if pending.done:
                continue
            if pending.written:
                if pending.id is not None:
                    self._inflight.pop(pending.id, None)
            else:
                self._queue.remove(pending)  # not written: it is still queued
            self._complete(
                pending, None, RtmSendTimeout(timeout=pending.timeout, written=pending.written)
            )
        state = self.state
        if state == "open":
            if self._hello_deadline is not None and now >= self._hello_deadline:
                self._failures += 1
                self._drop(now, f"no hello within {self.options.hello_timeout:g} s")
        elif state == "connected" and not self._reading_paused:
            options = self.options
            if self._pong_deadline is not None:
                if now >= self._pong_deadline:
                    self._drop(
                        now,
                        "stalled: no frame within "
                        f"{options.ping_interval + options.pong_timeout:g} s",
                    )
            elif not self._ping_due and now >= self._last_received + options.ping_interval:
                self._ping_due = True

    # -- ending -------------------------------------------------------------------------------

    def close(self, now: float, cause: str = "closed by the user") -> None:
        """End the session for good: every unfinished send fails with `RtmSessionClosed`."""
        if self.state == "closed":
            return
        self._log.info("RTM: %s", cause)
        self.state = "closed"
        self.link = None
        self._cause = cause
        self._fail_all(RtmSessionClosed(cause=cause))

    def fail(self, now: float, error: BaseException) -> None:
        """End the session for good because of `error`, such as a bug in a driver's loop.

        It becomes `RtmProtocol.error`; unfinished sends fail with `RtmSessionClosed` chained
        to it.
        """
        if self.state == "closed":
            return
        self._end(now, error)

    def closed_error(self) -> RtmSessionClosed:
        """The error for a use of the ended session, chained to what ended it."""
        return self._closed_error()

    def _closed_error(self) -> RtmSessionClosed:
        error = RtmSessionClosed(cause=self._cause)
        error.__cause__ = self.error
        return error

    def _end(self, now: float, error: BaseException) -> None:
        self.error = error
        cause = f"ended by {type(error).__name__}: {error}"
        self._log.warning("RTM: session %s", cause)
        self.close(now, cause)
        for pending in self._completed:
            if isinstance(pending.error, RtmSessionClosed):
                pending.error.__cause__ = error

    def _fail_all(self, error: SlackError) -> None:
        writing = [pending for _, pending in self._writing]
        for pending in list(self._inflight.values()) + writing + list(self._queue):
            if not pending.internal and not pending.done:
                self._complete(pending, None, error)
        self._inflight.clear()
        self._writing.clear()
        self._queue.clear()
        self._deadlines.clear()

    def _complete(self, pending: Pending, result: Any, error: BaseException | None) -> None:
        pending.done = True
        pending.result = result
        pending.error = error
        self._completed.append(pending)

    def _drop(self, now: float, cause: str) -> None:
        """Leave the current socket and plan the next attempt."""
        was_connected = self.state == "connected"
        self.link = None
        self._hello_deadline = None
        self._ping_id = None
        self._pong_deadline = None
        self._ping_due = False
        lost = RtmConnectionLost(cause=cause)
        for pending in self._inflight.values():
            self._complete(pending, None, lost)
        self._inflight.clear()
        if was_connected:
            self._log.info("RTM: disconnected (%s)", cause)
            self.events.append(Disconnected(cause))
        self._schedule(now, cause, None)

    def _schedule(self, now: float, cause: str, error: BaseException | None) -> None:
        policy = self.options.reconnect
        if policy is None:
            self._end(now, error or RtmSessionClosed(cause=f"{cause}; reconnecting is off"))
            return
        if self._outage_started is None:
            self._outage_started = now
        failures = self._failures
        if failures > policy.max_retries:
            self._give_up(now, cause, error)
            return
        if self.connects == 0 and failures >= FIRST_CONNECT_ATTEMPTS:
            # Never connected yet: a socket that cannot be opened is a wrong URL, proxy or
            # certificate far more often than an outage, so `connect()` says so now.
            self._end(now, error or RtmSessionClosed(cause=cause))
            return
        delay = backoff(policy, failures, self._rng)
        if error is not None and not _retryable(policy, error):
            self._end(now, error)
            return
        if isinstance(error, RateLimited):
            delay = max(delay, error.retry_after if error.retry_after is not None else 1.0)
        if now + delay - self._outage_started > policy.max_total:
            self._give_up(now, cause, error)
            return
        self.state = "waiting"
        self._cause = cause
        self._reconnect_at = now + delay
        attempt = failures + 1
        self._log.info("RTM: reconnecting in %.2f s, attempt %d (%s)", delay, attempt, cause)
        self.events.append(Reconnecting(cause, attempt, delay))

    def _give_up(self, now: float, cause: str, error: BaseException | None) -> None:
        ended = RtmSessionClosed(
            cause=f"gave up reconnecting after {self._failures} failed attempts ({cause})"
        )
        ended.__cause__ = error
        self._end(now, ended)


def _retryable(policy: RetryPolicy, error: BaseException) -> bool:
    if isinstance(error, RateLimited):
        return policy.rate_limited
    if isinstance(error, SlackConnectionError):
        return policy.connection_errors
    if isinstance(error, (SlackHttpError, SlackApiError, SlackError)):
        return policy.server_errors
    return False
