"""The Socket Mode session in both forms, against a Slack of the tests' own over real sockets.

Each script says what Slack sends on every connection; the tests read what the session
delivers, and what it writes (the acks) on each socket.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

# TEMPORARY, until sm-wire's apps.connections.open lands in this branch.
from slackrtm import (
    AckPayloadRefused,
    Client,
    SocketModeLinkDisabled,
    events,
)
from slackrtm.rtm import Connected, Disconnected, Reconnecting
from tests.rtm.hostile_ws import Peer

from .conftest import WAIT, Sm

if not hasattr(Client, "apps_connections_open"):
    pytest.skip("apps.connections.open is not generated yet", allow_module_level=True)
from .slack import (
    SocketModeSlack,
    acks,
    disconnect,
    hello,
    interactive_envelope,
    message_envelope,
    slash_envelope,
)


def test_each_envelope_type_comes_typed_and_is_acked_before_it_is_handed_out(sm: Sm) -> None:
    written: list[dict[str, Any]] = []
    read = threading.Event()

    def script(peer: Peer, _n: int) -> None:
        hello(peer)
        peer.send_text(message_envelope("E1", "Ev1", "hi"))
        peer.send_text(slash_envelope("E2"))
        peer.send_text(interactive_envelope("E3"))
        written.extend(acks(peer, 3))
        read.set()
        peer.hold(WAIT)

    with SocketModeSlack(script) as slack:
        sm.open(slack.base_url, ack="before")
        first, second, third = sm.envelopes(3)
        assert (first.type, second.type, third.type) == (
            "events_api",
            "slash_commands",
            "interactive",
        )
        assert isinstance(first.payload.event, events.Message)
        assert first.payload.event.text == "hi"
        assert second.accepts_response_payload is True
        assert second.payload.command == "/deploy"
        assert read.wait(WAIT)
        sm.close()
    assert [ack["envelope_id"] for ack in written] == ["E1", "E2", "E3"]
    assert all("payload" not in ack for ack in written)


def _run(sm: Sm) -> Any:
    """Start ``run`` (a thread for sync, a task on the loop for async); returns its end."""
    if sm.kind == "sync":
        thread = threading.Thread(target=sm.session.run, daemon=True)
        thread.start()
        return thread
    import asyncio

    assert sm.loop is not None
    return asyncio.run_coroutine_threadsafe(sm.session.run(), sm.loop.loop)


def test_run_acks_after_each_handler_even_one_that_raises_and_a_payload_goes_with_it(
    sm: Sm, caplog: pytest.LogCaptureFixture
) -> None:
    written: list[dict[str, Any]] = []
    done = threading.Event()

    def script(peer: Peer, _n: int) -> None:
        hello(peer)
        peer.send_text(message_envelope("E1", "Ev1", "boom"))
        peer.send_text(slash_envelope("E2"))
        written.extend(acks(peer, 2))
        done.set()
        peer.hold(WAIT)

    seen: list[str] = []

    with SocketModeSlack(script) as slack:
        session = sm.make(slack.base_url)

        def on_message(message: events.Message) -> None:
            seen.append(message.text or "")
            raise RuntimeError("the handler failed")

        def on_slash(envelope: Any) -> None:
            seen.append(envelope.payload.command)
            session.ack(envelope, {"text": "deploying"})

        session.on(events.Message, on_message)
        session.on("slash_commands", on_slash)
        sm.call("connect")
        ran = _run(sm)
        assert done.wait(WAIT)
        sm.close()
        ran.join(WAIT) if sm.kind == "sync" else ran.result(WAIT)
    assert seen == ["boom", "/deploy"]
    assert written == [
        {"envelope_id": "E1"},
        {"envelope_id": "E2", "payload": {"text": "deploying"}},
    ]
    assert "the session goes on" in caplog.text


def test_a_payload_is_refused_where_none_is_accepted_and_a_second_ack_does_nothing(
    sm: Sm,
) -> None:
    written: list[dict[str, Any]] = []

    read = threading.Event()

    def script(peer: Peer, n: int) -> None:
        hello(peer)
        if n == 1:
            peer.send_text(message_envelope("E1", "Ev1", "hi"))
            written.extend(acks(peer, 1))
            read.set()
        peer.hold(WAIT)

    with SocketModeSlack(script) as slack:
        sm.open(slack.base_url, ack="manual")
        (envelope,) = sm.envelopes(1)
        with pytest.raises(AckPayloadRefused) as refused:
            sm.ack(envelope, {"text": "no"})
        assert str(refused.value) == (
            "envelope E1 does not accept a response payload (accepts_response_payload is "
            "false); ack it without one"
        )
        assert sm.ack(envelope) is True
        assert sm.ack(envelope) is False
        other = Sm(sm.kind)
        try:
            other.open(slack.base_url, ack="manual")
            with pytest.raises(ValueError, match="E1 was not delivered by this session"):
                other.ack(envelope)
        finally:
            other.finish()
        assert read.wait(WAIT)
        sm.close()
    assert written == [{"envelope_id": "E1"}]


def test_an_unacked_envelope_is_logged_once_and_its_retry_is_not_delivered_again(
    sm: Sm, caplog: pytest.LogCaptureFixture
) -> None:
    written: list[dict[str, Any]] = []
    warned = threading.Event()
    read = threading.Event()

    def script(peer: Peer, _n: int) -> None:
        hello(peer)
        peer.send_text(message_envelope("E1", "Ev1", "secret text"))
        warned.wait(WAIT)
        peer.send_text(message_envelope("E1", "Ev1", "secret text", retry=1))
        peer.send_text(message_envelope("E2", "Ev2", "next"))
        written.extend(acks(peer, 2))
        read.set()
        peer.hold(WAIT)

    with SocketModeSlack(script) as slack, caplog.at_level(logging.WARNING, "slackrtm"):
        sm.open(slack.base_url, ack="manual")
        (first,) = sm.envelopes(1)
        deadline = time.monotonic() + WAIT
        while "not acked" not in caplog.text:  # the 3 s pass (a deadline of the engine's)
            assert time.monotonic() < deadline
            time.sleep(0.05)
        warned.set()
        (second,) = sm.envelopes(1)
        assert second.envelope_id == "E2"  # the retry of E1 was not delivered
        sm.ack(first)
        sm.ack(second)
        assert read.wait(WAIT)
        sm.close()
    assert sorted(ack["envelope_id"] for ack in written) == ["E1", "E2"]
    lines = [r.getMessage() for r in caplog.records if "not acked" in r.getMessage()]
    assert lines == ["Socket Mode: envelope E1 was not acked within 3 s; Slack sends it again"]
    assert "secret text" not in caplog.text


def test_a_refresh_requested_handover_loses_nothing_and_delivers_nothing_twice(sm: Sm) -> None:
    """Envelopes before, during and after the handover, some on both sockets: each comes once."""
    second_hello = threading.Event()
    old_closed = threading.Event()
    written: dict[int, list[str]] = {1: [], 2: []}

    def script(peer: Peer, n: int) -> None:
        if n == 1:
            hello(peer)
            peer.send_text(message_envelope("E1", "Ev1", "before"))
            peer.send_text(message_envelope("E2", "Ev2", "before"))
            disconnect(peer, "refresh_requested")
            peer.send_text(message_envelope("E3", "Ev3", "during"))
            peer.send_text(message_envelope("E4", "Ev4", "during, on both"))
            second_hello.wait(WAIT)
            for opcode, data in peer.frames():  # until the session closes this socket
                if opcode == 0x8:
                    old_closed.set()
                    break
                if opcode == 0x1:
                    written[1].append(json.loads(data)["envelope_id"])
            return
        hello(peer)
        second_hello.set()
        peer.send_text(message_envelope("E4", "Ev4", "during, on both"))  # a copy
        peer.send_text(message_envelope("E5", "Ev3", "the same event, a new envelope"))
        peer.send_text(message_envelope("E6", "Ev6", "after"))
        written[2].extend(e["envelope_id"] for e in acks(peer, 10, seconds=2.0))

    with SocketModeSlack(script) as slack:
        sm.open(slack.base_url, ack="before")
        assert isinstance(sm.notices(), Connected)  # the first connection's
        got: list[str] = []
        notices: list[Any] = []
        while len(got) < 5:
            event = sm.next_event()
            if isinstance(event, (Connected, Disconnected, Reconnecting)):
                notices.append(event)
            elif hasattr(event, "envelope_id"):
                got.append(event.envelope_id)
        assert old_closed.wait(WAIT)
        with pytest.raises(TimeoutError):
            sm.next_event(0.5)
        sm.close()
    assert got == ["E1", "E2", "E3", "E4", "E6"]  # 0 lost, 0 twice (E5 repeats Ev3)
    assert [type(n) for n in notices] == [Reconnecting, Connected]
    assert notices[0].cause == "disconnect: refresh_requested" and notices[0].delay == 0.0
    assert len(slack.opens) == 2  # a fresh apps.connections.open for the new socket
    acked = written[1] + written[2]
    assert sorted(set(acked)) == ["E1", "E2", "E3", "E4", "E5", "E6"]


def test_link_disabled_ends_the_session_with_its_typed_error(sm: Sm) -> None:
    def script(peer: Peer, _n: int) -> None:
        hello(peer)
        disconnect(peer, "link_disabled")
        peer.hold(WAIT)

    with SocketModeSlack(script) as slack:
        sm.open(slack.base_url)
        with pytest.raises(SocketModeLinkDisabled) as ended:
            sm.wait_for(lambda _event: False)
        assert str(ended.value) == (
            "Slack disabled the Socket Mode link (disconnect reason link_disabled): turn Socket "
            "Mode on in the app's settings, then start a new session"
        )
        assert ended.value.reason == "link_disabled"
        assert sm.session.state == "closed"
        assert slack.sockets == 1
        sm.close()


def test_too_many_websockets_backs_off_then_connects_again(sm: Sm) -> None:
    def script(peer: Peer, n: int) -> None:
        hello(peer)
        if n == 1:
            disconnect(peer, "too_many_websockets")
        peer.hold(WAIT)

    with SocketModeSlack(script) as slack:
        sm.open(slack.base_url)
        assert isinstance(sm.notices(), Connected)  # the first connection's
        lost = sm.notices()
        assert isinstance(lost, Disconnected)
        assert lost.cause == "disconnect: too_many_websockets"
        wait = sm.notices()
        assert isinstance(wait, Reconnecting)
        assert wait.attempt == 2  # counted as a failed attempt: the backoff grows
        again = sm.notices()
        assert isinstance(again, Connected) and again.connects == 2
        sm.close()
    assert len(slack.opens) == 2


def test_the_rtm_send_methods_are_refused_with_the_way_to_reply(sm: Sm) -> None:
    def script(peer: Peer, _n: int) -> None:
        hello(peer)
        peer.hold(WAIT)

    with SocketModeSlack(script) as slack:
        session = sm.open(slack.base_url)
        with pytest.raises(TypeError, match=r"reply through the Web API \(client.chat_postMessage"):
            session.send_message("C1", "hi")
        sm.close()


def test_one_handler_serves_an_rtm_message_and_an_events_api_message(sm: Sm) -> None:
    """The same function, registered for `events.Message` on an RTM and a Socket Mode session."""
    from tests.rtm.conftest import Rtm
    from tests.rtm.hostile_ws import HostileSlack, client_options

    texts: list[str] = []

    def handle(message: events.Message) -> None:
        texts.append(f"{message.channel} {message.text}")

    def socket_mode(peer: Peer, _n: int) -> None:
        hello(peer)
        peer.send_text(message_envelope("E1", "Ev1", "over socket mode"))
        acks(peer, 1)
        peer.hold(WAIT)

    def rtm(peer: Peer, _n: int) -> None:
        peer.hello()
        message = {"type": "message", "channel": "C0EMU0001", "text": "over rtm", "ts": "1.2"}
        peer.send_text(json.dumps(message))
        peer.hold(WAIT)

    with SocketModeSlack(socket_mode) as slack, HostileSlack(rtm) as classic:
        session = sm.make(slack.base_url)
        session.on(events.Message, handle)
        sm.call("connect")
        ran = _run(sm)
        other = Rtm(sm.kind, SimpleNamespace(**client_options(classic)))  # type: ignore[arg-type]
        try:
            other.open(token=client_options(classic)["token"])
            other.session.on(events.Message, handle)
            other_ran = _run(other)  # type: ignore[arg-type]
            deadline = threading.Event()
            for _ in range(100):
                if len(texts) == 2:
                    break
                deadline.wait(0.1)
            other.close()
            other_ran.join(WAIT) if sm.kind == "sync" else other_ran.result(WAIT)
        finally:
            other.finish()
        sm.close()
        ran.join(WAIT) if sm.kind == "sync" else ran.result(WAIT)
    assert sorted(texts) == ["C0EMU0001 over rtm", "C0EMU0001 over socket mode"]


def _answer_pings(peer: Peer, answer: bool) -> None:
    for opcode, data in peer.frames():
        if opcode == 0x8:
            return
        if opcode == 0x9 and answer:
            peer._frame(0xA, data)


@pytest.mark.parametrize("answers", [True, False])
def test_a_quiet_socket_is_kept_by_websocket_pongs_and_replaced_without_them(
    sm: Sm, answers: bool
) -> None:
    from slackrtm import RetryPolicy
    from slackrtm.rtm import RtmOptions

    def script(peer: Peer, n: int) -> None:
        hello(peer)
        _answer_pings(peer, answers or n > 1)

    options = RtmOptions(
        ping_interval=0.3,
        pong_timeout=0.3,
        send_rate=None,
        reconnect=RetryPolicy(backoff_base=0.05, backoff_max=0.1),
    )
    with SocketModeSlack(script) as slack:
        sm.open(slack.base_url, options=options)
        assert isinstance(sm.notices(), Connected)  # the first connection's
        if answers:
            with pytest.raises(TimeoutError):
                sm.wait_for(lambda e: isinstance(e, Disconnected), timeout=1.5)
            assert sm.session.stats.ping_rtt is not None
        else:
            lost = sm.notices(timeout=WAIT)
            assert lost == Disconnected("stalled: no frame within 0.6 s")
        sm.close()


def test_a_client_without_an_app_token_fails_to_connect_before_any_io(
    sm: Sm, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slackrtm import SlackTokenTypeError

    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)

    def script(peer: Peer, _n: int) -> None:
        hello(peer)

    with SocketModeSlack(script) as slack:
        with pytest.raises(SlackTokenTypeError) as refused:
            sm.open(slack.base_url, client={"app_token": None})
        assert str(refused.value) == (
            "apps.connections.open takes an app-level token (xapp-...), and this client has only "
            "a bot token: pass app_token=... or set SLACK_APP_TOKEN"
        )
        assert (slack.opens, slack.sockets) == ([], 0)
