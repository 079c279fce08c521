"""Both RTM sessions against the emulator, over real sockets on loopback: the same assertions.

Each test runs twice (``rtm`` is parametrized: sync, async). Faults come from the emulator:
goodbye, drops, stalls, expired URLs, rate limits, revoked tokens, bursts.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

import pytest

from slackrtm import RetryPolicy, events
from slackrtm._exceptions import (
    RtmErrorAck,
    RtmFrameTooLarge,
    RtmSendTimeout,
    RtmSessionClosed,
)
from slackrtm.emulator import Emulator
from slackrtm.errors import ERROR_CLASSES, InvalidAuth, TokenRevoked
from slackrtm.rtm import Connected, Disconnected, Lifecycle, Reconnecting, RtmOptions

from .conftest import (
    ALICE,
    BOT,
    FAST,
    GENERAL,
    WAIT,
    Rtm,
    connected,
    eventually,
    is_message,
    rtm_threads,
)

# -- connecting --------------------------------------------------------------------------------


def test_hello(rtm: Rtm, emu: Emulator) -> None:
    session = rtm.open()
    assert session.self_.id == BOT
    assert session.team.id == "T0EMU0001"
    assert session.state == "connected"
    first = rtm.iterate(2)
    assert isinstance(first[0], events.Hello)
    assert first[1] == Connected("start", 1)
    assert emu.counters.connections_open >= 1
    assert "xoxb" not in repr(session)


def test_a_bad_token_fails_the_connect_with_the_api_error(rtm: Rtm) -> None:
    with pytest.raises(InvalidAuth):
        rtm.open(token="xoxb-not-a-token")
    assert rtm_threads() == []
    if rtm.loop is not None:
        assert rtm.loop.tasks() == set()


def test_the_connect_arguments_reach_rtm_connect(rtm: Rtm, emu: Emulator) -> None:
    rtm.open(batch_presence_aware=True, presence_sub=False)
    (request,) = [r for r in emu.requests if r.path.endswith("rtm.connect")]
    assert request.args == {"batch_presence_aware": "1", "presence_sub": "0"}


# -- sending -----------------------------------------------------------------------------------


def test_send_and_ack(rtm: Rtm, alice: Rtm) -> None:
    connected(rtm)
    ack = rtm.send_message(text="hello alice")
    assert isinstance(ack, events.MessageAck)
    assert isinstance(ack.ts, str)
    assert ack.text == "hello alice"
    got, _ = alice.wait_for(is_message)
    assert (got.user, got.text, got.ts, got.channel) == (BOT, "hello alice", ack.ts, GENERAL)


def test_an_error_ack_raises_with_code_msg_and_description(rtm: Rtm) -> None:
    connected(rtm)
    with pytest.raises(RtmErrorAck) as info:
        rtm.send_message(channel="C0NOSUCH")
    error = info.value
    assert (error.code, error.msg) == (4, "channel not found")
    assert error.description == events.RTM_ERROR_DESCRIPTIONS.get(4)
    assert error.reply_to >= 1
    assert rtm.send_message().ts, "the session goes on"


def test_a_frame_over_16_kb_is_refused_before_anything_is_sent(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    rtm.send_message()
    before = emu.counters.frames_in
    with pytest.raises(RtmFrameTooLarge) as info:
        rtm.send_message(text="x" * 17_000)
    assert info.value.limit == 16_384
    assert emu.counters.frames_in == before
    assert rtm.send_message().ts, "the socket is still open"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"channel": 5}, TypeError),
        ({"channel": ""}, ValueError),
        ({"text": None}, TypeError),
        ({"thread_ts": 1.5}, TypeError),
        ({"timeout": -1}, ValueError),
    ],
)
def test_bad_arguments_fail_before_any_io(
    rtm: Rtm, emu: Emulator, args: dict[str, Any], error: type[Exception]
) -> None:
    connected(rtm)
    before = emu.counters.frames_in
    with pytest.raises(error):
        rtm.send_message(**args)
    assert emu.counters.frames_in == before


def test_typing(rtm: Rtm, alice: Rtm) -> None:
    connected(rtm)
    assert rtm.typing() is None
    got, _ = alice.wait_for(lambda e: isinstance(e, events.UserTyping))
    assert (got.channel, got.user) == (GENERAL, BOT)


@pytest.mark.parametrize("batch", [False, True])
def test_presence_sub_with_both_presence_change_shapes(
    rtm: Rtm, emu: Emulator, batch: bool
) -> None:
    connected(rtm, batch_presence_aware=batch)
    rtm.subscribe_presence([ALICE])
    rtm.send_message()  # frames are handled in order: the subscription is in place
    try:
        emu.set_presence(ALICE, "away", manual=False)
        got, _ = rtm.wait_for(lambda e: isinstance(e, events.PresenceChange))
        assert got.users == (ALICE,)
        assert got.presence == "away"
    finally:
        emu.set_presence(ALICE, "active", manual=False)


def test_a_send_not_acked_in_time_times_out(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm, options=RtmOptions(send_rate=None, ping_interval=30, pong_timeout=30))
    emu.set_rtm_delay(1.0)
    with pytest.raises(RtmSendTimeout) as info:
        rtm.send_message(timeout=0.3)
    assert info.value.written is True
    # What a caller may write in either form: a send's timeout is a TimeoutError.
    try:
        rtm.send_message(timeout=0.3)
    except TimeoutError as exc:
        caught: BaseException = exc
    else:
        pytest.fail("the send did not time out")
    assert isinstance(caught, RtmSendTimeout)
    emu.set_rtm_delay(0)


# -- reconnecting ------------------------------------------------------------------------------


def reconnected(rtm: Rtm, cause: str) -> list[Any]:
    """Events up to the next Connected, which must follow a Disconnected with this cause."""
    connected_again, seen = rtm.wait_for(lambda e: isinstance(e, Connected))
    lost = [e for e in seen if isinstance(e, Disconnected)]
    assert lost, seen
    assert cause in lost[0].cause
    assert cause in connected_again.cause
    assert any(isinstance(e, Reconnecting) for e in seen)
    return seen


def test_goodbye_leads_to_a_reconnect(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    emu.send_goodbye()
    seen = reconnected(rtm, "goodbye")
    assert isinstance(seen[0], events.Goodbye)
    assert rtm.send_message().ts


def test_a_drop_leads_to_a_reconnect(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    total = emu.counters.connections_total
    emu.drop_connections()
    reconnected(rtm, "")
    assert emu.counters.connections_total == total + 1
    assert rtm.send_message().ts


def test_a_server_close_leads_to_a_reconnect(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    emu.close_connections(code=4000)
    reconnected(rtm, "code 4000")


def test_team_migration_leads_to_a_reconnect(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    emu.start_team_migration()
    reconnected(rtm, "team_migration_started")


def test_an_error_event_that_ends_the_socket_leads_to_a_reconnect(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    emu.send_event({"type": "error", "error": {"code": 1, "msg": "Socket URL has expired"}})
    seen = reconnected(rtm, "error event 1: Socket URL has expired")
    assert isinstance(seen[0], events.Error)


def test_a_stall_is_detected_and_reconnected_within_its_bound(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    bound = FAST.ping_interval + FAST.pong_timeout
    emu.stall_pings(True)
    started = time.monotonic()
    lost, _ = rtm.wait_for(lambda e: isinstance(e, Disconnected))
    elapsed = time.monotonic() - started
    emu.stall_pings(False)
    assert "stalled" in lost.cause
    # Detected within ping interval + pong timeout of the last frame (and the last frame
    # came before the stall). The exact bound is proven on the core with an injected clock
    # (test_protocol.py); here the margin is for a loaded, shared machine only.
    assert elapsed < bound + 5.0
    again, _ = rtm.wait_for(lambda e: isinstance(e, Connected))
    assert "stalled" in again.cause
    assert rtm.send_message().ts


def test_an_expired_url_is_replaced_by_a_new_rtm_connect(rtm: Rtm, emu: Emulator) -> None:
    emu.expire_socket_urls(1)
    session = rtm.open()
    assert session.state == "connected"
    seen = rtm.iterate(4)
    assert isinstance(seen[0], events.Error)
    assert seen[0].error.code == 1
    assert isinstance(seen[1], Reconnecting)
    assert "expired" in seen[1].cause
    assert isinstance(seen[3], Connected)
    assert emu.counters.tickets_rejected == 1
    assert len([r for r in emu.requests if r.path.endswith("rtm.connect")]) == 2


def test_rtm_connect_rate_limited_during_a_reconnect(rtm: Rtm, emu: Emulator) -> None:
    # The client's own retries are off: the session's backoff must honour Retry-After itself.
    connected(rtm, client_options={"retry": RetryPolicy.off()})
    emu.faults.web(n=2, status=429, retry_after=1)
    emu.drop_connections()
    started = time.monotonic()
    _, seen = rtm.wait_for(lambda e: isinstance(e, Connected))
    elapsed = time.monotonic() - started
    waits = [e for e in seen if isinstance(e, Reconnecting)]
    assert [w.attempt for w in waits] == [1, 2, 3]
    assert [w.delay >= 1.0 for w in waits] == [False, True, True]
    assert "rate limited" in waits[1].cause
    assert elapsed >= 2.0
    assert emu.counters.rate_limited == 0  # the faults answered, not the limiter
    assert emu.counters.web_faults == 2


def test_a_fatal_auth_error_during_a_reconnect_ends_the_session(rtm: Rtm, emu: Emulator) -> None:
    token = f"xoxb-rtm-fatal-{rtm.kind}"
    emu.workspace.add_token(token, user_id=BOT)
    connected(rtm, token=token)
    emu.workspace.add_token(token, user_id=BOT, state="revoked")
    emu.drop_connections(user_id=BOT)
    with pytest.raises(TokenRevoked):
        rtm.wait_for(lambda e: False)
    assert rtm.session.state == "closed"
    with pytest.raises(RtmSessionClosed) as info:
        rtm.send_message()
    assert isinstance(info.value.__cause__, TokenRevoked)
    with pytest.raises(RtmSessionClosed):
        rtm.next_event(0.1)
    assert rtm.iterate(1) == [], "iteration ends once the error was raised"
    eventually(lambda: rtm_threads() == [])
    if rtm.loop is not None:
        loop = rtm.loop
        eventually(lambda: loop.tasks() == set())


@pytest.mark.parametrize("code", ["missing_scope", "token_expired", "no_permission", "is_bot"])
def test_an_rtm_connect_error_retrying_cannot_help_ends_the_session_at_once(
    rtm: Rtm, emu: Emulator, code: str
) -> None:
    connected(rtm)
    emu.faults.web(n=10, error=code, method="rtm.connect")
    before = len([r for r in emu.requests if r.path.endswith("rtm.connect")])
    emu.drop_connections(user_id=BOT)
    with pytest.raises(ERROR_CLASSES[code]) as info:
        rtm.wait_for(lambda e: False)
    assert info.value.error == code
    assert rtm.session.state == "closed"
    after = len([r for r in emu.requests if r.path.endswith("rtm.connect")])
    assert after - before == 1, "one rtm.connect, not a retry"
    eventually(lambda: rtm_threads() == [])


@pytest.mark.parametrize("code", ["service_unavailable", "user_removed_from_team"])
def test_an_rtm_connect_error_that_may_pass_is_tried_again(
    rtm: Rtm, emu: Emulator, code: str
) -> None:
    """A passing state (``retry: helps``), and an undocumented code, are retried."""
    connected(rtm)
    emu.faults.web(n=1, error=code, method="rtm.connect")
    emu.drop_connections(user_id=BOT)
    _, seen = rtm.wait_for(lambda e: isinstance(e, Connected) and e.cause != "start")
    retried = [e for e in seen if isinstance(e, Reconnecting) and code in e.cause]
    assert len(retried) == 1
    assert rtm.session.state == "connected"


def test_a_typing_slack_refuses_comes_back_as_an_error_ack_and_the_socket_stays(
    rtm: Rtm, emu: Emulator
) -> None:
    connected(rtm)
    assert rtm.call("typing", "C0NOTFOUND") is None  # complete once written
    got, seen = rtm.wait_for(lambda e: isinstance(e, events.ErrorAck))
    assert (got.error.code, got.error.msg) == (4, "channel not found")
    assert isinstance(got.reply_to, int) and got.reply_to > 0
    rtm.send_message(text="still here")  # the same socket: no reconnect happened
    assert not [e for e in seen if isinstance(e, (Disconnected, Reconnecting))]
    assert rtm.session.state == "connected"
    assert emu.counters.connections_open == 1


@pytest.mark.parametrize(("code", "reconnects"), [(4, False), (99, False), (1, True)])
def test_only_an_error_event_that_ends_the_socket_reconnects(
    rtm: Rtm, emu: Emulator, code: int, reconnects: bool
) -> None:
    connected(rtm)
    emu.send_event({"type": "error", "error": {"code": code, "msg": "m"}}, user_id=BOT)
    got, _ = rtm.wait_for(lambda e: isinstance(e, events.Error))
    assert got.error.code == code
    if reconnects:
        rtm.wait_for(lambda e: isinstance(e, Connected) and e.cause == "error event 1: m")
    else:
        emu.send_event({"type": "goodbye"}, user_id=BOT)  # a marker: it comes next
        _, seen = rtm.wait_for(lambda e: isinstance(e, events.Goodbye))
        assert seen == []


def test_subscriptions_are_restored_after_a_reconnect(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    rtm.subscribe_presence([ALICE])
    emu.drop_connections()
    rtm.wait_for(lambda e: isinstance(e, Connected))
    rtm.send_message()  # the re-sent subscription went first: it is in place
    try:
        emu.set_presence(ALICE, "away", manual=False)
        got, _ = rtm.wait_for(lambda e: isinstance(e, events.PresenceChange))
        assert got.users == (ALICE,)
    finally:
        emu.set_presence(ALICE, "active", manual=False)


def test_sends_queued_during_a_reconnect_are_delivered(rtm: Rtm, emu: Emulator, alice: Rtm) -> None:
    connected(rtm)
    emu.faults.web(n=1, delay=1.0)  # a slow rtm.connect: the reconnect takes a second
    emu.drop_connections(user_id=BOT)
    rtm.wait_for(lambda e: isinstance(e, Disconnected))
    assert rtm.session.state != "connected"
    ack = rtm.send_message(text="sent while away")
    got, _ = rtm.wait_for(lambda e: isinstance(e, Connected))
    assert got.connects == 2
    message, _ = alice.wait_for(is_message)
    assert (message.text, message.ts) == ("sent while away", ack.ts)


def test_a_malformed_frame_is_skipped_and_the_session_goes_on(
    rtm: Rtm, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    connected(rtm)
    with caplog.at_level(logging.WARNING, logger="slackrtm"):
        emu.send_raw("not json at all")
        emu.send_raw('["an array", "not an object"]')
        emu.send_event({"type": "message", "ts": "1.0", "text": "fine"})
        got, _ = rtm.wait_for(lambda e: not isinstance(e, Lifecycle))
    assert got.text == "fine"
    assert caplog.text.count("malformed frame") == 2


def test_the_session_outlives_the_clients_http_timeout(rtm: Rtm) -> None:
    connected(rtm, client_options={"timeout": 0.5})
    time.sleep(1.0)
    assert rtm.send_message().ts
    assert rtm.session.state == "connected"


# -- volume and closing ------------------------------------------------------------------------


def test_a_50000_event_burst_arrives_complete_and_in_order(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm, options=RtmOptions(max_buffered=1_000))
    emu.broadcast(50_000, GENERAL, text="burst")
    got = rtm.burst(50_000, "burst")
    stamps = [event.ts for event in got]
    assert len(stamps) == 50_000
    assert stamps == sorted(stamps), "in order"
    assert len(set(stamps)) == 50_000, "no event twice"
    assert rtm.session.state == "connected"


def test_a_consumer_that_lags_gets_backpressure_not_loss(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm, options=RtmOptions(max_buffered=100, send_rate=None))
    emu.broadcast(5_000, GENERAL, text="slow")
    eventually(lambda: len(rtm.session._buffer) >= 100)
    time.sleep(0.3)  # the reader is paused, not piling events up
    assert len(rtm.session._buffer) <= 100 + 2  # + lifecycle notices
    got = rtm.burst(5_000, "slow")
    assert [e.ts for e in got] == sorted(e.ts for e in got)
    assert rtm.session.state == "connected", "no stall was judged while paused"
    assert rtm.send_message().ts


def test_closing_leaves_no_thread_task_or_socket(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    rtm.subscribe_presence([ALICE])
    rtm.send_message()
    assert emu.counters.connections_open == 1
    rtm.close()
    assert rtm_threads() == []
    if rtm.loop is not None:
        assert rtm.loop.tasks() == set()
    eventually(lambda: emu.counters.connections_open == 0)
    assert rtm.session.state == "closed"
    with pytest.raises(RtmSessionClosed):
        rtm.send_message()
    rtm.close()  # twice is fine


def test_closing_while_reconnecting_leaves_nothing(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    emu.faults.web(n=1, delay=0.5)
    emu.drop_connections()
    rtm.wait_for(lambda e: isinstance(e, Disconnected))
    rtm.close()
    assert rtm_threads() == []
    if rtm.loop is not None:
        assert rtm.loop.tasks() == set()
    eventually(lambda: emu.counters.connections_open == 0)


def test_a_pending_send_fails_when_the_session_closes(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    emu.faults.web(n=1, delay=2.0)
    emu.drop_connections()
    rtm.wait_for(lambda e: isinstance(e, Disconnected))
    closer = threading.Timer(0.3, rtm.close)
    closer.start()
    with pytest.raises(RtmSessionClosed) as info:
        rtm.send_message(timeout=WAIT)
    closer.join()
    assert info.value.cause == "closed by the user"


def test_a_refused_socket_is_retried(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    emu.expire_socket_urls(2)
    emu.drop_connections()
    _, seen = rtm.wait_for(lambda e: isinstance(e, Connected))
    assert [e.attempt for e in seen if isinstance(e, Reconnecting)] == [1, 2, 3]


def test_no_token_or_socket_url_in_any_log_line(
    rtm: Rtm, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    session = connected(rtm)
    emu.expire_socket_urls(1)
    emu.drop_connections()
    rtm.wait_for(lambda e: isinstance(e, Connected))
    rtm.send_message()
    rtm.close()
    assert "RTM: connected" in caplog.text, "DEBUG and INFO lines were captured"
    assert "GET" in caplog.text
    assert emu.bot_token not in caplog.text
    assert not re.search(r"/websocket/[A-Za-z0-9_-]{8,}", caplog.text), caplog.text
    assert emu.bot_token not in repr(session)


def test_handlers_get_events_in_order_and_one_that_raises_never_stops_the_session(
    rtm: Rtm, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    session = connected(rtm)
    seen: list[str] = []

    def boom(event: Any) -> None:
        raise RuntimeError("a bug in a handler")

    def collect(event: Any) -> None:
        seen.append(event.text)

    session.on("message", boom)
    session.on(events.Message)(collect)  # the decorator form
    if rtm.kind == "sync":

        def stop(event: Any) -> None:
            if event.text == "3":
                session.close()

        session.on(events.Message, stop)
    else:

        async def stop_async(event: Any) -> None:
            if event.text == "3":
                await session.close()

        session.on("message", stop_async)
    for text in ("1", "2", "3", "4"):
        emu.send_event({"type": "message", "channel": GENERAL, "ts": f"{text}.0", "text": text})
    with caplog.at_level(logging.ERROR, logger="slackrtm"):
        rtm.call("run")
    assert seen == ["1", "2", "3"]
    assert "a bug in a handler" in caplog.text
    assert caplog.text.count("the session goes on") == 3
    assert session.state == "closed"


def test_handler_arguments_are_checked(rtm: Rtm) -> None:
    session = connected(rtm)

    async def coroutine(event: Any) -> None:
        pass

    with pytest.raises(TypeError):
        session.on(42, print)
    with pytest.raises(TypeError):
        session.on("message", "not callable")
    if rtm.kind == "sync":
        with pytest.raises(TypeError, match="coroutine"):
            session.on("message", coroutine)
    else:
        assert session.on("message", coroutine) is coroutine
