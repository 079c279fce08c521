"""Rows: the live picture on a 10,000-user, 2,000-channel workspace: its time and its memory.

Against the emulator with ``--users 10000 --channels 2000`` and the limits that pace a client
off (`bench.emulator_server`).

- time to the first consistent picture, sync and async. limit: ``workspace()`` alone (the same
  three methods, every page, 200 items a page); ours: ``client.rtm(workspace=True)`` entered
  (``rtm.connect``, the socket, ``hello``, then the snapshot: ``connect`` returns once the
  picture is in) and closed. The difference is the session's own cost.
- memory, each contender in a fresh interpreter (RSS after a garbage collection, as the memory
  row): the growth from a client that has made one call to the snapshot held (limit:
  ``workspace()``) or to the live picture held (ours: the session, its socket and its
  picture). The notes give what 1,000 more applied changes leave behind (``user_change``
  events sent through the emulator's control route, after a first 1,000 that load what a
  change needs), as Python objects still allocated (``tracemalloc``; RSS would count the
  allocator's free lists too): a change replaces one entry, so this stays near nothing, where
  a copy per event would add the whole picture each time.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from slackrtm import AsyncClient, Client
from slackrtm.rtm._picture import SNAPSHOT_TYPES

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

USERS = 10_000
CHANNELS = 2_000
TARGET = "(the issue sets no target: beside workspace() alone)"


class SyncSnapshot:
    name = "slackrtm Client.workspace() alone"

    def __init__(self, server: Server) -> None:
        self.server = server

    def open(self) -> None:
        self.client = Client(token=self.server.token, base_url=self.server.base_url)

    def run(self, n: int) -> Sample:
        started = time.perf_counter()
        got = sum(len(self.client.workspace(types=SNAPSHOT_TYPES).users) for _ in range(n))
        return Sample(time.perf_counter() - started, events=got)

    def close(self) -> None:
        self.client.close()


class SyncPicture(SyncSnapshot):
    name = "slackrtm Client.rtm(workspace=True), connected"

    def run(self, n: int) -> Sample:
        started = time.perf_counter()
        got = 0
        for _ in range(n):
            with self.client.rtm(workspace=True) as rtm:
                got += len(rtm.workspace.users)
        return Sample(time.perf_counter() - started, events=got)


class AsyncSnapshot:
    name = "slackrtm AsyncClient.workspace() alone"

    def __init__(self, server: Server) -> None:
        self.server = server

    async def open(self) -> None:
        self.client = AsyncClient(token=self.server.token, base_url=self.server.base_url)

    async def run(self, n: int) -> Sample:
        started = time.perf_counter()
        got = 0
        for _ in range(n):
            got += len((await self.client.workspace(types=SNAPSHOT_TYPES)).users)
        return Sample(time.perf_counter() - started, events=got)

    async def close(self) -> None:
        await self.client.close()


class AsyncPicture(AsyncSnapshot):
    name = "slackrtm AsyncClient.rtm(workspace=True), connected"

    async def run(self, n: int) -> Sample:
        started = time.perf_counter()
        got = 0
        for _ in range(n):
            async with self.client.rtm(workspace=True) as rtm:
                got += len(rtm.workspace.users)
        return Sample(time.perf_counter() - started, events=got)


def _title(form: str) -> str:
    return f"the first consistent picture, {USERS:,} users and {CHANNELS:,} channels, {form}"


def sync_row(server: Server, *, rounds: int) -> Row:
    """Time to the first consistent picture, sync."""
    row = Row(_title("sync"), unit="picture", server=server.name, ops=1, target=TARGET)
    return run_sync(row, [SyncSnapshot(server), SyncPicture(server)], rounds=rounds, warmup=1)


async def async_row(server: Server, *, rounds: int) -> Row:
    """Time to the first consistent picture, async."""
    row = Row(_title("async"), unit="picture", server=server.name, ops=1, target=TARGET)
    contenders: list[AsyncContender] = [AsyncSnapshot(server), AsyncPicture(server)]
    return await run_async(row, contenders, rounds=rounds, warmup=1)


_CHILD = r"""
import gc, json, os, sys, tracemalloc, urllib.request
url, token, kind, changes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
PAGE = os.sysconf("SC_PAGE_SIZE")

def rss():
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE

from slackrtm import Client, events
with Client(token=token, base_url=url) as client:
    client.auth_test()
    sizes = [rss()]
    if kind == "snapshot":
        held = client.workspace(types="public_channel,private_channel")
        sizes += [rss(), rss()]
    else:
        rtm = client.rtm(workspace=True).connect()
        sizes.append(rss())
        user = next(iter(rtm.workspace.users))
        control = url.removesuffix("api/") + "_emulator/workspace/users/rename"
        for batch in (0, 1):  # the first loads what a change needs once; the second is measured
            for n in range(changes):
                body = json.dumps({"id": user, "name": f"renamed{batch}-{n}"}).encode()
                urllib.request.urlopen(urllib.request.Request(control, data=body)).read()
            seen = 0
            while seen < changes:
                seen += isinstance(rtm.next_event(timeout=30), events.UserChange)
            assert rtm.workspace.users[user].name == f"renamed{batch}-{changes - 1}"
            gc.collect()
            if batch == 0:
                tracemalloc.start()
                kept = tracemalloc.get_traced_memory()[0]
        sizes.append(tracemalloc.get_traced_memory()[0] - kept)
        rtm.close()
print(json.dumps(sizes))
"""

_KINDS = {
    "slackrtm Client.workspace() held": "snapshot",
    "slackrtm Client.rtm(workspace=True) held": "picture",
}
"""Name -> the child's kind; the first is the limit."""


def _once(server: Server, kind: str, changes: int) -> list[int]:
    argv = [sys.executable, "-c", _CHILD, server.base_url, server.token, kind, str(changes)]
    out = subprocess.run(
        argv, check=True, capture_output=True, text=True, env=child_environment()
    ).stdout
    sizes = json.loads(out.strip().splitlines()[-1])
    return [int(s) for s in sizes]


def memory_row(server: Server, *, changes: int = 1000, repetitions: int = 3) -> Row:
    """RSS of the snapshot and of the live picture, and what ``changes`` events add."""
    row = Row(
        f"memory: the picture of {USERS:,} users and {CHANNELS:,} channels, held",
        unit="picture",
        server=server.name,
        ops=1,
        target="(the issue sets no target here)",
        measure="memory",
    )
    row.samples = {name: [] for name in _KINDS}
    added: list[int] = []
    names = list(_KINDS)
    for name in names:  # their bytecode compiled once, untimed (`child_environment`)
        _once(server, _KINDS[name], 1)
    for rep in range(repetitions):
        for name in _orders(names, rep):
            before, held, after = _once(server, _KINDS[name], changes)
            row.samples[name].append(Sample(float(held - before)))
            if _KINDS[name] == "picture":
                added.append(after)  # already a difference (tracemalloc)
    row.notes.append(
        f"{changes:,} more applied user_change events leave "
        f"{statistics.median(added) / 2**10:,.1f} KiB more allocated (tracemalloc)"
    )
    return row
