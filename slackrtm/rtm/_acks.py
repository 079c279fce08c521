"""Socket Mode's outbox: `AckOutbox`, the acks of envelopes as bare frames in a queue of their own.

A Socket Mode socket carries nothing from the app but acks (and the engine's WebSocket pings):
one per envelope, so in a burst one per frame read. `_sends.Outbox` books a user's send as a
`_sends.Pending` (an id, a deadline on a heap, a completion a sender waits for); an ack needs
none of that. Nobody waits for it (``ack`` returns at once), it has no id, and every ack has
the same deadline, `ACK_WINDOW` seconds after it was queued, so the deadlines of the queue come
in its order. `AckOutbox` is the `Outbox` of a Socket Mode session with one more queue, of ack
frames and their deadlines, and these rules:

- an ack is encoded when it is queued; one over `RtmOptions.max_frame_bytes` is refused with
  `RtmFrameTooLarge` (nothing queued). Without a payload, an ``envelope_id`` that JSON writes
  as it is becomes its frame without an `EnvelopeAck` (the text the encoder gives, as a test
  holds);
- acks are written in the order they were queued, after the outbox's own queue (which a Socket
  Mode session leaves empty), as many at once as the pacing allows (none: pacing is off for
  Socket Mode unless the session's options turn it on);
- an ack not written within `ACK_WINDOW` seconds is dropped and counted failed: Slack has sent
  its envelope again by then, and the copy is acked when it comes (`_envelopes`);
- an ack written counts as ``written`` in the session's stats; one whose write failed counts as
  failed and is not written again (as a send written but never acked); at the session's end
  the acks still queued count as failed.

No clock (every call takes ``now``), no I/O.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

from .._exceptions import RtmFrameTooLarge, SlackError
from ._dialects import Dialect
from ._envelopes import ACK_WINDOW
from ._options import RtmOptions
from ._sends import Outbox
from ._socket_mode import ack_text
from ._stats import StatsBook

__all__ = ["AckOutbox"]


class AckOutbox(Outbox):
    """`Outbox` with the acks of a Socket Mode session in a FIFO of their own (see the module)."""

    def __init__(
        self, dialect: Dialect, options: RtmOptions, book: StatsBook | None = None
    ) -> None:
        """As `Outbox`; no ack queued."""
        super().__init__(dialect, options, book)
        self.acks: collections.deque[str] = collections.deque()
        """Ack frames not written yet, oldest first."""
        self._ack_deadlines: collections.deque[float] = collections.deque()
        """When each of `acks` is dropped unwritten (in the same order, so never decreasing)."""
        self._acks_from = 0
        """The index of the first ack frame in the last `take_frames`'s list."""
        self._acks_taken = 0
        """Ack frames handed out by the last `take_frames`, until `written` says how they went."""

    def add_ack(self, envelope_id: str, payload: Any, now: float) -> None:
        """Queue the ack of `envelope_id`, with `payload` (None: none), to write in order.

        Raises:
            TypeError: A payload JSON cannot carry; nothing queued.
            RtmFrameTooLarge: The frame is over the limit; nothing queued.
        """
        frame = ack_text(envelope_id) if payload is None else None
        if frame is None:
            dialect = self._dialect
            frame = dialect.encode(dialect.ack_command(envelope_id, payload), None)
        size = len(frame) if frame.isascii() else len(frame.encode("utf-8"))
        if size > self._max_frame_bytes:
            raise RtmFrameTooLarge(size=size, limit=self._max_frame_bytes)
        self.acks.append(frame)
        self._ack_deadlines.append(now + ACK_WINDOW)
        self.book.sends += 1

    def add_plain_ack(
        self, envelope_id: str, now: float, unwait: Callable[[str, None], object]
    ) -> bool:
        """`add_ack` without a payload, for an id whose frame needs no encoder (`ack_text`).

        The ack modes' burst path: one call, nothing raised. The ack is queued only if
        ``unwait(envelope_id, None)`` (the books' `EnvelopeBook.pop_waiting`, called once the
        frame is known good) is not None: the envelope was waiting for it. False (nothing
        queued) for an id JSON would escape, a frame over the limit (`add_ack` then says what
        is wrong), or an envelope not waiting.
        """
        frame = ack_text(envelope_id)
        if (
            frame is None
            or len(frame) > self._max_frame_bytes  # ASCII: bytes are characters
            or unwait(envelope_id, None) is None
        ):
            return False
        self.acks.append(frame)
        self._ack_deadlines.append(now + ACK_WINDOW)
        self.book.sends += 1
        return True

    def take_frames(self, now: float, out: list[str]) -> None:
        """As `Outbox.take_frames`, then the queued acks (those the pacing allows)."""
        super().take_frames(now, out)
        acks = self.acks
        if not acks or self.queue:
            return  # a frame of the outbox's own held back by the pacing goes first
        start = len(out)
        bucket = self._bucket
        if bucket is None:
            out.extend(acks)
            acks.clear()
            self._ack_deadlines.clear()
        else:
            deadlines = self._ack_deadlines
            while acks and bucket.take(now):
                out.append(acks.popleft())
                deadlines.popleft()
        self._acks_from = start
        self._acks_taken = len(out) - start

    def written_unreported(self) -> None:
        """As `Outbox.written_unreported`, the acks of the last `take_frames` included."""
        if self._acks_taken:
            self.written(self._acks_from + self._acks_taken)  # past every frame: all written
        else:
            super().written_unreported()

    def written(self, count: int) -> None:
        """As `Outbox.written`: the acks among the first `count` frames were written."""
        super().written(count)
        taken = self._acks_taken
        if taken:
            done = min(max(count - self._acks_from, 0), taken)
            self._acks_taken = 0
            book = self.book
            book.written += done
            book.failed += taken - done

    def expire(self, now: float, *, connected: bool) -> None:
        """As `Outbox.expire`; acks queued for `ACK_WINDOW` seconds are dropped, counted failed."""
        super().expire(now, connected=connected)
        deadlines = self._ack_deadlines
        dropped = 0
        while deadlines and deadlines[0] <= now:
            deadlines.popleft()
            self.acks.popleft()
            dropped += 1
        self.book.failed += dropped

    def fail_all(self, error: SlackError) -> None:
        """As `Outbox.fail_all`; the acks not written (or not reported) count as failed."""
        super().fail_all(error)
        self.book.failed += len(self.acks) + self._acks_taken
        self._acks_taken = 0
        self.acks.clear()
        self._ack_deadlines.clear()

    def next_deadline(self) -> float | None:
        """As `Outbox.next_deadline`, the oldest queued ack's included."""
        soonest = super().next_deadline()
        deadlines = self._ack_deadlines
        if deadlines and (soonest is None or deadlines[0] < soonest):
            return deadlines[0]
        return soonest

    def pacing_ready(self) -> float | None:
        """As `Outbox.pacing_ready`, for the queued acks too."""
        ready = super().pacing_ready()
        bucket = self._bucket
        if ready is None and self.acks and bucket is not None:
            return bucket.ready_at()
        return ready
