"""What the sync driver (`sync.py`) needs of the websockets library, beside reading.

Opening a socket with the session's settings (`open_socket`), the library's logger without the
socket URL, how the library reports the end of a socket in the core's neutral terms
(`end_of`, worded by `_endings`), writing frames (`write`), closing (`close`) and aborting a
socket under a blocked write (`abort`). Only the sync driver imports this module.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any

import websockets.exceptions
from websockets.frames import CloseCode, Opcode
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from .._socket import SyncSocketOpener
from ._dialects import WS_PING
from ._endings import SocketEnd
from ._options import RtmOptions

__all__ = [
    "DROPPED",
    "Feed",
    "abort",
    "close",
    "close_all",
    "controls",
    "end_of",
    "holds_frames",
    "open_socket",
    "start_feeding",
    "write",
]

_NO_LIMIT = 1e9
"""Seconds beyond which a socket timeout counts as none (sockets refuse about 1e10)."""

DROPPED = SocketEnd()
"""A socket that ended without a close frame from Slack."""


class _Redacting(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The websockets library's logger, minus the socket URL's path in its DEBUG request line.

    The path carries the single-use ticket, a secret.
    """

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if isinstance(msg, str) and msg.startswith("> GET "):
            args = ("<redacted>",)
        super().log(level, msg, *args, **kwargs)


_WS_LOGGER = _Redacting(logging.getLogger("websockets.client"), {})


_HELD = 4096
"""The most whole frames a socket keeps for the session before its reader takes them over
(`start_feeding`, a moment after the handshake; a burst may come in it); beyond, the library's
assembler queues them, with its flow control."""

Feed = Callable[[list[str | bytes]], bool]
"""What the session gives a socket to hand its frames to (`start_feeding`)."""


class _Fed(ClientConnection):
    """A connection that hands whole data frames to the session from its own reading thread.

    The library reads the socket in a thread of its own and queues each message for ``recv``,
    where the session's reader used to wait for it: a frame crossed two threads before the
    core saw it, an ack three before its sender woke (issue 23). Here the library's thread
    gives the whole text and binary frames of each read of the socket, together and in order,
    to `feed` (the session's, `start_feeding`), which hands them to the core under the
    session's lock: one hold of it, and one wake-up of the iterator, per read. The frames of a
    read are counted as the library takes them from its protocol (`events_received`); where
    its insides do not say, each frame is handed over alone.

    Until `feed` is set (the socket opened, not yet the core's), whole frames are `held`, at
    most `_HELD`. A fragmented message, a text frame that is not UTF-8, or more frames than
    that turn the socket over to the library's assembler for good (`assembling`): those and
    every frame after them come by ``recv``, which the session's reader keeps calling (and
    which raises at the socket's end, after every frame fed), so the order stays whole.

    With `watch`, it counts the WebSocket pings and pongs it receives (`controls`): the
    library answers pings itself and keeps pongs from ``recv``; the engine thread reads the
    count and reports a change to the core (`Dialect.websocket_pings`: Socket Mode).
    """

    controls = 0
    watch = False

    def __init__(self, sock: socket.socket, protocol: Any, **kwargs: Any) -> None:
        """As the library's, with nothing fed yet (its thread starts at the end)."""
        self.feed: Feed | None = None
        self.held: list[str | bytes] = []
        self.assembling = False
        self.gate = threading.Lock()
        """Guards `held` and the setting of `feed` (taken only while `feed` is None)."""
        self.batch: list[Any] = []
        """The whole frames of the current read not handed over yet."""
        self.left = 0
        """Events of the current read not processed yet (0 or less: hand over at once)."""
        take = protocol.events_received

        def events_received() -> list[Any]:
            events: list[Any] = take()
            self.left = len(events)
            return events

        with contextlib.suppress(AttributeError):  # other insides: each frame alone
            protocol.events_received = events_received
        super().__init__(sock, protocol, **kwargs)

    def process_event(self, event: Any) -> None:
        self.left -= 1
        opcode = getattr(event, "opcode", None)  # the handshake's response has none
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            if event.fin and not self.assembling:
                self.batch.append(event)
                if self.left <= 0:
                    self._hand_over()
                return
            self._hand_over()  # the frames before it go first
            self.assembling = True
        elif self.watch and (opcode is Opcode.PING or opcode is Opcode.PONG):
            self.controls += 1
        super().process_event(event)
        if self.left <= 0 and self.batch:
            self._hand_over()

    def send_data(self) -> None:
        """As the library's (the protocol's lock held): what its protocol has to send, joined.

        The protocol gives one chunk per frame, and the library writes each alone: a system
        call a frame, which for a batch of acks (`write`'s ``together``) cost more than making
        the frames. Here consecutive chunks go out in one ``sendall`` (the same bytes in the
        same order); an empty chunk still ends the writing side, after the chunks before it.
        """
        chunks = self.protocol.data_to_send()
        if len(chunks) > 1 and all(chunks):
            chunks = [b"".join(chunks)]
        for chunk in chunks:
            if chunk:
                if self.close_deadline is not None:
                    self.socket.settimeout(self.close_deadline.timeout())
                self.socket.sendall(chunk)
            else:
                with contextlib.suppress(OSError):  # the socket is closed already
                    self.socket.shutdown(socket.SHUT_WR)

    def close_socket(self) -> None:
        """As the library's, after shutting the socket down: a read blocked in it ends at once.

        The library wakes its reading thread from its wait for the socket to be readable, then
        waits for that thread without a bound (a handshake that timed out, a close whose
        answer did not come). Over TLS the thread may be in a read of the socket instead: the
        server's session tickets made it readable, and the read waits for data that may never
        come (a server that never answers the upgrade); closing the socket does not end that
        read, shutting it down does.
        """
        with contextlib.suppress(OSError):  # closed already, or never connected
            self.socket.shutdown(socket.SHUT_RDWR)
        super().close_socket()

    def _hand_over(self) -> None:
        """Hand the frames of the read to `feed` (or hold them); the rest to the assembler.

        The rest: from a text frame that is not UTF-8 on (``recv`` then fails the socket as
        the library words it), or all of them when they would hold more than `_HELD`.
        """
        frames, self.batch = self.batch, []
        if not frames:
            return
        texts: list[str | bytes] = []
        rest: list[Any] = []
        for index, frame in enumerate(frames):
            if frame.opcode is Opcode.TEXT:
                try:
                    texts.append(str(frame.data, "utf-8"))
                except UnicodeDecodeError:
                    rest = frames[index:]
                    break
            else:
                texts.append(bytes(frame.data))
        feed = self.feed
        if feed is None:
            with self.gate:
                feed = self.feed
                if feed is None:
                    if len(self.held) + len(texts) > _HELD:
                        texts, rest = [], frames
                    self.held += texts
                    texts = []
        if texts and feed is not None and not feed(texts):
            self.feed = _dropped  # no longer the session's socket: the engine closes it
        if rest:
            self.assembling = True
            for frame in rest:
                super().process_event(frame)


