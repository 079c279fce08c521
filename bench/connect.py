"""Rows: ``rtm.connect`` per call, sync and async, each client beside its limit and slack_sdk.

The limit is the raw transport sending the very request our client sends (same URL, headers and
body, taken once from our core) and decoding the answer with ``json.loads``: nothing a client
could do less. slack_sdk runs as shipped.
"""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
import urllib3

from slackrtm import AsyncClient, Client
from slackrtm._generated.methods import RTM_CONNECT
from slackrtm._web.request import build_request

from ._harness import (
    AsyncContender,
    Row,
    Sample,
    Server,
    SyncContender,
    gather_limited,
    run_async,
    run_sync,
)


def _same_request(server: Server) -> tuple[str, dict[str, str], bytes]:
    """URL, headers and body of our client's rtm.connect, for the raw contenders to send."""
    with Client(token=server.token, base_url=server.base_url) as client:
        request = build_request(RTM_CONNECT, RTM_CONNECT.args_type(), client._config)
    return request.url, dict(request.headers), request.body


# ---------------------------------------------------------------------------- sync


class RawUrllib3:
    name = "raw urllib3 POST + json.loads"

    def __init__(self, server: Server) -> None:
        self.url, self.headers, self.body = _same_request(server)

    def open(self) -> None:
        self.pool = urllib3.PoolManager(maxsize=4, retries=False)

    def run(self, n: int) -> Sample:
        pool, url, body, headers = self.pool, self.url, self.body, self.headers
        started = time.perf_counter()
        for _ in range(n):
            answer = json.loads(pool.request("POST", url, body=body, headers=headers).data)
            assert answer["ok"] is True
        return Sample(time.perf_counter() - started)

    def close(self) -> None:
        self.pool.clear()


class OurClient:
    name = "slackrtm Client.rtm_connect"

    def __init__(self, server: Server) -> None:
        self.server = server

    def open(self) -> None:
        self.client = Client(token=self.server.token, base_url=self.server.base_url)

    def run(self, n: int) -> Sample:
        client = self.client
        started = time.perf_counter()
        for _ in range(n):
            assert client.rtm_connect().ok
        return Sample(time.perf_counter() - started)

    def close(self) -> None:
        self.client.close()


class SdkWebClient:
    name = "slack_sdk WebClient.rtm_connect"

    def __init__(self, server: Server) -> None:
        self.server = server

    def open(self) -> None:
        from slack_sdk import WebClient

        self.client = WebClient(token=self.server.token, base_url=self.server.base_url)

    def run(self, n: int) -> Sample:
        client = self.client
        started = time.perf_counter()
        for _ in range(n):
            assert client.rtm_connect()["ok"] is True
        return Sample(time.perf_counter() - started)

    def close(self) -> None:
        pass


def sync_row(server: Server, *, calls: int, rounds: int) -> Row:
    """The row for sync rtm.connect, one call after another."""
    row = Row(
        "sync rtm.connect, sequential",
        unit="call",
        server=server.name,
        ops=calls,
        target="slackrtm <= 1.10x",
    )
    contenders: list[SyncContender] = [RawUrllib3(server), OurClient(server), SdkWebClient(server)]
    return run_sync(row, contenders, rounds=rounds, warmup=calls)


# ---------------------------------------------------------------------------- async


class RawAiohttp:
    name = "raw aiohttp POST + json.loads"

    def __init__(self, server: Server, concurrency: int) -> None:
        self.url, self.headers, self.body = _same_request(server)
        self.concurrency = concurrency

    async def open(self) -> None:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))

    async def one(self) -> None:
        async with self.session.post(self.url, data=self.body, headers=self.headers) as response:
            answer = json.loads(await response.read())
        assert answer["ok"] is True

    async def run(self, n: int) -> Sample:
        started = time.perf_counter()
        await gather_limited(n, self.concurrency, self.one)
        return Sample(time.perf_counter() - started)

    async def close(self) -> None:
        await self.session.close()


class OurAsyncClient:
    name = "slackrtm AsyncClient.rtm_connect"

    def __init__(self, server: Server, concurrency: int) -> None:
        self.server = server
        self.concurrency = concurrency

    async def open(self) -> None:
        self.client = AsyncClient(token=self.server.token, base_url=self.server.base_url)

    async def one(self) -> None:
        assert (await self.client.rtm_connect()).ok

    async def run(self, n: int) -> Sample:
        started = time.perf_counter()
        await gather_limited(n, self.concurrency, self.one)
        return Sample(time.perf_counter() - started)

    async def close(self) -> None:
        await self.client.close()


class SdkAsyncWebClient:
    name = "slack_sdk AsyncWebClient.rtm_connect"

    def __init__(self, server: Server, concurrency: int) -> None:
        self.server = server
        self.concurrency = concurrency

    async def open(self) -> None:
        from slack_sdk.web.async_client import AsyncWebClient

        self.client: Any = AsyncWebClient(token=self.server.token, base_url=self.server.base_url)

    async def one(self) -> None:
        assert (await self.client.rtm_connect())["ok"] is True

    async def run(self, n: int) -> Sample:
        started = time.perf_counter()
        await gather_limited(n, self.concurrency, self.one)
        return Sample(time.perf_counter() - started)

    async def close(self) -> None:
        pass


async def async_row(server: Server, *, calls: int, concurrency: int, rounds: int) -> Row:
    """The row for async rtm.connect, ``concurrency`` calls at a time (1: sequential)."""
    how = "sequential" if concurrency <= 1 else f"{concurrency} at a time"
    row = Row(
        f"async rtm.connect, {how}",
        unit="call",
        server=server.name,
        ops=calls,
        target="slackrtm <= 1.10x" if concurrency <= 1 else "slackrtm <= 1.15x",
    )
    contenders: list[AsyncContender] = [
        RawAiohttp(server, concurrency),
        OurAsyncClient(server, concurrency),
        SdkAsyncWebClient(server, concurrency),
    ]
    return await run_async(row, contenders, rounds=rounds, warmup=calls)
