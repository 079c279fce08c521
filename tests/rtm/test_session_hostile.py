"""The session against peers that misbehave on purpose (issue 19), in both forms.

A peer that stops reading (writes have a deadline; `close()` never waits on the peer), a
``connect()`` given up on (cancelled, or interrupted in the sync form: nothing is left
running), and a client closed under its open session (the session ends at once with
`ClientClosed`). Each test failed before its fix. Bounds are generous: the machine is shared.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import attrs
import pytest

from slackrtm import AsyncClient, Client, ClientClosed
from slackrtm._exceptions import RtmConnectionLost, RtmSessionClosed
from slackrtm.emulator import Emulator
from slackrtm.rtm import Connected, Disconnected
from slackrtm.rtm._ws_aio import _loop_clock

from .conftest import FAST, Rtm, connected, eventually, rtm_threads
from .hostile_ws import TOKEN, HostileSlack, Peer

QUIET = attrs.evolve(FAST, ping_interval=60.0, pong_timeout=60.0, hello_timeout=30.0)
BLOB = {"type": "blob", "text": "x" * 15_000}
"""A frame of 15 kB: 600 of them are more than a socket's buffers hold."""


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def against(kind: str, server: HostileSlack) -> Rtm:
    """A twin session for `server` (Rtm reads a token and a base URL: the server stands in)."""
    return Rtm(kind, SimpleNamespace(bot_token=TOKEN, base_url=server.base_url))  # type: ignore[arg-type]


def fill(rtm: Rtm, count: int = 600) -> BaseException | None:
    """Write 15 kB frames (each returns once written) until one fails; what it raised."""
    for _ in range(count):
        try:
            rtm.call("send", BLOB, timeout=120.0)
        except Exception as exc:
            return exc
    return None


# -- a peer that stops reading -----------------------------------------------------------------


def _stops_then_acks(peer: Peer, number: int) -> None:
    peer.hello()
    if number == 1:
        peer.hold()
    else:
        peer.serve_acks()


def test_a_peer_that_stops_reading_ends_its_connection_and_the_session_goes_on(kind: str) -> None:
    options = attrs.evolve(QUIET, write_timeout=1.0)
    with HostileSlack(_stops_then_acks, rcvbuf=4096) as server:
        rtm = against(kind, server)
        try:
            rtm.open(options=options)
            started = time.monotonic()
            failed = fill(rtm)
            took = time.monotonic() - started
            # The write that the peer blocked fails, typed, within about write_timeout.
            assert isinstance(failed, RtmConnectionLost), failed
            assert took < 20.0, f"the blocked write took {took:.1f} s to fail"
            lost, _ = rtm.wait_for(lambda e: isinstance(e, Disconnected), skip_lifecycle=True)
            assert lost.cause == "Slack stopped reading: a frame not written within 1 s"
            again, _ = rtm.wait_for(lambda e: isinstance(e, Connected))
            assert again.cause == lost.cause
            assert rtm.send_message(text="after").text == "after"
        finally:
            rtm.finish()


def _hold_until_released(peer: Peer, _number: int) -> None:
    peer.hello()
    while not peer.stop.is_set():
        if peer.stop.wait(0.05) or _RELEASE.is_set():
            return


_RELEASE = threading.Event()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    _RELEASE.clear()
    yield _RELEASE
    _RELEASE.set()


def test_close_returns_at_once_under_a_write_the_peer_blocks(
    kind: str, release: threading.Event
) -> None:
    options = attrs.evolve(QUIET, write_timeout=120.0)  # the deadline alone would not help
    with HostileSlack(_hold_until_released, rcvbuf=4096) as server:
        rtm = against(kind, server)
        outcome: list[BaseException | None] = []
        try:
            rtm.open(options=options)
            filler = threading.Thread(target=lambda: outcome.append(fill(rtm)), daemon=True)
            filler.start()
            eventually(lambda: rtm.session._writing is not None)
            filler.join(0.5)
            assert filler.is_alive(), "the writes were not blocked"
            started = time.monotonic()
            rtm.close_session()
            took = time.monotonic() - started
            assert took < 5.0, f"close() took {took:.1f} s"
            filler.join(10)
            assert not filler.is_alive()
            assert isinstance(outcome[0], (RtmSessionClosed, RtmConnectionLost)), outcome
            release.set()
            assert server.closed.wait(10), "the peer still holds an open socket"
        finally:
            rtm.finish()


