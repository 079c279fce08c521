"""What the async driver (`aio.py`) needs of aiohttp, beside reading.

Opening a socket with the session's settings (`open_socket`), writing frames under
`RtmOptions.write_timeout` (`write`: aiohttp waits for the socket's buffer to drain inside a
write, with no deadline of its own), how aiohttp reports the end of a socket in the core's
neutral terms (`ending`, worded by `_endings`), and aborting a socket under a blocked write
(`abort`). Only the async driver imports this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from .._socket import AsyncSocketOpener
from ._dialects import WS_PING
from ._endings import NO_CODE, SocketEnd
from ._options import RtmOptions

__all__ = [
    "DROPPED",
    "Batch",
    "WriteWatch",
    "abort",
    "batch_writer",
    "close",
    "control",
    "ending",
    "open_socket",
    "write",
]

_NO_LIMIT = 1e9
"""Seconds beyond which a write timeout counts as none."""

DROPPED = SocketEnd()
"""A socket that ended without a close frame from Slack."""

Socket = aiohttp.ClientWebSocketResponse[bool]


def open_socket(
    session: aiohttp.ClientSession,
    url: str,
    opener: AsyncSocketOpener,
    options: RtmOptions,
    *,
    watch_pings: bool = False,
) -> Awaitable[Socket]:
    """The handshake at `url` on the client's socket session, with its TLS and proxy settings.

    The caller bounds it by `RtmOptions.connect_timeout`. With `watch_pings`, WebSocket pings
    and pongs reach the reader (which answers the pings: `control`).
    """
    return session.ws_connect(
        url,
        autoping=not watch_pings,
        heartbeat=None,
        # The same TLS settings as the client's Web API calls (True: aiohttp's default).
        ssl=True if opener.ssl_context is None else opener.ssl_context,
        proxy=opener.proxy,
        timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=1.0),
        # aiohttp refuses a frame of max_msg_size bytes or more, websockets one of more than
        # max_size: + 1, so that both take max_inbound_bytes exactly.
        max_msg_size=options.max_inbound_bytes + 1,
        compress=0,
    )


class WriteWatch:
    """The write timeout of one session's writes (`RtmOptions.write_timeout`), on one timer.

    One write at a time (the engine's or a sender's: `_writing` in the driver). A timer armed
    and cancelled per write cost a tenth of a send's own work (issue 23); the watch keeps at
    most one. A write notes when its frame started; the timer, when it fires, cancels the
    writing task if that frame has outlived the timeout, comes back at the frame's deadline
    if one is being written, and lapses when none is (the next write arms it again).
    """

    __slots__ = ("_seconds", "_timer", "clock", "overdue", "started", "task")

    def __init__(self, seconds: float) -> None:
        """No timer yet; `seconds` beyond `_NO_LIMIT` are none."""
        self._seconds = seconds
        self._timer: asyncio.TimerHandle | None = None
        self.task: asyncio.Task[Any] | None = None
        """The task writing now; None between writes."""
        self.started = 0.0
        """When the frame being written started (the loop's clock)."""
        self.overdue = False
        """Whether the watch cancelled the current write."""
        self.clock: Callable[[], float] | None = None
        """The loop's clock (`_loop_clock`), from the first write on."""

    def begin(self, loop: asyncio.AbstractEventLoop) -> Callable[[], float]:
        """A write starts in the current task; returns the loop's clock."""
        clock = self.clock
        if clock is None:
            clock = self.clock = _loop_clock(loop)
        self.task = asyncio.current_task()
        self.overdue = False
        self.started = clock()
        if self._timer is None and self._seconds < _NO_LIMIT:
            self._timer = loop.call_at(self.started + self._seconds, self._check, loop)
        return clock

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        task = self.task
        if task is None:
            return  # nothing written now: the next write arms the timer
        due = self.started + self._seconds
        if loop.time() < due:
            self._timer = loop.call_at(due, self._check, loop)  # a later frame's deadline
        else:
            self.overdue = True
            task.cancel()


async def write(
    ws: Socket, frames: list[str], watch: WriteWatch
) -> tuple[int, bool, asyncio.CancelledError | None]:
    """Write `frames` in order: how many went out, whether one was overdue, a cancel.

    The `watch` cancels the writing task once one frame has taken the write timeout (a cancel
    taken back here); the frame being written and those after it are then not written. A
    cancel from outside (a sender's task given up on, `_aio_sends`) does not stop the write:
    the frame it meets was handed to the transport already (with compression off aiohttp
    writes the frame before its only wait, for the drain), and the frames after it, taken
    from the core's queue, would otherwise be neither written nor sent again. The caller
    reports the count, then raises the cancel returned.
    """
    loop = asyncio.get_running_loop()
    clock = watch.begin(loop)
    count = 0
    cancel: asyncio.CancelledError | None = None
    batch = batch_writer(ws) if len(frames) > 1 and WS_PING not in frames else None
    try:
        if batch is not None:
            # The batch path: every frame handed to the transport in one write; the drain is
            # the last frame's wait, as `send_str`'s is.
            batch.hand_over(frames)
            count = len(frames) - 1
            try:
                if batch.protocol._paused:
                    await batch.protocol._drain_helper()
            except asyncio.CancelledError as exc:
                if watch.overdue:
                    raise
                cancel = exc
            count += 1
        for frame in frames if batch is None else ():
            watch.started = clock()
            try:
                await (ws.ping() if frame is WS_PING else ws.send_str(frame))
            except asyncio.CancelledError as exc:
                if watch.overdue:
                    raise
                cancel = exc  # from outside: raised by the caller once the rest is written
            count += 1
    except asyncio.CancelledError:
        if not watch.overdue:
            raise
        _uncancel(watch.task)
    except (aiohttp.ClientError, ConnectionError, RuntimeError):
        # The socket is going away; its link task reports how. The core fails the frame that
        # was being written and those after it ("delivery unknown").
        pass
    finally:
        watch.task = None
    return count, watch.overdue, cancel


def batch_writer(ws: Socket) -> Batch | None:
    """A `Batch` on the frame writer aiohttp gives `ws`, if the batch path can use it; else None.

    A Socket Mode burst writes hundreds of acks at a time, and `send_str` writes each on its
    own (a coroutine, and a ``send`` call into the kernel, per frame). The batch path has
    aiohttp's writer build each frame (its header, its mask) and hands the bytes of them all
    to the transport in one write: every ack still its own WebSocket frame, as Slack reads
    them. It needs attributes of aiohttp's writer that are not public: a writer without them,
    or one that compresses, is written frame by frame (`send_str`).
    """
    writer: Any = getattr(ws, "_writer", None)
    protocol = getattr(writer, "protocol", None)
    if not (
        getattr(writer, "compress", None) == 0
        and isinstance(getattr(writer, "use_mask", None), bool)
        and isinstance(getattr(writer, "_closing", None), bool)
        and callable(getattr(writer, "_write_websocket_frame", None))
        and hasattr(writer, "transport")
        and isinstance(getattr(protocol, "_paused", None), bool)
        and hasattr(protocol, "_drain_helper")
    ):
        return None
    collector = _FrameCollector()
    try:
        builder = type(writer)(protocol, collector, use_mask=writer.use_mask)
    except TypeError:  # a writer made otherwise
        return None
    return Batch(writer, builder, collector)


_NOT_CLOSING = itertools.repeat(False).__next__
"""A C function that always answers False: `_FrameCollector.is_closing`, called per frame."""


class _FrameCollector:
    """A stand-in transport that keeps what aiohttp's frame writer writes.

    aiohttp's writer asks only ``is_closing()`` and ``write(data)`` of its transport to write
    a frame (compression off); both are C functions here.
    """

    __slots__ = ("chunks", "is_closing", "write")

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.write = self.chunks.append
        self.is_closing = _NOT_CLOSING


class Batch:
    """aiohttp's writer of a socket, and a copy of it that frames into a `_FrameCollector`.

    The copy builds each frame (masked as the writer's own are, each with a fresh key); the
    real writer's transport gets them all in one write (`hand_over`), and its flow control
    (``protocol``) is the one waited on.
    """

    __slots__ = ("_builder", "_collector", "protocol", "writer")

    def __init__(self, writer: Any, builder: Any, collector: _FrameCollector) -> None:
        self.writer = writer
        self.protocol = writer.protocol
        self._builder = builder
        self._collector = collector

    def frame_bytes(self, frames: list[str]) -> bytes:
        """The bytes of `frames` as aiohttp frames them: one text frame each, in order."""
        chunks = self._collector.chunks
        chunks.clear()
        write_frame = self._builder._write_websocket_frame
        text = aiohttp.WSMsgType.TEXT
        for frame in frames:
            write_frame(frame.encode(), text, 0)
        data = b"".join(chunks)
        chunks.clear()
        return data

    def hand_over(self, frames: list[str]) -> None:
        """Write `frames` (text, no ping) to the socket's transport in one write.

        Raises:
            ConnectionResetError: The socket is closing (as aiohttp's own write refuses then).
        """
        writer = self.writer
        transport = writer.transport
        if writer._closing or transport.is_closing():
            raise ConnectionResetError("Cannot write to closing transport")
        transport.write(self.frame_bytes(frames))


def _loop_clock(loop: asyncio.AbstractEventLoop) -> Callable[[], float]:
    """The loop's clock, as a C function where it is one (asyncio's own loops).

    A Socket Mode burst notes the time once per ack written.
    """
    if type(loop).time is asyncio.BaseEventLoop.time:
        return time.monotonic  # what `BaseEventLoop.time` returns
    return loop.time


def ending(kind: aiohttp.WSMsgType, data: object) -> SocketEnd | None:
    """How a message that is not a frame (its `kind` and `data`) ends the socket.

    Returns:
        The core's `SocketEnd`; None for a message that does not end the socket.
    """
    if kind is aiohttp.WSMsgType.CLOSE:
        # Slack's close frame: its code (0 from aiohttp for a frame without one).
        return SocketEnd(close_code=data if isinstance(data, int) and data else NO_CODE)
    if kind is aiohttp.WSMsgType.ERROR:
        # aiohttp refused a frame over max_msg_size from its header, and closed the socket
        # with code 1009.
        too_large = (
            isinstance(data, aiohttp.WebSocketError)
            and data.code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
        )
        return SocketEnd(too_large=too_large)
    if kind is aiohttp.WSMsgType.CLOSED or kind is aiohttp.WSMsgType.CLOSING:
        return DROPPED  # no close frame from Slack (aiohttp's own code 1006), or ours
    return None


async def control(ws: Socket, kind: aiohttp.WSMsgType, data: object) -> bool:
    """Whether a message is a WebSocket ping or pong (a ping is answered here)."""
    if kind is aiohttp.WSMsgType.PING:
        with contextlib.suppress(aiohttp.ClientError, ConnectionError, RuntimeError):
            await ws.pong(data if isinstance(data, bytes) else b"")
        return True
    return kind is aiohttp.WSMsgType.PONG


async def close(ws: Socket) -> None:
    """Close `ws` with a close frame, then abort it.

    A close frame that could not go out (a peer that stopped reading) would keep the transport
    open until its buffer drains: never.
    """
    if not ws.closed:
        with contextlib.suppress(aiohttp.ClientError, ConnectionError, asyncio.TimeoutError):
            await ws.close()
    abort(ws)


def abort(ws: Socket) -> None:
    """End the socket under a write blocked by the peer: the write fails at once."""
    sock = ws.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _uncancel(task: asyncio.Task[Any] | None) -> None:
    """Take back a cancel this module made (Python 3.11+ counts them)."""
    uncancel = getattr(task, "uncancel", None)
    if uncancel is not None:
        uncancel()
