"""The fault soak: a sync and an async RTM session against the emulator while it misbehaves.

``make soak`` runs it for about a minute (``python -m tests.reliability.soak --duration 60``);
``tests/reliability/test_soak.py`` runs a short form in the suite. Both sessions send about one
message a second and wait for each ack, while an injector picks a fault every one to three
seconds (each kind once a round, in a random order): a dropped socket, a stall (no pongs, no
acks), a goodbye, a garbage frame, 429 or 5xx from ``rtm.connect`` on the next reconnect, or an
expired socket URL. ``--outages``: replay on, outages of 1-3 s too, and a third party posting
4 times a second; every message in the channel after the first a session got (but its own) must
reach it once, live or replayed (one it never saw is **lost**).

Every send ends one of three ways: acked, failed with one of the SDK's typed errors, or
neither: **lost**, which must never happen. A send that raised anything but a `SlackError` is
counted as untyped (a bug too). Each text is unique, so the other session's copy of it shows
whether the session posted anything twice. At the end the sessions are closed and the threads,
tasks and file descriptors they leave behind are counted (all must be 0), and the longest time
from a fault that ends a connection to the next ``hello`` is reported.

Everything runs on loopback, bounded in time: the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import io
import json
import logging
import os
import random
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import attrs

from slackrtm import AsyncClient, Client, RetryPolicy, SlackError
from slackrtm.emulator import Emulator, Limits
from slackrtm.emulator._history import History
from slackrtm.rtm import Connected, ReplaySkipped, RtmOptions

CHANNEL = "C0EMU0001"

OPTIONS = RtmOptions(
    ping_interval=1.0,
    pong_timeout=1.0,
    ack_timeout=6.0,
    hello_timeout=3.0,
    connect_timeout=3.0,
    reconnect=RetryPolicy(max_retries=100_000, max_total=3600.0, backoff_base=0.1, backoff_max=1.0),
)
"""Short keepalive (a stall is found within 2 s) and quick reconnects; Slack's pacing kept."""

# Faults that end a connection, so that a reconnect follows and its time is measured.
DISCONNECTING = ("drop", "stall", "goodbye", "web_429", "web_5xx", "expired_url", "outage")
FAULTS = (*DISCONNECTING, "garbage")

GARBAGE = (
    "not json",
    '{"type": "message", "text": ',  # truncated
    "[]",
    "null",
    '{"type": 5}',
    '{"type": "message", "ts": 1.5, "user": ["U1"], "text": {}}',
    '{"type": "hello", "n": ' + "9" * 5000 + "}",
    "[" * 5000 + "]" * 5000,
    '{"type": "presence_change", "users": "U1", "presence": 3}',
    '{"reply_to": "x", "ok": "yes"}',
    "\x00\xff garbage",
)


@attrs.define
class Send:
    """One ``send_message`` and how it ended."""

    session: str
    text: str
    started: float
    outcome: str | None = None  # "acked", "failed:<ErrorClass>", "untyped:<ExceptionClass>"


@attrs.define
class SessionLog:
    """What one session's consumer saw."""

    name: str
    connected_at: list[float] = attrs.field(factory=list)
    texts: collections.Counter[str] = attrs.field(factory=collections.Counter)
    events: int = 0
    user: str = ""
    since: str = ""
    """The first message's ts: every later one in the channel, but its own, must reach it."""
    replayed: int = 0
    skipped: int = 0


