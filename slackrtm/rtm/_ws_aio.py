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
import socket
from collections.abc import Awaitable
from typing import Any

import aiohttp

from .._socket import AsyncSocketOpener
from ._dialects import WS_PING
from ._endings import NO_CODE, SocketEnd
from ._options import RtmOptions

__all__ = ["DROPPED", "abort", "close", "control", "ending", "open_socket", "write"]

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


async def write(
    ws: Socket, frames: list[str], seconds: float
) -> tuple[int, bool, asyncio.CancelledError | None]:
    """Write `frames` in order: how many went out, whether one outlived `seconds`, a cancel.

    A timer cancels the writing task once one frame has taken `seconds` (a cancel it takes
    back); the frame being written and those after it are then not written. A cancel from
    outside (a sender's task given up on, `_aio_sends`) does not stop the write: the frame
    it meets was handed to the transport already (with compression off aiohttp writes the
    frame before its only wait, for the drain), and the frames after it, taken from the
    core's queue, would otherwise be neither written nor sent again. The caller reports the
    count, then raises the cancel returned.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    count, overdue, started = 0, False, loop.time()
    timer: asyncio.TimerHandle | None = None
    cancel: asyncio.CancelledError | None = None

    def check() -> None:
        nonlocal overdue, timer
        due = started + seconds
        if loop.time() < due:
            timer = loop.call_at(due, check)  # a later frame: its own deadline
        elif task is not None:
            overdue = True
            task.cancel()

    if seconds < _NO_LIMIT:
        timer = loop.call_at(started + seconds, check)
    try:
        for frame in frames:
            started = loop.time()
            try:
                await (ws.ping() if frame is WS_PING else ws.send_str(frame))
            except asyncio.CancelledError as exc:
                if overdue:
                    raise
                cancel = exc  # from outside: raised by the caller once the rest is written
            count += 1
    except asyncio.CancelledError:
        if not overdue:
            raise
        _uncancel(task)
    except (aiohttp.ClientError, ConnectionError, RuntimeError):
        # The socket is going away; its link task reports how. The core fails the frame that
        # was being written and those after it ("delivery unknown").
        pass
    finally:
        if timer is not None:
            timer.cancel()
    return count, overdue, cancel


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
