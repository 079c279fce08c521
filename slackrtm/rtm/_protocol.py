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
      proto.socket_ended(link, now, end)          sleep until proto.next_deadline() or a wake-up

Everything that decides lives here or in the modules this one drives:

- states: `State`, changed only through one checked move (`MOVES` lists the allowed ones; any
  other raises `RuntimeError` naming both states); ids positive and increasing per session;
- sends, acks and what a lost socket means for them: the outbox (`_sends.py`, its rules);
- keepalive: a stall is found within ``ping_interval + pong_timeout`` for every setting (a pong
  makes `engine_due` true, so the next ping is never late; `_keepalive.py`);
- reconnects: on goodbye, team migration, an ``error`` event whose code ends the connection
  (the schema's ``ends_connection``), a lost socket, a stall, a missing ``hello``, a frame not
  written within `RtmOptions.write_timeout` or one over `RtmOptions.max_inbound_bytes`; the
  waits and what ends the session: `_reconnect.py`;
- presence subscriptions: remembered and sent again after every ``hello``;
- lifecycle notices (`Connected`, `Disconnected`, `Reconnecting`) in the event stream.

Each part lives in a module of its own, which opens with its rules: this one is the engine
(connecting, receiving, ending, every change of state); `_outputs.py` (what the drivers read
of it between calls: events, completions, deadlines); `_state.py` (`State`, `MOVES`),
`_keepalive.py` (liveness), `_sends.py` (the books of every send), `_reconnect.py` (waits,
limits, fatal errors, the offered URL), `_options.py` (`RtmOptions`, the notices), `_stats.py`
(the health counts), `_endings.py` (a socket's end in words), `_dialects.py` (what a frame
means), `_handover.py` (Socket Mode's half: envelopes, acks, the handover without a gap;
its acks are written from `_acks.py`).
None imports aiohttp, websockets or urllib3.
"""

from __future__ import annotations

import collections
import logging
import random
from collections.abc import Callable, Sequence
from typing import Any

from .._exceptions import RtmSessionClosed, SlackFrameError
from ._acks import AckOutbox
from ._dialects import RTM_DIALECT, Dialect, Kind, note_fallback
from ._endings import SocketEnd, lost_cause
from ._envelopes import EnvelopeBook
from ._handover import SocketModeParts
from ._keepalive import Keepalive
from ._options import Connected, Disconnected, Reconnecting, RtmOptions, check_seconds
from ._reconnect import Reconnects, ends_at_once
from ._sends import Outbox, Pending
from ._state import MOVES, State
from ._stats import StatsBook

__all__ = ["RtmProtocol"]

log = logging.getLogger("slackrtm")

# Names for the members compared per frame: `State.CONNECTED` is a metaclass lookup (0.1 µs).
_CONNECTED = State.CONNECTED
_EVENT = Kind.EVENT
_ENVELOPE = Kind.ENVELOPE
_IGNORED_URL = "RTM: ignored a reconnect_url from Slack (%s); the next reconnect calls rtm.connect"


class RtmProtocol(SocketModeParts):
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
        self.dialect = dialect
        self._state = State.IDLE
        self.error: BaseException | None = None
        """Why the session ended, when it was not closed by the user."""
        self.info: Any = None
        """The latest `rtm.connect` answer (``self_``, ``team``)."""
        self.link: int | None = None
        """The current socket's number; a driver closes any socket that is not this one."""
        self.connects = 0
        self._log = logger if logger is not None else log
        self._links = 0  # pragma: no mutate (link numbers are opaque, only compared)
        self._book = StatsBook()
        # Socket Mode's acks go through an outbox of their own (`_acks`).
        self._acks = AckOutbox(dialect, self.options, self._book) if dialect.has_envelopes else None
        self._out = self._acks or Outbox(dialect, self.options, self._book)
        # The outbox's queue and completions (never replaced), read per frame without a hop.
        self._queue = self._out.queue
        self._completed = self._out.completed
        self.events: collections.deque[object] = collections.deque()
        """Events and lifecycle notices not delivered yet, oldest first. A driver may hand them
        over by popping from the left (its buffer can be this deque itself); `take_events`
        takes them all at once."""
        self._decode = dialect.decode
        self._kinds: dict[type, Kind] = dict(dialect.class_kinds())
        """The dialect's kind of each class known or seen, when it depends on the class alone."""
        self._fallbacks: set[str] = set()  # the types a FallbackEvent was noted for
        self._keep = Keepalive(self.options, self._log)
        # Set before read: on entering OPEN (its reader); by begin_connect, leaving IDLE.
        self._hello_deadline: float | None = None  # pragma: no mutate
        self._reconnect_at: float | None = None  # pragma: no mutate
        self._reconnects = Reconnects(self.options.reconnect, rng, allow_insecure=allow_insecure)
        self._cause = "start"
        self._subscription: tuple[str, ...] = ()
        self.draining: int | None = None
        """In a Socket Mode handover, the old socket: still read, and written to until the new
        one's ``hello``; a driver closes it once this stops naming it (`_handover`)."""
        self.handovers = 0
        """Socket Mode: connections replaced without a gap (`_handover`)."""
        self.envelopes = EnvelopeBook() if dialect.has_envelopes else None
        """Socket Mode's books of envelopes (duplicates, acks); None for RTM."""

    def __repr__(self) -> str:
        return f"<RtmProtocol state={self._state} link={self.link} queued={len(self._queue)}>"

    # -- state --------------------------------------------------------------------------------

    @property
    def state(self) -> State:
        """Where the session is (a `State`, which is a `str`)."""
        return self._state

    def _move(self, to: State) -> None:
        """The one place the state changes, checked against `MOVES`.

        Raises:
            RuntimeError: Not in `MOVES`: a bug in the core, or a driver calling it out of turn.
        """
        if to not in MOVES[self._state]:
            raise RuntimeError(f"RTM core: no move from state {self._state} to {to}")
        self._state = to

    # -- connecting ---------------------------------------------------------------------------

    def begin_connect(self, now: float) -> str | None:
        """Start a connection attempt.

        Returns:
            A fresh ``reconnect_url`` to open directly, or None: call ``rtm.connect`` for one.

        Raises:
            RuntimeError: No attempt is due (see `connect_due`).
        """
        if not self.connect_due(now):
            raise RuntimeError(f"no connection attempt is due (state {self._state})")
        self._move(State.CONNECTING)
        self._book.started(now)
        self._reconnect_at = None
        return self._reconnects.take_url(now)

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
        if self._state is State.CLOSED:
            return
        if ends_at_once(error, stage=stage, connects=self.connects):
            self._end(now, error)
            return
        self._reconnects.failed()
        self._book.failed_attempts += 1
        self._schedule(now, f"{stage} failed: {error}", error)

    def socket_opened(self, now: float, info: Any = None) -> int:
        """The WebSocket is open; ``hello`` is awaited.

        Args:
            now: The time.
            info: The ``rtm.connect`` answer that gave the URL (None for a ``reconnect_url``).

        Returns:
            The socket's link number, to pass to `receive_text` and `connection_lost`.

        Raises:
            RuntimeError: No connection attempt was under way (`begin_connect` comes first).
        """
        self._links += 1  # pragma: no mutate (any step keeps them unique)
        if self._state is State.CLOSED:
            return self._links  # not current: the driver closes it at once
        self._move(State.OPEN)
        if info is not None:
            self.info = info
        self.link = self._links
        self._hello_deadline = now + self.options.hello_timeout
        self._keep.opened(now)
        return self._links

    # -- receiving ----------------------------------------------------------------------------

    def receive_text(self, link: int, text: str | bytes, now: float) -> bool:
        """One inbound frame. Events go to `events`; acks complete their sends.

        A frame without a string ``type`` that cannot be read is logged and skipped.

        Returns:
            Whether the driver has more to do than deliver `events`: False only after a plain
            event while connected, with no send completed or queued (the engine need not wake).
        """
        if link != self.link:
            if link == self.draining:
                self._receive_draining(text, now)
            return True  # a socket being replaced: its late frames are not acted on
        keep = self._keep
        keep.last_received = now
        self._book.events_in += 1
        if keep.pong_deadline is not None or keep.ping_due:
            keep.reset()
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
            return not (self._state is _CONNECTED and not self._queue and not self._completed)
        if kind == _ENVELOPE:
            # Socket Mode's burst path: a new envelope is delivered as an event is.
            if self._envelope(frame, now):
                return not (self._state is _CONNECTED and not self._queue and not self._completed)
            return True
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
            self._state is _CONNECTED and not self._queue and not self._completed
        ):
            self.receive_text(link, texts[start], now)
            return start + 1
        # Connected, nothing queued or completed: while the frames are plain events nothing
        # changes but the events and the liveness, noted once (all at the same ``now``).
        self._keep.received(now)
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
                break
            kind = kind_of(type(frame))
            if kind is None:
                kind = self._kind(frame)
            if kind == _EVENT:
                append(frame)
                continue
            if kind == _ENVELOPE:
                if self._envelope(frame, now):
                    continue  # delivered: nothing else changed, as for an event
                break
            self._receive_other(frame, kind, now)
            break
        self._book.events_in += index - start
        return index

    def _kind(self, frame: object) -> Kind:
        """The dialect's kind of a frame, remembered for its class when the dialect allows."""
        dialect = self.dialect
        kind = dialect.kind(frame)
        if dialect.kind_by_class:
            self._kinds[type(frame)] = kind
        return kind

    def _receive_other(self, frame: object, kind: Kind, now: float) -> None:
        """A frame the engine acts on (ack, hello, pong, reconnect, reconnect_url)."""
        dialect = self.dialect
        if dialect.delivered(kind):
            self.events.append(frame)
        if kind == Kind.ACK:
            self._acked(frame)
        elif kind == Kind.ERROR:
            if dialect.ends_connection(frame):
                self._lost(now, dialect.reconnect_cause(frame))
            else:
                self._log.warning("RTM: Slack sent %s", dialect.reconnect_cause(frame))
        elif kind == Kind.PONG:
            self._book.pong(self._keep.pong_for(dialect.reply_to(frame)), now)
        elif kind == Kind.HELLO:
            self._hello(now)
        elif kind == Kind.FALLBACK:
            note_fallback(frame, self._fallbacks, self._log)
        elif kind == Kind.RECONNECT:
            self._lost(now, dialect.reconnect_cause(frame))  # before hello: an expired URL
        elif kind == Kind.ENVELOPE or kind == Kind.DISCONNECT:
            self._socket_mode_frame(frame, kind, now)
        elif kind == Kind.RECONNECT_URL:
            url = dialect.reconnect_url(frame)
            refused = self._reconnects.offer(url, now) if url else None
            if refused is not None:  # never opened, never quoted (it holds the ticket)
                self._log.warning(_IGNORED_URL, refused)

    def _acked(self, frame: object) -> None:
        reply_to, result, error = self.dialect.ack(frame)
        if not self._out.acked(reply_to, result, error) and error is not None:
            # Not awaited: a frame complete once written (typing), or one that timed out.
            self._log.warning("RTM: Slack refused a frame no send awaits: %s", error)
            self.events.append(frame)

    def _hello(self, now: float) -> None:
        if self._state is not State.OPEN:
            return  # a second hello on the same socket: nothing to do
        self._move(State.CONNECTED)
        if self.draining is not None:
            self._log.info("Socket Mode: the next connection said hello; closing the old one")
            self.draining = None
        self.connects += 1
        self._hello_deadline = None
        self._reconnects.connected(now)
        self._book.connected(now)
        self._keep.connected()
        presence_ids = self.dialect.presence_ids
        out = self._out
        if self._subscription and not any(presence_ids(p.command) is not None for p in out.queue):
            out.queue.appendleft(out.internal(self.dialect.presence_sub(self._subscription)))
        self._log.info("RTM: connected (%s)", self._cause)
        self.events.append(Connected(self._cause, self.connects))

    def set_reading_paused(self, paused: bool, now: float, waiting: int = 0) -> None:
        """The driver stopped (or resumed) reading because the consumer lags (`_keepalive`).

        `waiting` is how many events wait for the consumer (for the log line).
        """
        self._keep.set_paused(paused, now, waiting)

    def connection_lost(self, link: int, now: float, cause: str) -> None:
        """The socket `link` closed or failed."""
        if link == self.draining:
            self._drained(now, cause)
        elif link == self.link and self._state is not State.CLOSED:
            self._lost(now, cause)

    def socket_ended(self, link: int, now: float, end: SocketEnd) -> None:
        """The socket `link` ended; `end` is what the driver saw, worded here (`_endings`).

        An end the session caused for a limit of its own is a WARNING.
        """
        if link == self.draining:
            self._drained(now, lost_cause(end, self.options)[0])
        if link != self.link or self._state is State.CLOSED:
            return
        cause, warn = lost_cause(end, self.options)
        if warn:
            after = "reconnecting" if self.options.reconnect is not None else "the session ends"
            self._log.warning("RTM: %s; %s", cause, after)
        self._lost(now, cause)

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
        if self._state is State.CLOSED:
            raise self.closed_error()
        pending = self._out.add(command, now, seconds)
        ids = self.dialect.presence_ids(command)
        if ids is not None:
            self._subscription = ids
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
        return self._out.cancel(pending)

    def data_to_send(self, now: float) -> list[str]:
        """Frames to write now, in order: a due ping first, then sends as pacing allows.

        The driver then reports with `frames_written` how many it wrote (a driver that does not
        has them all count as written at its next call).
        """
        out = self._out
        out.written_unreported()
        if self._state is not State.CONNECTED and self.draining is None:
            return []
        frames: list[str] = []
        keep = self._keep
        if keep.ping_due:
            ping = out.internal(self.dialect.ping())
            keep.ping_sent(ping.id, now)
            frames.append(ping.frame)
        out.take_frames(now, frames)
        return frames

    def frames_written(self, now: float, count: int) -> None:
        """The driver wrote the first `count` frames of the last `data_to_send` on the socket.

        A send without an ack among them is complete now. The write of the next one failed (the
        socket is going away; its loss is reported by `connection_lost`): it and those after it
        fail with `RtmConnectionLost`, as a send written but never acked does (delivery
        unknown, not sent again).
        """
        self._out.written(count)

    # -- time ---------------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Apply every deadline that has passed: send timeouts, hello, keepalive, reconnect."""
        state = self._state
        self._out.expire(now, connected=state is State.CONNECTED)
        if state is State.OPEN:
            if self._hello_deadline is not None and now >= self._hello_deadline:
                self._lost(now, f"no hello within {self.options.hello_timeout:g} s")
        elif state is State.CONNECTED:
            stalled = self._keep.tick(now)
            if stalled is not None:
                self._drop(now, stalled)
        if self.envelopes is not None:
            self._overdue(now)

    # -- ending -------------------------------------------------------------------------------

    def close(self, now: float, cause: str = "closed by the user") -> None:
        """End the session for good: every unfinished send fails with `RtmSessionClosed`."""
        if self._state is State.CLOSED:
            return
        self._log.info("RTM: %s", cause)
        self._move(State.CLOSED)
        self.link = None
        self.draining = None
        self._cause = cause
        self._out.fail_all(RtmSessionClosed(cause=cause))

    def fail(self, now: float, error: BaseException) -> None:
        """End the session for good because of `error`, such as a bug in a driver's loop.

        It becomes `RtmProtocol.error`; unfinished sends fail with `RtmSessionClosed` chained
        to it.
        """
        if self._state is State.CLOSED:
            return
        self._end(now, error)

    def closed_error(self) -> RtmSessionClosed:
        """The error for a use of the ended session, chained to what ended it."""
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

    def _lost(self, now: float, cause: str, *, backoff: bool = False) -> None:
        """The current socket is over; before its ``hello``, that attempt failed."""
        if self._state is State.OPEN:
            self._reconnects.failed()
            self._book.failed_attempts += 1
        self._drop(now, cause, backoff=backoff)

    def _drop(self, now: float, cause: str, *, backoff: bool = False) -> None:
        """Leave the current socket and plan the next attempt."""
        was_connected = self._state is State.CONNECTED
        self.link = None
        self._hello_deadline = None
        self._keep.reset()
        self._out.lose_inflight(cause)
        if was_connected:
            self._reconnects.disconnected(now)
            self._book.disconnected(cause)
            self._log.info("RTM: disconnected (%s)", cause)
            self.events.append(Disconnected(cause))
        if backoff:
            self._reconnects.failed()  # counted after the disconnect's own books
        self._schedule(now, cause, None)

    # -- reconnecting -------------------------------------------------------------------------

    def _schedule(self, now: float, cause: str, error: BaseException | None) -> None:
        """Plan the next attempt after a failure or a disconnect, or end the session."""
        wait = self._reconnects.plan(now, cause, error, connects=self.connects)
        if isinstance(wait, BaseException):
            self._end(now, wait)
            return
        self._move(State.WAITING)
        self._cause = cause
        self._reconnect_at = now + wait
        attempt = self._reconnects.failures + 1
        self._log.info("RTM: reconnecting in %.2f s, attempt %d (%s)", wait, attempt, cause)
        self.events.append(Reconnecting(cause, attempt, wait))
