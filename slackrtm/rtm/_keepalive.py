"""Keepalive: whether the current socket is alive, and when the engine must next look.

`Keepalive` keeps the liveness books of one socket for the engine (`_protocol.py`): when a frame
last came, whether a ping is due or awaits its pong, and whether reading is paused. It has no
clock of its own (every call takes ``now``), writes no frame and moves no state: the engine
asks it when to wake and what a tick found, and acts on the answer.

The rules:

- any inbound frame proves liveness (not only a pong), and ends a wait for a pong;
- a ping is due after `RtmOptions.ping_interval` seconds without an inbound frame; its pong is
  awaited for `RtmOptions.pong_timeout` seconds, and a stall is judged then: so a stall is found
  within ``ping_interval + pong_timeout`` of the last frame, for every setting of the two;
- a frame that ends a wait for a pong can move the engine's next deadline earlier (the next
  ping is due ``ping_interval`` after it, before the pong deadline the engine sleeps until when
  ``ping_interval < pong_timeout``), and so does ``hello`` (the engine slept until the hello
  deadline): `rearmed` says so until the engine's next tick, and the drivers wake the engine
  on it, so that no ping is late and the bound holds;
- while reading is paused (the consumer lags) nothing is judged: unread pongs are not a stall.
  On resuming, the last frame counts as just received and a pong awaited gets a fresh deadline;
- a driver pauses reading at `RtmOptions.max_buffered` events and resumes at `resume_at`, half
  of it, so that a consumer slower than Slack makes one pause of many events, not a pause and
  a resume per event; each pause is logged once, as a WARNING, and its end at INFO;
- the pause never starves the session itself: while a send awaits its ack, the driver reads on
  up to twice `max_buffered` (the memory bound), so that the ack is read and the sender is
  answered even by a consumer that sends from the thread that does not read. A paused driver
  is woken when a send starts to await its ack. Past twice the bound, reading pauses anyway.
"""

from __future__ import annotations

import logging

from ._options import RtmOptions

__all__ = ["Keepalive"]


class Keepalive:
    """The liveness books of the current socket.

    Args:
        options: `ping_interval`, `pong_timeout` and `max_buffered` are read from it.
        logger: Where each pause of reading is logged.

    Attributes:
        last_received: When the last inbound frame came (or the socket opened).
        ping_id: The id of the ping awaiting its pong; None when none does.
        pong_deadline: When a stall is judged if no frame comes; None when no pong is awaited.
        ping_due: Whether a ping should be written now.
        paused: Whether the driver stopped reading (backpressure).
        resume_at: Buffered events at or below which a paused driver reads again.
        rearmed: Whether the keepalive's deadline moved earlier since the engine's last tick
            (a frame ended a wait for a pong, or the connection began).
    """

    __slots__ = (
        "_log",
        "last_received",
        "options",
        "paused",
        "ping_due",
        "ping_id",
        "ping_sent_at",
        "pong_deadline",
        "rearmed",
        "resume_at",
    )

    def __init__(self, options: RtmOptions, logger: logging.Logger) -> None:
        """No socket yet: nothing awaited, nothing due."""
        self.options = options
        self._log = logger
        self.resume_at = options.max_buffered // 2
        self.last_received = 0.0
        self.ping_id: int | None = None
        self.ping_sent_at: tuple[int | None, float] | None = None
        """The last ping's id and when it went out (kept after its pong: see `pong_for`)."""
        self.pong_deadline: float | None = None
        self.ping_due = False
        self.paused = False
        self.rearmed = False

    def reset(self) -> None:
        """No ping due or awaiting its pong: liveness just proven, or starting afresh."""
        if self.pong_deadline is not None:
            self.rearmed = True
        self.ping_id = None
        self.pong_deadline = None
        self.ping_due = False

    def connected(self) -> None:
        """Slack said ``hello``: the keepalive starts, and the engine must learn its deadline."""
        self.reset()
        self.rearmed = True

    def opened(self, now: float) -> None:
        """A socket opened: its silence is counted from now."""
        self.last_received = now

    def received(self, now: float) -> None:
        """An inbound frame came at `now`."""
        self.last_received = now
        if self.pong_deadline is not None or self.ping_due:
            self.reset()

    def ping_sent(self, ping_id: int | None, now: float) -> None:
        """The due ping was handed to the driver; its pong is awaited from `now`."""
        self.ping_due = False
        self.ping_id = ping_id
        self.ping_sent_at = (ping_id, now)
        self.pong_deadline = now + self.options.pong_timeout

    def pong_for(self, reply_to: int | None) -> float | None:
        """When the ping a pong answers went out, once; None for a pong of another ping.

        (Any frame ends the wait for a pong, the pong itself included, before the engine
        learns it is one: so the last ping is remembered apart from `ping_id`.)
        """
        sent = self.ping_sent_at
        if sent is None or sent[0] != reply_to:
            return None
        self.ping_sent_at = None
        return sent[1]

    def deadline(self) -> float | None:
        """When the engine must tick again for liveness (while connected); None: never."""
        if self.paused:
            return None
        if self.pong_deadline is not None:
            return self.pong_deadline
        if self.ping_due:
            return None  # the ping goes out at once (`data_to_send`)
        return self.last_received + self.options.ping_interval

    def tick(self, now: float) -> str | None:
        """Judge liveness at `now` (while connected): marks a ping due when one is.

        Returns:
            The cause of a stall when the pong deadline has passed; None otherwise.
        """
        self.rearmed = False
        if self.paused:
            return None
        options = self.options
        if self.pong_deadline is not None:
            if now >= self.pong_deadline:
                bound = options.ping_interval + options.pong_timeout
                return f"stalled: no frame within {bound:g} s"
        elif not self.ping_due and now >= self.last_received + options.ping_interval:
            self.ping_due = True
        return None

    def reading_bounds(self, awaiting: bool) -> tuple[int, int]:
        """Buffered events at which a driver stops reading, and at or below which it reads on.

        Args:
            awaiting: Whether a send awaits its ack: then twice `RtmOptions.max_buffered`, and
                reading goes on below it (see the rules).
        """
        limit = self.options.max_buffered
        if awaiting:
            return 2 * limit, 2 * limit - 1
        return limit, self.resume_at

    def set_paused(self, paused: bool, now: float, waiting: int = 0) -> None:
        """Reading stopped (or resumed) at `now`, `waiting` events unread; see the rules."""
        if paused and not self.paused:
            self._log.warning(
                "RTM: %d events are waiting for the consumer; reading paused", waiting
            )
        elif self.paused and not paused:
            self._log.info("RTM: the consumer caught up; reading resumed")
            self.last_received = now
            if self.pong_deadline is not None:
                self.pong_deadline = now + self.options.pong_timeout
        self.paused = paused
