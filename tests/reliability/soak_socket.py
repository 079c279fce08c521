"""The Socket Mode soak: a sync and an async Socket Mode session while the emulator misbehaves.

``make soak`` runs it after the RTM soak (``python -m tests.reliability.soak_socket``);
``tests/reliability/test_soak.py`` runs a short form in the suite. Each session is an app of
its own (two app-level tokens), so every envelope has one reader. A producer pushes an Events
API ``message`` with a unique text to both apps every 40 ms, while an injector picks a fault
every one to two seconds (each kind once a round, in a random order): a ``disconnect`` with
``refresh_requested`` or ``warning`` (a handover), ``too_many_websockets``, a dropped socket, a
close frame without a code, stalled WebSocket pings, a socket that never says ``hello``.

Every pushed message must reach its session's handler once: one never seen is **lost**, one
seen twice is **duplicated** (both must be 0), and the emulator must have given up on no
envelope (Slack drops one unacked after its retries). At the end the sessions are closed and
the threads, tasks and file descriptors they leave are counted (all must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import sys
import threading
import time
from typing import Any

import attrs

from slackrtm import AsyncClient, Client, RetryPolicy, events
from slackrtm.emulator import Emulator
from slackrtm.rtm import Connected, RtmOptions

from .soak import _fds, _settle, _threads_left, finish

SECOND_APP = "xapp-1-A0SOAKAPP2-1-soak-second-app"
CHANNEL = "C0EMU0001"

OPTIONS = RtmOptions(
    ping_interval=1.0,
    pong_timeout=1.0,
    hello_timeout=2.0,
    connect_timeout=3.0,
    send_rate=None,
    reconnect=RetryPolicy(max_retries=100_000, max_total=3600.0, backoff_base=0.1, backoff_max=1.0),
)
"""Short keepalive (a stall is found within 2 s) and quick reconnects."""

HANDOVERS = ("refresh_requested", "warning")
FAULTS = (*HANDOVERS, "too_many_websockets", "drop", "close_without_code", "stall", "no_hello")


@attrs.define
class Report:
    """The Socket Mode soak's figures; `ok` says whether every invariant held."""

    seed: int
    duration: float
    faults: dict[str, int]
    pushed: dict[str, int]
    delivered: dict[str, int]
    lost: dict[str, int]
    duplicated: dict[str, int]
    given_up: int
    handovers: dict[str, int]
    connects: dict[str, int]
    errors: list[str]
    leaked_threads: list[str]
    leaked_tasks: int
    leaked_fds: int

    @property
    def ok(self) -> bool:
        return (
            sum(self.pushed.values()) > 0
            and not any(self.lost.values())
            and not any(self.duplicated.values())
            and self.given_up == 0
            and not self.errors
            and not self.leaked_threads
            and self.leaked_tasks == 0
            and self.leaked_fds == 0
        )

    def text(self) -> str:
        def each(counts: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))

        return "\n".join(
            [
                f"Socket Mode soak: {self.duration:.0f} s, a sync and an async app (seed "
                f"{self.seed})",
                f"  faults injected   {sum(self.faults.values())}  {each(self.faults)}",
                f"  pushed            {sum(self.pushed.values())}  {each(self.pushed)}",
                f"  delivered         {sum(self.delivered.values())}  {each(self.delivered)}",
                f"  lost              {sum(self.lost.values())}",
                f"  duplicated        {sum(self.duplicated.values())}",
                f"  given up by Slack {self.given_up}",
                f"  handovers         {sum(self.handovers.values())}  {each(self.handovers)}",
                f"  connects          {sum(self.connects.values())}  {each(self.connects)}",
                f"  session errors    {len(self.errors)}"
                + (f"  {'; '.join(self.errors)}" if self.errors else ""),
                f"  leaked threads    {len(self.leaked_threads)}",
                f"  leaked tasks      {self.leaked_tasks}",
                f"  leaked fds        {self.leaked_fds}",
                f"  verdict           {'PASS' if self.ok else 'FAIL'}",
            ]
        )


