"""The engine on the Socket Mode dialect, alone: no socket, no loop, a clock passed in.

The handover's states, the envelopes' books as the engine keeps them, the ack as a frame, the
WebSocket keepalive, and what each ``disconnect`` reason does; driven by hand as a driver does.
"""

from __future__ import annotations

import json
import logging

import pytest

from slackrtm import RetryPolicy, SocketModeLinkDisabled
from slackrtm.rtm import Connected, Disconnected, Reconnecting, RtmOptions
from slackrtm.rtm._dialects import WS_PING
from slackrtm.rtm._protocol import RtmProtocol
from slackrtm.rtm._socket_mode import SOCKET_MODE_DIALECT

from .slack import interactive_envelope, message_envelope, slash_envelope

HELLO = json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
OPTIONS = RtmOptions(
    ping_interval=1.0,
    pong_timeout=1.0,
    send_rate=None,
    reconnect=RetryPolicy(backoff_base=1.0, backoff_max=8.0),
)


def disconnect(reason: str) -> str:
    return json.dumps({"type": "disconnect", "reason": reason})


def make() -> RtmProtocol:
    return RtmProtocol(OPTIONS, dialect=SOCKET_MODE_DIALECT, rng=lambda: 0.5)


def connected(proto: RtmProtocol, now: float = 0.0) -> int:
    proto.begin_connect(now)
    link = proto.socket_opened(now)
    proto.receive_text(link, HELLO, now)
    proto.take_events()
    return link


def envelope_ids(proto: RtmProtocol) -> list[str]:
    return [e.envelope_id for e in proto.take_events() if hasattr(e, "envelope_id")]


def acks(proto: RtmProtocol, now: float) -> list[dict[str, object]]:
    frames = proto.data_to_send(now)
    proto.frames_written(now, len(frames))
    return [json.loads(f) for f in frames if f is not WS_PING]


def test_a_handover_reads_both_sockets_and_lets_the_old_go_at_the_new_hello() -> None:
    proto = make()
    old = connected(proto)
    proto.receive_text(old, message_envelope("E1", "Ev1", "a"), 1.0)
    proto.receive_text(old, disconnect("refresh_requested"), 1.0)
    notices = proto.take_events()
    assert [type(n).__name__ for n in notices][-1] == "Reconnecting"
    assert notices[-1] == Reconnecting("disconnect: refresh_requested", 1, 0.0)
    assert (proto.state, proto.link, proto.draining, proto.write_link) == (
        "waiting",
        None,
        old,
        old,
    )
    assert proto.connect_due(1.0)
    proto.begin_connect(1.0)
    new = proto.socket_opened(1.1)
    proto.receive_text(old, message_envelope("E2", "Ev2", "during"), 1.2)
    assert envelope_ids(proto) == ["E2"]
    proto.ack(proto_envelope(proto, old, "E3", 1.3), None, 1.3)
    assert acks(proto, 1.3) == [{"envelope_id": "E3"}]  # on the old socket, still written to
    proto.receive_text(new, HELLO, 1.4)
    assert (proto.state, proto.link, proto.draining, proto.write_link) == (
        "connected",
        new,
        None,
        new,
    )
    assert proto.take_events()[-1] == Connected("disconnect: refresh_requested", 2)
    proto.receive_text(old, message_envelope("E4", "Ev4", "late"), 1.5)
    assert envelope_ids(proto) == []  # the old socket is the session's no more


def proto_envelope(proto: RtmProtocol, link: int, envelope_id: str, now: float) -> object:
    proto.receive_text(link, message_envelope(envelope_id, "Ev" + envelope_id, "x"), now)
    (envelope,) = [e for e in proto.take_events() if hasattr(e, "envelope_id")]
    return envelope


def test_the_old_socket_ending_before_the_new_hello_is_a_gap_told_as_one() -> None:
    proto = make()
    old = connected(proto)
    proto.receive_text(old, disconnect("warning"), 1.0)
    proto.take_events()
    proto.connection_lost(old, 2.0, "closed by Slack")
    assert proto.draining is None
    assert proto.take_events() == [Disconnected("closed by Slack")]