# -- a connect() given up on -------------------------------------------------------------------


class _Interrupt(BaseException):
    """What a signal handler raises in the sync test, as KeyboardInterrupt would."""


def _interrupt(_signum: int, _frame: Any) -> None:
    raise _Interrupt


def test_an_interrupted_sync_connect_leaves_nothing_running(release: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    with HostileSlack(_hold_until_released_no_hello) as server:
        client = Client(token=TOKEN, base_url=server.base_url)
        session = client.rtm(options=QUIET)
        previous = signal.signal(signal.SIGALRM, _interrupt)
        try:
            signal.setitimer(signal.ITIMER_REAL, 1.0)
            with pytest.raises(_Interrupt):
                session.connect()  # hello never comes: an interrupt ends the wait
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        try:
            assert session.state == "closed"
            assert rtm_threads() == []
            release.set()
            assert server.closed.wait(10), "the socket was left open"
        finally:
            client.close()


def _hold_until_released_no_hello(peer: Peer, _number: int) -> None:
    while not peer.stop.is_set() and not _RELEASE.is_set():
        peer.stop.wait(0.05)


def test_a_cancelled_async_connect_leaves_nothing_running(release: threading.Event) -> None:
    with HostileSlack(_hold_until_released_no_hello) as server:

        async def main() -> tuple[str, list[str]]:
            async with AsyncClient(token=TOKEN, base_url=server.base_url) as client:
                session = client.rtm(options=QUIET)
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(session.connect(), 1.0)
                me = asyncio.current_task()
                left = [t.get_name() for t in asyncio.all_tasks() if t is not me]
                return session.state, left

        state, left = asyncio.run(main())
        assert state == "closed"
        assert left == []
        release.set()
        assert server.closed.wait(10), "the socket was left open"


# -- a client closed under its open session ----------------------------------------------------


def _until_error(rtm: Rtm) -> BaseException:
    """Read the events left until the session raises; what it raised."""
    while True:
        try:
            rtm.next_event(5.0)
        except Exception as exc:
            return exc


def test_closing_the_client_ends_its_session_at_once_with_client_closed(
    rtm: Rtm, emu: Emulator
) -> None:
    connected(rtm)
    started = time.monotonic()
    if rtm.kind == "sync":
        rtm.client.close()
    else:
        rtm.run(rtm.client.close())
    took = time.monotonic() - started
    assert took < 5.0
    assert rtm.session.state == "closed"
    ended = _until_error(rtm)
    assert type(ended) is ClientClosed
    assert str(ended) == "the session's client was closed"
    with pytest.raises(RtmSessionClosed) as closed:
        rtm.send_message(text="after")
    assert closed.value.__cause__ is ended
    if rtm.kind == "sync":
        eventually(lambda: rtm_threads() == [])
    else:
        assert rtm.loop is not None
        assert not [t for t in rtm.loop.tasks() if t.get_name().startswith("slackrtm-rtm")]
    eventually(lambda: emu.counters.connections_open == 0)


def test_the_write_watch_reads_the_loop_s_own_clock() -> None:
    # The async writes note each frame's start by the loop's clock: `time.monotonic` itself
    # for asyncio's own loops (what their `time` returns), the loop's `time` for any other.
    class Shifted(asyncio.SelectorEventLoop):
        def time(self) -> float:
            return super().time() + 1000.0

    plain, shifted = asyncio.new_event_loop(), Shifted()
    try:
        assert _loop_clock(plain) is time.monotonic
        assert abs(plain.time() - time.monotonic()) < 1.0
        clock = _loop_clock(shifted)
        assert clock() - time.monotonic() > 999.0
    finally:
        plain.close()
        shifted.close()
