"""One suite, two sessions: every test here runs with `RtmSession` and with `AsyncRtmSession`.

`Rtm` hides the only difference, ``await``: the async session lives on an event loop of its own
thread and each call is run there, so a test body is the same for both. The emulator runs on its
own thread for the whole module; each test starts from a reset one.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from slackrtm import AsyncClient, Client, RetryPolicy, events
from slackrtm.emulator import Emulator, Limits
from slackrtm.rtm import Connected, Lifecycle, RtmOptions

GENERAL = "C0EMU0001"
RANDOM = "C0EMU0002"
BOT = "U0EMUBOT1"
ALICE = "U0EMU0001"
BOB = "U0EMU0002"
WAIT = 10.0
"""Seconds a test waits for something that should come (generous: the machine is shared)."""

FAST = RtmOptions(
    ping_interval=0.5,
    pong_timeout=0.5,
    ack_timeout=5.0,
    hello_timeout=3.0,
    connect_timeout=3.0,
    send_rate=None,
    reconnect=RetryPolicy(max_retries=50, max_total=30.0, backoff_base=0.05, backoff_max=0.2),
)
"""Short intervals, so that keepalive and reconnect tests take a second, not a minute."""


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[Emulator]:
    # Slack's Tier-1 limit on rtm.connect is off here (tests reconnect a lot); one test
    # puts it back with a fault.
    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        yield emu


@pytest.fixture
def emu(emulator_server: Emulator) -> Emulator:
    emulator_server.reset()
    emulator_server.limits = Limits(web_rate_limit=None)
    return emulator_server


class LoopThread:
    """An event loop on a thread of its own, for driving the async session from a sync test."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-loop")
        self.thread.start()

    def run(self, coro: Any, timeout: float = 60.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def tasks(self) -> set[asyncio.Task[Any]]:
        async def others() -> set[asyncio.Task[Any]]:
            return asyncio.all_tasks() - {asyncio.current_task()}

        result: set[asyncio.Task[Any]] = self.run(others())
        return result

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


class Rtm:
    """One session of either kind, with the same (blocking) methods for both."""

    def __init__(self, kind: str, emu: Emulator) -> None:
        self.kind = kind
        self.emu = emu
        self.loop: LoopThread | None = LoopThread() if kind == "async" else None
        self.client: Any = None
        self.session: Any = None

    def run(self, coro: Any) -> Any:
        assert self.loop is not None
        return self.loop.run(coro)

    def open(
        self,
        token: str | None = None,
        options: RtmOptions | None = FAST,
        client_options: dict[str, Any] | None = None,
        **args: Any,
    ) -> Any:
        """Make a client and a session and connect; returns the session."""
        copts: dict[str, Any] = {
            "token": token or self.emu.bot_token,
            "base_url": self.emu.base_url,
        }
        copts.update(client_options or {})
        if self.kind == "sync":
            self.client = Client(**copts)
            self.session = self.client.rtm(options=options, **args)
            try:
                return self.session.connect()
            except BaseException:
                self.client.close()
                raise

        async def start() -> Any:
            self.client = AsyncClient(**copts)
            self.session = self.client.rtm(options=options, **args)
            try:
                return await self.session.connect()
            except BaseException:
                await self.client.close()
                raise

        return self.run(start())

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self.session, name)
        if self.kind == "sync":
            return method(*args, **kwargs)
        return self.run(method(*args, **kwargs))

    def send_message(self, channel: str = GENERAL, text: str = "hi", **kw: Any) -> Any:
        return self.call("send_message", channel=channel, text=text, **kw)

    def typing(self, channel: str = GENERAL, **kw: Any) -> Any:
        return self.call("typing", channel=channel, **kw)

    def subscribe_presence(self, ids: list[str], **kw: Any) -> Any:
        return self.call("subscribe_presence", ids, **kw)

    def next_event(self, timeout: float = WAIT) -> Any:
        return self.call("next_event", timeout)

    def iterate(self, n: int) -> list[Any]:
        """Up to `n` items through the iterator protocol itself (for/async for)."""
        if self.kind == "sync":
            out = []
            for event in self.session:
                out.append(event)
                if len(out) == n:
                    break
            return out

        async def collect() -> list[Any]:
            got = []
            async for event in self.session:
                got.append(event)
                if len(got) == n:
                    break
            return got

        result: list[Any] = self.run(collect())
        return result

    def burst(self, n: int, text: str, timeout: float = 120.0) -> list[Any]:
        """The next `n` messages with this text, read in one go (on the loop, for async).

        Raises:
            AssertionError: A lifecycle notice came first: the burst was interrupted.
        """

        def keep(event: Any, out: list[Any]) -> None:
            if isinstance(event, Lifecycle):
                raise AssertionError(f"the burst was interrupted: {event}")
            if getattr(event, "text", None) == text:
                out.append(event)

        deadline = time.monotonic() + timeout
        if self.kind == "sync":
            out: list[Any] = []
            while len(out) < n:
                keep(self.session.next_event(max(deadline - time.monotonic(), 0.001)), out)
            return out

        async def collect() -> list[Any]:
            got: list[Any] = []
            while len(got) < n:
                keep(await self.session.next_event(max(deadline - time.monotonic(), 0.001)), got)
            return got

        result: list[Any] = self.loop.run(collect(), timeout) if self.loop else []
        return result

    def wait_for(
        self, predicate: Callable[[Any], bool], timeout: float = WAIT, skip_lifecycle: bool = False
    ) -> tuple[Any, list[Any]]:
        """Read events until one matches; returns it and those read before it."""
        seen: list[Any] = []
        deadline = time.monotonic() + timeout
        while True:
            event = self.next_event(max(deadline - time.monotonic(), 0.001))
            if predicate(event):
                return event, seen
            if not (skip_lifecycle and isinstance(event, Lifecycle)):
                seen.append(event)

    def close_session(self) -> None:
        """Close the session only (not its client); callable from any thread."""
        if self.kind == "sync":
            self.session.close()
        else:
            self.run(self.session.close())

    def close(self) -> None:
        if self.session is not None:
            if self.kind == "sync":
                self.session.close()
            else:
                self.run(self.session.close())
        if self.client is not None:
            if self.kind == "sync":
                self.client.close()
            else:
                self.run(self.client.close())

    def finish(self) -> None:
        self.close()
        if self.loop is not None:
            self.loop.stop()