def test_a_handover_asked_for_before_hello_is_a_plain_reconnect() -> None:
    proto = make()
    proto.begin_connect(0.0)
    link = proto.socket_opened(0.0)
    proto.receive_text(link, disconnect("refresh_requested"), 0.1)
    assert (proto.state, proto.draining) == ("waiting", None)


def test_link_disabled_ends_the_session() -> None:
    proto = make()
    link = connected(proto)
    proto.receive_text(link, disconnect("link_disabled"), 1.0)
    assert proto.closed
    assert isinstance(proto.error, SocketModeLinkDisabled)


def test_too_many_websockets_counts_as_a_failed_attempt() -> None:
    proto = make()
    link = connected(proto)
    proto.receive_text(link, disconnect("too_many_websockets"), 20.0)
    notice = proto.take_events()[-1]
    assert isinstance(notice, Reconnecting)
    assert notice.attempt == 2 and notice.delay > 0


def test_an_unknown_reason_reconnects_as_a_lost_socket() -> None:
    proto = make()
    link = connected(proto)
    proto.receive_text(link, disconnect("something_new"), 20.0)
    notices = proto.take_events()
    assert Disconnected("disconnect: something_new") in notices
    assert notices[-1].attempt == 1  # type: ignore[attr-defined]


def test_a_retry_of_an_acked_envelope_is_acked_again_and_not_delivered() -> None:
    proto = make()
    link = connected(proto)
    envelope = proto_envelope(proto, link, "E1", 1.0)
    assert proto.ack(envelope, None, 1.1) is True
    assert acks(proto, 1.1) == [{"envelope_id": "E1"}]
    proto.receive_text(link, message_envelope("E1", "EvE1", "x", retry=1), 5.0)
    assert envelope_ids(proto) == []
    assert acks(proto, 5.0) == [{"envelope_id": "E1"}]


def test_a_payload_goes_with_the_ack_of_an_envelope_that_accepts_one() -> None:
    proto = make()
    link = connected(proto)
    proto.receive_text(link, slash_envelope("E1"), 1.0)
    (envelope,) = proto.take_events()
    proto.ack(envelope, {"text": "ok"}, 1.1)
    assert acks(proto, 1.1) == [{"envelope_id": "E1", "payload": {"text": "ok"}}]


def test_an_rtm_session_has_nothing_to_ack() -> None:
    with pytest.raises(TypeError, match="acks are Socket Mode's"):
        RtmProtocol().ack(object(), None, 0.0)


def test_the_keepalive_ping_is_a_websocket_ping_and_a_pong_proves_liveness() -> None:
    proto = make()
    link = connected(proto)
    proto.tick(1.0)
    assert proto.data_to_send(1.0) == [WS_PING]
    proto.frames_written(1.0, 1)
    proto.control_received(link, 1.5)  # the pong
    proto.tick(2.0)
    assert proto.state == "connected"
    proto.tick(2.5)
    assert proto.data_to_send(2.5) == [WS_PING]
    proto.frames_written(2.5, 1)
    proto.tick(3.5)  # no frame, ping or pong within ping_interval + pong_timeout
    assert proto.state == "waiting"
    assert Disconnected("stalled: no frame within 2 s") in proto.take_events()


def test_an_unacked_envelope_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    proto = make()
    link = connected(proto)
    proto_envelope(proto, link, "E1", 1.0)
    assert proto.next_deadline() == 2.0  # the keepalive's ping comes first
    proto.control_received(link, 1.5)
    proto.control_received(link, 2.4)
    assert proto.next_deadline() == 3.4
    proto.control_received(link, 3.0)
    assert proto.next_deadline() == 4.0  # the envelope's 3 s
    with caplog.at_level(logging.WARNING, "slackrtm"):
        proto.tick(4.0)
        proto.tick(5.0)
    assert (
        caplog.messages.count(
            "Socket Mode: envelope E1 was not acked within 3 s; Slack sends it again"
        )
        == 1
    )


