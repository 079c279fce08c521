"""What a replay costs per reconnect: ``conversations.history`` calls and time, both forms.

``python bench/replay_cost.py`` (not part of ``make bench``): for 3 and for 50 active
conversations, a session with ``replay=True`` reads one live message in each, the emulator
has an outage of half a second while 5 messages are posted in each, and the time from the
reconnect's `Connected` to the last replayed message is measured, with the history calls the
replay made. Each row is the median of a few rounds. Loopback, so the time is the session's
and the emulator's own work (no network latency: add a round trip per call for Slack).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from typing import Any

from slackrtm import AsyncClient, Client, RetryPolicy, events
from slackrtm.emulator import EmulatedWorkspace, Emulator, Limits
from slackrtm.rtm import Connected, RtmOptions

BOT = "U0EMUBOT1"
PER_CHANNEL = 5
OUTAGE = 0.5
OPTIONS = RtmOptions(
    ping_interval=1.0,
    pong_timeout=1.0,
    reconnect=RetryPolicy(max_retries=1000, max_total=60.0, backoff_base=0.05, backoff_max=0.2),
)


def _workspace(channels: int) -> tuple[EmulatedWorkspace, list[str]]:
    workspace = EmulatedWorkspace.default()
    ids = [f"C0RPL{n:04d}" for n in range(channels)]
    for cid in ids:
        workspace.add_channel(cid, name=cid.lower(), team_id="T0EMU0001", members=[BOT])
    return workspace, ids


def _post_and_drop(emu: Emulator, ids: list[str], round_: int) -> int:
    emu.outage(OUTAGE)
    for i in range(PER_CHANNEL):
        for cid in ids:
            emu.post_message(cid, f"r{round_} {cid} {i}")
    return len(ids) * PER_CHANNEL


class _Count:
    """Counts the replayed messages; the time of the reconnect and of the last one."""

    def __init__(self, want: int) -> None:
        self.want = want
        self.replayed = 0
        self.connected_at = 0.0
        self.done_at = 0.0

    def see(self, event: Any) -> bool:
        if isinstance(event, Connected) and event.cause != "start":
            self.connected_at = time.perf_counter()
        elif isinstance(event, events.Message) and event.replayed:
            self.replayed += 1
            if self.replayed == self.want:
                self.done_at = time.perf_counter()
                return True
        return False


def _sync_round(emu: Emulator, ids: list[str], round_: int) -> tuple[float, int]:
    client = Client(token=emu.bot_token, base_url=emu.base_url)
    with client, client.rtm(options=OPTIONS, replay=True) as rtm:
        for cid in ids:
            emu.post_message(cid, f"live {round_} {cid}")
        live = 0
        while live < len(ids):
            live += isinstance(rtm.next_event(30), events.Message)
        before = len(emu.requests)
        count = _Count(_post_and_drop(emu, ids, round_))
        while not count.see(rtm.next_event(60)):
            pass
    calls = [r for r in emu.requests[before:] if r.path == "/api/conversations.history"]
    return count.done_at - count.connected_at, len(calls)


async def _async_round(emu: Emulator, ids: list[str], round_: int) -> tuple[float, int]:
    client = AsyncClient(token=emu.bot_token, base_url=emu.base_url)
    async with client, client.rtm(options=OPTIONS, replay=True) as rtm:
        for cid in ids:
            emu.post_message(cid, f"live {round_} {cid}")
        live = 0
        while live < len(ids):
            live += isinstance(await rtm.next_event(30), events.Message)
        before = len(emu.requests)
        count = _Count(_post_and_drop(emu, ids, round_))
        while not count.see(await rtm.next_event(60)):
            pass
    calls = [r for r in emu.requests[before:] if r.path == "/api/conversations.history"]
    return count.done_at - count.connected_at, len(calls)


def measure(channels: int, rounds: int) -> dict[str, Any]:
    """One row: median seconds and calls per reconnect, for each form."""
    workspace, ids = _workspace(channels)
    row: dict[str, Any] = {"conversations": channels, "messages": channels * PER_CHANNEL}
    with Emulator(workspace, limits=Limits(web_rate_limit=None)) as emu:
        for form in ("sync", "async"):
            results = []
            for n in range(rounds):
                if form == "sync":
                    results.append(_sync_round(emu, ids, n))
                else:
                    results.append(asyncio.run(_async_round(emu, ids, 100 + n)))
            row[f"{form}_ms"] = round(statistics.median(r[0] for r in results) * 1000, 1)
            row[f"{form}_calls"] = statistics.median(r[1] for r in results)
    return row


def main(argv: list[str] | None = None) -> int:
    """Print one line per row, and the rows as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rows = [measure(n, args.rounds) for n in (3, 50)]
    for row in rows:
        print(
            f"{row['conversations']:>3} conversations, {row['messages']:>4} messages: "
            f"sync {row['sync_ms']} ms / {row['sync_calls']} calls, "
            f"async {row['async_ms']} ms / {row['async_calls']} calls"
        )
    json.dump(rows, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
