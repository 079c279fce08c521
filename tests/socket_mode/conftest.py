"""One suite, two sessions: every test here runs with `SocketModeSession` and its async twin.

`Sm` hides the only difference, ``await``: the async session lives on an event loop of its own
thread and each call is run there, so a test body is the same for both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from slackrtm import AsyncClient, Client, RetryPolicy
from slackrtm.rtm import Lifecycle, RtmOptions
from tests.rtm.conftest import LoopThread

from .slack import APP_TOKEN, BOT_TOKEN

WAIT = 10.0
"""Seconds a test waits for something that should come (generous: the machine is shared)."""

FAST = RtmOptions(
    ping_interval=5.0,
    pong_timeout=5.0,
    ack_timeout=5.0,
    hello_timeout=3.0,
    connect_timeout=3.0,
    send_rate=None,
    reconnect=RetryPolicy(max_retries=50, max_total=30.0, backoff_base=0.05, backoff_max=0.2),
)


class Sm:
    """One Socket Mode session of either form, with the same (blocking) methods for both."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.loop: LoopThread | None = LoopThread() if kind == "async" else None
        self.client: Any = None
        self.session: Any = None

    def run(self, coro: Any) -> Any:
        assert self.loop is not None
        return self.loop.run(coro)

    def make(
        self,
        base_url: str,
        options: RtmOptions | None = FAST,
        client: dict[str, Any] | None = None,
        **args: Any,
    ) -> Any:
        """A client (`client` overrides its arguments) and a session, not connected."""
        copts: dict[str, Any] = {"token": BOT_TOKEN, "app_token": APP_TOKEN, "base_url": base_url}
        copts.update(client or {})
        if self.kind == "sync":
            self.client = Client(**copts)
            self.session = self.client.socket_mode(options=options, **args)
            return self.session

        async def make() -> Any:
            self.client = AsyncClient(**copts)
            self.session = self.client.socket_mode(options=options, **args)
            return self.session

        return self.run(make())

    def open(
        self,
        base_url: str,
        options: RtmOptions | None = FAST,
        client: dict[str, Any] | None = None,
        **args: Any,
    ) -> Any:
        """Make a client and a session and connect; returns the session."""
        self.make(base_url, options, client, **args)
        return self.call("connect")

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self.session, name)
        if self.kind == "sync":
            return method(*args, **kwargs)
        return self.run(method(*args, **kwargs))

    def ack(self, envelope: Any, payload: Any = None) -> Any:
        """`ack` does not wait in either form; the async one is called on the loop."""
        if self.kind == "sync":
            return self.session.ack(envelope, payload)

        async def ack() -> Any:
            return self.session.ack(envelope, payload)

        return self.run(ack())

    def next_event(self, timeout: float = WAIT) -> Any:
        return self.call("next_event", timeout)

    def wait_for(
        self, predicate: Callable[[Any], bool], timeout: float = WAIT
    ) -> tuple[Any, list[Any]]:
        """Read events until one matches; returns it and those read before it."""
        seen: list[Any] = []
        deadline = time.monotonic() + timeout
        while True:
            event = self.next_event(max(deadline - time.monotonic(), 0.001))
            if predicate(event):
                return event, seen
            seen.append(event)

    def envelopes(self, n: int, timeout: float = WAIT) -> list[Any]:
        """The next `n` envelopes (other events and notices skipped)."""
        got: list[Any] = []
        deadline = time.monotonic() + timeout
        while len(got) < n:
            event = self.next_event(max(deadline - time.monotonic(), 0.001))
            if hasattr(event, "envelope_id"):
                got.append(event)
        return got

    def notices(self, timeout: float = WAIT) -> Lifecycle:
        event, _ = self.wait_for(lambda e: isinstance(e, Lifecycle), timeout)
        return event  # type: ignore[no-any-return]

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
def sm(request: pytest.FixtureRequest) -> Iterator[Sm]:
    session = Sm(request.param)
    yield session
    session.finish()
