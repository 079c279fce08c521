"""Rows: an inbound RTM burst (N message events on one socket), async and sync.

Against the lean server (`bench.lean_server`): ``rtm.connect`` gives ``ws://.../burst/``, and the
socket, once open, gets ``hello`` and then, 50 ms later, N small ``message`` events written at
once. Each contender connects (not timed), then is timed from the first message to the N-th.
It keeps the ``text`` of every message it gets, so the row can say whether all N arrived, in
order.

- async: limit = raw aiohttp ``ws_connect`` + ``json.loads``; ours = ``AsyncClient.rtm()``
  iterated with ``async for`` (typed `slackrtm.events.Message` events); slack_sdk =
  ``slack_sdk.rtm``'s RTMClient (aiohttp, coroutine callbacks).
- sync: limit = raw ``websockets.sync`` + ``json.loads``; ours = ``Client.rtm()`` iterated with
  ``next_event`` (its reader thread, typed events); slack_sdk = ``slack_sdk.rtm_v2``'s RTMClient
  (its own socket thread, a queue, listener threads).

Our sessions run with their defaults (keepalive, backpressure at 10,000 buffered events,
reconnects off so that a lost socket shows as lost events, not as a silent second connection).

A contender that does not get all N within ``timeout`` seconds (slack_sdk's: or that stalls
for ``STALL`` seconds) reports what it got, timed until its last event: the row marks it LOST
and judges it by its rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from typing import Any

import aiohttp
import urllib3
from websockets.sync.client import connect as ws_connect

from slackrtm import AsyncClient, Client
from slackrtm.events import Message
from slackrtm.rtm import RtmOptions

from ._harness import (
    AsyncContender,
    Row,
    Sample,
    Server,
    SyncContender,
    run_async,
    run_sync,
)

TARGET = (
    "slackrtm <= 1.0x as the median of 5 runs of the row, all events in order (issue 23);"
    " stretch <= 0.8x with orjson"
)
STALL = 2.0
"""Seconds without a new event after which a slack_sdk client counts as stalled."""
OPTIONS = RtmOptions(reconnect=None)
"""Our sessions' options: the defaults, but a dropped socket ends the session (events lost)."""


def _texts_in_order(texts: list[str], n: int) -> bool:
    return len(texts) == n and all(text == f"m{i}" for i, text in enumerate(texts))


def _sample(seconds: float, texts: list[str], n: int) -> Sample:
    return Sample(seconds, events=len(texts), expected=n, in_order=_texts_in_order(texts, n))


# ---------------------------------------------------------------------------- async


