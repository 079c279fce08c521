"""Rows: how cost grows with the work, `workspace()` by workspace size and inbound by sessions.

- ``workspace()`` at 1,000, 10,000 and 100,000 users, sync: the time of a snapshot beside the
  raw paging loop of `bench.workspace` (on an emulator of each size, `bench.emulator_server`),
  and its peak memory: a fresh interpreter per contender reads its resident set before one
  snapshot and its own high-water mark (``VmHWM``, reset just before) after it, the snapshot
  held, so the growth counts the pages being read, the models made and the snapshot kept (the
  growth is from the resident set just before the snapshot to the high-water mark after it;
  ``ru_maxrss`` would not do: Linux keeps it across ``execve``, so a child reported the bench
  process's own size). The emulator's
  ``users.list`` sorts its users for every page, so its own time per page grows with the
  workspace: at 100,000 users the server's share dominates the wall-clock ratio, and the CPU
  ratio (this process's time, the client's) is the one that shows the client's growth.
- inbound with 1, 10 and 100 concurrent async sessions in one process, on the lean server,
  ``PER_SESSION`` messages each: the limit opens as many raw aiohttp sockets, each read by a task
  with ``json.loads``; ours as many ``AsyncClient.rtm()`` sessions of one client, each read with
  ``async for``. Each session connects (``rtm.connect``, the socket, ``hello``) and reads its
  burst in a task of its own, all at once; a round is timed from the first message any session
  gets to the last one. Per event, a time that stays flat as sessions are added is linear growth.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from slackrtm import AsyncClient
from slackrtm.events import Message
from slackrtm.rtm import RtmOptions

from ._harness import (
    AsyncContender,
    Row,
    Sample,
    Server,
    _orders,
    child_environment,
    run_async,
    run_sync,
)
from .emulator_server import workspace as emulated_workspace
from .workspace import OurWorkspace, RawUrllib3Pages

SIZES = (1_000, 10_000, 100_000)
"""Made-up users of the emulators of the workspace scale rows."""
SESSIONS = (1, 10, 100)
"""Concurrent async sessions of the inbound scale rows."""
PER_SESSION = 2_000
"""Messages each session of the inbound scale rows gets (the lean server's burst)."""
OPTIONS = RtmOptions(reconnect=None)
TARGET = "grows linearly: per-operation time flat across the sizes (issue 23)"


def expected_users(users: int) -> int:
    """The users a snapshot of the bench emulator holds: the made-up ones and the standing ones.

    ``users.list`` lists the caller's team: the standing users of another team are not counted.
    """
    standing = emulated_workspace(0)
    team = next(iter(standing.teams))
    return users + sum(1 for user in standing.users.values() if user.team_id == team)


# ---------------------------------------------------------------------------- workspace


def workspace_time_row(server: Server, *, users: int, rounds: int) -> Row:
    """`workspace()` beside the raw paging loop on a workspace of ``users`` made-up users."""
    expected = expected_users(users)
    raw = RawUrllib3Pages(server)
    raw.expected = expected
    row = Row(
        f"scale: workspace() on a {expected:,}-user workspace, sync",
        unit="snapshot",
        server=server.name,
        ops=1,
        target=TARGET,
    )
    # One untimed snapshot each warms the connections and the modules; the largest size skips
    # it (a snapshot there is seconds, and one more changes nothing the row shows).
    warmup = 1 if users <= 10_000 else 0
    return run_sync(row, [raw, OurWorkspace(server, expected)], rounds=rounds, warmup=warmup)


_MEMORY_CHILD = r"""
import gc, json, os, resource, sys
from urllib.parse import urlencode
base, token, kind = sys.argv[1], sys.argv[2], sys.argv[3]

def peak():
    # This process's own high-water mark (VmHWM): ru_maxrss is kept across execve, so a child
    # would report the bench process's size when that is larger.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

def reset_peak():
    # From here the high-water mark counts the snapshot alone, not the imports before it.
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass

def now():
    # The resident set now (the high-water mark may be above it, left by the imports).
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

def raw():
    import urllib3
    pool = urllib3.PoolManager(maxsize=4, retries=False)
    headers = {"Authorization": "Bearer " + token,
               "Content-Type": "application/x-www-form-urlencoded"}
    def post(method, fields):
        return json.loads(pool.request("POST", base + method, body=urlencode(fields).encode(),
                                       headers=headers).data)
    def pages(method, key):
        into, cursor = {}, ""
        while True:
            page = post(method, {"cursor": cursor, "limit": 200} if cursor else {"limit": 200})
            for item in page[key]:
                into[item["id"]] = item
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                return into
    post("users.list", {"limit": 1})
    before = now()
    reset_peak()
    held = (post("team.info", {}), pages("users.list", "members"),
            pages("conversations.list", "channels"))
    return before, len(held[1])

def ours():
    from slackrtm import Client
    client = Client(token=token, base_url=base)
    client.users_list(limit=1)
    client.conversations_list(limit=1)
    client.team_info()
    before = now()
    reset_peak()
    held = client.workspace(page_size=200)
    return before, len(held.users)

before, users = {"raw": raw, "ours": ours}[kind]()
print(json.dumps([before, peak(), users]))
"""

MEMORY_CONTENDERS = {
    "raw urllib3 paging loop + json.loads (dicts kept)": "raw",
    "slackrtm Client.workspace()": "ours",
}
"""Name -> the child's kind; the first is the limit."""


def _memory_once(server: Server, kind: str) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, server.base_url, server.token, kind],
        check=True,
        capture_output=True,
        text=True,
        env=child_environment(),
    ).stdout
    before, after, users = json.loads(out.strip().splitlines()[-1])
    return max(int(after) - int(before), 1), int(users)


