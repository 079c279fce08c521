"""A hostile Slack of the tests' own: ``rtm.connect`` and a WebSocket peer over raw sockets.

The emulator behaves on purpose; this server does what it will not: stop reading, abort the
TCP connection, close without a code, refuse the handshake with a 404, never answer it, never
say ``hello``. One listening socket on 127.0.0.1 answers ``rtm.connect`` (a socket URL on the
same port) and the WebSocket handshake; each socket opened is handed to a `Script`, a function
of the `Peer` and the socket's number (from 1), so a test says what every connection does.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

from .conftest import WAIT

TOKEN = "xoxb-hostile-ws-secret"
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Peer:
    """The server's side of one socket (after the handshake, for the WebSocket methods)."""

    def __init__(self, conn: socket.socket, stop: threading.Event) -> None:
        self.conn = conn
        self.stop = stop
        self._pending = b""

    def send_text(self, text: str) -> None:
        self._frame(0x1, text.encode())

    def hello(self) -> None:
        self.send_text('{"type": "hello"}')

    def send_fragments(self, text: str, parts: int = 3) -> None:
        """One text message in `parts` frames: a text frame, then continuations, the last final."""
        data = text.encode()
        step = -(-len(data) // parts)
        chunks = [data[i : i + step] for i in range(0, len(data), step)]
        for index, chunk in enumerate(chunks):
            self._frame(0x1 if index == 0 else 0x0, chunk, fin=index == len(chunks) - 1)

    def send_bytes(self, opcode: int, payload: bytes) -> None:
        """One final frame of `opcode` with `payload` as it is (text that is not UTF-8, ...)."""
        self._frame(opcode, payload)

    def close(self, code: int | None) -> None:
        """A close frame (no payload at all when `code` is None); the client's, then TCP's end.

        The server ends the TCP connection once the client answers (RFC 6455, 7.1.1).
        """
        self._frame(0x8, b"" if code is None else struct.pack("!H", code))
        for opcode, _data in self.frames():
            if opcode == 0x8:
                break
        with contextlib.suppress(OSError):
            self.conn.shutdown(socket.SHUT_RDWR)

    def answer_close(self) -> None:
        """Wait for the client's close frame, answer it, then end the TCP connection."""
        for opcode, data in self.frames():
            if opcode == 0x8:
                self._frame(0x8, data[:2])
                break
        with contextlib.suppress(OSError):
            self.conn.shutdown(socket.SHUT_RDWR)

    def abort(self) -> None:
        """End the TCP connection with a reset: no close frame."""
        self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.conn.close()

    def hold(self, seconds: float = 30.0) -> None:
        """Read nothing for `seconds` (or until the server stops)."""
        self.stop.wait(seconds)

    def drain(self, seconds: float = WAIT) -> bool:
        """Read and drop what comes until the client closes (or `seconds` pass): whether it did."""
        self.conn.settimeout(seconds)
        try:
            while self.conn.recv(65536):
                pass
        except OSError:
            return False
        return True

    def frames(self) -> Iterator[tuple[int, bytes]]:
        """The client's frames (opcode, unmasked payload) until it closes."""
        self.conn.settimeout(WAIT)
        with contextlib.suppress(OSError):
            while True:
                head = self._read(2)
                size = head[1] & 0x7F
                if size == 126:
                    size = struct.unpack("!H", self._read(2))[0]
                elif size == 127:
                    size = struct.unpack("!Q", self._read(8))[0]
                mask = self._read(4)
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read(size)))
                yield head[0] & 0x0F, data

    def serve_acks(self, record: list[dict[str, Any]] | None = None) -> None:
        """Act as a plain Slack until the client closes: ack messages, answer pings.

        Args:
            record: Where each text frame read goes, parsed (a frame cut short fails to parse).
        """
        for opcode, data in self.frames():
            if opcode == 0x8:
                self._frame(0x8, data[:2])
                return
            if opcode != 0x1:
                continue
            frame = json.loads(data)
            if record is not None:
                record.append(frame)
            if frame.get("type") == "ping":
                self.send_text(json.dumps({"type": "pong", "reply_to": frame.get("id")}))
            elif frame.get("type") == "message":
                ack = {"ok": True, "reply_to": frame["id"], "ts": "1.0", "text": frame["text"]}
                self.send_text(json.dumps(ack))

    def _read(self, n: int) -> bytes:
        while len(self._pending) < n:
            chunk = self.conn.recv(65536)
            if not chunk:
                raise OSError("closed")
            self._pending += chunk
        out, self._pending = self._pending[:n], self._pending[n:]
        return out

    def _frame(self, opcode: int, payload: bytes, *, fin: bool = True) -> None:
        size = len(payload)
        first = (0x80 if fin else 0) | opcode
        if size < 126:
            head = bytes([first, size])
        elif size < 65536:
            head = bytes([first, 126]) + struct.pack("!H", size)
        else:
            head = bytes([first, 127]) + struct.pack("!Q", size)
        self.conn.sendall(head + payload)


