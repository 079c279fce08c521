"""The lean server of `make bench`: canned bytes, answered as fast as it can, in its own process.

It makes the limit rows honest: a slow server hides the client's own share in its waiting, so
this one does as little as a server can. Raw asyncio on one port:

- any HTTP request (``POST /api/rtm.connect`` and every other path) gets the same canned
  ``rtm.connect`` answer, built once, on a kept-alive connection (``auth.test`` gets its own,
  for slack_sdk's sync RTM client);
- a WebSocket upgrade to ``/burst/N`` (``/burst/``: N from ``--burst``) is accepted (handshake
  and framing by the ``websockets`` sans-I/O protocol, never by hand), then gets ``hello`` at
  once and, 50 ms later, N ``message`` events in one write: the frames are built once per N and
  kept. The socket stays open until the client goes;
- Socket Mode the same way: ``apps.connections.open`` points at ``/smburst/N``, whose socket
  gets Socket Mode's ``hello`` and then N ``events_api`` envelopes, each carrying a message;
  the acks the client writes are counted, and after the N-th the server sends one
  ``{"type": "bench_done"}`` frame, so that a client's time runs until all N are acked.

The request parsing is the bare minimum a benchmark peer needs (find the end of the head, read
Content-Length), not an HTTP server: it only ever talks to the benchmark's own clients.

    python -m bench.lean_server [--burst N]   # prints base_url=..., then serves until killed
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys

from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol

TOKEN = "xoxb-lean-0000000000-bench"


def canned_answer(port: int) -> bytes:
    """The HTTP response to every call: a successful ``rtm.connect`` pointing at /burst/."""
    return _http_json(
        {
            "ok": True,
            "self": {"id": "U0BENCH01", "name": "bench"},
            "team": {"domain": "bench", "id": "T0BENCH01", "name": "Bench"},
            "url": f"ws://127.0.0.1:{port}/burst/",
        }
    )


AUTH_ANSWER_BODY = {
    "ok": True,
    "url": "https://bench.slack.com/",
    "team": "Bench",
    "user": "bench",
    "team_id": "T0BENCH01",
    "user_id": "U0BENCH01",
    "bot_id": "B0BENCH01",
}


def _http_json(payload: object) -> bytes:
    body = json.dumps(payload, separators=(",", ":")).encode()
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode()
    return head + body


def message(index: int) -> str:
    """The ``index``-th event of a burst: a typical small channel message."""
    return json.dumps(
        {
            "type": "message",
            "channel": "C0BENCH01",
            "user": "U0BENCH02",
            "text": f"m{index}",
            "ts": f"1700000000.{index:06d}",
            "team": "T0BENCH01",
        },
        separators=(",", ":"),
    )


HELLO = json.dumps({"type": "hello"}, separators=(",", ":"))
SM_HELLO = json.dumps(
    {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0BENCH01"}},
    separators=(",", ":"),
)
DONE = Frame(Opcode.TEXT, b'{"type":"bench_done"}').serialize(mask=False)


def envelope(index: int) -> str:
    """The ``index``-th envelope of a Socket Mode burst: an Events API ``message``."""
    payload = {
        "token": "bench-verification",
        "team_id": "T0BENCH01",
        "api_app_id": "A0BENCH01",
        "event": json.loads(message(index)),
        "type": "event_callback",
        "event_id": f"Ev{index:08d}",
        "event_time": 1700000000,
    }
    return json.dumps(
        {
            "envelope_id": f"e{index:08d}",
            "payload": payload,
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
        },
        separators=(",", ":"),
    )


BURST_DELAY = 0.05
"""Seconds between hello and the burst."""


class _Connection(asyncio.Protocol):
    def __init__(self, server: LeanServer) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.ws: ServerProtocol | None = None
        self.acks_awaited = 0
        """Socket Mode: the acks still to come before ``bench_done`` (0: not counting)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        if self.ws is not None:
            self._ws_data(data)
            return
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            if b"upgrade: websocket" in head:
                self._upgrade()
                return
            length = 0
            for line in head.split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line[15:])
            if len(self.buffer) < end + 4 + length:
                return
            del self.buffer[: end + 4 + length]
            # slack_sdk's sync RTM client asks auth.test for its bot id before rtm.connect.
            auth = head.startswith((b"post /api/auth.test", b"get /api/auth.test"))
            sm = head.startswith(b"post /api/apps.connections.open")
            answer = self.server.sm_answer if sm else self.server.answer
            self.transport.write(self.server.auth_answer if auth else answer)

    # --------------------------------------------------------------- WebSocket burst

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _upgrade(self) -> None:
        assert self.transport is not None
        self.ws = ServerProtocol(max_size=None)
        data, self.buffer = bytes(self.buffer), bytearray()
        self._ws_data(data)

    def _ws_data(self, data: bytes) -> None:
        assert self.ws is not None
        assert self.transport is not None
        ws = self.ws
        ws.receive_data(data)
        for event in ws.events_received():
            if isinstance(event, Request):
                ws.send_response(ws.accept(event))
                # Like Slack: hello right after the handshake. The burst follows a moment later,
                # so that a client's handshake reading never sees more than hello behind it.
                n = self.server.size(event.path)
                sm = event.path.startswith("/smburst/")
                self.acks_awaited = n if sm else 0
                hello = self.server.sm_hello if sm else self.server.hello
                self.transport.write(b"".join(ws.data_to_send()) + hello)
                burst = self.server.burst(n, envelopes=sm)
                asyncio.get_running_loop().call_later(BURST_DELAY, self._write, burst)
            elif self.acks_awaited and isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self.acks_awaited -= 1
                if not self.acks_awaited:
                    self.transport.write(DONE)
        for chunk in ws.data_to_send():
            if chunk:
                self.transport.write(chunk)
            else:
                self.transport.close()


