"""Both RTM sessions at their edges: closing mid-connect, sends given up, timeouts without a
limit, a crashed engine.

Each test runs twice (``rtm`` is parametrized: sync, async), with the same assertions, except
where one form has something the other cannot (a task cancelled from outside).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import math
import threading
import time
from typing import Any

import pytest

from slackrtm._exceptions import RtmSendTimeout, RtmSessionClosed
from slackrtm.emulator import Emulator
from slackrtm.rtm import Connected, Disconnected, RtmOptions

from .conftest import (
    ALICE,
    BOT,
    GENERAL,
    WAIT,
    Rtm,
    connected,
    eventually,
    is_message,
    rtm_threads,
)


def nothing_left(rtm: Rtm) -> None:
    eventually(lambda: rtm_threads() == [])
    if rtm.loop is not None:
        loop = rtm.loop
        eventually(lambda: loop.tasks() == set())


# -- closing while connecting ------------------------------------------------------------------


def test_close_while_connect_waits_for_hello_raises_session_closed(rtm: Rtm, emu: Emulator) -> None:
    emu.faults.web(n=1, delay=1.0, method="rtm.connect")  # connect() is still waiting

    def close_soon() -> None:
        eventually(lambda: rtm.session is not None)
        time.sleep(0.3)
        rtm.close_session()

    closer = threading.Thread(target=close_soon)
    closer.start()
    try:
        with pytest.raises(RtmSessionClosed) as info:
            rtm.open()
    finally:
        closer.join()
    assert info.value.cause == "closed by the user"
    assert rtm.session.state == "closed"
    nothing_left(rtm)


# -- sends given up ----------------------------------------------------------------------------


def give_up(rtm: Rtm, text: str, after: float) -> None:
    """Send a message and give up on it after `after` seconds, the way each form does: the
    sync form by its timeout, the async form by cancelling the await (asyncio.wait_for)."""
    if rtm.kind == "sync":
        with pytest.raises(RtmSendTimeout) as info:
            rtm.send_message(text=text, timeout=after)
        assert info.value.written is False
        return

    async def cancelled() -> None:
        await asyncio.wait_for(rtm.session.send_message(GENERAL, text, timeout=WAIT), after)

    with pytest.raises(asyncio.TimeoutError):
        rtm.run(cancelled())


def test_a_send_given_up_before_it_was_written_is_never_posted(
    rtm: Rtm, emu: Emulator, alice: Rtm
) -> None:
    connected(rtm)
    emu.faults.web(n=1, delay=1.0, method="rtm.connect")  # the reconnect takes a second
    emu.drop_connections(user_id=BOT)
    rtm.wait_for(lambda e: isinstance(e, Disconnected))
    give_up(rtm, "given up", after=0.2)
    assert rtm.session._proto.queued == 0, "withdrawn at once"
    rtm.wait_for(lambda e: isinstance(e, Connected))
    ack = rtm.send_message(text="after the reconnect")
    # Had the first one been kept, it would have gone out right after hello, before this.
    got, _ = alice.wait_for(is_message)
    assert (got.text, got.ts) == ("after the reconnect", ack.ts)


# -- timeouts ----------------------------------------------------------------------------------


def test_an_infinite_timeout_means_no_limit(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    assert rtm.send_message(timeout=math.inf).ts
    assert rtm.typing(timeout=math.inf) is None
    assert rtm.subscribe_presence([ALICE], timeout=math.inf) is None
    later = threading.Timer(
        0.2, emu.send_event, ({"type": "message", "channel": GENERAL, "ts": "9.0", "text": "x"},)
    )
    later.start()
    try:
        got = rtm.next_event(math.inf)
    finally:
        later.join()
    assert got.text == "x"


def test_options_without_limits_work(rtm: Rtm) -> None:
    inf = math.inf
    unlimited = RtmOptions(
        ping_interval=inf,
        pong_timeout=inf,
        ack_timeout=inf,
        hello_timeout=inf,
        connect_timeout=inf,
        send_rate=inf,
    )
    session = connected(rtm, options=unlimited)
    assert rtm.send_message().ts
    assert session.state == "connected"


BAD_TIMEOUTS = [
    (math.nan, ValueError),
    (-1, ValueError),
    (0, ValueError),
    (-math.inf, ValueError),
    (True, TypeError),
    ("5", TypeError),
]


@pytest.mark.parametrize(("method", "args"), [("send_message", {}), ("typing", {})])
@pytest.mark.parametrize(("bad", "error"), BAD_TIMEOUTS)
def test_a_bad_send_timeout_is_refused_before_any_io(
    rtm: Rtm, emu: Emulator, method: str, args: dict[str, Any], bad: Any, error: type[Exception]
) -> None:
    connected(rtm)
    before = emu.counters.frames_in
    with pytest.raises(error, match="timeout"):
        getattr(rtm, method)(timeout=bad, **args)
    time.sleep(0.05)
    assert emu.counters.frames_in == before
    assert rtm.session._proto.queued == 0


@pytest.mark.parametrize(
    ("bad", "error"),
    [(math.nan, ValueError), (-1, ValueError), (True, TypeError), ("5", TypeError)],
)
def test_a_bad_next_event_timeout_is_refused(rtm: Rtm, bad: Any, error: type[Exception]) -> None:
    connected(rtm)
    with pytest.raises(error, match="timeout"):
        rtm.next_event(bad)
    with pytest.raises(TimeoutError):
        rtm.next_event(0)  # zero is a poll


# -- a background thread or task that dies -----------------------------------------------------


def test_an_engine_that_crashes_ends_the_session_with_its_error(
    rtm: Rtm, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    session = connected(rtm)
    reported: list[str] = []
    if rtm.loop is not None:
        rtm.loop.loop.set_exception_handler(lambda loop, ctx: reported.append(ctx["message"]))

    def boom(now: float) -> list[str]:
        raise RuntimeError("boom in the engine")

    session._proto.data_to_send = boom  # the next send wakes the engine, which dies
    with caplog.at_level(logging.ERROR, logger="slackrtm"):
        with pytest.raises(RtmSessionClosed) as info:
            rtm.send_message(timeout=WAIT)
        eventually(lambda: "boom in the engine" in caplog.text)
    assert isinstance(info.value.__cause__, RuntimeError)
    assert session.state == "closed"
    with pytest.raises(RuntimeError, match="boom in the engine"):
        rtm.next_event(1.0)
    rtm.close_session()
    nothing_left(rtm)
    if rtm.loop is not None:
        session._engine = None  # the last reference: the task is collected now
        gc.collect()
        assert reported == [], "close() retrieved the task's exception"


def test_a_link_that_crashes_ends_the_session_with_its_error(rtm: Rtm, emu: Emulator) -> None:
    session = connected(rtm)

    def boom(**kw: Any) -> Any:
        raise RuntimeError("boom in a link")

    async def aboom(**kw: Any) -> Any:
        boom()

    session._client.rtm_connect = boom if rtm.kind == "sync" else aboom
    emu.drop_connections(user_id=BOT)
    with pytest.raises(RuntimeError, match="boom in a link"):
        rtm.wait_for(lambda e: False)
    assert session.state == "closed"
    with pytest.raises(RtmSessionClosed) as info:
        rtm.send_message()
    assert isinstance(info.value.__cause__, RuntimeError)
    nothing_left(rtm)


def test_an_engine_task_cancelled_from_outside_fails_waiting_sends(rtm: Rtm, emu: Emulator) -> None:
    if rtm.kind == "sync":
        pytest.skip("a thread cannot be cancelled from outside; the async task can")
    session = connected(rtm)
    emu.set_rtm_delay(1.0)  # the send is written, its ack is late

    async def scenario() -> BaseException:
        send = asyncio.ensure_future(session.send_message(GENERAL, "hi", timeout=WAIT))
        await asyncio.sleep(0.2)
        session._engine.cancel()
        with pytest.raises(RtmSessionClosed) as info:
            await asyncio.wait_for(send, 3.0)
        with pytest.raises(RtmSessionClosed):
            await asyncio.wait_for(session.next_event(), 3.0)
        return info.value

    error = rtm.run(scenario())
    emu.set_rtm_delay(0)
    assert "cancelled" in error.cause
    assert session.state == "closed"
    rtm.close_session()
    nothing_left(rtm)