class RawAiohttpWs:
    name = "raw aiohttp ws + json.loads"

    def __init__(self, server: Server, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    async def open(self) -> None:
        self.session = aiohttp.ClientSession()

    async def run(self, n: int) -> Sample:
        async with self.session.post(
            self.server.base_url + "rtm.connect",
            headers={"Authorization": f"Bearer {self.server.token}"},
        ) as response:
            url = json.loads(await response.read())["url"]
        texts: list[str] = []
        async with self.session.ws_connect(f"{url}{n}", autoping=True, max_msg_size=0) as ws:
            hello = json.loads(await ws.receive_str())
            assert hello["type"] == "hello"

            started = [0.0]

            async def receive_all() -> None:
                while len(texts) < n:
                    message = await ws.receive()
                    if not texts:
                        started[0] = time.perf_counter()
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        return
                    event = json.loads(message.data)
                    if event["type"] == "message":
                        texts.append(event["text"])

            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(receive_all(), self.timeout)
            seconds = time.perf_counter() - started[0]
        return _sample(seconds, texts, n)

    async def close(self) -> None:
        await self.session.close()


class OurAsyncSession:
    """``AsyncClient.rtm()``: typed events from ``async for``."""

    name = "slackrtm AsyncClient.rtm() (typed events)"

    def __init__(self, server: Server, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    async def open(self) -> None:
        self.client = AsyncClient(token=self.server.token, base_url=self.server.base_url)
        await self.client.__aenter__()

    async def run(self, n: int) -> Sample:
        texts: list[str] = []
        started = [0.0]
        # Entering connects (rtm.connect, the socket, hello): not timed, as for the others.
        async with self.client.rtm(options=OPTIONS) as rtm:

            async def receive_all() -> None:
                async for event in rtm:
                    if isinstance(event, Message):
                        if not texts:
                            started[0] = time.perf_counter()
                        texts.append(event.text or "")
                        if len(texts) >= n:
                            return

            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(receive_all(), self.timeout)
            seconds = time.perf_counter() - started[0]
        return _sample(seconds, texts, n)

    async def close(self) -> None:
        await self.client.__aexit__(None, None, None)


class SdkRtmClient:
    """slack_sdk.rtm.RTMClient (v1): async, callbacks registered on the class."""

    name = "slack_sdk.rtm.RTMClient"

    def __init__(self, server: Server, timeout: float) -> None:
        self.server = server
        self.timeout = timeout
        self.texts: list[str] = []
        self.n = 0
        self.started = self.last = 0.0
        self.done: asyncio.Event | None = None

    async def open(self) -> None:
        from slack_sdk.rtm import RTMClient

        # Callbacks are class-wide in this client; one pair, reading this contender's state.
        async def on_message(**payload: Any) -> None:
            if not self.texts:
                self.started = time.perf_counter()
            self.texts.append(payload["data"]["text"])
            self.last = time.perf_counter()
            if len(self.texts) >= self.n and self.done is not None:
                self.done.set()

        RTMClient.on(event="message", callback=on_message)

    async def run(self, n: int) -> Sample:
        from slack_sdk.rtm import RTMClient

        self.texts, self.n, self.done = [], n, asyncio.Event()
        client: Any = RTMClient(
            token=self.server.token,
            base_url=self.server.base_url,
            run_async=True,
            auto_reconnect=False,
            loop=asyncio.get_running_loop(),
        )
        future = client.start()
        deadline = time.perf_counter() + self.timeout
        while not self.done.is_set() and time.perf_counter() < deadline:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.done.wait(), STALL)
            if self.texts and time.perf_counter() - self.last > STALL:
                break  # stalled: report what came
        # Until the last event that came, so a stalled client is judged by its rate.
        seconds = self.last - self.started
        await client.async_stop()
        await asyncio.wait([future], timeout=5)
        return _sample(seconds, list(self.texts[:n]), n)

    async def close(self) -> None:
        from slack_sdk.rtm import RTMClient

        RTMClient._callbacks.clear()


async def async_row(server: Server, *, events: int, rounds: int, timeout: float) -> Row:
    """The row for an inbound RTM burst, async."""
    row = Row(
        f"inbound RTM, a {events:,}-message burst, async",
        unit="event",
        server=server.name,
        ops=events,
        target=TARGET,
    )
    contenders: list[AsyncContender] = [
        RawAiohttpWs(server, timeout),
        OurAsyncSession(server, timeout),
        SdkRtmClient(server, timeout),
    ]
    return await run_async(row, contenders, rounds=rounds, warmup=0)


# ---------------------------------------------------------------------------- sync


class RawWebsocketsSync:
    name = "raw websockets.sync + json.loads"

    def __init__(self, server: Server, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    def open(self) -> None:
        self.pool = urllib3.PoolManager()

    def run(self, n: int) -> Sample:
        answer = self.pool.request(
            "POST",
            self.server.base_url + "rtm.connect",
            headers={"Authorization": f"Bearer {self.server.token}"},
        )
        url = json.loads(answer.data)["url"]
        texts: list[str] = []
        with ws_connect(f"{url}{n}", max_size=None) as ws:
            hello = json.loads(ws.recv())
            assert hello["type"] == "hello"
            started = 0.0
            deadline = time.perf_counter() + self.timeout
            try:
                while len(texts) < n:
                    raw = ws.recv(timeout=max(0.0, deadline - time.perf_counter()))
                    if not texts:
                        started = time.perf_counter()
                    event = json.loads(raw)
                    if event["type"] == "message":
                        texts.append(event["text"])
            except TimeoutError:
                pass
            seconds = time.perf_counter() - started
        return _sample(seconds, texts, n)

    def close(self) -> None:
        self.pool.clear()


class OurSyncSession:
    """``Client.rtm()``: typed events from ``next_event`` (the session's reader thread)."""

    name = "slackrtm Client.rtm() (typed events)"

    def __init__(self, server: Server, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    def open(self) -> None:
        self.client = Client(token=self.server.token, base_url=self.server.base_url)

    def run(self, n: int) -> Sample:
        texts: list[str] = []
        started = 0.0
        with self.client.rtm(options=OPTIONS) as rtm:  # connects: not timed
            deadline = time.perf_counter() + self.timeout
            try:
                while len(texts) < n:
                    event = rtm.next_event(timeout=max(0.0, deadline - time.perf_counter()))
                    if isinstance(event, Message):
                        if not texts:
                            started = time.perf_counter()
                        texts.append(event.text or "")
            except TimeoutError:
                pass
            seconds = time.perf_counter() - started
        return _sample(seconds, texts, n)

    def close(self) -> None:
        self.client.close()


class SdkRtmV2Client:
    """slack_sdk.rtm_v2.RTMClient: a socket thread, a queue, a pool of listener threads."""

    name = "slack_sdk.rtm_v2.RTMClient"

    def __init__(self, server: Server, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    def open(self) -> None:
        pass

    def run(self, n: int) -> Sample:
        from slack_sdk.rtm_v2 import RTMClient

        texts: list[str] = []
        lock = threading.Lock()
        done = threading.Event()
        started, last = [0.0], [0.0]

        def on_raw(raw: str) -> None:
            # Called on the socket thread, in arrival order, before any listener runs.
            if not started[0] and raw.startswith('{"type":"message"'):
                started[0] = time.perf_counter()

        client: Any = RTMClient(
            token=self.server.token,
            base_url=self.server.base_url,
            auto_reconnect_enabled=False,
            on_message_listeners=[on_raw],
        )

        def on_message(_client: Any, event: dict[str, Any]) -> None:
            with lock:
                texts.append(event["text"])
                last[0] = time.perf_counter()
                if len(texts) >= n:
                    done.set()

        client.on("message")(on_message)
        client.connect()
        deadline = time.perf_counter() + self.timeout
        while not done.wait(STALL) and time.perf_counter() < deadline:
            if last[0] and time.perf_counter() - last[0] > STALL:
                break  # stalled: report what came
        # Until the last event that came, so a stalled client is judged by its rate.
        seconds = last[0] - started[0]
        client.close()
        with lock:
            got = list(texts[:n])
        return _sample(seconds, got, n)

    def close(self) -> None:
        pass


def sync_row(server: Server, *, events: int, rounds: int, timeout: float) -> Row:
    """The row for an inbound RTM burst, sync."""
    row = Row(
        f"inbound RTM, a {events:,}-message burst, sync",
        unit="event",
        server=server.name,
        ops=events,
        target=TARGET,
    )
    contenders: list[SyncContender] = [
        RawWebsocketsSync(server, timeout),
        OurSyncSession(server, timeout),
        SdkRtmV2Client(server, timeout),
    ]
    return run_sync(row, contenders, rounds=rounds, warmup=0)
