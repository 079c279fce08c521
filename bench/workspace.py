"""Rows: ``workspace()`` on a 10,000-user workspace, sync and async, beside a raw paging loop.

Against the emulator with ``--users 10000`` and its Web API rate limit off
(`bench.emulator_server`). One operation is one whole snapshot: ``team.info``, every page of
``users.list`` and every page of ``conversations.list``, 200 items a page (our default, and
what Slack advises).

- limit: the raw transport (urllib3 ``PoolManager``; aiohttp ``ClientSession``) POSTing the same
  requests our client sends (the headers taken once from our core, the same form bodies),
  following ``response_metadata.next_cursor``, ``json.loads`` of each page and the users and
  conversations kept by ID in plain dicts;
- ours: ``client.workspace()`` / ``await client.workspace()``, a `Workspace` of typed `User`
  and `Conversation` models.

Events count the users each snapshot holds.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
import urllib3

from slackrtm import AsyncClient, Client
from slackrtm._generated.methods import USERS_LIST
from slackrtm._web.request import build_request

from ._harness import AsyncContender, Row, Sample, Server, SyncContender, run_async, run_sync

PAGE = 200
TARGET = "slackrtm <= 1.15x (issue 23); every user in each snapshot"


def _headers(server: Server) -> dict[str, str]:
    """The headers our client sends (Authorization, Content-Type, User-Agent, ...)."""
    with Client(token=server.token, base_url=server.base_url) as client:
        return dict(build_request(USERS_LIST, USERS_LIST.args_type(), client._config).headers)


def _body(cursor: str) -> bytes:
    # Our core writes the arguments sorted by wire name.
    return urlencode({"cursor": cursor, "limit": PAGE} if cursor else {"limit": PAGE}).encode()


def _next(page: dict[str, Any]) -> str:
    return str((page.get("response_metadata") or {}).get("next_cursor") or "")


# ---------------------------------------------------------------------------- sync


class RawUrllib3Pages:
    name = "raw urllib3 paging loop + json.loads"

    def __init__(self, server: Server) -> None:
        self.server = server
        self.headers = _headers(server)
        self.expected = 0

    def open(self) -> None:
        self.pool = urllib3.PoolManager(maxsize=4, retries=False)

    def _pages(self, method: str, key: str, into: dict[str, Any]) -> None:
        cursor = ""
        while True:
            answer = self.pool.request(
                "POST", self.server.base_url + method, body=_body(cursor), headers=self.headers
            )
            page = json.loads(answer.data)
            assert page["ok"] is True
            for item in page[key]:
                into[item["id"]] = item
            cursor = _next(page)
            if not cursor:
                return

    def snapshot(self) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        url = self.server.base_url + "team.info"
        team = json.loads(self.pool.request("POST", url, body=b"", headers=self.headers).data)
        users: dict[str, Any] = {}
        conversations: dict[str, Any] = {}
        self._pages("users.list", "members", users)
        self._pages("conversations.list", "channels", conversations)
        return team["team"], users, conversations

    def run(self, n: int) -> Sample:
        started = time.perf_counter()
        got = 0
        for _ in range(n):
            got += len(self.snapshot()[1])
        return Sample(time.perf_counter() - started, events=got, expected=self.expected * n)

    def close(self) -> None:
        self.pool.clear()


class OurWorkspace:
    name = "slackrtm Client.workspace()"

    def __init__(self, server: Server, expected: int) -> None:
        self.server = server
        self.expected = expected

    def open(self) -> None:
        self.client = Client(token=self.server.token, base_url=self.server.base_url)

    def run(self, n: int) -> Sample:
        started = time.perf_counter()
        got = 0
        for _ in range(n):
            got += len(self.client.workspace(page_size=PAGE).users)
        return Sample(time.perf_counter() - started, events=got, expected=self.expected * n)

    def close(self) -> None:
        self.client.close()


def sync_row(server: Server, *, rounds: int) -> Row:
    """workspace() on the emulator's workspace, sync."""
    raw = RawUrllib3Pages(server)
    raw.open()
    raw.expected = expected = len(raw.snapshot()[1])
    raw.close()
    row = Row(
        f"workspace() on a {expected:,}-user workspace, sync",
        unit="snapshot",
        server=server.name,
        ops=1,
        target=TARGET,
    )
    contenders: list[SyncContender] = [raw, OurWorkspace(server, expected)]
    return run_sync(row, contenders, rounds=rounds, warmup=1)


# ---------------------------------------------------------------------------- async


class RawAiohttpPages:
    name = "raw aiohttp paging loop + json.loads"

    def __init__(self, server: Server, expected: int) -> None:
        self.server = server
        self.expected = expected
        self.headers = _headers(server)

    async def open(self) -> None:
        self.session = aiohttp.ClientSession()

    async def _post(self, method: str, body: bytes) -> Any:
        url = self.server.base_url + method
        async with self.session.post(url, data=body, headers=self.headers) as response:
            return json.loads(await response.read())

    async def _pages(self, method: str, key: str, into: dict[str, Any]) -> None:
        cursor = ""
        while True:
            page = await self._post(method, _body(cursor))
            assert page["ok"] is True
            for item in page[key]:
                into[item["id"]] = item
            cursor = _next(page)
            if not cursor:
                return

    async def run(self, n: int) -> Sample:
        started = time.perf_counter()
        got = 0
        for _ in range(n):
            await self._post("team.info", b"")
            users: dict[str, Any] = {}
            conversations: dict[str, Any] = {}
            await self._pages("users.list", "members", users)
            await self._pages("conversations.list", "channels", conversations)
            got += len(users)
        return Sample(time.perf_counter() - started, events=got, expected=self.expected * n)

    async def close(self) -> None:
        await self.session.close()


class OurAsyncWorkspace:
    name = "slackrtm AsyncClient.workspace()"

    def __init__(self, server: Server, expected: int) -> None:
        self.server = server
        self.expected = expected

    async def open(self) -> None:
        self.client = AsyncClient(token=self.server.token, base_url=self.server.base_url)
        await self.client.__aenter__()

    async def run(self, n: int) -> Sample:
        started = time.perf_counter()
        got = 0
        for _ in range(n):
            got += len((await self.client.workspace(page_size=PAGE)).users)
        return Sample(time.perf_counter() - started, events=got, expected=self.expected * n)

    async def close(self) -> None:
        await self.client.__aexit__(None, None, None)


async def async_row(server: Server, *, expected: int, rounds: int) -> Row:
    """workspace() on the emulator's workspace, async."""
    row = Row(
        f"workspace() on a {expected:,}-user workspace, async",
        unit="snapshot",
        server=server.name,
        ops=1,
        target=TARGET,
    )
    contenders: list[AsyncContender] = [
        RawAiohttpPages(server, expected),
        OurAsyncWorkspace(server, expected),
    ]
    return await run_async(row, contenders, rounds=rounds, warmup=1)
