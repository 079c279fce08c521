"""The inbound path, frame by frame, in the core and in both sessions.

What the core tells a driver after each frame; and both sessions handling frames that arrive
together (a burst, then an ack, a goodbye, a close) one by one, in order, as if each had come
alone.

The core's `RtmProtocol.receive_text` says whether a frame needs more of the driver than
delivering its event: a plain event while connected, with nothing queued or completed, does not
(the drivers' fast path); everything else does. The drivers read the frames their library
already holds in one go (the sync one hands them to the core under one hold of its lock); these
tests hold that nothing about order, acks, goodbyes or closes changes for it.
"""

from __future__ import annotations

import itertools
import json
import queue
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection

from slackrtm import events
from slackrtm._exceptions import RtmSessionClosed
from slackrtm.emulator import Emulator
from slackrtm.rtm import Connected, Disconnected, Reconnecting, RtmOptions, _sync_reader, _ws_sync
from slackrtm.rtm._dialects import RTM_DIALECT, Dialect, Kind, RtmDialect
from slackrtm.rtm._protocol import RtmProtocol
from slackrtm.rtm._ws_sync import holds_frames

from ..fuzzing import examples
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


class _Counting(RtmDialect):
    """Slack's dialect, counting the classes it is asked the kind of.

    It decodes `planted` instead of the frame when one is planted.
    """

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[type] = []
        self.planted: events.Ack | None = None

    def decode(self, frame: str | bytes, *, strict: bool = False) -> events.Event | events.Ack:
        return self.planted if self.planted is not None else events.decode(frame, strict=strict)

    def kind(self, frame: object) -> Kind:
        self.asked.append(type(frame))
        return super().kind(frame)


@attrs.frozen(kw_only=True)
class _LaterAck(events.MessageAck):
    """An ack subclass the schema may add later."""


def test_the_kind_of_a_class_is_asked_once_and_stays_right() -> None:
    dialect = _Counting()
    proto = RtmProtocol(RtmOptions(send_rate=None), dialect=dialect)
    link = connect(proto)
    dialect.asked.clear()
    for frame in [message_frame("a"), message_frame("b"), '{"type": "x_y"}', '{"type": "x_y"}']:
        proto.receive_text(link, frame, 1.0)
    assert dialect.asked == [events.Message, events.UnknownEvent], "asked once per class"
    delivered = [type(e) for e in proto.take_events()]
    assert delivered == [events.Message, events.Message, events.UnknownEvent, events.UnknownEvent]
    # An ack subclass is still an ack, the first time and once remembered.
    for _ in range(2):
        pending = proto.send(events.MessageCommand(channel="C1", text="hi"), 2.0)
        proto.data_to_send(2.0)
        assert pending.id is not None
        dialect.planted = ack = _LaterAck(reply_to=pending.id, ts="1.2")
        assert proto.receive_text(link, "(planted)", 2.1) is True
        assert pending.done and pending.result is ack
    assert dialect.asked.count(_LaterAck) == 1
    assert RTM_DIALECT.kind(ack) == Kind.ACK
    assert proto.take_events() == [], "acks are not events"


class _ByContent(Dialect):
    """A dialect whose kinds depend on more than the class: never remembered."""

    def decode(self, frame: str | bytes) -> object:
        return json.loads(frame)

    def kind(self, frame: object) -> Kind:
        assert isinstance(frame, dict)
        return Kind.HELLO if frame.get("type") == "hello" else Kind.EVENT

    def delivered(self, kind: Kind) -> bool:
        return True


def test_a_dialect_whose_kinds_depend_on_the_frame_is_asked_every_time() -> None:
    proto = RtmProtocol(RtmOptions(send_rate=None), dialect=_ByContent())
    proto.begin_connect(0.0)
    link = proto.socket_opened(0.0)
    assert proto.receive_text(link, '{"type": "x"}', 0.1) is True, "not connected yet"
    proto.receive_text(link, HELLO, 0.2)  # a dict too, but a hello
    assert proto.state == "connected"
    assert proto.receive_text(link, '{"type": "x"}', 0.3) is False


# -- the core: a batch is the same as its frames one by one ------------------------------------

FRAMES: dict[str, Callable[[int], str]] = {
    "message": lambda i: message_frame(f"m{i}", f"1.{i:06d}"),
    "unknown": lambda i: json.dumps({"type": "x_unknown", "n": i}),
    "ack": lambda i: json.dumps({"ok": True, "reply_to": 1 + i % 4, "ts": f"2.{i}", "text": "t"}),
    "error_ack": lambda i: json.dumps(
        {"ok": False, "reply_to": 1 + i % 4, "error": {"code": 2, "msg": "no"}}
    ),
    "pong": lambda i: json.dumps({"type": "pong", "reply_to": i}),
    "hello": lambda i: HELLO,
    "goodbye": lambda i: '{"type": "goodbye"}',
    "reconnect_url": lambda i: json.dumps({"type": "reconnect_url", "url": f"wss://h/{i}"}),
    "malformed": lambda i: "{not json" if i % 2 else "[1, 2]",
}
frame_kinds = st.lists(st.just("message") | st.sampled_from(sorted(FRAMES)), max_size=40)


