"""The engine's queue of acks (`_acks.AckOutbox`), alone: no socket, a clock passed in.

Acks go out in order and are counted once each (written, or failed: dropped after 3 s unwritten,
a write that failed, the session's end); one over the frame limit is refused with nothing
queued; given pacing paces them; an ack without a payload is the encoder's text.
"""

from __future__ import annotations

import json

import pytest

from slackrtm import RetryPolicy, RtmFrameTooLarge, envelopes
from slackrtm.rtm import RtmOptions
from slackrtm.rtm._dialects import WS_PING
from slackrtm.rtm._protocol import RtmProtocol
from slackrtm.rtm._socket_mode import SOCKET_MODE_DIALECT, ack_text

from .slack import slash_envelope
from .test_core import OPTIONS, acks, connected, proto_envelope


def counts(proto: RtmProtocol) -> tuple[int, int, int]:
    stats = proto.stats(0.0)
    return stats.sends, stats.written, stats.failed


def delivered(proto: RtmProtocol, link: int, n: int, now: float) -> list[object]:
    return [proto_envelope(proto, link, f"E{i}", now) for i in range(n)]


def test_acks_are_written_in_order_each_counted_once_and_not_again() -> None:
    proto = RtmProtocol(OPTIONS, dialect=SOCKET_MODE_DIALECT)
    link = connected(proto)
    got = delivered(proto, link, 5, 1.0)
    for envelope in got[:3]:
        assert proto.ack(envelope, None, 1.1) is True
    assert proto.queued == 3
    assert proto.engine_due  # the driver's reader wakes the engine for them
    assert [a["envelope_id"] for a in acks(proto, 1.1)] == ["E0", "E1", "E2"]
    assert proto.queued == 0
    for envelope in got[3:]:
        assert proto.ack(envelope, None, 1.2) is True
    assert proto.ack(got[0], None, 1.2) is False  # acked before: nothing queued
    assert [a["envelope_id"] for a in acks(proto, 1.2)] == ["E3", "E4"]
    assert acks(proto, 1.3) == []
    assert counts(proto) == (5, 5, 0)


def test_an_ack_not_written_within_three_seconds_is_dropped_and_counted_failed() -> None:
    slow = RtmOptions(send_rate=None, reconnect=RetryPolicy(backoff_base=10.0, backoff_max=10.0))
    proto = RtmProtocol(slow, dialect=SOCKET_MODE_DIALECT, rng=lambda: 0.5)
    link = connected(proto)
    first, second = delivered(proto, link, 2, 1.0)
    proto.ack(first, None, 1.0)
    proto.receive_text(link, json.dumps({"type": "disconnect", "reason": "other"}), 1.5)
    proto.ack(second, None, 2.0)  # queued while no socket is connected
    assert proto.data_to_send(2.0) == []
    assert proto.next_deadline() == 4.0  # the first ack's 3 s (before the reconnect)
    proto.tick(4.0)
    assert counts(proto) == (2, 0, 1)
    assert proto.next_deadline() == 5.0  # the second's
    proto.tick(5.0)
    assert counts(proto) == (2, 0, 2)
    assert proto.queued == 0


def test_acks_after_a_failed_write_fail_and_are_not_written_again() -> None:
    proto = RtmProtocol(OPTIONS, dialect=SOCKET_MODE_DIALECT)
    link = connected(proto)
    for envelope in delivered(proto, link, 3, 1.0):
        proto.ack(envelope, None, 1.0)
    frames = proto.data_to_send(1.0)
    assert len(frames) == 3
    proto.frames_written(1.0, 1)  # the second frame's write failed
    assert counts(proto) == (3, 1, 2)
    assert proto.data_to_send(1.1) == []


def test_acks_taken_and_not_reported_count_as_written_at_the_next_take() -> None:
    proto = RtmProtocol(OPTIONS, dialect=SOCKET_MODE_DIALECT)
    link = connected(proto)
    first, second = delivered(proto, link, 2, 1.0)
    proto.ack(first, None, 1.0)
    assert len(proto.data_to_send(1.0)) == 1  # a driver that does not report its writes
    proto.ack(second, None, 1.1)
    assert [json.loads(f)["envelope_id"] for f in proto.data_to_send(1.1)] == ["E1"]
    assert counts(proto)[1] == 1


def test_acks_come_after_the_keepalive_ping_and_the_count_skips_it() -> None:
    proto = RtmProtocol(OPTIONS, dialect=SOCKET_MODE_DIALECT)
    link = connected(proto)
    (envelope,) = delivered(proto, link, 1, 0.5)
    proto.ack(envelope, None, 0.5)
    proto.tick(1.5)  # a second after the last frame: the ping is due
    frames = proto.data_to_send(1.5)
    assert frames[0] is WS_PING and json.loads(frames[1]) == {"envelope_id": "E0"}
    proto.frames_written(1.5, 1)  # the ping went out, the ack did not
    assert counts(proto) == (1, 0, 1)


