"""The sync session's sends: `SyncSends`, the base of `RtmSession` (`sync.py`).

The public send methods are the surface's (`_surface.SessionSurface`: checks and docs); they
call `_send` here, which hands the command to the core under the session's lock, writes the
frames the core gives in the sender's own thread when nothing else is being written (or pokes
the engine thread to), and waits for the send's completion on a lock that the completion
releases. A send given up on (KeyboardInterrupt, ...) is withdrawn if it was not written yet.
Only the waiting and the writing live here; the rules are the core's (`_sends`), and the
socket written to is the one the core names (`write_link`: the old one during a Socket Mode
handover, until the new one's ``hello``).
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable
from typing import Any

from websockets.sync.client import ClientConnection

from .._socket import SyncSocketOpener
from ._sends import Pending
from ._sockets import Sockets
from ._surface import SessionSurface, outcome
from ._ws_sync import write

__all__ = ["MAX_WAIT", "SyncSends"]

MAX_WAIT = 3600.0
"""The longest single wait on a lock or an event: the platform refuses much longer ones
(``OverflowError``), and a wake-up an hour costs nothing. A longer wait (``math.inf``: no
limit) is made of several."""

_WAIT_MARGIN = 5.0
"""Seconds a sender waits beyond its send's own deadline before assuming the engine is gone."""


class SyncSends(SessionSurface[SyncSocketOpener, Any, None]):
    """The sends of `RtmSession`: a sender writes its own frames when it can."""

    # The driver's (`sync.RtmSession`), declared for the sends.
    _lock: threading.Lock
    _space: threading.Condition
    _paused: bool
    _sockets: Sockets[ClientConnection]
    _engine: threading.Thread | None
    _writing: ClientConnection | None
    _idle: tuple[bool, float | None]
    """Whether the engine thread sleeps, and until when (None: until poked)."""
    _poke: Callable[[], None]
    _settle: Callable[[], None]

    def _send(self, command: Any, timeout: float | None) -> Any:
        with self._lock:
            self._check_started()
            now = self._clock()
            pending = self._proto.send(command, now, timeout=timeout)
            # A lock held until the completion releases it (`_settle`): the waiter's wake-up
            # with no Condition around it (an Event's wait and set each take its lock too).
            pending.waiter = waiter = threading.Lock()
            waiter.acquire()
            ws, frames = self._take_frames(now)
        if ws is not None:
            self._write_taken(ws, frames, pending.deadline)
        try:
            self._wait_for(pending)
        except BaseException:
            # Given up on (KeyboardInterrupt, ...): a send not written yet is withdrawn, as
            # an async send whose await is cancelled.
            with self._lock:
                self._proto.cancel(pending)
            raise
        return outcome(pending)

    def _send_written(self, command: Any, timeout: float | None) -> None:
        self._send(command, timeout)

    def _take_frames(self, now: float) -> tuple[ClientConnection | None, list[str]]:
        """The socket and the frames the sender writes itself; else None, the engine poked.

        The lock held. When nothing is being written, the sender takes what the core gives
        now, as the engine thread would, and writes it (`_write_taken`): the send then costs
        no hand-over to the engine thread (issue 23). The engine takes no frames meanwhile.
        """
        proto = self._proto
        ws = self._sockets.for_link(proto.write_link)
        frames: list[str] = []
        if self._writing is None and ws is not None:
            with contextlib.suppress(Exception):  # a bug of the core: the engine meets it too
                frames = proto.data_to_send(now)
        if not frames:
            self._poke()
            return None, frames
        self._writing = ws
        if self._paused:
            self._space.notify_all()  # an ack awaited now may lift the pause (see `_poke`)
        return ws, frames

    def _write_taken(self, ws: ClientConnection, frames: list[str], due: float) -> None:
        """Write a sender's frames (unlocked), report them, and poke the engine if it has work.

        It has work when frames are left, or when the send's deadline `due` comes before the
        one it sleeps until (every other deadline is as it was when it fell asleep, or was
        checked by the sender that set it).
        """
        count = 0
        try:
            count = write(ws, frames)
        finally:
            with self._lock:
                self._writing = None
                proto = self._proto
                proto.frames_written(self._clock(), count)
                self._settle()
                idle, until = self._idle
                if (
                    proto.engine_due
                    or proto.closed
                    or (idle and due < math.inf and (until is None or due < until))
                ):
                    self._poke()

    def _wait_for(self, pending: Pending) -> None:
        """Wait until the engine completes `pending`, which it does by the send's deadline.

        The margin beyond it, and the check that the engine still runs, only guard against an
        engine gone for a reason it could not report.
        """
        clock = self._clock
        # The engine may be held in a write for up to write_timeout before it expires sends.
        end = clock() + pending.timeout + self.options.write_timeout + _WAIT_MARGIN
        waiter = pending.waiter
        while not waiter.acquire(timeout=min(max(end - clock(), 0.0), MAX_WAIT)):
            engine = self._engine
            if clock() >= end or engine is None or not engine.is_alive():
                with self._lock:
                    if not pending.done:
                        self._proto.close(clock(), "the session's engine stopped")
                        self._settle()
                return