def test_a_new_envelope_takes_the_burst_path_and_a_duplicate_acked_by_the_engine_does_not() -> None:
    proto = make()
    link = connected(proto)
    # New envelopes change nothing but the events: the driver need not wake the engine.
    assert proto.receive_text(link, message_envelope("E1", "Ev1", "a"), 1.0) is False
    (first,) = proto.take_events()
    assert proto.ack(first, None, 1.0) is True
    assert proto.engine_due  # the ack waits: whoever queued it wakes the engine
    acks(proto, 1.0)
    # A copy of an acked envelope is acked by the engine: the driver wakes it.
    assert proto.receive_text(link, message_envelope("E1", "Ev1", "a", retry=1), 2.0) is True
    assert proto.engine_due
    assert acks(proto, 2.0) == [{"envelope_id": "E1"}]


def test_a_batch_of_new_envelopes_is_taken_at_once_up_to_a_duplicate() -> None:
    proto = make()
    link = connected(proto)
    batch = [
        message_envelope("E1", "Ev1", "a"),
        message_envelope("E2", "Ev2", "b"),
        message_envelope("E3", "Ev1", "a"),  # Ev1 again, in a new envelope: acked at once
        message_envelope("E4", "Ev4", "d"),
    ]
    assert proto.receive_texts(link, batch, 0, 1.0) == 3
    assert proto.engine_due
    assert proto.receive_texts(link, batch, 3, 1.0) == 4
    assert envelope_ids(proto) == ["E1", "E2", "E4"]
    assert acks(proto, 1.0) == [{"envelope_id": "E3"}]
    assert proto.stats(1.0).events_in == 5  # the hello and four envelopes


def test_kept_whole_frames_are_judged_each_by_its_envelope_id_in_a_burst() -> None:
    """An unknown type is an envelope only when it has an id; its class alone does not say.

    The engine starts with the dialect's kinds of the classes that say it alone, and must
    not remember one for the kept-whole frames' class.
    """
    proto = make()
    link = connected(proto)
    batch = [
        json.dumps({"type": "workflow_step", "payload": {}}),  # no id: an event, nothing to ack
        json.dumps({"type": "workflow_step", "envelope_id": "W1", "payload": {}}),
        message_envelope("E1", "Ev1", "a"),
        json.dumps({"type": "workflow_step", "payload": {}}),
    ]
    index = 0
    while index < len(batch):
        index = proto.receive_texts(link, batch, index, 1.0)
    got = proto.take_events()
    assert [getattr(e, "envelope_id", None) for e in got] == [None, "W1", "E1", None]
    for envelope in got[1:3]:
        assert proto.ack(envelope, None, 1.0) is True
    with pytest.raises(TypeError, match="not a Socket Mode envelope"):
        proto.ack(got[0], None, 1.0)
    assert acks(proto, 1.0) == [{"envelope_id": "W1"}, {"envelope_id": "E1"}]


def test_the_dialects_class_kinds_agree_with_their_kind_of_each_frame() -> None:
    from slackrtm import envelopes

    samples = [
        HELLO,
        disconnect("warning"),
        message_envelope("E1", "Ev1", "a"),
        slash_envelope("E2"),
        interactive_envelope("E3"),
    ]
    known = SOCKET_MODE_DIALECT.class_kinds()
    assert envelopes.UnknownFrame not in known and envelopes.FallbackFrame not in known
    for text in samples:
        frame = envelopes.decode(text)
        assert known[type(frame)] == SOCKET_MODE_DIALECT.kind(frame)
    assert set(known) == {
        envelopes.Hello,
        envelopes.Disconnect,
        envelopes.EventsApi,
        envelopes.SlashCommands,
        envelopes.Interactive,
    }
