"""The session's health in numbers (`slackrtm/rtm/_stats.py`), driven through the core by hand.

An injected clock: each count and duration is known exactly. The sessions' ``rtm.stats`` over
real sockets is tested in tests/rtm/test_session_stats.py.
"""

from __future__ import annotations

import json

import pytest

from slackrtm import events
from slackrtm.rtm import RtmOptions, RtmStats
from slackrtm.rtm._stats import MAX_CAUSES, StatsBook

from .driving import HELLO, connect, make, message, sent


def test_a_session_not_started_has_nothing_counted() -> None:
    stats = make().stats(5.0)
    assert stats == RtmStats(
        state="idle",
        uptime=0.0,
        connected_for=None,
        last_frame_age=None,
        ping_rtt=None,
        connects=0,
        disconnects=0,
        disconnect_causes={},
        failed_attempts=0,
        events_in=0,
        sends=0,
        acked=0,
        written=0,
        failed=0,
        replayed=0,
    )


def test_uptime_connection_age_and_the_newest_frames_age() -> None:
    proto = make()
    link = connect(proto, now=2.0)  # begin, open and hello at 2.0
    proto.receive_text(link, '{"type": "message", "ts": "1.0"}', 3.0)
    stats = proto.stats(7.5)
    assert (stats.state, stats.uptime, stats.connected_for) == ("connected", 5.5, 5.5)
    assert stats.last_frame_age == 4.5
    assert (stats.connects, stats.events_in) == (1, 2), "hello and the message"


def test_a_batch_of_frames_is_counted_whole_and_up_to_where_it_stopped() -> None:
    proto = make()
    link = connect(proto)
    texts = [json.dumps({"type": "message", "ts": f"{i}.0"}) for i in range(5)]
    texts.insert(3, '{"ok": true, "reply_to": 99, "ts": "1.0"}')  # an ack stops the batch
    taken = proto.receive_texts(link, texts, 0, 1.0)
    assert taken == 4
    assert proto.stats(1.0).events_in == 1 + 4
    assert proto.receive_texts(link, texts, taken, 1.0) == len(texts)
    assert proto.stats(1.0).events_in == 1 + len(texts)


def test_sends_are_counted_with_their_acks_writes_and_failures() -> None:
    proto = make()
    link = connect(proto)
    acked = proto.send(message("a"), 1.0)
    refused = proto.send(message("b"), 1.0)
    typing = proto.send(events.TypingCommand(channel="C1"), 1.0)
    late = proto.send(message("c"), 1.0, timeout=0.5)
    frames = sent(proto.data_to_send(1.0))
    proto.frames_written(1.0, len(frames))
    ids = {f.get("text"): f["id"] for f in frames}
    proto.receive_text(link, json.dumps({"ok": True, "reply_to": ids["a"], "ts": "2.0"}), 1.1)
    error = {"ok": False, "reply_to": ids["b"], "error": {"code": 2, "msg": "no"}}
    proto.receive_text(link, json.dumps(error), 1.1)
    proto.tick(1.6)  # the late one times out, written but never acked
    assert acked.result is not None and typing.done and late.error is not None
    assert refused.error is not None
    stats = proto.stats(2.0)
    assert (stats.sends, stats.acked, stats.written, stats.failed) == (4, 1, 1, 2)


def test_the_session_own_frames_are_not_sends() -> None:
    proto = make(RtmOptions(send_rate=None, ping_interval=1.0))
    connect(proto)
    proto.tick(1.0)
    (ping,) = sent(proto.data_to_send(1.0))
    assert ping["type"] == "ping"
    assert proto.stats(1.0).sends == 0


def test_a_pongs_round_trip_is_measured_from_its_ping() -> None:
    proto = make(RtmOptions(send_rate=None, ping_interval=1.0))
    link = connect(proto)
    proto.tick(1.0)
    (ping,) = sent(proto.data_to_send(1.25))
    assert proto.stats(1.3).ping_rtt is None
    proto.receive_text(link, json.dumps({"type": "pong", "reply_to": ping["id"]}), 1.375)
    assert proto.stats(1.4).ping_rtt == 0.125
    # A pong of no ping of ours (or a second one) changes nothing.
    proto.receive_text(link, json.dumps({"type": "pong", "reply_to": ping["id"]}), 9.0)
    proto.receive_text(link, json.dumps({"type": "pong", "reply_to": 12345}), 9.0)
    assert proto.stats(9.0).ping_rtt == 0.125


def test_disconnects_are_counted_by_cause_and_failed_attempts_apart() -> None:
    proto = make()
    link = connect(proto)
    proto.receive_text(link, '{"type": "goodbye"}', 1.0)
    waiting = proto.stats(1.0)
    assert (waiting.state, waiting.connected_for, waiting.last_frame_age) == (
        "waiting",
        None,
        None,
    )
    proto.begin_connect(proto.next_deadline() or 2.0)
    link = proto.socket_opened(2.0)
    proto.tick(2.0 + proto.options.hello_timeout)  # no hello: a failed attempt
    proto.begin_connect(proto.next_deadline() or 20.0)
    link = proto.socket_opened(20.0)
    proto.receive_text(link, HELLO, 20.0)
    proto.connection_lost(link, 21.0, "connection dropped")
    stats = proto.stats(21.0)
    assert stats.connects == 2
    assert stats.disconnects == 2
    assert stats.disconnect_causes == {"goodbye": 1, "connection dropped": 1}
    assert stats.failed_attempts == 1


def test_the_table_of_causes_is_bounded() -> None:
    book = StatsBook()
    for n in range(MAX_CAUSES + 10):
        book.disconnected(f"closed by Slack (code {4000 + n})")
    book.disconnected("closed by Slack (code 4000)")
    causes = book.snapshot(0.0, "waiting", 0, None).disconnect_causes
    assert len(causes) == MAX_CAUSES + 1
    assert causes["other"] == 10
    assert causes["closed by Slack (code 4000)"] == 2


def test_a_snapshot_is_frozen_and_does_not_change_with_the_session() -> None:
    proto = make()
    connect(proto)
    before = proto.stats(1.0)
    proto.send(message(), 1.0)
    assert before.sends == 0 and proto.stats(1.0).sends == 1
    with pytest.raises(AttributeError):
        before.sends = 5  # type: ignore[misc]
    before.disconnect_causes["x"] = 1  # type: ignore[index]
    assert proto.stats(1.0).disconnect_causes == {}
