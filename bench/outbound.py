"""Rows: outbound ``send_message``, each waiting for Slack's ack, sync and async, pacing off.

Against the emulator with its pacing limits off (`bench.emulator_server`): the emulator checks
each message (channel, membership, length), posts it, answers ``{"ok": true, "reply_to": id,
"ts": ..., "text": ...}`` and delivers it to the channel's other sockets. One message is in
flight at a time, so a row measures the round trip of one send. Each contender connects once
(not timed) as a bot of its own and sends N messages per round to a channel where it is alone
(`bench.emulator_server.sender`), so no contender's socket gets another's messages.

- limit: a raw client writing the frame ``{"id": N, "type": "message", ...}`` itself and
  reading frames until the one whose ``reply_to`` is N (raw aiohttp ``ws_connect``; raw
  ``websockets.sync``), with ``json.dumps`` and ``json.loads``;
- ours: ``rtm.send_message(channel=..., text=...)`` on ``client.rtm(options=RtmOptions(
  send_rate=None))``, which returns the typed `MessageAck`.

Events count the acks that came back ``ok``, in the order sent.
"""

from __future__ import annotations

import json
import time
from contextlib import ExitStack

import aiohttp
import urllib3
from websockets.sync.client import connect as ws_connect

from slackrtm import AsyncClient, Client
from slackrtm.rtm import RtmOptions

from ._harness import AsyncContender, Row, Sample, Server, SyncContender, run_async, run_sync
from .emulator_server import sender

OPTIONS = RtmOptions(send_rate=None, reconnect=None)
"""Pacing off (the emulator's limits are off too); a lost socket ends the session."""
TARGET = "slackrtm <= 1.15x (issue 23); every ack back, in order"


def _sample(seconds: float, acks: list[int], n: int) -> Sample:
    return Sample(seconds, events=len(acks), expected=n, in_order=acks == list(range(1, n + 1)))


def _headers(token: str) -> dict[str, str]:
    # An empty form body: the emulator, like Slack, refuses a POST without a form type.
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"}


def _frame(id: int, channel: str, text: str) -> str:
    return json.dumps({"id": id, "type": "message", "channel": channel, "text": text})


# ---------------------------------------------------------------------------- async


class RawAiohttpSender:
    name = "raw aiohttp ws: frames with ids, acks matched"

    def __init__(self, server: Server, index: int) -> None:
        self.server = server
        self.token, self.channel = sender(index)

    async def open(self) -> None:
        self.session = aiohttp.ClientSession()
        async with self.session.post(
            self.server.base_url + "rtm.connect", headers=_headers(self.token), data=b""
        ) as response:
            url = json.loads(await response.read())["url"]
        self.ws = await self.session.ws_connect(url, max_msg_size=0)
        assert json.loads(await self.ws.receive_str())["type"] == "hello"
        self.next_id = 0

    async def run(self, n: int) -> Sample:
        ws, acks = self.ws, []
        first = self.next_id + 1
        started = time.perf_counter()
        for i in range(n):
            self.next_id += 1
            await ws.send_str(_frame(self.next_id, self.channel, f"m{i}"))
            while True:
                reply = json.loads(await ws.receive_str())
                if reply.get("reply_to") == self.next_id:
                    break
            if reply.get("ok") is True:
                acks.append(self.next_id - first + 1)
        return _sample(time.perf_counter() - started, acks, n)

    async def close(self) -> None:
        await self.ws.close()
        await self.session.close()


class OurAsyncSender:
    name = "slackrtm AsyncClient.rtm().send_message"

    def __init__(self, server: Server, index: int) -> None:
        self.server = server
        self.token, self.channel = sender(index)

    async def open(self) -> None:
        self.client = AsyncClient(token=self.token, base_url=self.server.base_url)
        await self.client.__aenter__()
        self.rtm = self.client.rtm(options=OPTIONS)
        await self.rtm.__aenter__()

    async def run(self, n: int) -> Sample:
        send, acks = self.rtm.send_message, []
        started = time.perf_counter()
        for i in range(n):
            ack = await send(channel=self.channel, text=f"m{i}")
            if ack.text == f"m{i}":
                acks.append(i + 1)
        return _sample(time.perf_counter() - started, acks, n)

    async def close(self) -> None:
        await self.rtm.__aexit__(None, None, None)
        await self.client.__aexit__(None, None, None)


async def async_row(server: Server, *, messages: int, rounds: int) -> Row:
    """The row for outbound send_message with acks, async."""
    row = Row(
        "outbound send_message with acks, async, pacing off",
        unit="message",
        server=server.name,
        ops=messages,
        target=TARGET,
    )
    contenders: list[AsyncContender] = [RawAiohttpSender(server, 0), OurAsyncSender(server, 1)]
    return await run_async(row, contenders, rounds=rounds, warmup=20)


# ---------------------------------------------------------------------------- sync


class RawWebsocketsSender:
    name = "raw websockets.sync: frames with ids, acks matched"

    def __init__(self, server: Server, index: int) -> None:
        self.server = server
        self.token, self.channel = sender(index)

    def open(self) -> None:
        self.pool = urllib3.PoolManager()
        answer = self.pool.request(
            "POST", self.server.base_url + "rtm.connect", headers=_headers(self.token)
        )
        self.stack = ExitStack()
        self.ws = self.stack.enter_context(
            ws_connect(json.loads(answer.data)["url"], max_size=None)
        )
        hello = self.ws.recv(timeout=10)
        assert json.loads(hello)["type"] == "hello"
        self.next_id = 0

    def run(self, n: int) -> Sample:
        ws, acks = self.ws, []
        first = self.next_id + 1
        started = time.perf_counter()
        for i in range(n):
            self.next_id += 1
            ws.send(_frame(self.next_id, self.channel, f"m{i}"))
            while True:
                reply = json.loads(ws.recv(timeout=10))
                if reply.get("reply_to") == self.next_id:
                    break
            if reply.get("ok") is True:
                acks.append(self.next_id - first + 1)
        return _sample(time.perf_counter() - started, acks, n)

    def close(self) -> None:
        self.stack.close()
        self.pool.clear()


class OurSyncSender:
    name = "slackrtm Client.rtm().send_message"

    def __init__(self, server: Server, index: int) -> None:
        self.server = server
        self.token, self.channel = sender(index)

    def open(self) -> None:
        self.client = Client(token=self.token, base_url=self.server.base_url)
        self.rtm = self.client.rtm(options=OPTIONS)
        self.rtm.__enter__()

    def run(self, n: int) -> Sample:
        send, acks = self.rtm.send_message, []
        started = time.perf_counter()
        for i in range(n):
            ack = send(channel=self.channel, text=f"m{i}")
            if ack.text == f"m{i}":
                acks.append(i + 1)
        return _sample(time.perf_counter() - started, acks, n)

    def close(self) -> None:
        self.rtm.__exit__(None, None, None)
        self.client.close()


def sync_row(server: Server, *, messages: int, rounds: int) -> Row:
    """The row for outbound send_message with acks, sync."""
    row = Row(
        "outbound send_message with acks, sync, pacing off",
        unit="message",
        server=server.name,
        ops=messages,
        target=TARGET,
    )
    contenders: list[SyncContender] = [RawWebsocketsSender(server, 2), OurSyncSender(server, 3)]
    return run_sync(row, contenders, rounds=rounds, warmup=20)
