"""The machinery every row of `make bench` shares: server processes, interleaving, ratios.

A row is a set of contenders doing the same work against the same server; one of them is the
limit (a raw client doing the bare minimum). A round (a repetition) runs every contender on the
same amount of work, one right after the other (the order rotates every round), so a slow
moment of a shared machine hits them alike; rounds are short and many. Each contender's
time is divided by the limit's time of the same round; the row reports the median of those
ratios. Absolute times on a shared machine are noise; the ratios are the result. Beside the
wall-clock ratio, the row gives the ratio of the benchmark process's CPU time (the client's
own work; the server is another process), which a loaded machine disturbs less.

A contender is a small class: ``open()`` once, ``run(n)`` per round returning a `Sample`
(seconds, and events received when the row counts events), ``close()`` once. Async contenders
have the same three methods as coroutines. A row whose contender cannot run here (a library
that is not installed) lists it as a `Slot`: printed, never measured. A memory row
(``measure="memory"``) holds bytes where the others hold seconds.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

# ---------------------------------------------------------------------------- children


def bytecode_environment(cache_dir: str) -> dict[str, str]:
    """The environment of a child process that writes and reads its bytecode in `cache_dir`.

    ``PYTHONDONTWRITEBYTECODE`` is dropped and ``PYTHONPYCACHEPREFIX`` set, so nothing is
    written into the work tree and every contender, site-packages included, reads its ``.pyc``
    from the same place. A child that compiles its modules instead holds the compiler's memory
    (about 25 MiB for the generated events) and spends its time: a row of fresh interpreters
    runs each contender once, untimed, to fill the cache first.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


@cache
def child_environment() -> dict[str, str]:
    """`bytecode_environment` of one cache folder for the whole run, removed at its end."""
    folder = tempfile.mkdtemp(prefix="slackrtm-bench-pyc-")
    atexit.register(shutil.rmtree, folder, True)
    return bytecode_environment(folder)


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


def unpaced_emulator(users: int = 0, channels: int = 0) -> Any:
    """The emulator with the limits that pace a client off (`bench.emulator_server`)."""
    argv = ["-m", "bench.emulator_server", "--users", str(users), "--channels", str(channels)]
    return server_process("emulator", argv)


def lean(burst: int = 0) -> Any:
    """The lean canned-bytes server (`bench.lean_server`), in its own process."""
    return server_process("lean server", ["-m", "bench.lean_server", "--burst", str(burst)])


# ---------------------------------------------------------------------------- contenders


@dataclass
class Sample:
    """One chunk of one contender: wall time, and events when the row counts them."""

    seconds: float
    cpu: float | None = None
    """CPU seconds of the benchmark process (the client side) over the chunk, set by the runner."""
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
    """Operations per contender and round (one sample)."""
    target: str = ""
    measure: str = "time"
    """``time``: a sample's ``seconds`` are seconds; ``memory``: they are bytes (RSS growth)."""
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
                "ratio_quartiles": _quartiles(ratios),
                "ratios": [round(r, 3) for r in ratios],
            }
            if self.measure == "memory":
                entry["per_op_kib"] = round(per_op / 1024, 1)
            else:
                entry["per_op_us"] = round(per_op * 1e6, 2)
            if all(s.cpu for s in samples) and all(b.cpu for b in base):
                cpu_ratios = [
                    _per_op(s, s.cpu) / _per_op(b, b.cpu)
                    for s, b in zip(samples, base, strict=True)
                ]
                entry["cpu_ratio"] = round(statistics.median(cpu_ratios), 3)
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
            "measure": self.measure,
            "limit": limit,
            "contenders": contenders,
            "slots": [{"name": s.name, "why": s.why} for s in self.slots],
            "notes": self.notes,
        }


def _quartiles(values: list[float]) -> list[float]:
    """The first and third quartiles: how far the rounds spread around the median."""
    if len(values) < 2:
        return [round(values[0], 3)] * 2 if values else []
    q = statistics.quantiles(values, n=4)
    return [round(q[0], 3), round(q[2], 3)]


def _per_op(sample: Sample, seconds: float | None = None) -> float:
    """A sample's time for all its work: a contender that lost events is judged by its rate."""
    seconds = sample.seconds if seconds is None else seconds
    if sample.expected and sample.events is not None and sample.events < sample.expected:
        return seconds * sample.expected / max(sample.events, 1)
    return seconds


