"""`python -m bench`: rtm.connect per-call cost, each client beside its limit and slack_sdk.

The emulator runs in its own process. Every contender makes the same calls against it; each
repetition runs all contenders once, in turn (alternating, so drift on a shared machine hits
them alike), and the median over repetitions is compared with the limit of the same run:

- sequential: N calls one after another;
  limit = a raw urllib3 PoolManager POST + json.loads;
  contenders = `Client.rtm_connect`, slack_sdk `WebClient.rtm_connect` as shipped.
- concurrent: N calls, C at a time, on one event loop;
  limit = a raw aiohttp ClientSession POST + json;
  contenders = `AsyncClient.rtm_connect`, slack_sdk `AsyncWebClient.rtm_connect` as shipped.

Absolute times on a shared machine are noise; the ratios are the result. They are printed and
written as JSON (bench/results/rtm_connect.json, or --json PATH).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import urllib3

from slackrtm import AsyncClient, Client

RESULTS = Path(__file__).parent / "results"
TARGETS = {"sequential": 1.10, "concurrent": 1.15}


@contextmanager
def emulator_process() -> Iterator[tuple[str, str]]:
    """Start `python -m slackrtm.emulator` in its own process; yield (base_url, bot token)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "slackrtm.emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--web-rate-limit",
            "0",
            "--log-level",
            "WARNING",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    base_url = token = None
    deadline = time.monotonic() + 20
    while (base_url is None or token is None) and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        base_url = base_url or _find(r"https?://127\.0\.0\.1:\d+/api/", line)
        token = token or _find(r"xoxb-[\w-]+", line)
    if base_url is None or token is None:
        proc.kill()
        raise RuntimeError("the emulator did not print its base URL and bot token")
    try:
        yield base_url, token
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _find(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text)
    return match.group(0) if match else None


# ---------------------------------------------------------------------------- sequential


def seq_raw_urllib3(base_url: str, token: str, n: int) -> float:
    pool = urllib3.PoolManager(maxsize=4, retries=False)
    url = base_url + "rtm.connect"
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    started = time.perf_counter()
    for _ in range(n):
        response = pool.request("POST", url, body=b"", headers=headers)
        body = json.loads(response.data)
        assert body["ok"] is True
    elapsed = time.perf_counter() - started
    pool.clear()
    return elapsed


def seq_slackrtm(base_url: str, token: str, n: int) -> float:
    with Client(token=token, base_url=base_url) as client:
        started = time.perf_counter()
        for _ in range(n):
            assert client.rtm_connect().ok
        return time.perf_counter() - started


def seq_slack_sdk(base_url: str, token: str, n: int) -> float:
    from slack_sdk import WebClient

    client = WebClient(token=token, base_url=base_url)
    started = time.perf_counter()
    for _ in range(n):
        assert client.rtm_connect()["ok"] is True
    return time.perf_counter() - started


# ---------------------------------------------------------------------------- concurrent


async def _gather_limited(n: int, concurrency: int, one: Callable[[], Awaitable[None]]) -> float:
    semaphore = asyncio.Semaphore(concurrency)

    async def task() -> None:
        async with semaphore:
            await one()

    started = time.perf_counter()
    await asyncio.gather(*(task() for _ in range(n)))
    return time.perf_counter() - started


async def conc_raw_aiohttp(base_url: str, token: str, n: int, concurrency: int) -> float:
    url = base_url + "rtm.connect"
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:

        async def one() -> None:
            async with session.post(url, data=b"", headers=headers) as response:
                body = await response.json()
            assert body["ok"] is True

        return await _gather_limited(n, concurrency, one)


async def conc_slackrtm(base_url: str, token: str, n: int, concurrency: int) -> float:
    async with AsyncClient(token=token, base_url=base_url) as client:

        async def one() -> None:
            assert (await client.rtm_connect()).ok

        return await _gather_limited(n, concurrency, one)


async def conc_slack_sdk(base_url: str, token: str, n: int, concurrency: int) -> float:
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=token, base_url=base_url)

    async def one() -> None:
        assert (await client.rtm_connect())["ok"] is True

    return await _gather_limited(n, concurrency, one)


# ---------------------------------------------------------------------------- runner


def run(n: int, concurrency: int, repetitions: int, warmup: int) -> dict[str, Any]:
    sequential: dict[str, Callable[[str, str, int], float]] = {
        "raw urllib3 (limit)": seq_raw_urllib3,
        "slackrtm Client": seq_slackrtm,
        "slack_sdk WebClient": seq_slack_sdk,
    }
    concurrent: dict[str, Callable[[str, str, int, int], Coroutine[Any, Any, float]]] = {
        "raw aiohttp (limit)": conc_raw_aiohttp,
        "slackrtm AsyncClient": conc_slackrtm,
        "slack_sdk AsyncWebClient": conc_slack_sdk,
    }
    times: dict[str, dict[str, list[float]]] = {
        "sequential": {name: [] for name in sequential},
        "concurrent": {name: [] for name in concurrent},
    }
    with emulator_process() as (base_url, token):
        for fn in sequential.values():
            fn(base_url, token, warmup)
        for afn in concurrent.values():
            asyncio.run(afn(base_url, token, warmup, concurrency))
        for rep in range(repetitions):
            # Alternate the order each repetition so no contender always goes first.
            order = list(sequential.items())
            for name, fn in order if rep % 2 == 0 else reversed(order):
                times["sequential"][name].append(fn(base_url, token, n))
            aorder = list(concurrent.items())
            for name, afn in aorder if rep % 2 == 0 else reversed(aorder):
                times["concurrent"][name].append(asyncio.run(afn(base_url, token, n, concurrency)))
    report: dict[str, Any] = {
        "benchmark": "rtm.connect per call",
        "calls": n,
        "concurrency": concurrency,
        "repetitions": repetitions,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "groups": {},
    }
    for group, by_name in times.items():
        limit_name = next(name for name in by_name if "(limit)" in name)
        limit = statistics.median(by_name[limit_name])
        rows = {}
        for name, samples in by_name.items():
            median = statistics.median(samples)
            rows[name] = {
                "median_s": round(median, 4),
                "per_call_us": round(median / n * 1e6, 1),
                "ratio_to_limit": round(median / limit, 3),
            }
        report["groups"][group] = {"limit": limit_name, "target": TARGETS[group], "rows": rows}
    return report


def render(report: dict[str, Any]) -> str:
    lines = [
        f"rtm.connect: {report['calls']} calls, {report['repetitions']} alternating repetitions, "
        f"median; concurrent = {report['concurrency']} at a time",
    ]
    for group, data in report["groups"].items():
        lines.append(f"\n{group} (target: slackrtm <= {data['target']:.2f}x the limit)")
        for name, row in data["rows"].items():
            lines.append(
                f"  {name:<26} {row['ratio_to_limit']:>6.3f}x   {row['per_call_us']:>8.1f} us/call"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--json", type=Path, default=RESULTS / "rtm_connect.json")
    options = parser.parse_args(argv)
    report = run(options.calls, options.concurrency, options.repetitions, options.warmup)
    print(render(report))
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {options.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
