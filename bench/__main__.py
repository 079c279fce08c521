"""`python -m bench` (`make bench`): every cost of slackrtm beside its limit and slack_sdk.

Three servers, each in its own process: the lean canned-bytes server (`bench.lean_server`),
which makes the limit rows honest (a slow server hides the client's own share); the emulator
(`python -m slackrtm.emulator`), the realistic peer; and the emulator with the limits that pace
a client off and 10,000 made-up users (`bench.emulator_server`, for the outbound, workspace and
memory rows). Contenders are interleaved; each row gives the median of per-repetition ratios
to its limit (see `bench._harness`). One table is printed and written as JSON to
``bench/results.json`` (``--json PATH`` elsewhere).

Rows (``--rows`` picks some by key):

- ``connect``: rtm.connect per call: sync sequential; async sequential and 100 at a time; on
  both servers (`bench.connect`).
- ``inbound``: a 50,000-message RTM burst, async and sync, on the lean server: our sessions'
  typed events beside raw clients and slack_sdk (`bench.inbound`).
- ``socket``: a 50,000-envelope Socket Mode burst, each envelope acked, async and sync, on the
  lean server: our sessions beside a raw loop that does ``json.loads`` and writes the ack
  (`bench.socket_mode`).
- ``decode``: `slackrtm.events.decode` per frame, in process, with and without orjson, beside
  ``json.loads`` (`bench.decode`); and `slackrtm.envelopes.decode` of a Socket Mode
  ``events_api`` envelope carrying a message (`bench.envelopes`).
- ``outbound``: ``send_message`` with acks, pacing off, sync and async (`bench.outbound`).
- ``workspace``: ``workspace()`` on a 10,000-user workspace, sync and async (`bench.workspace`).
- ``import``: import time, the median of 10 fresh interpreters, bytecode compiled; and the same
  with the first ``rtm.connect`` call counted (`bench.imports`).
- ``memory``: the RSS of 1 and of 100 idle async sessions (`bench.memory`).
- ``scale``: how cost grows: ``workspace()`` at 1,000, 10,000 and 100,000 users (time and peak
  memory, an emulator of each size), and inbound on 1, 10 and 100 concurrent async sessions
  (a lean server of its own, 2,000 messages a session) (`bench.scale`).
- ``picture``: the live picture of 10,000 users and 2,000 channels: the time to the first
  consistent picture, sync and async, and its memory, each beside ``workspace()`` alone
  (`bench.picture`; an emulator of its own with those channels).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from . import (
    connect,
    decode,
    envelopes,
    imports,
    inbound,
    memory,
    outbound,
    picture,
    scale,
    socket_mode,
    workspace,
)
from ._harness import Row, Server, emulator, lean, markdown, render, unpaced_emulator

RESULTS = Path(__file__).parent / "results.json"
ROW_KEYS = (
    "connect",
    "inbound",
    "socket",
    "decode",
    "outbound",
    "workspace",
    "import",
    "memory",
    "scale",
    "picture",
)
WORKSPACE_USERS = 10_000


def machine() -> dict[str, Any]:
    """Where the numbers came from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _connect_rows(servers: list[Server], options: argparse.Namespace) -> list[Row]:
    """The rtm.connect rows: sync, then async one at a time and many at a time, per server."""
    rows: list[Row] = []
    for server in servers:
        rows.append(connect.sync_row(server, calls=options.calls, rounds=options.rounds))
        for concurrency in (1, options.concurrency):
            calls = options.calls if concurrency == 1 else options.calls * 5
            rows.append(
                asyncio.run(
                    connect.async_row(
                        server, calls=calls, concurrency=concurrency, rounds=options.rounds
                    )
                )
            )
    return rows


def run(options: argparse.Namespace) -> list[Row]:
    """Start the servers the chosen rows need; run the rows in order."""
    keys = set(options.rows)
    rows: list[Row] = []
    with ExitStack() as stack:
        servers: list[Server] = []
        if keys & {"connect", "inbound", "socket", "import"}:
            servers.append(stack.enter_context(lean(burst=options.events)))
        if "connect" in keys and not options.lean_only:
            servers.append(stack.enter_context(emulator()))
        unpaced = None
        if keys & {"outbound", "workspace", "memory", "scale"}:
            unpaced = stack.enter_context(unpaced_emulator(users=WORKSPACE_USERS))
        if "connect" in keys:
            rows += _connect_rows(servers, options)
        if "inbound" in keys:
            rows += _inbound_rows(servers[0], options)
        if "socket" in keys:
            rows += _inbound_rows(servers[0], options, module=socket_mode)
        if "decode" in keys:
            rows += [decode.row(shape=shape) for shape in decode.SHAPES] + [envelopes.row()]
        if unpaced is not None:
            rows += _unpaced_rows(unpaced, keys, options)
        if "import" in keys:
            rows.append(imports.row(repetitions=options.imports))
            rows.append(imports.first_call_row(servers[0], repetitions=options.imports))
        if "scale" in keys:
            rows += _scale_rows(stack, unpaced, options)
        if "picture" in keys:
            rows += _picture_rows(stack, options)
    return rows