def session(queued: int) -> tuple[RtmProtocol, int]:
    """Connected, four messages written and awaiting their acks, `queued` more waiting."""
    options = RtmOptions(send_rate=1.0, send_burst=4, ack_timeout=60.0)
    proto = RtmProtocol(options, rng=lambda: 0.5)
    link = connect(proto)
    for n in range(4 + queued):
        proto.send(events.MessageCommand(channel="C1", text=f"s{n}"), 0.5)
    proto.data_to_send(0.5)
    return proto, link


def outcome(proto: RtmProtocol, completed: list[Any]) -> tuple[Any, ...]:
    def shown(item: Any) -> Any:
        if isinstance(item, events.Message):
            return ("message", item.text)
        return repr(item)

    return (
        [shown(e) for e in proto.take_events()],
        [(p.id, repr(p.result), repr(p.error)) for p in completed],
        proto.state,
        proto.link,
        proto.queued,
        proto.next_deadline(),
    )


@settings(max_examples=examples(200), deadline=None)
@given(
    kinds=frame_kinds,
    cuts=st.lists(st.integers(0, 40), max_size=6),
    queued=st.integers(0, 1),
    ping=st.booleans(),
)
def test_frames_handed_over_as_a_batch_are_handled_as_one_by_one(
    kinds: list[str], cuts: list[int], queued: int, ping: bool
) -> None:
    texts = [FRAMES[kind](i) for i, kind in enumerate(kinds)]
    alone, alone_link = session(queued)
    batched, batched_link = session(queued)
    if ping:  # a ping in flight: any frame clears it
        for proto in (alone, batched):
            proto.tick(0.5 + proto.options.ping_interval)
            proto.data_to_send(0.5 + proto.options.ping_interval)
    now = 11.0
    completed_alone: list[Any] = []
    for text in texts:  # the way a driver hands over one frame at a time
        alone.receive_text(alone_link, text, now)
        completed_alone += alone.take_completed()
    completed_batched: list[Any] = []
    bounds = sorted({0, len(texts), *(c for c in cuts if c < len(texts))})
    for low, high in itertools.pairwise(bounds):
        batch = texts[low:high]
        taken = 0
        while taken < len(batch):
            after = batched.receive_texts(batched_link, batch, taken, now)
            assert after > taken, "every call takes at least one frame"
            taken = after
            completed_batched += batched.take_completed()
    assert outcome(batched, completed_batched) == outcome(alone, completed_alone)


def test_a_batch_stops_after_a_frame_that_needs_the_driver() -> None:
    proto, link = session(0)
    batch = [message_frame("a"), FRAMES["ack"](0), message_frame("b"), "{bad", message_frame("c")]
    assert proto.receive_texts(link, batch, 0, 1.0) == 2, "after the ack"
    assert [p.id for p in proto.take_completed()] == [1]
    assert proto.receive_texts(link, batch, 2, 1.0) == 4, "after the malformed frame"
    assert proto.receive_texts(link, batch, 4, 1.0) == 5
    assert proto.receive_texts(link, batch, 5, 1.0) == 5, "nothing left"
    assert [e.text for e in proto.take_events()] == ["a", "b", "c"]  # type: ignore[attr-defined]


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


def test_the_sync_reader_looks_at_what_websockets_holds_or_else_tries() -> None:
    held: queue.SimpleQueue[object] = queue.SimpleQueue()
    ws: Any = SimpleNamespace(recv_messages=SimpleNamespace(frames=held))
    look = holds_frames(ws)
    assert not look()
    held.put("frame")
    assert look()
    assert holds_frames(cast(Any, SimpleNamespace()))()  # other insides: recv(timeout=0) tries


@pytest.mark.parametrize("look", ["look", "no look"])
def test_the_sync_reader_by_recv_alone_still_reads_a_burst_a_goodbye_and_a_close(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch, look: str
) -> None:
    """The path for other insides of websockets, as before the frames were fed.

    Every frame through the library's assembler and ``recv`` (as after a fragmented message:
    `_ws_sync._Fed`), with the look at its queue, and without it (`holds_frames` always yes).
    """
    monkeypatch.setattr(_ws_sync._Fed, "process_event", ClientConnection.process_event)
    if look == "no look":
        monkeypatch.setattr(_sync_reader, "holds_frames", lambda ws: lambda: True)
    rtm = Rtm("sync", emu)
    try:
        test_a_burst_then_a_goodbye_and_a_close_come_in_order_and_complete(rtm, emu)
    finally:
        rtm.finish()


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


def test_iteration_stopped_and_started_again_loses_nothing(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    emu.broadcast(600, GENERAL, text="again")
    got: list[Any] = []
    for n in (1, 9, 290, 300):  # `for` / `async for` four times, each left with break
        got += rtm.iterate(n)
    assert [e.text for e in got] == ["again"] * 600
    assert [e.ts for e in got] == sorted(e.ts for e in got)
    assert len({e.ts for e in got}) == 600


def test_iteration_raises_the_error_that_ended_the_session_once_then_stops(
    rtm: Rtm, emu: Emulator
) -> None:
    connected(rtm, options=attrs.evolve(FAST, reconnect=None))
    emu.broadcast(5, GENERAL, text="last")
    got = [e for e in rtm.iterate(5) if getattr(e, "text", None) == "last"]
    assert len(got) == 5
    emu.drop_connections()
    with pytest.raises(RtmSessionClosed, match="reconnecting is off") as info:
        rtm.iterate(100)  # the buffered notices, then the error
    assert info.value is rtm.session._proto.error
    assert rtm.iterate(100) == [], "then the iteration just ends"
