"""The books of every send, from `RtmProtocol.send` to its completion.

They hold ids, the frame-size check, the queue, pacing (`_Bucket`), deadlines, acks, and what a
lost socket means for a send already written.

`Outbox` is the engine's (`_protocol.py`) clerk: the engine decides *whether* frames may go out
now (connected or not, a due ping first) and *why* a socket went away; the outbox keeps each
`Pending` in exactly one place (queued, being written, awaiting its ack, or complete) and
completes it once. It has no clock of its own (every call takes ``now``), knows no state of the
connection and writes no frame itself.

The rules it carries out:

- ids are positive and increase over the whole session (so they are unique per connection);
  a frame refused for its size uses up none;
- a frame over `RtmOptions.max_frame_bytes` fails with `RtmFrameTooLarge`, nothing queued;
- frames leave the queue in order, as a token bucket allows (`send_rate` sustained,
  `send_burst` at once);
- a send fails with `RtmSendTimeout` at its deadline, written or not; ``math.inf`` sets none;
  one not written says why: not connected, or (connected) held back by the pacing;
- a send awaiting an ack completes with it (an error ack fails it); one without an ack
  completes once written (`written`); one whose write failed, or whose socket went away
  before its ack, fails with `RtmConnectionLost` (delivery unknown, never sent again);
- the session's own frames (pings, re-sent presence subscriptions) complete no send.
"""

from __future__ import annotations

import collections
import heapq
import math
from typing import Any

import attrs

from .._exceptions import RtmConnectionLost, RtmFrameTooLarge, RtmSendTimeout, SlackError
from ._dialects import Dialect
from ._options import RtmOptions
from ._stats import StatsBook

__all__ = ["Outbox", "Pending"]


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
        waiter: Free for the driver (a lock to release or a future to wake).
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
        # No time before the first use, and none when the clock stands still or goes back.
        last = now if self.last is None else self.last
        self.tokens = min(self.burst, self.tokens + max(0.0, now - last) * self.rate)
        self.last = max(last, now)

    def take(self, now: float) -> bool:
        self._refill(now)
        ready = self.tokens >= 1.0
        if ready:
            self.tokens -= 1.0
        return ready

    def ready_at(self) -> float:
        """When the next token is there, counted from the last refill (0 before any)."""
        return (self.last or 0.0) + max(0.0, 1.0 - self.tokens) / self.rate


