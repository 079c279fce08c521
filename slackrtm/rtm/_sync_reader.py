"""The sync session's reading: `SyncReader`, between `_sync_sends.SyncSends` and `RtmSession`.

The whole frames of each read of the socket are handed to the core in websockets' own reading
thread, as the library parses them (`_ws_sync.start_feeding`): an ack then crosses one thread
to its sender, as with a raw client, where it crossed two through the session's link thread
(issue 23), and a burst costs one hold of the lock and one wake-up of the iterator per read.
The link thread hands the core the frames the socket got before it was the core's, then reads
by ``recv`` whatever the library's assembler queues instead (a fragmented message and
everything after it: `_ws_sync._Fed`), and reports the socket's end, which ``recv`` raises
after the last frame fed. Either thread stops for backpressure while the iterator's buffer is
full; never both at once. Only the moving of frames lives here; what they mean is the core's.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable

import websockets.exceptions
from websockets.sync.client import ClientConnection

from ._endings import SocketEnd
from ._sync_sends import SyncSends
from ._ws_sync import DROPPED, Feed, end_of, holds_frames, start_feeding

__all__ = ["SyncReader"]

_BATCH = 256
"""The most frames the link thread hands the core under one hold of the lock: the frames
websockets has already queued, taken without waiting, so that a burst costs one lock, one
clock read and one wake-up of the iterator per batch rather than per frame; bounded so that
the first events of a burst are not held back for long."""


class SyncReader(SyncSends):
    """The reading half of `RtmSession`: frames from the socket into the core."""

    # The driver's (`sync.RtmSession`), declared for the reader.
    _buffer: collections.deque[object]
    _link_thread: threading.Thread | None
    _draining_thread: threading.Thread | None
    _linking: bool
    _dirty: bool
    _died: Callable[[str, BaseException], None]

    def _read(self, ws: ClientConnection, link: int) -> None:
        """Hand `ws`'s frames to the core until it ends or is not the session's any more.

        In the link thread, once the core has `link` as its socket.
        """
        end = DROPPED
        try:
            with self._lock:
                held = start_feeding(ws, self._feeder(link))
                going = self._hand_over_locked(held, link, threading.current_thread())
            if going:
                end = self._read_assembled(ws, link)
        except OSError:
            return
        finally:
            with self._lock:
                self._proto.socket_ended(link, self._clock(), end)
                self._settle()
                self._poke()

    def _read_assembled(self, ws: ClientConnection, link: int) -> SocketEnd:
        """Read by ``recv`` what websockets' assembler queues, until the end, which is returned.

        `DROPPED` when the socket is let go before its end.

        Raises:
            OSError: A read failed.
        """
        buffer = self._buffer
        bounds = self._proto.reading_bounds
        held = holds_frames(ws)
        # The bounds are never below max_buffered: below it they are not asked (two calls).
        floor = self.options.max_buffered
        while True:
            batch, ended = self._receive(ws, held)
            # After the frame came, not before: the feeding thread may be the one paused.
            if batch and len(buffer) >= floor and len(buffer) >= bounds()[0]:
                with self._lock:
                    self._backpressure()
            if batch and not self._hand_over(batch, link):
                return DROPPED
            if ended is not None:
                return end_of(ended)

    def _feeder(self, link: int) -> Feed:
        """What websockets' thread calls with the whole frames of each read (`start_feeding`).

        It hands them to the core as `_hand_over` does, in parts that fit the buffer, waiting
        out backpressure before each; False once `link` is no longer the session's socket. A
        failure (a bug) ends the session, as one of the link thread's does.
        """
        thread = threading.current_thread()  # the link thread: `_release` names it
        lock = self._lock
        buffer = self._buffer
        bounds = self._proto.reading_bounds
        hand_over = self._hand_over_locked
        floor = self.options.max_buffered

        def feed(texts: list[str | bytes]) -> bool:
            try:
                start, count = 0, len(texts)
                while start < count:
                    part = count - start
                    if len(buffer) + part > floor:
                        # As the link thread's reads: never more than the buffer has room for.
                        bound = bounds()[0]
                        if len(buffer) >= bound:
                            with lock:
                                self._backpressure()
                        part = min(part, max(bound - len(buffer), 1))
                    taken = texts if part == count else texts[start : start + part]
                    with lock:
                        if not hand_over(taken, link, thread):
                            return False
                    start += part
                return True
            except BaseException as exc:
                self._died("link", exc)
                return False

        return feed

    def _receive(
        self, ws: ClientConnection, held: Callable[[], bool]
    ) -> tuple[list[str | bytes], BaseException | None]:
        """The next frame (waiting for it), then the frames websockets already holds.

        Those are taken without waiting if `held` says there are any (`holds_frames`), never
        more than the buffer has room for (backpressure stays as it was, frame by frame); and
        the end met on the way, if one was (it comes after them).

        Raises:
            OSError: The first read failed.
        """
        recv = ws.recv
        try:
            batch = [recv()]
        except websockets.exceptions.ConnectionClosed as exc:
            return [], exc
        if not held():
            return batch, None  # the common case after an ack: no recv(timeout=0) to fail
        room = min(self._proto.reading_bounds()[0] - len(self._buffer), _BATCH)
        while len(batch) < room:
            try:
                batch.append(recv(timeout=0))
            except TimeoutError:
                break
            except (websockets.exceptions.ConnectionClosed, OSError) as exc:
                return batch, exc
        return batch, None

    def _hand_over(self, batch: list[str | bytes], link: int) -> bool:
        """Give the core a batch under one hold of the lock (`_hand_over_locked`)."""
        with self._lock:
            return self._hand_over_locked(batch, link, threading.current_thread())

    def _hand_over_locked(
        self, batch: list[str | bytes], link: int, reader: threading.Thread
    ) -> bool:
        """Give the core a batch at one clock reading (the lock held).

        False once `link` is no longer the session's socket (the rest of the batch is not its).
        `reader` is the link thread of `link` (`_release`).
        """
        proto = self._proto
        now = self._clock()
        taken, count = 0, len(batch)
        while taken < count:
            # Up to the end, or to a frame that needs more than its event delivered: then
            # settled and checked at once, as if alone.
            taken = proto.receive_texts(link, batch, taken, now)
            self._settle()
            if proto.link != link:
                self._poke()
                if proto.draining != link:
                    return False
                self._release(reader)
            if proto.engine_due and not self._dirty:  # else the engine is to run anyway
                self._poke()
        return True

    def _release(self, thread: threading.Thread) -> None:
        """`thread` reads a draining socket: the engine may start the next connection attempt."""
        if self._link_thread is thread:
            self._draining_thread, self._link_thread = self._link_thread, None
            self._linking = False

    def _backpressure(self) -> None:
        """Stop reading while the buffer is full (the lock held): TCP holds the frames back."""
        proto = self._proto
        if len(self._buffer) < proto.reading_bounds()[0] or proto.closed:
            return
        self._pause_reading(len(self._buffer))
        # The flag before the check of the length, the iterator's pop before its look at the
        # flag (both without the lock): one of the two always sees the other. The engine
        # wakes it too, when a send starts to await its ack (the bounds rise: `_keepalive`).
        self._paused = True
        try:
            while len(self._buffer) > proto.reading_bounds()[1] and not proto.closed:
                self._space.wait()
        finally:
            self._paused = False
        self._resume_reading()
        self._poke()