def test_the_session_s_end_counts_the_acks_still_queued_as_failed() -> None:
    proto = RtmProtocol(OPTIONS, dialect=SOCKET_MODE_DIALECT)
    link = connected(proto)
    first, second = delivered(proto, link, 2, 1.0)
    proto.ack(first, None, 1.0)
    assert len(proto.data_to_send(1.0)) == 1  # taken, its write not reported yet
    proto.ack(second, None, 1.0)
    proto.close(1.1)
    assert counts(proto) == (2, 0, 2)
    assert proto.queued == 0
    assert proto.next_deadline() is None


def test_an_ack_over_the_frame_limit_is_refused_and_the_envelope_still_waits() -> None:
    small = RtmOptions(send_rate=None, max_frame_bytes=30)
    proto = RtmProtocol(small, dialect=SOCKET_MODE_DIALECT)
    link = connected(proto)
    proto.receive_text(link, slash_envelope("E1"), 1.0)
    slash = proto.take_events()[0]
    long_one = proto_envelope(proto, link, "E" * 20, 1.0)
    with pytest.raises(RtmFrameTooLarge):
        proto.ack(slash, {"text": "a long answer"}, 1.0)
    with pytest.raises(RtmFrameTooLarge):
        proto.ack(long_one, None, 1.0)  # 38 bytes
    assert proto.envelopes is not None
    assert proto.envelopes.is_waiting("E1") and proto.envelopes.is_waiting("E" * 20)
    assert counts(proto) == (0, 0, 0)
    assert proto.queued == 0
    assert proto.ack(slash, None, 1.1) is True  # '{"envelope_id":"E1"}': 20 bytes
    assert acks(proto, 1.1) == [{"envelope_id": "E1"}]


def test_given_pacing_paces_the_acks_in_order() -> None:
    paced = RtmOptions(send_rate=1.0, send_burst=2, ping_interval=100.0, pong_timeout=100.0)
    proto = RtmProtocol(paced, dialect=SOCKET_MODE_DIALECT)
    link = connected(proto)
    for envelope in delivered(proto, link, 3, 1.0):
        proto.ack(envelope, None, 1.0)
    assert [a["envelope_id"] for a in acks(proto, 1.0)] == ["E0", "E1"]
    assert proto.next_deadline() == pytest.approx(2.0)  # the next token
    assert acks(proto, 1.5) == []
    assert [a["envelope_id"] for a in acks(proto, 2.0)] == ["E2"]
    assert counts(proto) == (3, 3, 0)


@pytest.mark.parametrize(
    "envelope_id", ["E1", "0a1b-2c3d", "x" * 60, "a b~!#$%&'()*+,-./:;<=>?@[]^_`{|}"]
)
def test_an_ack_without_a_payload_is_the_encoder_s_text(envelope_id: str) -> None:
    expected = envelopes.encode(envelopes.EnvelopeAck(envelope_id=envelope_id))
    assert ack_text(envelope_id) == expected


@pytest.mark.parametrize("how", ["ack", "auto_ack"])
@pytest.mark.parametrize("envelope_id", ['a"b', "a\\b", "é", "a\nb", "a\x7fb"])
def test_an_id_json_must_escape_is_left_to_the_encoder(envelope_id: str, how: str) -> None:
    # `auto_ack` (the ack modes') takes a path of its own for plain ids: these leave it.
    assert ack_text(envelope_id) is None
    proto = RtmProtocol(OPTIONS, dialect=SOCKET_MODE_DIALECT)
    link = connected(proto)
    envelope = proto_envelope(proto, link, envelope_id, 1.0)
    if how == "ack":
        assert proto.ack(envelope, None, 1.0) is True
    else:
        assert proto.auto_ack(envelope, 1.0) is True
    assert acks(proto, 1.0) == [{"envelope_id": envelope_id}]
    assert counts(proto) == (1, 1, 0)


def test_the_automatic_ack_refuses_as_ack_does_and_counts_once() -> None:
    # The ack modes' path: a plain id's frame is made without the encoder, and still measured
    # against the limit before the envelope counts as acked; a second ack is a no-op.
    small = RtmOptions(send_rate=None, max_frame_bytes=30)
    proto = RtmProtocol(small, dialect=SOCKET_MODE_DIALECT)
    link = connected(proto)
    fits = proto_envelope(proto, link, "E" * 12, 1.0)  # '{"envelope_id":"EEEEEEEEEEEE"}': 30
    long_one = proto_envelope(proto, link, "E" * 13, 1.0)
    with pytest.raises(RtmFrameTooLarge, match="31 bytes"):
        proto.auto_ack(long_one, 1.0)
    assert proto.envelopes is not None and proto.envelopes.is_waiting("E" * 13)
    assert proto.auto_ack(fits, 1.0) is True
    assert proto.auto_ack(fits, 1.1) is False
    assert not proto.envelopes.is_waiting("E" * 12)
    assert [a["envelope_id"] for a in acks(proto, 1.1)] == ["E" * 12]
    assert counts(proto) == (1, 1, 0)
