"""Load: 100 async RTM sessions on one emulator at once, every event to every session.

Prints the memory each session costs (RSS growth over the 100, on Linux); `make bench` has the
same figure in its memory row.
"""

from __future__ import annotations

import asyncio
import os
import resource
import time

from slackrtm import AsyncClient, events
from slackrtm.emulator import Emulator, Limits

from .soak import _fds

SESSIONS = 100
MESSAGES = 100


def rss_kib() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def test_a_hundred_sessions_each_get_every_event_and_close_cleanly() -> None:
    async with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        fds = _fds()
        baseline = asyncio.all_tasks()
        async with AsyncClient(token=emu.bot_token, base_url=emu.base_url) as client:
            before = rss_kib()
            started = time.monotonic()
            sessions = [client.rtm() for _ in range(SESSIONS)]
            await asyncio.gather(*(s.connect() for s in sessions))
            connected = time.monotonic() - started
            after = rss_kib()
            assert emu.counters.connections_open == SESSIONS
            emu.broadcast(MESSAGES, channel="C0EMU0001", text="load")

            async def count(session: object) -> int:
                got = 0
                async for event in session:  # type: ignore[attr-defined]
                    if isinstance(event, events.Message) and event.text == "load":
                        got += 1
                        if got == MESSAGES:
                            break
                return got

            counts = await asyncio.wait_for(asyncio.gather(*(count(s) for s in sessions)), 60)
            assert counts == [MESSAGES] * SESSIONS
            await asyncio.gather(*(s.close() for s in sessions))
        print(
            f"{SESSIONS} sessions connected in {connected:.2f} s; "
            f"{(after - before) / SESSIONS:.1f} KiB of RSS each"
        )
        # Nothing left: no task that was not there before (the emulator's per-socket tasks
        # end as the sockets close), no open connection.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (
            emu.counters.connections_open or asyncio.all_tasks() - baseline
        ):
            await asyncio.sleep(0.05)
        assert asyncio.all_tasks() - baseline == set()
        assert emu.counters.connections_open == 0
    # The emulator's listening sockets are gone too now; ours must be.
    assert _fds() <= fds
