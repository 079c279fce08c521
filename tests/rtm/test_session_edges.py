"""Both RTM sessions at their edges.

Closing mid-connect, sends given up, timeouts without a limit, a crashed engine, pacing and the
close frame over a real socket, bound-method handlers.

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
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from aiohttp import WSMsgType, web

from slackrtm import events
from slackrtm._exceptions import RtmErrorAck, RtmSendTimeout, RtmSessionClosed
from slackrtm.emulator import Emulator, Limits
from slackrtm.rtm import Connected, Disconnected, RtmOptions

from .conftest import (
    ALICE,
    BOT,
    FAST,
    GENERAL,
    WAIT,
    LoopThread,
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
    """Send a message and give up on it after `after` seconds, the way each form does.

    The sync form gives up by its timeout, the async form by cancelling the await
    (asyncio.wait_for).
    """
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
    connected(rtm, options=attrs.evolve(FAST, ping_interval=60.0))  # no keepalive frame counted
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

    session._opener.web.rtm_connect = boom if rtm.kind == "sync" else aboom
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


# -- pacing over a real socket -----------------------------------------------------------------


def test_sends_are_paced_and_the_server_never_rate_limits_them(rtm: Rtm, emu: Emulator) -> None:
    # The emulator enforces 5 a second with a burst of 3: one token of slack for jitter, and
    # an unpaced client fails at its 4th message with a rate-limit error ack.
    emu.limits = Limits(web_rate_limit=None, message_rate=5.0, message_burst=3)
    connected(rtm, options=attrs.evolve(FAST, send_rate=5.0, send_burst=2))
    started = time.monotonic()
    try:
        acks = [rtm.send_message(text=f"paced {i}") for i in range(6)]
    except RtmErrorAck as exc:
        pytest.fail(f"the emulator rate-limited a send: {exc}")
    elapsed = time.monotonic() - started
    assert len({ack.ts for ack in acks}) == 6
    assert elapsed >= 0.75, "2 at once, then one every 0.2 s"
    assert rtm.session.state == "connected"
    assert emu.counters.connections_total == 1


# -- the close frame ---------------------------------------------------------------------------


class HelloServer:
    """A WebSocket server that says hello and records the close code each client sends."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.loop = LoopThread()
        self.runner: web.AppRunner | None = None
        self.port = self.loop.run(self._start())

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoclose=False)
        await ws.prepare(request)
        await ws.send_str('{"type": "hello"}')
        while True:
            msg = await ws.receive()
            if msg.type is WSMsgType.CLOSE:
                self.codes.append(msg.data)
                await ws.close()
                break
            if msg.type in (WSMsgType.CLOSED, WSMsgType.ERROR):
                self.codes.append(-1)  # the connection ended without a close frame
                break
        return ws

    async def _start(self) -> int:
        app = web.Application()
        app.router.add_get("/ws", self._socket)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port: int = self.runner.addresses[0][1]
        return port

    def stop(self) -> None:
        if self.runner is not None:
            self.loop.run(self.runner.cleanup())
        self.loop.stop()


@pytest.fixture
def hello_server() -> Iterator[HelloServer]:
    server = HelloServer()
    yield server
    server.stop()


def test_close_sends_a_close_frame_with_code_1000(
    rtm: Rtm, emu: Emulator, hello_server: HelloServer
) -> None:
    url = f"ws://127.0.0.1:{hello_server.port}/ws"
    emu.faults.web(n=1, method="rtm.connect", extra_fields={"url": url})
    session = connected(rtm)
    assert session.state == "connected"
    rtm.close_session()
    eventually(lambda: hello_server.codes != [])
    assert hello_server.codes == [1000]
    nothing_left(rtm)


# -- handlers ----------------------------------------------------------------------------------


def test_bound_methods_are_handlers(rtm: Rtm, emu: Emulator) -> None:
    session = connected(rtm)

    class Bot:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def on_message(self, event: Any) -> None:
            self.seen.append(event.text)

        def stop(self, event: Any) -> None:
            if event.text == "2":
                session.close()

        async def stop_async(self, event: Any) -> None:
            if event.text == "2":
                await session.close()

    bot = Bot()
    session.on(events.Message, bot.on_message)
    session.on("message", bot.stop if rtm.kind == "sync" else bot.stop_async)
    for text in ("1", "2", "3"):
        emu.send_event({"type": "message", "channel": GENERAL, "ts": f"{text}.0", "text": text})
    rtm.call("run")
    assert bot.seen == ["1", "2"]
    assert session.state == "closed"