def workspace_memory_row(server: Server, *, users: int, repetitions: int = 1) -> Row:
    """The peak memory one snapshot adds, held, per contender (fresh interpreters)."""
    expected = expected_users(users)
    row = Row(
        f"scale: workspace() peak memory, {expected:,} users, sync",
        unit="snapshot",
        server=server.name,
        ops=1,
        target=TARGET + "; memory per user flat",
        measure="memory",
    )
    names = list(MEMORY_CONTENDERS)
    row.samples = {name: [] for name in names}
    for name in names:  # their bytecode compiled once, untimed (`child_environment`)
        _memory_once(server, MEMORY_CONTENDERS[name])
    for rep in range(repetitions):
        for name in _orders(names, rep):
            grown, got = _memory_once(server, MEMORY_CONTENDERS[name])
            row.samples[name].append(Sample(float(grown), events=got, expected=expected))
    for name in names:
        per_user = statistics.median(s.seconds for s in row.samples[name]) / expected
        row.notes.append(f"{name}: {per_user:,.0f} bytes per user at its peak")
    return row


# ---------------------------------------------------------------------------- inbound


class _Clock:
    """The first and last message of a round, over every session."""

    def __init__(self) -> None:
        self.first = 0.0
        self.last = 0.0

    def seen(self) -> None:
        now = time.perf_counter()
        if not self.first:
            self.first = now
        self.last = now


async def _all(n: int, sessions: int, timeout: float, one: Callable[..., Awaitable[Any]]) -> Sample:
    per = n // sessions
    clock = _Clock()
    got: list[list[str]] = [[] for _ in range(sessions)]
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(one(per, clock, texts) for texts in got)), timeout)
    in_order = all(t == [f"m{i}" for i in range(per)] for t in got)
    events = sum(len(t) for t in got)
    return Sample(clock.last - clock.first, events=events, expected=n, in_order=in_order)


class RawSessions:
    name = "raw aiohttp ws + json.loads, one task a socket"

    def __init__(self, server: Server, sessions: int, timeout: float) -> None:
        self.server = server
        self.sessions = sessions
        self.timeout = timeout

    async def open(self) -> None:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def _one(self, per: int, clock: _Clock, texts: list[str]) -> None:
        async with self.session.post(
            self.server.base_url + "rtm.connect",
            headers={"Authorization": f"Bearer {self.server.token}"},
        ) as response:
            url = json.loads(await response.read())["url"]
        async with self.session.ws_connect(f"{url}{per}", max_msg_size=0) as ws:
            assert json.loads(await ws.receive_str())["type"] == "hello"
            while len(texts) < per:
                message = await ws.receive()
                if message.type is not aiohttp.WSMsgType.TEXT:
                    return
                event = json.loads(message.data)
                if event["type"] == "message":
                    clock.seen()
                    texts.append(event["text"])

    async def run(self, n: int) -> Sample:
        return await _all(n, self.sessions, self.timeout, self._one)

    async def close(self) -> None:
        await self.session.close()


class OurSessions:
    name = "slackrtm AsyncClient.rtm() sessions (typed events)"

    def __init__(self, server: Server, sessions: int, timeout: float) -> None:
        self.server = server
        self.sessions = sessions
        self.timeout = timeout

    async def open(self) -> None:
        self.client = AsyncClient(token=self.server.token, base_url=self.server.base_url)
        await self.client.__aenter__()

    async def _one(self, per: int, clock: _Clock, texts: list[str]) -> None:
        # The lean server's /burst/ gives PER_SESSION messages: the row's server is made so.
        async with self.client.rtm(options=OPTIONS) as rtm:
            async for event in rtm:
                if isinstance(event, Message):
                    clock.seen()
                    texts.append(event.text or "")
                    if len(texts) >= per:
                        return

    async def run(self, n: int) -> Sample:
        return await _all(n, self.sessions, self.timeout, self._one)

    async def close(self) -> None:
        await self.client.__aexit__(None, None, None)


async def sessions_row(server: Server, *, sessions: int, rounds: int, timeout: float) -> Row:
    """Inbound on ``sessions`` concurrent async sessions, PER_SESSION messages each."""
    row = Row(
        f"scale: inbound, {sessions} concurrent async session{'s' if sessions > 1 else ''}, "
        f"{PER_SESSION:,} messages each",
        unit="event",
        server=server.name,
        ops=sessions * PER_SESSION,
        target=TARGET + "; all events in order",
    )
    contenders: list[AsyncContender] = [
        RawSessions(server, sessions, timeout),
        OurSessions(server, sessions, timeout),
    ]
    return await run_async(row, contenders, rounds=rounds, warmup=0)