def _orders(items: list[Any], rep: int) -> list[Any]:
    # Rotate the order every round, and reverse it every other cycle, so that no contender
    # always goes first or always follows the same other one (slack_sdk's WebClient, which
    # opens a connection per call, leaves the server work that the next contender pays for).
    shift = rep % len(items)
    order = items[shift:] + items[:shift]
    return order if (rep // len(items)) % 2 == 0 else order[::-1]


def run_sync(row: Row, contenders: Sequence[SyncContender], *, rounds: int, warmup: int) -> Row:
    """Measure sync contenders: ``rounds`` rounds of ``row.ops`` operations each."""
    for contender in contenders:
        contender.open()
    try:
        for contender in contenders:
            if warmup:
                contender.run(warmup)
        row.samples = {c.name: [] for c in contenders}
        for rep in range(rounds):
            for contender in _orders(list(contenders), rep):
                cpu = time.process_time()
                sample = contender.run(row.ops)
                sample.cpu = time.process_time() - cpu
                row.samples[contender.name].append(sample)
    finally:
        for contender in contenders:
            contender.close()
    return row


async def run_async(
    row: Row, contenders: Sequence[AsyncContender], *, rounds: int, warmup: int
) -> Row:
    """`run_sync` for async contenders, on the running loop."""
    for contender in contenders:
        await contender.open()
    try:
        for contender in contenders:
            if warmup:
                await contender.run(warmup)
        row.samples = {c.name: [] for c in contenders}
        for rep in range(rounds):
            for contender in _orders(list(contenders), rep):
                cpu = time.process_time()
                sample = await contender.run(row.ops)
                sample.cpu = time.process_time() - cpu
                row.samples[contender.name].append(sample)
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
        f"{'row / contender':<50} {'ratio':>7} {'quartiles':>13} {'cpu':>7} {'per op':>10}"
        f" {'events':>16}",
        "-" * 108,
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
            cpu = f"{c['cpu_ratio']:.3f}x" if "cpu_ratio" in c else ""
            low, high = c["ratio_quartiles"] or [c["ratio"], c["ratio"]]
            quartiles = "" if c["name"] == row["limit"] else f"{low:.2f}..{high:.2f}"
            lines.append(
                f"  {c['name'] + limit:<48} {c['ratio']:>6.3f}x {quartiles:>13} {cpu:>7} "
                f"{_per_op_text(c):>10} {events:>16}"
            )
        for slot in row["slots"]:
            lines.append(f"  {slot['name']:<48} {'—':>7}  slot: {slot['why']}")
        for note in row["notes"]:
            lines.append(f"  note: {note}")
    return "\n".join(lines)


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The table as Markdown, for the README: one line per contender, a note line per note."""
    lines = [
        "| row | server | contender | ratio (quartiles) | CPU ratio | per op | events |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        head = [row["row"], "" if row["server"] == "none" else row["server"]]
        for c in row["contenders"]:
            if c["name"] == row["limit"]:
                ratio = "1 (limit)"
            else:
                low, high = c["ratio_quartiles"] or [c["ratio"], c["ratio"]]
                ratio = f"{c['ratio']:.2f}x ({low:.2f}\u2013{high:.2f})"
            cpu = f"{c['cpu_ratio']:.2f}x" if "cpu_ratio" in c and c["name"] != row["limit"] else ""
            events = ""
            if "events" in c:
                events = f"{c['events']:,}/{c['expected']:,}"
                if c["lost_events"]:
                    events += " **lost**"
                elif not c["in_order"]:
                    events += " **unordered**"
            cells = [*head, c["name"], ratio, cpu, _per_op_text(c), events]
            lines.append("| " + " | ".join(cells) + " |")
            head = ["", ""]
        for note in row["notes"]:
            lines.append(f"| | | *{note}* | | | | |")
    return "\n".join(lines)


def _per_op_text(contender: dict[str, Any]) -> str:
    if "per_op_kib" in contender:
        return f"{contender['per_op_kib']:.1f} KiB"
    return _time(contender["per_op_us"])


def _time(us: float) -> str:
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.1f} µs"
