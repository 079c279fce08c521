"""The inbound path, frame by frame: what the core tells a driver after each frame, and both
sessions handling frames that arrive together (a burst, then an ack, a goodbye, a close) one
by one, in order, as if each had come alone.

The core's `RtmProtocol.receive_text` says whether a frame needs more of the driver than
delivering its event: a plain event while connected, with nothing queued or completed, does not
(the drivers' fast path); everything else does. The drivers read the frames their library
already holds in one go (the sync one hands them to the core under one hold of its lock); these
tests hold that nothing about order, acks, goodbyes or closes changes for it.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest

from slackrtm import events
from slackrtm.emulator import Emulator
from slackrtm.rtm import Connected, Disconnected, Reconnecting, RtmOptions
from slackrtm.rtm._protocol import RTM_DIALECT, Dialect, RtmDialect, RtmProtocol

from .conftest import FAST, GENERAL, WAIT, Rtm, connected, eventually

HELLO = '{"type": "hello"}'


def message_frame(text: str = "m", ts: str = "1.000001") -> str:
    return json.dumps({"type": "message", "channel": "C1", "user": "U1", "text": text, "ts": ts})


def connect(proto: RtmProtocol) -> int:
    proto.begin_connect(0.0)
    link = proto.socket_opened(0.0, "info")
    proto.receive_text(link, HELLO, 0.0)
    assert proto.state == "connected"
    proto.take_events()
    return link


# -- the core: receive_text's answer and its queue of events ------------------------------------


def test_a_plain_event_while_connected_needs_nothing_more_of_the_driver() -> None:
    proto = RtmProtocol(RtmOptions(send_rate=None))
    link = connect(proto)
    assert proto.receive_text(link, message_frame("a"), 1.0) is False
    assert proto.receive_text(link, message_frame("b"), 1.5) is False
    assert [e.text for e in proto.events] == ["a", "b"]  # type: ignore[attr-defined]
    assert proto.take_completed() == []
    assert proto.next_deadline() == 1.5 + proto.options.ping_interval, "liveness noted"


def test_a_plain_event_clears_a_ping_in_flight_and_its_pong_deadline() -> None:
    proto = RtmProtocol(RtmOptions(send_rate=None, ping_interval=1.0, pong_timeout=1.0))
    link = connect(proto)
    proto.tick(1.0)
    (ping,) = proto.data_to_send(1.0)
    assert json.loads(ping)["type"] == "ping"
    assert proto.next_deadline() == 2.0, "the pong deadline"
    assert proto.receive_text(link, message_frame(), 1.2) is False
    assert proto.next_deadline() == 2.2, "any inbound frame proves liveness"
    proto.tick(2.1)
    assert proto.state == "connected"


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param('{"type": "pong", "reply_to": 1}', id="pong"),
        pytest.param('{"ok": true, "reply_to": 7, "ts": "1.2"}', id="ack-not-awaited"),
        pytest.param('{"type": "goodbye"}', id="goodbye"),
        pytest.param('{"type": "reconnect_url", "url": "wss://x.invalid/"}', id="reconnect_url"),
        pytest.param("not json", id="malformed"),
    ],
)
def test_any_other_frame_asks_the_driver_to_look(frame: str) -> None:
    proto = RtmProtocol(RtmOptions(send_rate=None))
    link = connect(proto)
    assert proto.receive_text(link, frame, 1.0) is True


def test_an_event_while_a_send_is_queued_or_completed_asks_the_driver_to_look() -> None:
    proto = RtmProtocol(RtmOptions(send_rate=1.0, send_burst=1))
    link = connect(proto)
    first = proto.send(events.TypingCommand(channel="C1"), 1.0)
    proto.send(events.TypingCommand(channel="C1"), 1.0)
    assert len(proto.data_to_send(1.0)) == 1  # the second waits for the pacing
    assert proto.queued == 1
    assert proto.receive_text(link, message_frame(), 1.1) is True, "a send waits to be written"
    proto.data_to_send(2.5)  # the first is now written: complete, not taken yet
    assert first.done
    assert proto.queued == 0
    assert proto.receive_text(link, message_frame(), 2.6) is True, "a send completed"
    proto.take_completed()
    assert proto.receive_text(link, message_frame(), 2.7) is False


def test_an_event_before_hello_or_from_a_replaced_socket_asks_the_driver_to_look() -> None:
    proto = RtmProtocol(RtmOptions(send_rate=None))
    proto.begin_connect(0.0)
    link = proto.socket_opened(0.0, "info")
    assert proto.receive_text(link, message_frame("early"), 0.1) is True, "state open"
    proto.receive_text(link, HELLO, 0.2)
    proto.connection_lost(link, 1.0, "connection dropped")
    before = list(proto.events)
    assert proto.receive_text(link, message_frame("late"), 1.1) is True
    assert list(proto.events) == before, "a late frame of an old socket is not acted on"


def test_events_keep_arrival_order_with_lifecycle_notices_and_take_events_drains_them() -> None:
    proto = RtmProtocol(RtmOptions(send_rate=None), rng=lambda: 0.5)
    link = connect(proto)
    proto.receive_text(link, message_frame("a"), 1.0)
    proto.receive_text(link, '{"type": "goodbye"}', 1.1)
    out = proto.take_events()
    assert [type(e) for e in out] == [events.Message, events.Goodbye, Disconnected, Reconnecting]
    assert not proto.events
    assert proto.take_events() == []


def test_an_unknown_event_and_an_ack_subclass_keep_their_kind_when_remembered() -> None:
    dialect = RtmDialect()

    @attrs.frozen(kw_only=True)
    class LaterAck(events.MessageAck):
        pass

    ack = LaterAck(reply_to=1, ts="1.2")
    unknown = events.decode('{"type": "no_such_event"}')
    for _ in range(2):  # the first call works the kind out, the second remembers it
        assert dialect.kind(ack) == Dialect.ACK
        assert dialect.kind(unknown) == Dialect.EVENT
        assert RTM_DIALECT.kind(events.decode(HELLO)) == Dialect.HELLO


# -- both sessions: frames that arrive together --------------------------------------------------


def test_a_burst_then_a_goodbye_and_a_close_come_in_order_and_complete(
    rtm: Rtm, emu: Emulator
) -> None:
    connected(rtm)
    emu.broadcast(3_000, GENERAL, text="together")
    emu.send_raw("not json")  # skipped on the way; it ends nothing
    emu.send_goodbye(close=True)
    got = rtm.burst(3_000, "together")
    assert [e.ts for e in got] == sorted(e.ts for e in got)
    assert len({e.ts for e in got}) == 3_000
    after: list[Any] = []
    while not (after and isinstance(after[-1], Connected)):
        after.append(rtm.next_event())
    assert isinstance(after[0], events.Goodbye), after
    assert isinstance(after[1], Disconnected) and after[1].cause == "goodbye"
    assert isinstance(after[2], Reconnecting)
    assert after[-1].connects == 2
    assert rtm.send_message().ts


def test_an_ack_behind_a_burst_completes_its_send_while_nobody_iterates(
    rtm: Rtm, emu: Emulator
) -> None:
    connected(rtm, options=attrs.evolve(FAST, max_buffered=50_000))
    emu.broadcast(20_000, GENERAL, text="ahead")
    ack = rtm.send_message(text="behind", timeout=WAIT)  # its ack follows the burst
    assert ack.text == "behind"
    got = rtm.burst(20_000, "ahead")
    assert [e.ts for e in got] == sorted(e.ts for e in got)
    assert rtm.session.state == "connected"


def test_a_burst_larger_than_the_buffer_pauses_reading_at_the_limit(
    rtm: Rtm, emu: Emulator
) -> None:
    connected(rtm, options=attrs.evolve(FAST, max_buffered=300))
    emu.broadcast(2_000, GENERAL, text="held")
    eventually(lambda: len(rtm.session._buffer) >= 300)
    assert len(rtm.session._buffer) <= 300 + 2
    got = rtm.burst(2_000, "held")
    assert [e.ts for e in got] == sorted(e.ts for e in got)
    assert rtm.session.state == "connected"
