"""Rows: an inbound Socket Mode burst (N ``events_api`` envelopes, each acked), async and sync.

Against the lean server (`bench.lean_server`): ``apps.connections.open`` gives
``ws://.../smburst/``, and the socket, once open, gets Socket Mode's ``hello`` and then, 50 ms
later, N envelopes each carrying a small ``message``. The server counts the acks and, after the
N-th, sends one ``bench_done`` frame. Each contender connects (not timed), then is timed from
the first envelope to ``bench_done``: every envelope read, its event taken out, and acked.

- async: limit = raw aiohttp ``ws_connect``: ``json.loads`` each frame, write
  ``{"envelope_id": ...}`` back; ours = ``AsyncClient.socket_mode()`` iterated with
  ``async for`` (typed `slackrtm.envelopes.EventsApi` with an `events.Message` inside; the
  session acks each envelope when the next is asked for, its default ``ack="after"``).
- sync: limit = raw ``websockets.sync``, the same loop; ours = ``Client.socket_mode()`` with
  ``next_event`` (its reader thread).

Target: at most 1.0x the raw loop, as for the RTM inbound rows (issue 22).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import aiohttp
import urllib3
from websockets.sync.client import connect as ws_connect

from slackrtm import AsyncClient, Client
from slackrtm.events import Message
from slackrtm.rtm import RtmOptions

from ._harness import AsyncContender, Row, Sample, Server, SyncContender, run_async, run_sync

TARGET = "slackrtm <= 1.0x the raw loop (json.loads + the ack written), all acked (issue 22)"
APP_TOKEN = "xapp-1-A0BENCH01-1-bench-app-token"
OPTIONS = RtmOptions(reconnect=None, send_rate=None)
"""Our sessions: Socket Mode's defaults, but a dropped socket ends the session."""


def _sample(seconds: float, texts: list[str], n: int, done: bool) -> Sample:
    in_order = done and len(texts) == n and all(t == f"m{i}" for i, t in enumerate(texts))
    return Sample(seconds, events=len(texts), expected=n, in_order=in_order)


# ---------------------------------------------------------------------------- async


