"""The machinery every row of `make bench` shares: server processes, interleaving, ratios.

A row is a set of contenders doing the same work against the same server; one of them is the
limit (a raw client doing the bare minimum). A repetition runs every contender on the same
amount of work, cut into chunks that are interleaved (the order reverses every other
repetition), so a slow moment of a shared machine hits all contenders alike. Each contender's
time is divided by the limit's time of the same repetition; the row reports the median of those
ratios. Absolute times on a shared machine are noise; the ratios are the result.

A contender is a small class: ``open()`` once, ``run(n)`` per chunk returning a `Sample`
(seconds, and events received when the row counts events), ``close()`` once. Async contenders
have the same three methods as coroutines. A row whose contender cannot exist yet (our RTM
session, before ``slackrtm.rtm`` is built) lists it as a `Slot`: printed, never measured.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

# ---------------------------------------------------------------------------- servers


@dataclass(frozen=True)
class Server:
    """A server process the contenders talk to."""

    name: str
    base_url: str
    token: str


@contextmanager
def server_process(name: str, argv: Sequence[str]) -> Iterator[Server]:
    """Run ``python argv...`` in its own process until it prints its base URL and a token."""
    proc = subprocess.Popen(
        [sys.executable, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    base_url = token = None
    deadline = time.monotonic() + 30
    while (base_url is None or token is None) and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        base_url = base_url or _find(r"https?://127\.0\.0\.1:\d+/api/", line)
        token = token or _find(r"xoxb-[\w-]+", line)
    if base_url is None or token is None:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"the {name} did not print its base URL and bot token")
    try:
        yield Server(name, base_url, token)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _find(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text)
    return match.group(0) if match else None


def emulator(**_: Any) -> Any:
    """The local Slack emulator, rate limits off, in its own process."""
    return server_process(
        "emulator",
        [
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
    )


def lean(burst: int = 0) -> Any:
    """The lean canned-bytes server (`bench.lean_server`), in its own process."""
    return server_process("lean server", ["-m", "bench.lean_server", "--burst", str(burst)])


# ---------------------------------------------------------------------------- contenders


@dataclass
class Sample:
    """One chunk of one contender: wall time, and events when the row counts them."""

    seconds: float
    events: int | None = None
    expected: int | None = None
    in_order: bool = True


class SyncContender(Protocol):
    name: str

    def open(self) -> None: ...
    def run(self, n: int) -> Sample: ...
    def close(self) -> None: ...


class AsyncContender(Protocol):
    name: str

    async def open(self) -> None: ...
    async def run(self, n: int) -> Sample: ...
    async def close(self) -> None: ...


@dataclass(frozen=True)
class Slot:
    """A contender the harness has a place for, not measurable yet; printed with ``why``."""

    name: str
    why: str


@dataclass
class Row:
    """One line group of the table: contenders, the first of them the limit."""

    title: str
    unit: str
    """What one operation is (``call``, ``event``, ``import``): per-operation times use it."""
    server: str
    ops: int
    """Operations per contender and repetition."""
    target: str = ""
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    slots: list[Slot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The row as plain data: ratios, per-operation times, events, slots."""
        names = list(self.samples)
        limit = names[0] if names else None
        contenders = []
        for name in names:
            samples = self.samples[name]
            per_op = statistics.median(_per_op(s) for s in samples) / self.ops
            base = self.samples[limit] if limit is not None else samples
            ratios = [_per_op(s) / _per_op(b) for s, b in zip(samples, base, strict=True)]
            entry: dict[str, Any] = {
                "name": name,
                "ratio": round(statistics.median(ratios), 3),
                "per_op_us": round(per_op * 1e6, 2),
                "ratios": [round(r, 3) for r in ratios],
            }
            if any(s.expected is not None for s in samples):
                entry["events"] = min(s.events or 0 for s in samples)
                entry["expected"] = max(s.expected or 0 for s in samples)
                entry["in_order"] = all(s.in_order for s in samples)
                entry["lost_events"] = entry["events"] < entry["expected"]
            contenders.append(entry)
        return {
            "row": self.title,
            "server": self.server,
            "unit": self.unit,
            "ops": self.ops,
            "target": self.target,
            "limit": limit,
            "contenders": contenders,
            "slots": [{"name": s.name, "why": s.why} for s in self.slots],
            "notes": self.notes,
        }


