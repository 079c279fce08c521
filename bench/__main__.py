"""`python -m bench`: rtm.connect per-call cost, each client beside its limit and slack_sdk.

The emulator runs in its own process. Every contender makes the same calls against it, with
its client opened once. A repetition makes N calls per contender in interleaved chunks (100
sequential calls, or 500 concurrent ones, per contender in turn; the order reverses every other
repetition), so a slow moment of a shared machine hits all contenders alike. Each contender's
time is divided by the limit's time of the same repetition; the median of those ratios is the
result:

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
from collections.abc import Iterator
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


# ---------------------------------------------------------------------------- contenders
#
# Each contender opens its client once, then runs chunks of calls; the runner interleaves the
# chunks of all contenders, so a slow moment of a shared machine hits them alike.

FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


class RawUrllib3:
    name = "raw urllib3 (limit)"

    def __init__(self, base_url: str, token: str) -> None:
        self.pool = urllib3.PoolManager(maxsize=4, retries=False)
        self.url = base_url + "rtm.connect"
        self.headers = {"Authorization": f"Bearer {token}", **FORM_HEADERS}

    def run(self, n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            body = json.loads(
                self.pool.request("POST", self.url, body=b"", headers=self.headers).data
            )
            assert body["ok"] is True
        return time.perf_counter() - started

    def close(self) -> None:
        self.pool.clear()


class SlackrtmClient:
    name = "slackrtm Client"

    def __init__(self, base_url: str, token: str) -> None:
        self.client = Client(token=token, base_url=base_url)

    def run(self, n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            assert self.client.rtm_connect().ok
        return time.perf_counter() - started

    def close(self) -> None:
        self.client.close()


class SlackSdkWebClient:
    name = "slack_sdk WebClient"

    def __init__(self, base_url: str, token: str) -> None:
        from slack_sdk import WebClient

        self.client = WebClient(token=token, base_url=base_url)

    def run(self, n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            assert self.client.rtm_connect()["ok"] is True
        return time.perf_counter() - started

    def close(self) -> None:
        pass


class AsyncContender:
    """Runs ``one()`` n times, ``concurrency`` at a time, on the running loop."""

    name = ""
    concurrency = 100

    async def one(self) -> None:
        raise NotImplementedError

    async def run(self, n: int) -> float:
        semaphore = asyncio.Semaphore(self.concurrency)

        async def task() -> None:
            async with semaphore:
                await self.one()

        started = time.perf_counter()
        await asyncio.gather(*(task() for _ in range(n)))
        return time.perf_counter() - started

    async def close(self) -> None:
        pass


class RawAiohttp(AsyncContender):
    name = "raw aiohttp (limit)"

    def __init__(self, base_url: str, token: str) -> None:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        self.url = base_url + "rtm.connect"
        self.headers = {"Authorization": f"Bearer {token}", **FORM_HEADERS}

    async def one(self) -> None:
        async with self.session.post(self.url, data=b"", headers=self.headers) as response:
            body = await response.json()
        assert body["ok"] is True

    async def close(self) -> None:
        await self.session.close()


class SlackrtmAsyncClient(AsyncContender):
    name = "slackrtm AsyncClient"

    def __init__(self, base_url: str, token: str) -> None:
        self.client = AsyncClient(token=token, base_url=base_url)

    async def one(self) -> None:
        assert (await self.client.rtm_connect()).ok

    async def close(self) -> None:
        await self.client.close()


class SlackSdkAsyncWebClient(AsyncContender):
    name = "slack_sdk AsyncWebClient"

    def __init__(self, base_url: str, token: str) -> None:
        from slack_sdk.web.async_client import AsyncWebClient

        self.client = AsyncWebClient(token=token, base_url=base_url)

    async def one(self) -> None:
        assert (await self.client.rtm_connect())["ok"] is True


# ---------------------------------------------------------------------------- runner


def _orders(names: list[str], rep: int) -> list[str]:
    # Reverse the order every other repetition so no contender always goes first.
    return names if rep % 2 == 0 else names[::-1]


def run_sequential(
    base_url: str, token: str, n: int, chunk: int, repetitions: int, warmup: int
) -> dict[str, list[float]]:
    contenders = [cls(base_url, token) for cls in (RawUrllib3, SlackrtmClient, SlackSdkWebClient)]
    by_name = {c.name: c for c in contenders}
    times: dict[str, list[float]] = {name: [] for name in by_name}
    try:
        for contender in contenders:
            contender.run(warmup)
        for rep in range(repetitions):
            totals = dict.fromkeys(by_name, 0.0)
            for _ in range(n // chunk):
                for name in _orders(list(by_name), rep):
                    totals[name] += by_name[name].run(chunk)
            for name, total in totals.items():
                times[name].append(total)
    finally:
        for contender in contenders:
            contender.close()
    return times


async def run_concurrent(
    base_url: str, token: str, n: int, chunk: int, repetitions: int, warmup: int, concurrency: int
) -> dict[str, list[float]]:
    contenders: list[AsyncContender] = [
        cls(base_url, token) for cls in (RawAiohttp, SlackrtmAsyncClient, SlackSdkAsyncWebClient)
    ]
    for contender in contenders:
        contender.concurrency = concurrency
    by_name = {c.name: c for c in contenders}
    times: dict[str, list[float]] = {name: [] for name in by_name}
    try:
        for contender in contenders:
            await contender.run(warmup)
        for rep in range(repetitions):
            totals = dict.fromkeys(by_name, 0.0)
            for _ in range(n // chunk):
                for name in _orders(list(by_name), rep):
                    totals[name] += await by_name[name].run(chunk)
            for name, total in totals.items():
                times[name].append(total)
    finally:
        for contender in contenders:
            await contender.close()
    return times


def run(n: int, concurrency: int, repetitions: int, warmup: int, chunk: int) -> dict[str, Any]:
    with emulator_process() as (base_url, token):
        times = {
            "sequential": run_sequential(base_url, token, n, chunk, repetitions, warmup),
            "concurrent": asyncio.run(
                run_concurrent(base_url, token, n, chunk * 5, repetitions, warmup, concurrency)
            ),
        }
    report: dict[str, Any] = {
        "benchmark": "rtm.connect per call",
        "calls": n,
        "chunk": chunk,
        "concurrency": concurrency,
        "repetitions": repetitions,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "groups": {},
    }
    for group, by_name in times.items():
        limit_name = next(name for name in by_name if "(limit)" in name)
        limit = by_name[limit_name]
        rows = {}
        for name, samples in by_name.items():
            # The ratio of each repetition, then their median: pairs measured side by side.
            ratios = [sample / base for sample, base in zip(samples, limit, strict=True)]
            rows[name] = {
                "per_call_us": round(statistics.median(samples) / n * 1e6, 1),
                "ratio_to_limit": round(statistics.median(ratios), 3),
                "ratios": [round(r, 3) for r in ratios],
            }
        report["groups"][group] = {"limit": limit_name, "target": TARGETS[group], "rows": rows}
    return report


def render(report: dict[str, Any]) -> str:
    lines = [
        f"rtm.connect: {report['calls']} calls, {report['repetitions']} alternating repetitions, "
        f"median of per-repetition ratios; calls interleaved in chunks; "
        f"concurrent = {report['concurrency']} at a time",
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
    parser.add_argument(
        "--chunk", type=int, default=100, help="sequential calls per interleaved chunk"
    )
    parser.add_argument("--json", type=Path, default=RESULTS / "rtm_connect.json")
    options = parser.parse_args(argv)
    report = run(
        options.calls, options.concurrency, options.repetitions, options.warmup, options.chunk
    )
    print(render(report))
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {options.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
