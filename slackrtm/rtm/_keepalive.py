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
- while reading is paused (the consumer lags) nothing is judged: unread pongs are not a stall.
  On resuming, the last frame counts as just received and a pong awaited gets a fresh deadline.
"""

from __future__ import annotations

from ._options import RtmOptions

__all__ = ["Keepalive"]


class Keepalive:
    """The liveness books of the current socket.

    Args:
        options: `ping_interval` and `pong_timeout` are read from it.

    Attributes:
        last_received: When the last inbound frame came (or the socket opened).
        ping_id: The id of the ping awaiting its pong; None when none does.
        pong_deadline: When a stall is judged if no frame comes; None when no pong is awaited.
        ping_due: Whether a ping should be written now.
        paused: Whether the driver stopped reading (backpressure).
    """

    __slots__ = (
        "last_received",
        "options",
        "paused",
        "ping_due",
        "ping_id",
        "pong_deadline",
    )

    def __init__(self, options: RtmOptions) -> None:
        """No socket yet: nothing awaited, nothing due."""
        self.options = options
        self.last_received = 0.0
        self.ping_id: int | None = None
        self.pong_deadline: float | None = None
        self.ping_due = False
        self.paused = False

    def reset(self) -> None:
        """No ping due or awaiting its pong: liveness just proven, or starting afresh."""
        self.ping_id = None
        self.pong_deadline = None
        self.ping_due = False

    def opened(self, now: float) -> None:
        """A socket opened: its silence is counted from now."""
        self.last_received = now

    def received(self, now: float) -> None:
        """An inbound frame came at `now`."""
        self.last_received = now
        if self.ping_id is not None or self.ping_due:
            self.reset()

    def ping_sent(self, ping_id: int | None, now: float) -> None:
        """The due ping was handed to the driver; its pong is awaited from `now`."""
        self.ping_due = False
        self.ping_id = ping_id
        self.pong_deadline = now + self.options.pong_timeout

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

    def set_paused(self, paused: bool, now: float) -> None:
        """Reading stopped (or resumed) at `now`; see the module's rules."""
        if self.paused and not paused:
            self.last_received = now
            if self.pong_deadline is not None:
                self.pong_deadline = now + self.options.pong_timeout
        self.paused = paused