def _per_op(sample: Sample) -> float:
    """A sample's time for all its work: a contender that lost events is judged by its rate."""
    if sample.expected and sample.events is not None and sample.events < sample.expected:
        return sample.seconds * sample.expected / max(sample.events, 1)
    return sample.seconds


def _orders(items: list[Any], rep: int) -> list[Any]:
    # Reverse the order every other repetition so no contender always goes first.
    return items if rep % 2 == 0 else items[::-1]


def _add(total: Sample | None, sample: Sample) -> Sample:
    if total is None:
        return sample
    return Sample(
        seconds=total.seconds + sample.seconds,
        events=None if sample.events is None else (total.events or 0) + sample.events,
        expected=None if sample.expected is None else (total.expected or 0) + sample.expected,
        in_order=total.in_order and sample.in_order,
    )


def run_sync(
    row: Row, contenders: Sequence[SyncContender], *, repetitions: int, chunk: int, warmup: int
) -> Row:
    """Measure sync contenders: ``row.ops`` operations each per repetition, in chunks."""
    for contender in contenders:
        contender.open()
    try:
        for contender in contenders:
            if warmup:
                contender.run(warmup)
        row.samples = {c.name: [] for c in contenders}
        for rep in range(repetitions):
            totals: dict[str, Sample | None] = dict.fromkeys(row.samples)
            for _ in range(max(1, row.ops // chunk)):
                for contender in _orders(list(contenders), rep):
                    totals[contender.name] = _add(totals[contender.name], contender.run(chunk))
            for name, total in totals.items():
                assert total is not None
                row.samples[name].append(total)
    finally:
        for contender in contenders:
            contender.close()
    return row


async def run_async(
    row: Row, contenders: Sequence[AsyncContender], *, repetitions: int, chunk: int, warmup: int
) -> Row:
    """`run_sync` for async contenders, on the running loop."""
    for contender in contenders:
        await contender.open()
    try:
        for contender in contenders:
            if warmup:
                await contender.run(warmup)
        row.samples = {c.name: [] for c in contenders}
        for rep in range(repetitions):
            totals: dict[str, Sample | None] = dict.fromkeys(row.samples)
            for _ in range(max(1, row.ops // chunk)):
                for contender in _orders(list(contenders), rep):
                    sample = await contender.run(chunk)
                    totals[contender.name] = _add(totals[contender.name], sample)
            for name, total in totals.items():
                assert total is not None
                row.samples[name].append(total)
    finally:
        for contender in contenders:
            await contender.close()
    return row


async def gather_limited(n: int, concurrency: int, one: Callable[[], Awaitable[None]]) -> None:
    """Run ``one()`` n times, at most ``concurrency`` at a time."""
    if concurrency <= 1:
        for _ in range(n):
            await one()
        return
    semaphore = asyncio.Semaphore(concurrency)

    async def task() -> None:
        async with semaphore:
            await one()

    await asyncio.gather(*(task() for _ in range(n)))


# ---------------------------------------------------------------------------- the table


def render(rows: Sequence[dict[str, Any]]) -> str:
    """One table: every row's contenders with their ratio to the limit, time and events."""
    lines = [
        f"{'row / contender':<58} {'ratio':>7} {'per op':>12} {'events':>15}",
        "-" * 95,
    ]
    for row in rows:
        target = f"   target: {row['target']}" if row["target"] else ""
        lines.append(f"{row['row']} [{row['server']}, {row['ops']:,} {row['unit']}s]{target}")
        for c in row["contenders"]:
            events = ""
            if "events" in c:
                events = f"{c['events']:,}/{c['expected']:,}"
                if c["lost_events"]:
                    events += " LOST"
                elif not c["in_order"]:
                    events += " UNORDERED"
            limit = " (limit)" if c["name"] == row["limit"] else ""
            lines.append(
                f"  {c['name'] + limit:<56} {c['ratio']:>6.3f}x {_time(c['per_op_us']):>12}"
                f" {events:>15}"
            )
        for slot in row["slots"]:
            lines.append(f"  {slot['name']:<56} {'—':>7} {'slot: ' + slot['why']}")
        for note in row["notes"]:
            lines.append(f"  note: {note}")
    return "\n".join(lines)


def _time(us: float) -> str:
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.1f} µs"
