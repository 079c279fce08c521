"""Small hostile HTTP servers on 127.0.0.1, written apart from the emulator, and a twin caller.

Each server speaks raw bytes over a socket, so it can do what no well-behaved framework does:
drip an answer a byte at a time, send a body that never ends, a gzip bomb, an answer that
echoes the request. `Twin` calls ``rtm.connect`` through either client with the same options,
so one test asserts the same outcome for both.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slackrtm import AsyncClient, Client, RtmConnectResponse

TOKEN = "xoxb-1234-hostile-secret"
SUCCESS = (
    b'{"ok":true,"self":{"id":"U1","name":"bot"},'
    b'"team":{"id":"T1","name":"Team","domain":"team"},'
    b'"url":"wss://127.0.0.1:1/websocket/secret-ticket"}'
)

Handler = Callable[[socket.socket, bytes, threading.Event], None]
"""Serves one request: the socket, the request bytes read so far, the server's stop flag."""


def read_request(conn: socket.socket) -> bytes:
    """The request head and body (the clients send a small Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def answer(body: bytes, status: str = "200 OK", headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 answer with a Content-Length."""
    fields = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    fields.update(headers or {})
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    return head.encode() + b"\r\n" + body


class HostileServer:
    """A threaded TCP server on 127.0.0.1 that hands every request to `handler`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.stop = threading.Event()
        self.requests: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0), backlog=512)
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

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
        with conn:
            try:
                conn.settimeout(10)
                while not self.stop.is_set():
                    request = read_request(conn)
                    if not request:
                        return
                    self.requests.append(request)
                    self.handler(conn, request, self.stop)
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self._accept.join(5)
        self._sock.close()
        for thread in self._threads:
            thread.join(5)


@contextmanager
def serve(handler: Handler) -> Iterator[HostileServer]:
    server = HostileServer(handler)
    try:
        yield server
    finally:
        server.close()


# ---------------------------------------------------------------------------- handlers


def fixed(data: bytes, *, close: bool = False) -> Handler:
    """Sends the same raw bytes to every request."""

    def handle(conn: socket.socket, _request: bytes, _stop: threading.Event) -> None:
        conn.sendall(data)
        if close:
            conn.shutdown(socket.SHUT_RDWR)

    return handle


def drip(data: bytes, every: float) -> Handler:
    """Sends the answer one byte at a time, a byte every `every` seconds."""

    def handle(conn: socket.socket, _request: bytes, stop: threading.Event) -> None:
        for i in range(len(data)):
            if stop.wait(every):
                return
            conn.sendall(data[i : i + 1])

    return handle


def endless_chunked(conn: socket.socket, _request: bytes, stop: threading.Event) -> None:
    """A 200 whose chunked body never ends (until the client hangs up)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    conn.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b" " * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while not stop.is_set():
        conn.sendall(frame)


def bomb(size: int, encoding: str) -> Handler:
    """A 200 whose gzip or deflate body expands to `size` bytes of JSON white space."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    packed = compressor.compress(b" " * size) + compressor.flush()
    return fixed(answer(packed, headers={"Content-Encoding": encoding}))


def slow(data: bytes, delay: float) -> Handler:
    """Answers after `delay` seconds."""

    def handle(conn: socket.socket, _request: bytes, stop: threading.Event) -> None:
        if not stop.wait(delay):
            conn.sendall(data)

    return handle


# ---------------------------------------------------------------------------- twin callers


class Twin:
    """Calls ``rtm.connect`` (`call`: any method) through one client kind, same options for both."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, base_url: str, **options: Any) -> RtmConnectResponse:
        answer: RtmConnectResponse = self.call("rtm_connect", base_url, **options)
        return answer

    def call(self, method: str, base_url: str, **options: Any) -> Any:
        """``client.<method>()`` with no arguments, through a client of this kind."""
        options = {"token": TOKEN, "base_url": base_url, **options}
        if self.kind == "sync":
            with Client(**options) as client:
                return getattr(client, method)()

        async def run() -> Any:
            async with AsyncClient(**options) as client:
                return await getattr(client, method)()

        return asyncio.run(run())


def outcome(twin: Twin, base_url: str, **options: Any) -> tuple[Any, float]:
    """What a call gave (result or exception) and how long it took, in seconds."""
    started = time.monotonic()
    try:
        result: Any = twin(base_url, **options)
    except Exception as exc:  # the test judges what came out
        result = exc
    return result, time.monotonic() - started