class _Tally:
    """What one app's handler saw: each text and how often, under a lock (threads add)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: collections.Counter[str] = collections.Counter()
        self.connects = 0
        self.error: str | None = None

    def note(self, item: Any) -> None:
        if isinstance(item, Connected):
            self.connects += 1
            return
        event = getattr(getattr(item, "payload", None), "event", None)
        if isinstance(event, events.Message) and event.text:
            with self.lock:
                self.seen[event.text] += 1


class _SyncApp:
    """The sync session, read by a thread with ``run`` (acks after each handler returns)."""

    def __init__(self, emu: Emulator, app_token: str, tally: _Tally) -> None:
        self.client = Client(app_token=app_token, base_url=emu.base_url, timeout=5.0)
        self.session = self.client.socket_mode(options=OPTIONS)
        self.session.on("*", tally.note)
        self.tally = tally
        self.thread = threading.Thread(target=self._run, name="soak-sm-sync")

    def _run(self) -> None:
        try:
            self.session.run()
        except Exception as error:  # the session ended by itself: a finding
            self.tally.error = f"sync: {type(error).__name__}: {error}"

    def start(self) -> None:
        self.session.connect()
        self.thread.start()

    def finish(self) -> None:
        self.session.close()
        self.thread.join(15.0)
        self.client.close()


class _AsyncApp:
    """The async session on a loop of its own thread, read with ``async for``."""

    def __init__(self, emu: Emulator, app_token: str, tally: _Tally) -> None:
        self.emu = emu
        self.app_token = app_token
        self.tally = tally
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="soak-sm-async")
        self.leftover_tasks = 0

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    async def _start(self) -> None:
        self.client = AsyncClient(app_token=self.app_token, base_url=self.emu.base_url, timeout=5.0)
        self.session = self.client.socket_mode(options=OPTIONS)
        await self.session.connect()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for item in self.session:
                self.tally.note(item)
        except Exception as error:  # the session ended by itself: a finding
            self.tally.error = f"async: {type(error).__name__}: {error}"

    async def _finish(self) -> int:
        await self.session.close()
        await asyncio.wait([self.reader], timeout=15.0)
        await self.client.close()
        await asyncio.sleep(0)
        return len(asyncio.all_tasks() - {asyncio.current_task()})

    def start(self) -> None:
        self.thread.start()
        self._call(self._start())

    def finish(self) -> None:
        self.leftover_tasks = self._call(self._finish())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


def _inject(emu: Emulator, kind: str) -> None:
    sm = emu.socket_mode
    if kind in (*HANDOVERS, "too_many_websockets"):
        sm.disconnect(kind)
    elif kind == "drop":
        sm.drop_connections()
    elif kind == "close_without_code":
        sm.close_connections(code=None)
    elif kind == "stall":
        sm.stall_pings(True)
        time.sleep(2.5)  # past ping_interval + pong_timeout: found, replaced
        sm.stall_pings(False)
    elif kind == "no_hello":
        sm.skip_hello(1)
        sm.drop_connections()
    else:  # pragma: no cover - FAULTS lists every kind
        raise ValueError(kind)


def _produce(emu: Emulator, apps: dict[str, str], pushed: dict[str, list[str]], stop: Any) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        for name, app_id in apps.items():
            text = f"{name}-{n}"
            event = {"type": "message", "channel": CHANNEL, "user": "U0EMU0001", "text": text,
                     "ts": f"{1_700_000_000 + n}.{len(name):06d}"}  # fmt: skip
            emu.socket_mode.push_event(event, app_id=app_id)
            pushed[name].append(text)
        stop.wait(0.04)


def _until_all_seen(
    pushed: dict[str, list[str]], tallies: dict[str, _Tally], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(set(pushed[name]) <= set(tallies[name].seen) for name in pushed):
            return
        time.sleep(0.1)


def _threads_settled(before: set[int | None]) -> list[str]:
    """The threads left over once they stop ending (a closed client's timer thread ends soon)."""
    _settle(lambda: len(_threads_left(before)), 0)
    return _threads_left(before)


def run(duration: float, seed: int | None = None, out: Any = None) -> Report:
    """Soak both Socket Mode sessions for `duration` seconds of faults; returns the figures."""
    seed = seed if seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    threads_before = {t.ident for t in threading.enumerate()}
    fds_before = _fds()
    faults: collections.Counter[str] = collections.Counter()
    tallies = {"sync": _Tally(), "async": _Tally()}
    pushed: dict[str, list[str]] = {"sync": [], "async": []}
    with Emulator() as emu:
        emu.workspace.add_token(SECOND_APP, user_id="U0EMUBOT1")
        # A warning's socket closes 1 s later (Slack: about 10 s), within one fault's interval.
        emu.socket_mode.set_timing(disconnect_grace=1.0)
        apps = {"sync": "A0EMUAPP1", "async": "A0SOAKAPP2"}
        sync_app = _SyncApp(emu, emu.app_token, tallies["sync"])
        async_app = _AsyncApp(emu, SECOND_APP, tallies["async"])
        sync_app.start()
        async_app.start()
        stop = threading.Event()
        producer = threading.Thread(target=_produce, args=(emu, apps, pushed, stop))
        producer.start()
        try:
            ends = time.monotonic() + duration
            plan: list[str] = []
            while time.monotonic() < ends:
                if not plan:
                    plan = rng.sample(FAULTS, len(FAULTS))
                kind = plan.pop()
                _inject(emu, kind)
                faults[kind] += 1
                if out is not None:
                    print(f"  {time.monotonic() - ends + duration:6.1f} s  {kind}", file=out)
                time.sleep(rng.uniform(1.0, 2.0))
        finally:
            stop.set()
            producer.join()
        # Pushed before the last fault's reconnect, some still wait for a socket or a retry.
        _until_all_seen(pushed, tallies, timeout=20.0)
        given_up = len(emu.socket_mode.dropped)
        stats = {"sync": sync_app.session.stats, "async": async_app.session.stats}
        sync_app.finish()
        async_app.finish()
    return Report(
        seed=seed,
        duration=duration,
        faults=dict(faults),
        pushed={name: len(texts) for name, texts in pushed.items()},
        delivered={name: sum(t.seen.values()) for name, t in tallies.items()},
        lost={name: len(set(pushed[name]) - set(t.seen)) for name, t in tallies.items()},
        duplicated={
            name: sum(n - 1 for n in t.seen.values() if n > 1) for name, t in tallies.items()
        },
        given_up=given_up,
        handovers={name: getattr(s, "handovers", 0) for name, s in stats.items()},
        connects={name: t.connects for name, t in tallies.items()},
        errors=[t.error for t in tallies.values() if t.error],
        leaked_threads=_threads_settled(threads_before),
        leaked_tasks=async_app.leftover_tasks,
        leaked_fds=_settle(_fds, fds_before),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make soak", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of faults")
    parser.add_argument("--seed", type=int, default=None, help="the fault plan's seed")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    return finish(run(args.duration, args.seed, out=sys.stdout), args.json)


if __name__ == "__main__":
    raise SystemExit(main())