@attrs.define
class Report:
    """The soak's figures; `ok` says whether every invariant held."""

    seed: int
    duration: float
    faults: dict[str, int]
    reconnects: dict[str, int]
    sent: int
    acked: int
    failed: dict[str, int]
    untyped: dict[str, int]
    lost: int
    duplicated: int
    max_recovery: float
    leaked_threads: list[str]
    leaked_tasks: int
    leaked_fds: int
    events: dict[str, int]
    malformed_skipped: int
    log_bytes: int
    secrets_checked: int
    secrets_found: list[str]
    outages: bool = False
    posted: int = 0
    missed: int = 0
    replayed: dict[str, int] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.missed == 0
            and not self.untyped
            and self.duplicated == 0
            and not self.leaked_threads
            and self.leaked_tasks == 0
            and self.leaked_fds == 0
            and not self.secrets_found
            and self.sent > 0
        )

    def text(self) -> str:
        failed = sum(self.failed.values())
        lines = [
            f"fault soak: {self.duration:.0f} s, a sync and an async session (seed {self.seed})",
            f"  faults injected   {sum(self.faults.values())}  "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())),
            f"  reconnects        {sum(self.reconnects.values())}  "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.reconnects.items())),
            f"  messages sent     {self.sent}",
            f"  acked             {self.acked}",
            f"  failed (typed)    {failed}  "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.failed.items())),
            f"  failed (untyped)  {sum(self.untyped.values())}",
            f"  lost              {self.lost}",
            f"  posted twice      {self.duplicated}",
            f"  leaked threads    {len(self.leaked_threads)}",
            f"  leaked tasks      {self.leaked_tasks}",
            f"  leaked fds        {self.leaked_fds}",
            f"  longest recovery  {self.max_recovery:.2f} s (fault to the next hello)",
            "  events received   " + ", ".join(f"{k} {v}" for k, v in sorted(self.events.items())),
            f"  malformed skipped {self.malformed_skipped}",
            f"  secrets in output {len(self.secrets_found)}  ({self.secrets_checked} tokens and"
            f" socket URLs searched for in {self.log_bytes:,} bytes of DEBUG logs, reprs, errors)",
            f"  verdict           {'PASS' if self.ok else 'FAIL'}",
        ]
        if self.outages:
            replayed = ", ".join(f"{k} {v}" for k, v in sorted(self.replayed.items()))
            lines.insert(
                -1,
                f"  with outages      {self.faults.get('outage', 0)} outages, {self.posted} "
                f"messages in the channel, lost {self.missed}, duplicated {self.duplicated}, "
                f"replayed {replayed}",
            )
        return "\n".join(lines)


def _fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def _settle(measure: Callable[[], int], baseline: int, timeout: float = 5.0) -> int:
    """What `measure` exceeds `baseline` by, once it stops falling (sockets close lazily)."""
    deadline = time.monotonic() + timeout
    while True:
        excess = measure() - baseline
        if excess <= 0 or time.monotonic() > deadline:
            return max(excess, 0)
        time.sleep(0.05)


_SEEN: list[str] = []
"""Every exception's str, repr and traceback, and every repr the soak made: searched for secrets."""


def _outcome(error: BaseException) -> str:
    _SEEN.extend((str(error), repr(error), "".join(traceback.format_exception(error))))
    kind = "failed" if isinstance(error, SlackError) else "untyped"
    return f"{kind}:{type(error).__name__}"