class LeanServer:
    """Canned answers on one port; see the module docstring."""

    def __init__(self, default_burst: int = 0) -> None:
        self.answer = b""
        self.auth_answer = b""
        self.sm_answer = b""
        self.hello = Frame(Opcode.TEXT, HELLO.encode()).serialize(mask=False)
        self.sm_hello = Frame(Opcode.TEXT, SM_HELLO.encode()).serialize(mask=False)
        self.default_burst = default_burst
        self._bursts: dict[tuple[int, bool], bytes] = {}

    def size(self, path: str) -> int:
        """The burst size a socket path asks for: ``/burst/N``, else the server's default."""
        tail = path.rstrip("/").rsplit("/", 1)[-1]
        return int(tail) if tail.isdigit() else self.default_burst

    def burst(self, n: int, *, envelopes: bool = False) -> bytes:
        """The bytes of n message frames (Socket Mode envelopes), built once per n."""
        cached = self._bursts.get((n, envelopes))
        if cached is None:
            frames = [(envelope if envelopes else message)(i) for i in range(n)]
            # Frame serialisation by websockets: server frames are not masked.
            cached = b"".join(
                Frame(Opcode.TEXT, text.encode()).serialize(mask=False) for text in frames
            )
            self._bursts[n, envelopes] = cached
        return cached

    async def serve(self, port: int = 0) -> None:
        """Listen on 127.0.0.1, print ``base_url=`` and ``bot_token=``, serve until cancelled."""
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Connection(self), "127.0.0.1", port)
        bound = server.sockets[0].getsockname()[1]
        self.answer = canned_answer(bound)
        self.auth_answer = _http_json(AUTH_ANSWER_BODY)
        self.sm_answer = _http_json({"ok": True, "url": f"ws://127.0.0.1:{bound}/smburst/"})
        print(f"base_url=http://127.0.0.1:{bound}/api/", flush=True)
        print(f"bot_token={TOKEN}", flush=True)
        async with server:
            await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lean_server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--burst", type=int, default=0, help="build a burst of N up front")
    options = parser.parse_args(argv)
    server = LeanServer(options.burst)
    if options.burst:
        server.burst(options.burst)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(server.serve(options.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