def _inbound_rows(server: Server, options: argparse.Namespace, module: Any = inbound) -> list[Row]:
    """The 50,000-event burst (RTM events, or Socket Mode envelopes), async then sync."""
    burst = {
        "events": options.events,
        "rounds": options.burst_rounds,
        "timeout": options.burst_timeout,
    }
    return [asyncio.run(module.async_row(server, **burst)), module.sync_row(server, **burst)]


def _unpaced_rows(unpaced: Server, keys: set[str], options: argparse.Namespace) -> list[Row]:
    """The rows on the 10,000-user unpaced emulator: outbound, workspace() and memory."""
    rows: list[Row] = []
    if "outbound" in keys:
        sends = {"messages": options.messages, "rounds": options.burst_rounds}
        rows.append(asyncio.run(outbound.async_row(unpaced, **sends)))
        rows.append(outbound.sync_row(unpaced, **sends))
    if "workspace" in keys:
        sync = workspace.sync_row(unpaced, rounds=options.burst_rounds)
        expected = sync.samples[next(iter(sync.samples))][0].expected or 0
        rows.append(sync)
        rows.append(
            asyncio.run(
                workspace.async_row(unpaced, expected=expected, rounds=options.burst_rounds)
            )
        )
    if "memory" in keys:
        rows.append(memory.row(unpaced))
    return rows


def _scale_rows(stack: ExitStack, unpaced: Server | None, options: argparse.Namespace) -> list[Row]:
    """The scale rows: workspace() by size (an emulator each), inbound by concurrent sessions."""
    rows: list[Row] = []
    for users in scale.SIZES:
        with ExitStack() as own:
            server = unpaced if users == WORKSPACE_USERS else None
            if server is None:
                server = own.enter_context(unpaced_emulator(users=users))
            # The 100,000-user snapshot takes seconds: fewer rounds there.
            rounds = options.burst_rounds if users <= WORKSPACE_USERS else 1
            rows.append(scale.workspace_time_row(server, users=users, rounds=rounds))
            rows.append(scale.workspace_memory_row(server, users=users))
    server = stack.enter_context(lean(burst=scale.PER_SESSION))
    for sessions in scale.SESSIONS:
        rows.append(
            asyncio.run(
                scale.sessions_row(
                    server,
                    sessions=sessions,
                    rounds=options.burst_rounds,
                    timeout=options.burst_timeout,
                )
            )
        )
    return rows


def _picture_rows(stack: ExitStack, options: argparse.Namespace) -> list[Row]:
    """The live picture's rows, on an emulator of their own (10,000 users, 2,000 channels)."""
    server = stack.enter_context(unpaced_emulator(users=picture.USERS, channels=picture.CHANNELS))
    return [
        picture.sync_row(server, rounds=options.burst_rounds),
        asyncio.run(picture.async_row(server, rounds=options.burst_rounds)),
        picture.memory_row(server),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--rows", nargs="+", choices=ROW_KEYS, default=list(ROW_KEYS))
    parser.add_argument(
        "--calls", type=int, default=100, help="sequential calls per round (concurrent: 5x)"
    )
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=31, help="rounds of rtm.connect rows")
    parser.add_argument("--events", type=int, default=50_000, help="messages in a burst")
    parser.add_argument(
        "--burst-rounds", type=int, default=5, help="rounds of the burst, send and workspace rows"
    )
    parser.add_argument("--messages", type=int, default=1000, help="sends per outbound round")
    parser.add_argument("--burst-timeout", type=float, default=30.0)
    parser.add_argument("--imports", type=int, default=10, help="fresh interpreters each")
    parser.add_argument("--lean-only", action="store_true", help="skip the emulator rows")
    parser.add_argument("--json", type=Path, default=RESULTS)
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="RESULTS",
        help="print the table of a results file as Markdown (for the README) and run nothing",
    )
    options = parser.parse_args(argv)
    if options.markdown is not None:
        print(markdown(json.loads(options.markdown.read_text())["rows"]))
        return 0
    started = time.monotonic()
    rows = [row.to_json() for row in run(options)]
    m = machine()
    report = {
        "machine": m,
        "seconds": round(time.monotonic() - started, 1),
        "options": {k: v for k, v in vars(options).items() if k not in ("json", "markdown")},
        "rows": rows,
    }
    print(render(rows))
    print(
        f"\n{m['cpus']} CPUs ({m['cpu']}), {m['implementation']} {m['python']}; "
        f"ratio = median over rounds of (contender time / limit time), with its quartiles; "
        f"cpu = the same for this process's CPU time (the client side); "
        f"{report['seconds']} s"
    )
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {options.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