class _Capture(logging.Handler):
    """Every log line of every library at DEBUG, formatted with its traceback if any."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.buffer = io.StringIO()
        self.malformed = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        # A garbage frame is skipped, or, if it is an object of a known type, kept as a fallback
        # (counted here too: the recorded run's line keeps its words).
        if "malformed frame" in text or "did not fit the schema" in text:
            self.malformed += 1
        self.buffer.write(text + "\n")


class _Sync:
    """The sync session, its sender and its consumer threads."""

    def __init__(
        self, emu: Emulator, token: str, log: SessionLog, sends: list[Send], replay: bool
    ) -> None:
        self.client = Client(token=token, base_url=emu.base_url, timeout=5.0)
        self.session = self.client.rtm(options=OPTIONS, replay=replay)
        self.log = log
        self.sends = sends
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.session.connect()
        self.log.user = self.session.self_.id
        for target, name in ((self._send, "soak-sync-send"), (self._consume, "soak-sync-read")):
            thread = threading.Thread(target=target, name=name)
            thread.start()
            self.threads.append(thread)

    def _send(self) -> None:
        n = 0
        while not self.stop.is_set():
            started = time.monotonic()
            n += 1
            send = Send("sync", f"sync-{n}", started)
            self.sends.append(send)
            try:
                self.session.send_message(channel=CHANNEL, text=send.text)
                send.outcome = "acked"
            except BaseException as error:  # counted, never swallowed unseen
                send.outcome = _outcome(error)
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    def _consume(self) -> None:
        _SEEN.extend((repr(self.client), repr(self.session), str(self.session)))
        _SEEN.extend((repr(self.session.self_), repr(self.session.team)))
        for event in self.session:
            _note(self.log, event)

    def finish(self) -> None:
        self.stop.set()
        # A send ends within its ack timeout; one that does not is left unfinished: lost.
        self.threads[0].join(OPTIONS.ack_timeout + 5.0)
        self.session.close()
        self.threads[1].join(5.0)
        self.client.close()


class _Async:
    """The async session on an event loop of its own thread, with a sender and a consumer task."""

    def __init__(
        self, emu: Emulator, token: str, log: SessionLog, sends: list[Send], replay: bool
    ) -> None:
        self.replay = replay
        self.emu = emu
        self.token = token
        self.log = log
        self.sends = sends
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="soak-async-loop")
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.leftover_tasks = 0

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    def start(self) -> None:
        self.thread.start()
        self._run(self._start())

    async def _start(self) -> None:
        self.client = AsyncClient(token=self.token, base_url=self.emu.base_url, timeout=5.0)
        self.session = self.client.rtm(options=OPTIONS, replay=self.replay)
        await self.session.connect()
        self.log.user = self.session.self_.id
        self.tasks = [asyncio.create_task(self._send()), asyncio.create_task(self._consume())]

    async def _send(self) -> None:
        n = 0
        while not self.stop.is_set():
            started = time.monotonic()
            n += 1
            send = Send("async", f"async-{n}", started)
            self.sends.append(send)
            try:
                await self.session.send_message(channel=CHANNEL, text=send.text)
                send.outcome = "acked"
            except Exception as error:
                send.outcome = _outcome(error)
            pause = max(0.0, 1.0 - (time.monotonic() - started))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stop.wait(), pause)

    async def _consume(self) -> None:
        _SEEN.extend((repr(self.client), repr(self.session), str(self.session)))
        _SEEN.extend((repr(self.session.self_), repr(self.session.team)))
        async for event in self.session:
            _note(self.log, event)

    async def _finish(self) -> int:
        self.stop.set()
        # A send ends within its ack timeout; one that does not is left unfinished: lost.
        await asyncio.wait([self.tasks[0]], timeout=OPTIONS.ack_timeout + 5.0)
        await self.session.close()
        await asyncio.wait([self.tasks[1]], timeout=5.0)
        await self.client.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.sleep(0)
        return len(asyncio.all_tasks() - {asyncio.current_task()})

    def finish(self) -> None:
        self.leftover_tasks = self._run(self._finish())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


def _note(log: SessionLog, event: Any) -> None:
    log.events += 1
    _SEEN.append(repr(event))
    if isinstance(event, Connected):
        log.connected_at.append(time.monotonic())
    text = getattr(event, "text", None)
    if getattr(event, "type", None) == "message" and isinstance(text, str):
        log.texts[text] += 1
        log.since = log.since or event.ts
        log.replayed += bool(getattr(event, "replayed", False))
    log.skipped += isinstance(event, ReplaySkipped)


def _inject(emu: Emulator, kind: str, rng: random.Random) -> None:
    if kind == "drop":
        emu.drop_connections()
    elif kind == "goodbye":
        emu.send_goodbye(close=rng.random() < 0.5)
    elif kind == "stall":
        emu.stall_pings(True)
        emu.set_rtm_delay(4.0)
    elif kind == "garbage":
        emu.send_raw(rng.choice(GARBAGE))
    elif kind == "web_429":
        emu.faults.web(n=rng.randint(1, 2), status=429, retry_after=1, method="rtm.connect")
        emu.drop_connections()
    elif kind == "web_5xx":
        status = rng.choice((500, 502, 503))
        emu.faults.web(n=rng.randint(1, 3), status=status, method="rtm.connect")
        emu.drop_connections()
    elif kind == "outage":
        emu.outage(rng.uniform(1.0, 3.0))
    elif kind == "expired_url":
        emu.expire_socket_urls(rng.randint(1, 2))
        emu.drop_connections()
    else:  # pragma: no cover - FAULTS lists every kind above
        raise ValueError(kind)


def _recoveries(faults: list[tuple[float, str]], logs: list[SessionLog]) -> list[float]:
    """For each connection-ending fault and session: seconds until its next ``hello``."""
    out = []
    for at, kind in faults:
        if kind not in DISCONNECTING:
            continue
        for log in logs:
            later = [t for t in log.connected_at if t > at]
            if later:
                out.append(later[0] - at)
    return out


def run(
    duration: float = 60.0, seed: int | None = None, out: Any = None, outages: bool = False
) -> Report:
    """Run the soak for about `duration` seconds and return its figures.

    Args:
        duration: Seconds of faults; a few more go to settling and closing.
        seed: For the fault plan; random when None (printed, so a run can be repeated).
        out: Where to print progress (a text stream), or None for silence.
        outages: The variant with outages, replay and a third party posting (module doc).
    """
    seed = seed if seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    if out is not None:
        print(f"fault soak: seed {seed}, {duration:.0f} s", file=out, flush=True)
    threads_before = {t.ident for t in threading.enumerate()}
    _SEEN.clear()
    capture = _Capture()
    root = logging.getLogger()
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        report = _run(duration, rng, out, threads_before, capture, outages)
        return attrs.evolve(report, seed=seed)
    finally:
        root.removeHandler(capture)
        root.setLevel(level)


def _inject_faults(
    emu: Emulator, rng: random.Random, end: float, out: Any, faults: tuple[str, ...] = FAULTS
) -> list[tuple[float, str]]:
    """Inject a fault every 1-3 s until ``end``; each kind once a round, in a random order."""
    injected: list[tuple[float, str]] = []
    began = time.monotonic()
    unstall_at: float | None = None
    bag: list[str] = []
    while True:
        now = time.monotonic()
        if unstall_at is not None and now >= unstall_at:
            emu.set_rtm_delay(0.0)
            emu.stall_pings(False)
            unstall_at = None
        if now >= end:
            break
        if not bag:
            bag = rng.sample(faults, len(faults))
        kind = bag.pop()
        if kind == "stall" and unstall_at is not None:
            kind = "drop"
        _inject(emu, kind, rng)
        injected.append((time.monotonic(), kind))
        if kind == "stall":
            unstall_at = time.monotonic() + rng.uniform(2.5, 3.5)
        if out is not None:
            print(f"  {now - began:6.1f} s  {kind}", file=out, flush=True)
        time.sleep(min(rng.uniform(1.0, 3.0), max(end - time.monotonic(), 0.0)))
    if unstall_at is not None:
        emu.set_rtm_delay(0.0)
        emu.stall_pings(False)
    return injected


def _run(
    duration: float,
    rng: random.Random,
    out: Any,
    threads_before: set[int | None],
    capture: _Capture,
    outages: bool = False,
) -> Report:
    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        # The soak reads back every socket URL the emulator hands out, to search for it later.
        tickets: list[str] = []
        issue = emu._hub.issue_ticket

        def issue_and_note(user_id: str, **kwargs: Any) -> str:
            ticket = issue(user_id, **kwargs)
            tickets.append(ticket)
            return ticket

        emu._hub.issue_ticket = issue_and_note  # type: ignore[method-assign]
        fds_before = _fds()
        sends: list[Send] = []
        logs = [SessionLog("sync"), SessionLog("async")]
        sync = _Sync(emu, emu.bot_token, logs[0], sends, outages)
        aio = _Async(emu, emu.user_token, logs[1], sends, outages)
        sync.start()
        aio.start()
        began = time.monotonic()
        posting = threading.Event()
        poster = threading.Thread(target=_post, args=(emu, posting), name="soak-poster")
        if outages:
            poster.start()
        faults = (*FAULTS, "outage") if outages else FAULTS
        injected = _inject_faults(emu, rng, began + duration, out, faults)
        posting.set()
        if outages:
            poster.join()
        # Let the last fault heal: both sessions connected again (or a few seconds gone).
        healed = time.monotonic() + 10.0
        while time.monotonic() < healed and not (
            sync.session.state == aio.session.state == "connected"
        ):
            time.sleep(0.05)
        # Replays finish, and the last live messages arrive (a few seconds at most).
        settled = time.monotonic() + 10.0
        while outages and time.monotonic() < settled and _missed(emu, logs):
            time.sleep(0.1)
        sync.finish()
        aio.finish()
        leaked_fds = _settle(_fds, fds_before)
        missed, posted = _missed(emu, logs) if outages else 0, emu.workspace.history.count(CHANNEL)
    elapsed = time.monotonic() - began

    def extra_threads() -> int:
        return len(_threads_left(threads_before))

    _settle(extra_threads, 0)
    leaked_threads = _threads_left(threads_before)
    counts = collections.Counter(kind for _, kind in injected)
    outcomes = collections.Counter(s.outcome for s in sends)
    # Each text is unique; a copy the other session saw twice was posted twice.
    duplicated = sum(n - 1 for log in logs for n in log.texts.values() if n > 1)
    recoveries = _recoveries(injected, logs)
    output = capture.buffer.getvalue() + "\n".join(_SEEN)
    secrets = [emu.bot_token, emu.user_token, *tickets]
    found = sorted({_mask(s) for s in secrets if s in output})
    return Report(
        seed=0,  # set by run()
        duration=elapsed,
        faults=dict(counts),
        reconnects={log.name: max(len(log.connected_at) - 1, 0) for log in logs},
        sent=len(sends),
        acked=outcomes.get("acked", 0),
        failed={
            k.split(":", 1)[1]: v for k, v in outcomes.items() if k and k.startswith("failed:")
        },
        untyped={
            k.split(":", 1)[1]: v for k, v in outcomes.items() if k and k.startswith("untyped:")
        },
        lost=outcomes.get(None, 0),
        duplicated=duplicated,
        max_recovery=max(recoveries, default=0.0),
        leaked_threads=leaked_threads,
        leaked_tasks=aio.leftover_tasks,
        leaked_fds=leaked_fds,
        events={log.name: log.events for log in logs},
        malformed_skipped=capture.malformed,
        log_bytes=len(output.encode()),
        secrets_checked=len(secrets),
        secrets_found=found,
        outages=outages,
        posted=posted,
        missed=missed,
        replayed={log.name: log.replayed for log in logs},
    )


def _post(emu: Emulator, stop: threading.Event) -> None:
    """A third party posting into the channel four times a second, outages or not."""
    n = 0
    while not stop.wait(0.25):
        n += 1
        emu.post_message(CHANNEL, f"post-{n}")


def _missed(emu: Emulator, logs: list[SessionLog]) -> int:
    """Messages in the channel's history a session should have seen and did not."""
    messages, _ = emu.workspace.history.page(CHANNEL, 0, None, 10**9)
    missed = 0
    for message in map(History.as_json, messages):
        for log in logs:
            if message.get("user") != log.user and log.since and message["ts"] > log.since:
                missed += log.texts[message["text"]] == 0
    return missed


def _mask(secret: str) -> str:
    """Name a leaked secret in the report without printing it."""
    return f"{secret[:4]}...({len(secret)} chars)"


def _threads_left(before: set[int | None]) -> list[str]:
    return [t.name for t in threading.enumerate() if t.ident not in before and t.is_alive()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make soak", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of faults")
    parser.add_argument("--seed", type=int, default=None, help="the fault plan's seed")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON here")
    parser.add_argument("--outages", action="store_true", help="outages, replay, a 3rd party")
    args = parser.parse_args(argv)
    report = run(args.duration, args.seed, out=sys.stdout, outages=args.outages)
    return finish(report, args.json)


def finish(report: Any, json_path: str | None) -> int:
    """Print a soak's report, write its figures as JSON when asked; the exit status."""
    print(report.text())
    if json_path:
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(attrs.asdict(report) | {"ok": report.ok}, f, indent=2)
            f.write("\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