@pytest.fixture(params=["sync", "async"])
def rtm(request: pytest.FixtureRequest, emu: Emulator) -> Iterator[Rtm]:
    session = Rtm(request.param, emu)
    yield session
    session.finish()


ALICE_TOKEN = "xoxp-emulator-user-token"


@pytest.fixture
def alice(rtm: Rtm, emu: Emulator) -> Iterator[Rtm]:
    """A second session of the same kind, as alice, to watch what the bot's frames cause."""
    other = Rtm(rtm.kind, emu)
    other.open(token=ALICE_TOKEN)
    other.wait_for(lambda e: isinstance(e, Connected))
    yield other
    other.finish()


def connected(rtm: Rtm, **kw: Any) -> Any:
    """Open the session and read up to its first `Connected`; returns the session."""
    session = rtm.open(**kw)
    hello, _ = rtm.wait_for(lambda e: isinstance(e, Connected))
    assert hello.cause == "start"
    return session


def is_message(event: Any) -> bool:
    return isinstance(event, events.Message)


def eventually(predicate: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def rtm_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("slackrtm-rtm")]


__all__ = [
    "ALICE",
    "ALICE_TOKEN",
    "BOB",
    "BOT",
    "FAST",
    "GENERAL",
    "RANDOM",
    "WAIT",
    "Rtm",
    "connected",
    "eventually",
    "is_message",
    "rtm_threads",
]
