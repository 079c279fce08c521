"""How many small events a second the emulator pushes to one raw aiohttp WebSocket client.

Runs ``python -m slackrtm.emulator`` in a subprocess (so the emulator and the client do not share
a GIL), connects one aiohttp client through ``rtm.connect``, asks for a burst over the control
route ``/_emulator/rtm/broadcast`` and times the client receiving every frame. The target is at
least 100,000 events a second on loopback, so that the emulator never limits a benchmark.

    python bench/emulator_throughput.py [--events N] [--rounds R] [--in-process]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

TARGET = 100_000


@asynccontextmanager
async def _subprocess_emulator() -> AsyncIterator[tuple[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "slackrtm.emulator", "--port", "0", "--log-level", "WARNING"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        info: dict[str, str] = {}
        while "bot_token" not in info:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("the emulator exited before listening")
            key, sep, value = line.strip().partition("=")
            if sep and key in ("base_url", "bot_token"):
                info[key] = value
        yield info["base_url"], info["bot_token"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@asynccontextmanager
async def _inprocess_emulator() -> AsyncIterator[tuple[str, str]]:
    from slackrtm.emulator import Emulator

    async with Emulator() as emu:
        yield emu.base_url, emu.bot_token


async def _round(session: aiohttp.ClientSession, base_url: str, token: str, n: int) -> float:
    async with session.get(
        base_url + "rtm.connect", headers={"Authorization": f"Bearer {token}"}
    ) as resp:
        url = (await resp.json())["url"]
    control = base_url.replace("/api/", "/_emulator/")
    async with session.ws_connect(url, compress=0, autoping=True) as ws:
        hello = await ws.receive_str()
        assert json.loads(hello)["type"] == "hello", hello
        async with session.post(control + "rtm/broadcast", json={"n": n}) as resp:
            assert resp.status == 200, await resp.text()
        start = time.perf_counter()
        received = 0
        last = ""
        while received < n:
            msg = await ws.receive()
            if msg.type is not aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"unexpected {msg.type}")
            received += 1
            last = msg.data
        elapsed = time.perf_counter() - start
        assert json.loads(last)["type"] == "message"
    return n / elapsed


async def _main(events: int, rounds: int, in_process: bool) -> float:
    emulator = _inprocess_emulator() if in_process else _subprocess_emulator()
    async with emulator as (base_url, token), aiohttp.ClientSession() as session:
        await _round(session, base_url, token, min(events, 10_000))  # warm-up
        rates = [await _round(session, base_url, token, events) for _ in range(rounds)]
    best = max(rates)
    where = "in-process (one loop)" if in_process else "emulator in a subprocess"
    print(f"{where}: {events} events x {rounds} rounds")
    print("rounds: " + ", ".join(f"{r:,.0f}/s" for r in rates))
    print(f"best: {best:,.0f} events/s (target >= {TARGET:,}/s)")
    return best


def main() -> int:
    """Run the benchmark; exit status 1 when below the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()
    best = asyncio.run(_main(args.events, args.rounds, args.in_process))
    return 0 if best >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