Script = Callable[[Peer, int], None]
"""What one socket does after the handshake: the peer, and the socket's number from 1."""

REFUSE = "refuse"
"""A handshake answer: HTTP 404 instead of 101."""
SILENT = "silent"
"""A handshake answer: none at all (the client's handshake times out)."""


class HostileSlack:
    """``rtm.connect`` and the socket on one port; each socket runs `script`.

    Args:
        script: What each socket does after the handshake.
        handshake: A function of the socket's number giving ``"101"`` (the default),
            `REFUSE` or `SILENT`.
        rcvbuf: The server's receive buffer in bytes (small: a peer that stops reading
            fills it soon).
    """

    def __init__(
        self,
        script: Script,
        handshake: Callable[[int], str] = lambda _n: "101",
        rcvbuf: int | None = None,
    ) -> None:
        self.script = script
        self.handshake = handshake
        self.stop = threading.Event()
        self.sockets = 0
        """WebSocket handshakes seen."""
        self.closed = threading.Event()
        """Set when a socket's script is over and the client has closed it."""
        self.release = threading.Event()
        """For `Peer.hold` scripts of a test that wants them over (`hold_until_released`)."""
        self._sock = socket.socket()
        if rcvbuf is not None:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def __enter__(self) -> HostileSlack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._accept.join(5)
        self._sock.close()
        for thread in self._threads:
            thread.join(5)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            thread = threading.Thread(target=self._one, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _one(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(WAIT)
            while not self.stop.is_set():
                head, _body = _read_request(conn)
                if not head:
                    return
                if b"rtm.connect" in head.split(b"\r\n", 1)[0]:
                    self._answer_connect(conn)
                    continue
                self._socket(conn, head)
                return

    def _answer_connect(self, conn: socket.socket) -> None:
        body = json.dumps(
            {
                "ok": True,
                "self": {"id": "U1", "name": "bot"},
                "team": {"id": "T1", "name": "Team", "domain": "team"},
                "url": f"ws://127.0.0.1:{self.port}/websocket/secret-ticket",
            }
        ).encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
        conn.sendall(head.encode() + b"\r\n\r\n" + body)

    def _socket(self, conn: socket.socket, head: bytes) -> None:
        with self._lock:
            self.sockets += 1
            number = self.sockets
        how = self.handshake(number)
        if how == SILENT:
            self.stop.wait(30)
            return
        if how == REFUSE:
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return
        key = _header(head, b"sec-websocket-key")
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        peer = Peer(conn, self.stop)
        self.script(peer, number)
        if not self.stop.is_set() and peer.drain():
            self.closed.set()


def _read_request(conn: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b"", b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(_header(head, b"content-length") or b"0")
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head, body


def _header(head: bytes, name: bytes) -> bytes:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return b""


def client_options(server: HostileSlack) -> dict[str, Any]:
    """What `Rtm.open` passes to the client for this server."""
    return {"token": TOKEN, "base_url": server.base_url}