class _Watched(_Fed):
    """A `_Fed` connection that counts the pings and pongs it receives from the start."""

    watch = True


def _dropped(texts: list[str | bytes]) -> bool:
    """The feed of a socket the session has let go: its late frames go nowhere."""
    return False


def start_feeding(ws: ClientConnection, feed: Feed) -> list[str | bytes]:
    """From now on `ws`'s own thread hands its whole frames to `feed`; the frames held before.

    The caller holds the lock that `feed` takes, and hands the frames returned to the core
    before it lets go of it, so that they come before any that `feed` is given. `feed`
    returns False once the socket is no longer the session's: its later frames are dropped.
    A socket of other insides (not made by `open_socket`) is read by ``recv`` alone.
    """
    if not isinstance(ws, _Fed):
        return []
    with ws.gate:
        held, ws.held = ws.held, []
        ws.feed = feed
    return held


def controls(ws: ClientConnection | None) -> int:
    """How many WebSocket pings and pongs `ws` has received (0 unless it counts them)."""
    return getattr(ws, "controls", 0)


def holds_frames(ws: ClientConnection) -> Callable[[], bool]:
    """What tells whether `ws` holds a received frame already (``recv(timeout=0)`` gets it).

    A ``recv(timeout=0)`` that finds none raises TimeoutError through the library's layers:
    after each batch of the reader, and so after every ack a sender waits for, the largest
    cost of a send's sync round trip after the hand-overs (issue 23). The look is at the
    library's queue of received frames; where its insides differ, it always says yes and
    the reader tries ``recv(timeout=0)`` as before.
    """
    frames = getattr(getattr(ws, "recv_messages", None), "frames", None)
    empty = getattr(frames, "empty", None)
    if not callable(empty):
        return lambda: True
    return lambda: not empty()