class RawAiohttpAcks:
    name = "raw aiohttp ws: json.loads + the ack written"

    def __init__(self, server: Server, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    async def open(self) -> None:
        self.session = aiohttp.ClientSession()

    async def run(self, n: int) -> Sample:
        headers = {"Authorization": f"Bearer {APP_TOKEN}"}
        url = self.server.base_url + "apps.connections.open"
        async with self.session.post(url, headers=headers) as response:
            socket_url = json.loads(await response.read())["url"]
        texts: list[str] = []
        done = [False]
        started = [0.0]
        async with self.session.ws_connect(f"{socket_url}{n}", max_msg_size=0) as ws:
            assert json.loads(await ws.receive_str())["type"] == "hello"

            async def receive_all() -> None:
                while True:
                    message = await ws.receive()
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        return
                    frame = json.loads(message.data)
                    envelope_id = frame.get("envelope_id")
                    if envelope_id is None:
                        done[0] = frame.get("type") == "bench_done"
                        return
                    if not texts:
                        started[0] = time.perf_counter()
                    await ws.send_str(json.dumps({"envelope_id": envelope_id}))
                    texts.append(frame["payload"]["event"]["text"])

            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(receive_all(), self.timeout)
            seconds = time.perf_counter() - started[0]
        return _sample(seconds, texts, n, done[0])

    async def close(self) -> None:
        await self.session.close()


class OurAsyncSocketMode:
    """``AsyncClient.socket_mode()``: typed envelopes from ``async for``, acked by the session."""

    name = "slackrtm AsyncClient.socket_mode() (typed, acked)"

    def __init__(self, server: Server, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    async def open(self) -> None:
        self.client = AsyncClient(app_token=APP_TOKEN, base_url=self.server.base_url)
        await self.client.__aenter__()

    async def run(self, n: int) -> Sample:
        texts: list[str] = []
        done = [False]
        started = [0.0]
        # Connecting is not timed. The socket URL has no N: the server's default burst is n.
        async with self.client.socket_mode(options=OPTIONS) as session:

            async def receive_all() -> None:
                async for item in session:
                    event = getattr(getattr(item, "payload", None), "event", None)
                    if isinstance(event, Message):
                        if not texts:
                            started[0] = time.perf_counter()
                        texts.append(event.text or "")
                    elif getattr(item, "type", None) == "bench_done":
                        done[0] = True
                        return

            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(receive_all(), self.timeout)
            seconds = time.perf_counter() - started[0]
        return _sample(seconds, texts, n, done[0])

    async def close(self) -> None:
        await self.client.__aexit__(None, None, None)


async def async_row(server: Server, *, events: int, rounds: int, timeout: float) -> Row:
    """The row for an inbound Socket Mode burst, acked, async."""
    row = Row(
        f"inbound Socket Mode, {events:,} envelopes acked, async",
        unit="envelope",
        server=server.name,
        ops=events,
        target=TARGET,
    )
    contenders: list[AsyncContender] = [
        RawAiohttpAcks(server, timeout),
        OurAsyncSocketMode(server, timeout),
    ]
    return await run_async(row, contenders, rounds=rounds, warmup=0)


# ---------------------------------------------------------------------------- sync


class RawWebsocketsAcks:
    name = "raw websockets.sync: json.loads + the ack written"

    def __init__(self, server: Server, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    def open(self) -> None:
        self.pool = urllib3.PoolManager()

    def run(self, n: int) -> Sample:
        headers = {"Authorization": f"Bearer {APP_TOKEN}"}
        url = self.server.base_url + "apps.connections.open"
        socket_url = json.loads(self.pool.request("POST", url, headers=headers).data)["url"]
        texts: list[str] = []
        done = False
        started = 0.0
        with ws_connect(f"{socket_url}{n}", max_size=None) as ws:
            assert json.loads(ws.recv())["type"] == "hello"
            deadline = time.perf_counter() + self.timeout
            with contextlib.suppress(TimeoutError):
                while True:
                    frame = json.loads(ws.recv(timeout=max(0.0, deadline - time.perf_counter())))
                    envelope_id = frame.get("envelope_id")
                    if envelope_id is None:
                        done = frame.get("type") == "bench_done"
                        break
                    if not texts:
                        started = time.perf_counter()
                    ws.send(json.dumps({"envelope_id": envelope_id}))
                    texts.append(frame["payload"]["event"]["text"])
            seconds = time.perf_counter() - started
        return _sample(seconds, texts, n, done)

    def close(self) -> None:
        self.pool.clear()


class OurSyncSocketMode:
    """``Client.socket_mode()``: typed envelopes from ``next_event``, acked by the session."""

    name = "slackrtm Client.socket_mode() (typed, acked)"

    def __init__(self, server: Server, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    def open(self) -> None:
        self.client = Client(app_token=APP_TOKEN, base_url=self.server.base_url)

    def run(self, n: int) -> Sample:
        texts: list[str] = []
        done = False
        started = 0.0
        with self.client.socket_mode(options=OPTIONS) as session:  # connects: not timed
            deadline = time.perf_counter() + self.timeout
            with contextlib.suppress(TimeoutError):
                while True:
                    item = session.next_event(timeout=max(0.0, deadline - time.perf_counter()))
                    event = getattr(getattr(item, "payload", None), "event", None)
                    if isinstance(event, Message):
                        if not texts:
                            started = time.perf_counter()
                        texts.append(event.text or "")
                    elif getattr(item, "type", None) == "bench_done":
                        done = True
                        break
            seconds = time.perf_counter() - started
        return _sample(seconds, texts, n, done)

    def close(self) -> None:
        self.client.close()


def sync_row(server: Server, *, events: int, rounds: int, timeout: float) -> Row:
    """The row for an inbound Socket Mode burst, acked, sync."""
    row = Row(
        f"inbound Socket Mode, {events:,} envelopes acked, sync",
        unit="envelope",
        server=server.name,
        ops=events,
        target=TARGET,
    )
    contenders: list[SyncContender] = [
        RawWebsocketsAcks(server, timeout),
        OurSyncSocketMode(server, timeout),
    ]
    return run_sync(row, contenders, rounds=rounds, warmup=0)