class Outbox:
    """Every unfinished send of one session, and those completed since the engine last asked.

    Args:
        dialect: How commands are encoded, and which carry an id or await an ack.
        options: The frame limit and the pacing (``send_rate``, ``send_burst``).
        book: Where sends and completions are counted; a book of its own when None.
    """

    def __init__(
        self, dialect: Dialect, options: RtmOptions, book: StatsBook | None = None
    ) -> None:
        """Empty; the first id is 1."""
        self.book = book if book is not None else StatsBook()
        """Where each send and its completion is counted (`RtmProtocol.stats`)."""
        self._dialect = dialect
        self._max_frame_bytes = options.max_frame_bytes
        rate = options.send_rate
        if rate is not None and math.isinf(rate):
            rate = None  # no limit: no pacing
        self._bucket = _Bucket(rate, options.send_burst) if rate is not None else None
        self._next_id = 1
        self.queue: collections.deque[Pending] = collections.deque()
        """Sends not written yet, in the order they go out."""
        self.inflight: dict[int, Pending] = {}
        """Written sends awaiting their ack, by id."""
        self.completed: list[Pending] = []
        """Sends completed since `take_completed`. The engine reads this very list (and
        `queue`) on its inbound fast path: both are emptied in place, never replaced."""
        self._deadlines: list[tuple[float, int, Pending]] = []
        self._seq = 0  # pragma: no mutate (a tie-break: only its order counts)
        self._writing: list[tuple[int, Pending]] = []
        """The sends of the last `take_frames`, by frame index, until `written`."""

    def add(self, command: Any, now: float, seconds: float) -> Pending:
        """Queue a user's send with a deadline `seconds` from `now` (``math.inf``: none).

        Raises:
            RtmFrameTooLarge: The frame is over the limit; nothing is queued, no id used.
        """
        dialect = self._dialect
        id_ = self._next_id if dialect.wants_id(command) else None
        frame = dialect.encode(command, id_)
        size = len(frame) if frame.isascii() else len(frame.encode("utf-8"))
        if size > self._max_frame_bytes:
            raise RtmFrameTooLarge(size=size, limit=self._max_frame_bytes)
        if id_ is not None:
            self._next_id += 1
        pending = Pending(
            id=id_,
            command=command,
            frame=frame,
            deadline=now + seconds,
            timeout=float(seconds),
            expects_ack=dialect.expects_ack(command),
        )
        self.queue.append(pending)
        self.book.sends += 1
        if not math.isinf(pending.deadline):
            self._seq += 1  # pragma: no mutate (any step keeps the order)
            heapq.heappush(self._deadlines, (pending.deadline, self._seq, pending))
        return pending

    def internal(self, command: Any) -> Pending:
        """The session's own frame: a ping, or a presence subscription sent again.

        It takes an id when the dialect gives it one, and has no deadline and no completion.
        """
        id_ = self._next_id if self._dialect.wants_id(command) else None
        if id_ is not None:
            self._next_id += 1
        return Pending(
            id=id_,
            command=command,
            frame=self._dialect.encode(command, id_),
            deadline=math.inf,
            timeout=math.inf,
            # Never read: an internal frame is done with once taken (see `take_frames`).
            expects_ack=False,  # pragma: no mutate
            internal=True,
        )

    def cancel(self, pending: Pending) -> bool:
        """Withdraw a send not written yet (see `RtmProtocol.cancel`); whether it was."""
        # A shortcut: a send done or written is no longer queued, as the remove below finds.
        if pending.done or pending.written:  # pragma: no mutate
            return False
        try:
            self.queue.remove(pending)
        except ValueError:
            return False  # not one of this session's queued sends
        pending.done = True
        return True

    def take_frames(self, now: float, out: list[str]) -> None:
        """Move queued frames to `out`, in order, as far as the pacing allows at `now`.

        Frames already in `out` (a ping) count for the indexes `written` is told about.
        """
        writing = self._writing
        queue = self.queue
        bucket = self._bucket
        while queue and (bucket is None or bucket.take(now)):
            pending = queue.popleft()
            pending.written = True
            out.append(pending.frame)
            if pending.internal:
                continue
            writing.append((len(out) - 1, pending))
            if pending.expects_ack and pending.id is not None:
                self.inflight[pending.id] = pending

    def written_unreported(self) -> None:
        """Count every frame of the last `take_frames` as written, unless `written` counted it.

        This is for a driver that does not report its writes.
        """
        if self._writing:
            # Any count past the last frame's index says the same: every one was written.
            self.written(self._writing[-1][0] + 1)  # pragma: no mutate

    def written(self, count: int) -> None:
        """The first `count` frames of the last `take_frames` were written; the next failed.

        See `RtmProtocol.frames_written`.
        """
        writing, self._writing = self._writing, []
        lost: RtmConnectionLost | None = None
        for index, pending in writing:
            if pending.done:
                continue  # timed out, closed or lost meanwhile
            if index < count:
                if not (pending.expects_ack and pending.id is not None):
                    self.complete(pending, None, None)
                continue
            if pending.id is not None:
                self.inflight.pop(pending.id, None)
            if lost is None:
                lost = RtmConnectionLost(cause="the socket failed as the frame was written")
            self.complete(pending, None, lost)

    def acked(self, reply_to: int, result: Any, error: SlackError | None) -> bool:
        """An ack came for frame `reply_to`; whether a send awaited it (it completes)."""
        pending = self.inflight.pop(reply_to, None)
        if pending is None:
            return False
        self.complete(pending, result, error)
        return True

    def expire(self, now: float, *, connected: bool) -> None:
        """Fail every unfinished send whose deadline has passed with `RtmSendTimeout`.

        Args:
            now: The time.
            connected: Whether the session is connected: then a send still queued was held
                back by the pacing, and its error says so.
        """
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            _, _, pending = heapq.heappop(deadlines)
            if pending.done:
                continue
            if pending.written:
                if pending.id is not None:
                    self.inflight.pop(pending.id, None)
            else:
                self.queue.remove(pending)  # not written: it is still queued
            error = RtmSendTimeout(
                timeout=pending.timeout, written=pending.written, paced=connected
            )
            self.complete(pending, None, error)

    def lose_inflight(self, cause: str) -> None:
        """The socket went away: each written send awaiting its ack fails, delivery unknown."""
        lost = RtmConnectionLost(cause=cause)
        for pending in self.inflight.values():
            self.complete(pending, None, lost)
        self.inflight.clear()

    def fail_all(self, error: SlackError) -> None:
        """Fail every unfinished send with `error` and forget them all (the session ended)."""
        writing = [pending for _, pending in self._writing]
        for pending in list(self.inflight.values()) + writing + list(self.queue):
            if not pending.internal and not pending.done:
                self.complete(pending, None, error)
        self.inflight.clear()
        # Frees memory only: every send in it is done now, and a done send is skipped there.
        self._writing.clear()  # pragma: no mutate
        self.queue.clear()
        # Frees memory only: every entry is a done send, which the readers of it pop unasked.
        self._deadlines.clear()  # pragma: no mutate

    def complete(self, pending: Pending, result: Any, error: BaseException | None) -> None:
        """Mark `pending` done with its result or error; `take_completed` reports it."""
        pending.done = True
        pending.result = result
        pending.error = error
        self.completed.append(pending)
        self.book.completed(pending.expects_ack, error)

    def take_completed(self) -> list[Pending]:
        """Sends completed (acked, written, failed or timed out) since the last call."""
        completed = self.completed
        out = completed[:]
        completed.clear()
        return out

    def next_deadline(self) -> float | None:
        """The soonest deadline of an unfinished send; None when none has one."""
        deadlines = self._deadlines
        while deadlines and deadlines[0][2].done:
            heapq.heappop(deadlines)  # acked, written or withdrawn: no wake-up for it
        return deadlines[0][0] if deadlines else None

    def pacing_ready(self) -> float | None:
        """When the pacing lets the next queued frame go; None if none waits or none paces."""
        bucket = self._bucket
        if not self.queue or bucket is None:
            return None
        return bucket.ready_at()
