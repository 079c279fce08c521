"""What the engine tells its drivers: `EngineOutputs`, the read-only half of `RtmProtocol`.

The engine (`_protocol.py`) is one class in two modules: this one holds what the drivers read
between calls into it (events and completed sends to hand over, the health counts, whether and
when the engine must run again, the reading bounds); `_protocol.py` holds everything that
changes the session (connecting, receiving, sending, time, ending). Nothing here changes a
state, and nothing here does I/O: the attributes read are the engine's, set by its constructor.
"""

from __future__ import annotations

import collections
import math
from typing import Any

from ._acks import AckOutbox
from ._dialects import Dialect
from ._envelopes import EnvelopeBook
from ._keepalive import Keepalive
from ._sends import Outbox, Pending
from ._state import State
from ._stats import RtmStats, StatsBook

__all__ = ["EngineOutputs"]

_CONNECTED = State.CONNECTED


class EngineOutputs:
    """The engine's outputs, read by the drivers (the base of `RtmProtocol`)."""

    # Set by `RtmProtocol.__init__`; declared here for what reads them.
    _state: State
    dialect: Dialect
    _out: Outbox
    _acks: AckOutbox | None
    _queue: collections.deque[Pending]
    _completed: Any
    _keep: Keepalive
    _book: StatsBook
    _reconnect_at: float | None
    _hello_deadline: float | None
    _subscription: tuple[str, ...]
    events: collections.deque[object]
    link: int | None
    draining: int | None
    envelopes: EnvelopeBook | None
    connects: int

    def take_events(self) -> list[object]:
        """Events and lifecycle notices to deliver, in arrival order, since the last call."""
        queued = self.events
        out = list(queued)
        queued.clear()
        return out

    def take_completed(self) -> list[Pending]:
        """Sends completed (acked, written, failed or timed out) since the last call."""
        return self._out.take_completed()

    def stats(self, now: float) -> RtmStats:
        """The session's health in numbers at `now` (see `RtmStats`)."""
        last = self._keep.last_received if self.link is not None else None
        return self._book.snapshot(now, self._state, self.connects, last)

    @property
    def write_link(self) -> int | None:
        """The socket that `data_to_send` frames go to.

        The current one once connected; during a Socket Mode handover, the old one (`draining`)
        until the new one's ``hello``.
        """
        return self.link if self._state is _CONNECTED else self.draining

    @property
    def closed(self) -> bool:
        """Whether the session has ended for good."""
        return self._state is State.CLOSED

    @property
    def queued(self) -> int:
        """Frames waiting to be written (Socket Mode's acks included)."""
        acks = self._acks
        return len(self._queue) + (len(acks.acks) if acks is not None else 0)

    @property
    def subscription(self) -> tuple[str, ...]:
        """The presence subscription, sent again after each ``hello``."""
        return self._subscription

    @property
    def engine_due(self) -> bool:
        """Whether the engine must run now rather than at the deadline it sleeps until.

        True while frames (or Socket Mode's acks) wait to be written, while not connected, and
        after ``hello`` or a frame that ended a wait for a pong (the next ping may then be due
        before that deadline: see `_keepalive`). A driver's reader wakes the engine on it after
        handing frames over.
        """
        acks = self._acks
        return (
            bool(self._queue)
            or self._state is not _CONNECTED
            or self._keep.rearmed
            or (acks is not None and bool(acks.acks))
        )

    def connect_due(self, now: float) -> bool:
        """Whether the driver should start a connection attempt now (`begin_connect`)."""
        state = self._state
        if state is State.IDLE:
            return True
        at = self._reconnect_at
        return state is State.WAITING and at is not None and now >= at

    def next_deadline(self) -> float | None:
        """When the driver must call `tick` (or `data_to_send`) again; None: only on input."""
        state = self._state
        if state is State.CLOSED:
            return None
        times: list[float] = []
        sends = self._out.next_deadline()
        if sends is not None:
            times.append(sends)
        book = self.envelopes
        unacked = book.next_deadline() if book is not None else None
        if unacked is not None:
            times.append(unacked)  # Socket Mode: an envelope's 3 s, to log it
        if state is State.WAITING and self._reconnect_at is not None:
            times.append(self._reconnect_at)
        elif state is State.OPEN and self._hello_deadline is not None:
            times.append(self._hello_deadline)
        elif state is State.CONNECTED:
            keep = self._keep
            ready = None if keep.ping_due else self._out.pacing_ready()
            if ready is not None:
                times.append(ready)
            alive = keep.deadline()
            if alive is not None:
                times.append(alive)
        # An infinite timeout is no deadline at all.
        soonest = min(times) if times else math.inf
        return None if math.isinf(soonest) else soonest

    def reading_bounds(self) -> tuple[int, int]:
        """Buffered events at which a driver pauses reading, and resumes (see `_keepalive`)."""
        return self._keep.reading_bounds(bool(self._out.inflight))