def open_socket(
    url: str,
    opener: SyncSocketOpener,
    options: RtmOptions,
    owner: contextlib.ExitStack,
    *,
    watch_pings: bool = False,
) -> ClientConnection:
    """The socket at `url`, open, with the client's TLS and proxy settings (`owner` closes it).

    Each write to it is bounded by `RtmOptions.write_timeout`: the socket's own timeout,
    which bounds its sends alone (websockets reads only once the socket is readable).

    Raises:
        websockets.exceptions.WebSocketException, OSError, TimeoutError: The handshake failed.
    """
    connecting = ws_connect(
        url,
        # The same TLS settings as the client's Web API calls.
        ssl=opener.ssl_context if url.startswith("wss:") else None,
        proxy=opener.proxy,
        open_timeout=_socket_timeout(options.connect_timeout),
        close_timeout=1.0,
        ping_interval=None,  # the core's RTM pings keep alive, the same in both
        compression=None,
        max_size=options.max_inbound_bytes,
        logger=_WS_LOGGER,
        create_connection=_Watched if watch_pings else _Fed,
    )
    ws = owner.enter_context(connecting)

    # Closed already (the peer said hello and hung up): its reader reports that.
    with contextlib.suppress(OSError):
        ws.socket.settimeout(_socket_timeout(options.write_timeout))
    return ws


def end_of(ended: BaseException) -> SocketEnd:
    """How websockets ended a socket (what ``recv`` raised), as the core's `SocketEnd`."""
    if not isinstance(ended, websockets.exceptions.ConnectionClosed):
        return DROPPED  # an OSError
    sent = ended.sent
    # websockets closed it itself (code 1009) for a frame over max_size; a 1009 that Slack
    # sent first (and websockets echoed) is Slack's close.
    ours = ended.rcvd is None or not ended.rcvd_then_sent
    if sent is not None and sent.code == CloseCode.MESSAGE_TOO_BIG and ours:
        return SocketEnd(too_large=True)
    if isinstance(ended.__cause__, TimeoutError):
        return SocketEnd(write_timed_out=True)  # a send past the socket's timeout
    received = ended.rcvd
    return SocketEnd(close_code=None if received is None else received.code)


def abort(ws: ClientConnection) -> None:
    """End the socket under a write blocked by the peer: the write fails at once."""
    with contextlib.suppress(OSError):
        ws.socket.shutdown(socket.SHUT_RDWR)


def _socket_timeout(seconds: float) -> float | None:
    """A timeout as a socket takes it: None for no limit (``math.inf`` or too long for it)."""
    return None if seconds > _NO_LIMIT else seconds


def write(ws: ClientConnection, frames: list[str], *, together: bool = False) -> int:
    """Write `frames` in order; returns how many were written before a failure.

    `together`: the text frames between two pings go out in one write of the socket (a
    `_Fed` socket's `send_data`), not one each; a failure then counts none of them as
    written, as it cannot say how many went. For Socket Mode's acks, where a failed one only
    counts as failed (Slack sends its envelope again), and a burst's acks come by hundreds.
    """
    count = 0
    try:
        if together and isinstance(ws, _Fed) and len(frames) > 1:
            return _write_together(ws, frames)
        for frame in frames:
            if frame is WS_PING:
                ws.ping()
            else:
                ws.send(frame)
            count += 1
    except (websockets.exceptions.WebSocketException, OSError):
        # The socket is going away; its link thread reports how. The core fails the frame
        # that was being written and those after it ("delivery unknown").
        pass
    return count


def _write_together(ws: _Fed, frames: list[str]) -> int:
    """`write` with ``together``: each run of text frames made under one hold of its lock.

    The run is written when the lock is let go (`_Fed.send_data`); a ping alone, by the
    library's ``ping``.

    Raises:
        websockets.exceptions.WebSocketException, OSError: A write failed (`write` counts).
    """
    count, end = 0, len(frames)
    while count < end:
        if frames[count] is WS_PING:
            ws.ping()
            count += 1
            continue
        stop = count
        while stop < end and frames[stop] is not WS_PING:
            stop += 1
        with ws.send_context():
            send_text = ws.protocol.send_text
            for frame in frames[count:stop]:
                send_text(frame.encode())
        count = stop
    return count


def close_all(sockets: list[ClientConnection], *, aside: bool) -> None:
    """Close `sockets`; `aside`: each on a thread of its own, not waited for.

    A close waits up to a second for the peer's answer; in Socket Mode the engine must go on
    writing acks meanwhile (a handover's old socket).
    """
    for ws in sockets:
        if aside:
            threading.Thread(target=close, args=(ws,), daemon=True).start()
        else:
            close(ws)


def close(ws: ClientConnection) -> None:
    """Close `ws` with a close frame, whatever state it is in."""
    with contextlib.suppress(websockets.exceptions.WebSocketException, OSError):
        ws.close()
