"""Row: memory, the RSS of idle async RTM sessions, each contender in a fresh interpreter.

Against the emulator (`bench.emulator_server`). A child process imports what it needs, makes
one client and one Web API call, then opens idle sockets one by one and reads its resident set
size (``/proc/self/statm``, after a garbage collection; its bytecode compiled beforehand, as
the import rows' children) at three points: before any socket,
with one, with ``N`` (100). Per operation is the growth from the first socket to the N-th,
divided by N - 1: what one more idle connection costs. The notes give what the first one costs
(it loads the session's modules too) and the process's size with one.

- limit: raw aiohttp ``ws_connect`` sockets (``rtm.connect`` by hand), each with a task reading
  it, as a minimal client would keep them;
- ours: ``AsyncClient.rtm()`` sessions, entered (``hello`` received) and left idle.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from typing import Any

from ._harness import Row, Sample, Server, _orders, child_environment

_CHILD = r"""
import asyncio, gc, json, os, sys
url, token, kind, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
PAGE = os.sysconf("SC_PAGE_SIZE")

def rss():
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE

async def raw():
    import aiohttp
    session = aiohttp.ClientSession()
    headers = {"Authorization": "Bearer " + token,
               "Content-Type": "application/x-www-form-urlencoded"}
    async def one():
        async with session.post(url + "rtm.connect", headers=headers, data=b"") as answer:
            socket_url = json.loads(await answer.read())["url"]
        ws = await session.ws_connect(socket_url)
        assert json.loads(await ws.receive_str())["type"] == "hello"
        async def read():
            async for _ in ws:
                pass
        return ws, asyncio.ensure_future(read())
    async with session.post(url + "auth.test", headers=headers, data=b"") as answer:
        await answer.read()
    sizes, held = [rss()], []
    for i in range(count):
        held.append(await one())
        if i in (0, count - 1):
            sizes.append(rss())
    for ws, task in held:
        await ws.close()
        task.cancel()
    await session.close()
    return sizes

async def ours():
    from slackrtm import AsyncClient
    async with AsyncClient(token=token, base_url=url) as client:
        await client.auth_test()
        sizes, held = [rss()], []
        for i in range(count):
            session = client.rtm()
            await session.__aenter__()
            held.append(session)
            if i in (0, count - 1):
                sizes.append(rss())
        for session in held:
            await session.close()
    return sizes

print(json.dumps(asyncio.run({"raw": raw, "ours": ours}[kind]())))
"""

CONTENDERS = {
    "raw aiohttp ws_connect, idle sockets": "raw",
    "slackrtm AsyncClient.rtm(), idle sessions": "ours",
}
"""Name -> the child's kind; the first is the limit."""


def _once(server: Server, kind: str, count: int) -> list[int]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, server.base_url, server.token, kind, str(count)],
        check=True,
        capture_output=True,
        text=True,
        env=child_environment(),
    ).stdout
    sizes = json.loads(out.strip().splitlines()[-1])
    assert isinstance(sizes, list)
    assert len(sizes) == 3
    return [int(s) for s in sizes]


def row(server: Server, *, sessions: int = 100, repetitions: int = 3) -> Row:
    """RSS per idle async session, the median of ``repetitions`` fresh interpreters each."""
    result = Row(
        f"memory: RSS of 1 and of {sessions} idle async sessions",
        unit="session",
        server=server.name,
        ops=sessions - 1,
        target="(the issue sets no target here)",
        measure="memory",
    )
    result.samples = {name: [] for name in CONTENDERS}
    first: dict[str, list[int]] = {name: [] for name in CONTENDERS}
    with_one: dict[str, list[int]] = {name: [] for name in CONTENDERS}
    names = list(CONTENDERS)
    for name in names:  # their bytecode compiled once, untimed (`child_environment`)
        _once(server, CONTENDERS[name], 2)
    for rep in range(repetitions):
        for name in _orders(names, rep):
            base, one, many = _once(server, CONTENDERS[name], sessions)
            result.samples[name].append(Sample(float(many - one)))
            first[name].append(one - base)
            with_one[name].append(one)
    for name in names:
        result.notes.append(
            f"{name}: the first adds {_mib(first[name])}; "
            f"the process with one: {_mib(with_one[name])}"
        )
    return result


def _mib(values: list[Any]) -> str:
    return f"{statistics.median(values) / 2**20:.1f} MiB"
