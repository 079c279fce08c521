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
import os
import socket
import struct
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
    "WriteWatch",
    "abort",
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
    writer = batch_writer(ws) if len(frames) > 1 and WS_PING not in frames else None
    try:
        if writer is not None:
            # The batch path: every frame handed to the transport in one write; the drain is
            # the last frame's wait, as `send_str`'s is.
            hand_over(writer, frames)
            count = len(frames) - 1
            try:
                if writer.protocol._paused:
                    await writer.protocol._drain_helper()
            except asyncio.CancelledError as exc:
                if watch.overdue:
                    raise
                cancel = exc
            count += 1
        for frame in frames if writer is None else ():
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


def batch_writer(ws: Socket) -> Any:
    """The frame writer aiohttp gives `ws`, if `hand_over` may write to its transport; else None.

    A Socket Mode burst writes hundreds of acks at a time, and `send_str` writes each on its
    own (a coroutine, and a ``send`` call into the kernel, per frame). The batch path writes
    the same frames, each its own WebSocket frame as Slack requires, in one transport write.
    It uses the writer's transport and its flow control (attributes of aiohttp's writer, kept
    since 3.9): a writer without them, or one that compresses, is written frame by frame.
    """
    writer = getattr(ws, "_writer", None)
    protocol = getattr(writer, "protocol", None)
    if (
        getattr(writer, "compress", None) == 0
        and isinstance(getattr(writer, "use_mask", None), bool)
        and isinstance(getattr(writer, "_closing", None), bool)
        and hasattr(writer, "transport")
        and isinstance(getattr(protocol, "_paused", None), bool)
        and hasattr(protocol, "_drain_helper")
    ):
        return writer
    return None


_LEN2 = struct.Struct("!BBH").pack
_LEN3 = struct.Struct("!BBQ").pack
_HEADS = tuple(bytes((0x81, size)) for size in range(126))
"""The first two bytes of a text frame of each length under 126 (FIN, opcode 1)."""
_MASKED_HEADS = tuple(bytes((0x81, 0x80 | size)) for size in range(126))


def _mask_by_ints(key: bytes, payload: bytearray) -> None:
    """XOR `payload` with `key` repeated, in place (when aiohttp's compiled one is missing)."""
    size = len(payload)
    stream = int.from_bytes((key * ((size >> 2) + 1))[:size], "little")
    payload[:] = (int.from_bytes(payload, "little") ^ stream).to_bytes(size, "little")


def _aiohttp_mask() -> Callable[[bytes, bytearray], None]:
    """The masking function of aiohttp (compiled in its wheels), or else `_mask_by_ints`.

    It lives in a module of aiohttp's that is not public (``aiohttp._websocket.helpers`` in
    the aiohttp of today; an older one falls back): it masks an ack in half the time.
    """
    try:
        from aiohttp._websocket.helpers import websocket_mask
    except ImportError:
        return _mask_by_ints
    return websocket_mask if callable(websocket_mask) else _mask_by_ints


_mask = _aiohttp_mask()


def frame_bytes(frames: list[str], mask: bool) -> bytes:
    """`frames` as WebSocket text frames, one each, masked (a client's) when `mask` is set.

    RFC 6455: FIN and opcode 1, the payload's length in 7, 16 or 64 bits, then (masked) a
    4-byte key from a strong source, fresh for each frame, XORed over the payload.
    """
    parts: list[bytes | bytearray] = []
    append = parts.append
    bit = 0x80 if mask else 0
    heads = _MASKED_HEADS if mask else _HEADS
    keys = os.urandom(4 * len(frames)) if mask else b""
    start = 0
    masking = _mask
    for frame in frames:
        payload: bytes | bytearray = frame.encode()
        size = len(payload)
        if size < 126:
            append(heads[size])
        else:
            append(_LEN2(0x81, 126 | bit, size) if size < 65536 else _LEN3(0x81, 127 | bit, size))
        if mask:
            key = keys[start : start + 4]
            start += 4
            append(key)
            payload = bytearray(payload)
            masking(key, payload)
        append(payload)
    return b"".join(parts)


def hand_over(writer: Any, frames: list[str]) -> None:
    """Write `frames` (text, no ping) to the transport of aiohttp's `writer` in one write.

    Raises:
        ConnectionResetError: The socket is closing (as aiohttp's own write refuses then).
    """
    transport = writer.transport
    if writer._closing or transport.is_closing():
        raise ConnectionResetError("Cannot write to closing transport")
    transport.write(frame_bytes(frames, writer.use_mask))


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
