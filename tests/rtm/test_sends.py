"""The books of every send (`slackrtm/rtm/_sends.py`), driven through the core by hand.

Ids, acks, the frame limit, pacing, deadlines, withdrawals, and completions that happen once.

No sockets, no loop: an injected clock, frames to write out, completions reported.
"""

from __future__ import annotations

import json
import math
from typing import Any
from unittest.mock import ANY

import pytest

from slackrtm import events
from slackrtm._exceptions import (
    RtmConnectionLost,
    RtmErrorAck,
    RtmFrameTooLarge,
    RtmSendTimeout,
    RtmSessionClosed,
)
from slackrtm.rtm import RtmOptions
from slackrtm.rtm._dialects import RTM_DIALECT
from slackrtm.rtm._protocol import RtmProtocol
from slackrtm.rtm._sends import Outbox

from .driving import HELLO, connect, done, make, message, sent

# -- ids, acks, writes -------------------------------------------------------------------------


def test_ids_are_positive_and_unique_and_every_frame_carries_one() -> None:
    proto = make()
    connect(proto)
    proto.send(message("a"), 1.0)
    proto.send(events.TypingCommand(channel="C1"), 1.0)
    proto.send(message("b"), 1.0)
    proto.send(events.PresenceSubCommand(ids=("U1",)), 1.0)
    frames = sent(proto.data_to_send(1.0))
    assert [f["type"] for f in frames] == ["message", "typing", "message", "presence_sub"]
    assert [f.get("id") for f in frames] == [1, 2, 3, 4]


def test_an_ack_completes_its_send_with_the_typed_ack() -> None:
    proto = make()
    link = connect(proto)
    pending = proto.send(message(), 1.0)
    (frame,) = sent(proto.data_to_send(1.0))
    assert not pending.done
    proto.frames_written(1.0, 1)
    assert not pending.done, "written is not acked"
    assert proto.take_completed() == []
    proto.receive_text(
        link, json.dumps({"ok": True, "reply_to": frame["id"], "ts": "1.2", "text": "hi"}), 1.1
    )
    assert proto.take_completed() == [pending]
    assert isinstance(pending.result, events.MessageAck)
    assert pending.result.ts == "1.2"
    assert pending.error is None
    assert proto.take_events() == [], "acks are not events"


def test_an_error_ack_fails_its_send_with_code_msg_and_description() -> None:
    proto = make()
    link = connect(proto)
    pending = proto.send(message(), 1.0)
    proto.data_to_send(1.0)
    ack = {
        "ok": False,
        "reply_to": pending.id,
        "error": {"code": 1, "msg": "Socket URL has expired"},
    }
    proto.receive_text(link, json.dumps(ack), 1.1)
    assert pending.done
    error = pending.error
    assert isinstance(error, RtmErrorAck)
    assert (error.code, error.msg, error.reply_to) == (1, "Socket URL has expired", pending.id)
    assert error.description == events.RTM_ERROR_DESCRIPTIONS[1]


def test_typing_completes_once_written() -> None:
    proto = make()
    connect(proto)
    pending = proto.send(events.TypingCommand(channel="C1"), 1.0)
    assert not done(pending)
    assert len(proto.data_to_send(1.0)) == 1
    assert not done(pending), "handed to the driver is not written yet"
    proto.frames_written(1.0, 1)
    assert done(pending)
    assert pending.result is None
    assert pending.error is None


def test_sends_whose_write_failed_fail_with_connection_lost() -> None:
    proto = make()
    link = connect(proto)
    proto.tick(20.0)  # a ping is due: it goes first
    first = proto.send(events.TypingCommand(channel="C1"), 20.0)
    failed = proto.send(events.TypingCommand(channel="C1"), 20.0)
    after = proto.send(message("after"), 20.0)
    presence = proto.send(events.PresenceSubCommand(ids=("U1",)), 20.0)
    frames = sent(proto.data_to_send(20.0))
    assert [f["type"] for f in frames] == ["ping", "typing", "typing", "message", "presence_sub"]
    proto.frames_written(20.1, 2)  # the ping and the first typing; the next write failed
    assert proto.take_completed() == [first, failed, after, presence]
    assert first.error is None
    for pending in (failed, after, presence):
        assert isinstance(pending.error, RtmConnectionLost)
        assert pending.error.cause == "the socket failed as the frame was written"
    proto.receive_text(link, json.dumps({"ok": True, "reply_to": after.id, "ts": "1"}), 20.2)
    assert proto.take_completed() == [], "a send that failed is not completed twice"
    assert proto.subscription == ("U1",), "the subscription is still sent after the next hello"
    assert proto.state == "connected", "the reader reports the socket's end, as always"


def test_a_driver_that_does_not_report_its_writes_has_them_all_count_as_written() -> None:
    proto = make()
    connect(proto)
    pending = proto.send(events.TypingCommand(channel="C1"), 1.0)
    proto.data_to_send(1.0)
    assert proto.data_to_send(1.1) == []
    assert pending.done
    assert pending.error is None


def test_a_send_being_written_when_the_session_closes_fails_with_session_closed() -> None:
    proto = make()
    connect(proto)
    pending = proto.send(events.TypingCommand(channel="C1"), 1.0)
    proto.data_to_send(1.0)
    proto.close(1.1)
    assert isinstance(pending.error, RtmSessionClosed)
    proto.frames_written(1.2, 1)
    assert isinstance(pending.error, RtmSessionClosed)


# -- the frame limit ---------------------------------------------------------------------------


def test_a_frame_over_the_limit_is_refused_and_nothing_is_sent() -> None:
    proto = make(RtmOptions(send_rate=None, max_frame_bytes=100))
    connect(proto)
    fits = 100 - len(events.encode(message(""), 1))
    ok = proto.send(message("x" * fits), 1.0)
    assert len(ok.frame) == 100
    with pytest.raises(RtmFrameTooLarge) as info:
        proto.send(message("x" * (fits + 1)), 1.0)
    assert (info.value.size, info.value.limit) == (101, 100)
    assert isinstance(info.value, ValueError)
    # Multi-byte text counts in UTF-8 bytes.
    with pytest.raises(RtmFrameTooLarge):
        proto.send(message("é" * fits), 1.0)
    frames = sent(proto.data_to_send(1.0))
    assert len(frames) == 1
    assert proto.send(message("y"), 1.0).id == 2, "a refused frame uses up no id"


def test_the_default_limit_is_the_schemas_16_kb() -> None:
    proto = make()
    connect(proto)
    with pytest.raises(RtmFrameTooLarge) as info:
        proto.send(message("x" * 16_384), 1.0)
    assert info.value.limit == events.MAX_FRAME_BYTES == 16_384


# -- pacing ------------------------------------------------------------------------------------


def test_sends_are_paced_by_a_token_bucket() -> None:
    proto = make(RtmOptions(send_rate=1.0, send_burst=3))
    connect(proto, 10.0)
    for i in range(6):
        proto.send(message(str(i)), 10.0)
    assert len(proto.data_to_send(10.0)) == 3, "a burst of three at once"
    assert proto.data_to_send(10.5) == []
    assert proto.next_deadline() == pytest.approx(11.0)
    assert [f["text"] for f in sent(proto.data_to_send(11.0))] == ["3"]
    assert [f["text"] for f in sent(proto.data_to_send(13.0))] == ["4", "5"]


def test_sends_queued_before_hello_are_due_as_soon_as_it_comes() -> None:
    proto = make(RtmOptions(send_rate=1.0, send_burst=2))
    proto.begin_connect(0.0)
    proto.send(message(), 0.1)
    link = proto.socket_opened(0.2)
    proto.receive_text(link, HELLO, 0.5)
    deadline = proto.next_deadline()
    assert deadline is not None
    assert deadline <= 0.5
    assert len(proto.data_to_send(0.5)) == 1


def test_pacing_can_be_turned_off() -> None:
    proto = make(RtmOptions(send_rate=None))
    connect(proto)
    for i in range(50):
        proto.send(message(str(i)), 1.0)
    assert len(proto.data_to_send(1.0)) == 50


def test_the_bucket_refills_to_its_burst_only() -> None:
    proto = make(RtmOptions(send_rate=2.0, send_burst=2))
    connect(proto)
    for i in range(5):
        proto.send(message(str(i)), 100.0)
    assert len(proto.data_to_send(100.0)) == 2
    assert len(proto.data_to_send(1000.0)) == 2, "an idle hour does not bank more than the burst"


def test_the_bucket_refills_at_its_rate() -> None:
    proto = make(RtmOptions(send_rate=2.0, send_burst=1))
    connect(proto, 10.0)
    for i in range(3):
        proto.send(message(str(i)), 10.0)
    assert len(proto.data_to_send(10.0)) == 1
    assert proto.next_deadline() == pytest.approx(10.5)
    assert proto.data_to_send(10.4) == []
    assert len(proto.data_to_send(10.5)) == 1
    assert proto.next_deadline() == pytest.approx(11.0)


def test_an_infinite_send_rate_turns_pacing_off() -> None:
    proto = make(RtmOptions(send_rate=math.inf, send_burst=1))
    connect(proto)
    for i in range(10):
        proto.send(message(str(i)), 1.0)
    assert len(proto.data_to_send(1.0)) == 10


# -- timeouts ----------------------------------------------------------------------------------


def test_an_unacked_send_times_out_at_its_deadline() -> None:
    proto = make()
    connect(proto)
    pending = proto.send(message(), 1.0, timeout=2.0)
    proto.data_to_send(1.0)
    assert proto.next_deadline() == pytest.approx(3.0)
    proto.tick(2.9)
    assert not pending.done
    proto.tick(3.0)
    assert isinstance(pending.error, RtmSendTimeout)
    assert pending.error.written is True
    assert pending.error.timeout == 2.0


def test_the_default_timeout_is_the_options_ack_timeout() -> None:
    proto = make(RtmOptions(send_rate=None, ack_timeout=7.0))
    connect(proto)
    pending = proto.send(message(), 1.0)
    assert pending.deadline == 8.0


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (0, ValueError),
        (-1.0, ValueError),
        (math.nan, ValueError),
        (-math.inf, ValueError),
        (True, TypeError),
        ("3", TypeError),
        (None, None),  # the default, not a bad one
    ],
)
def test_a_bad_timeout_is_refused_and_nothing_is_queued(bad: Any, error: Any) -> None:
    proto = make()
    connect(proto)
    if error is None:
        proto.send(message(), 1.0, timeout=bad)
        assert proto.queued == 1
        return
    with pytest.raises(error, match="timeout"):
        proto.send(message(), 1.0, timeout=bad)
    assert proto.queued == 0
    assert proto.data_to_send(1.0) == []


def test_an_infinite_timeout_never_times_out_and_sets_no_deadline() -> None:
    proto = make(RtmOptions(send_rate=None, ping_interval=math.inf))
    connect(proto)
    pending = proto.send(message(), 1.0, timeout=math.inf)
    assert proto.next_deadline() is None, "math.inf is no deadline, not a wake-up at inf"
    proto.tick(1e12)
    assert not pending.done
    assert proto.data_to_send(1e12) != []
    assert not pending.done, "written, waiting for its ack"


def test_acked_sends_set_no_deadline() -> None:
    proto = make(RtmOptions(send_rate=None, ping_interval=5.0))
    link = connect(proto)
    pending = proto.send(message(), 1.0, timeout=3.0)
    proto.data_to_send(1.0)
    proto.receive_text(link, json.dumps({"ok": True, "reply_to": pending.id, "ts": "1"}), 1.5)
    assert pending.done
    assert proto.next_deadline() == pytest.approx(6.5), "the next ping, not the acked send at 4"


def test_a_late_ack_after_a_timeout_is_ignored() -> None:
    proto = make()
    link = connect(proto)
    pending = proto.send(message(), 1.0, timeout=1.0)
    proto.data_to_send(1.0)
    proto.tick(2.0)
    proto.take_completed()
    proto.receive_text(link, json.dumps({"ok": True, "reply_to": pending.id, "ts": "1"}), 3.0)
    assert proto.take_completed() == []
    assert isinstance(pending.error, RtmSendTimeout)


def test_a_send_held_back_by_pacing_while_connected_times_out_saying_so() -> None:
    proto = make(RtmOptions(send_rate=0.1, send_burst=1))
    connect(proto)
    first = proto.send(message("first"), 1.0, timeout=5.0)
    second = proto.send(message("second"), 1.0, timeout=2.0)
    assert len(proto.data_to_send(1.0)) == 1
    proto.tick(3.0)
    assert proto.state == "connected"
    assert not first.done
    assert isinstance(second.error, RtmSendTimeout)
    assert second.error.written is False
    assert second.error.paced is True
    assert str(second.error) == "send timed out after 2 s: not sent (held back by send_rate pacing)"


def test_a_send_queued_while_not_connected_times_out_saying_so() -> None:
    proto = make(RtmOptions(send_rate=0.1, send_burst=1))
    proto.begin_connect(0.0)
    pending = proto.send(message(), 0.0, timeout=2.0)
    proto.tick(2.0)
    assert isinstance(pending.error, RtmSendTimeout)
    assert pending.error.paced is False
    assert str(pending.error) == (
        "send timed out after 2 s: not sent (the session was not connected)"
    )


# -- withdrawing a send ------------------------------------------------------------------------


def test_a_send_not_written_yet_is_withdrawn_by_cancel() -> None:
    proto = make()
    proto.begin_connect(0.0)  # not connected: sends queue
    pending = proto.send(message("withdrawn"), 0.5, timeout=10.0)
    kept = proto.send(message("kept"), 0.5, timeout=10.0)
    assert proto.cancel(pending) is True
    assert pending.done and pending.error is None and pending.result is None
    assert proto.queued == 1
    link = proto.socket_opened(1.0, "info")
    proto.receive_text(link, HELLO, 1.0)
    assert [f["text"] for f in sent(proto.data_to_send(1.0))] == ["kept"]
    proto.tick(20.0)  # its deadline passes: nothing more happens to it
    assert [p for p in proto.take_completed() if p is pending] == []
    assert proto.cancel(pending) is False, "twice is fine"
    assert kept.written


def test_a_send_already_written_cannot_be_withdrawn() -> None:
    proto = make()
    link = connect(proto)
    pending = proto.send(message(), 1.0)
    proto.data_to_send(1.0)
    assert proto.cancel(pending) is False
    proto.receive_text(link, json.dumps({"ok": True, "reply_to": pending.id, "ts": "1"}), 1.5)
    assert pending.result.ts == "1", "its ack still completes it"


def test_a_withdrawn_presence_subscription_is_still_remembered() -> None:
    proto = make()
    proto.begin_connect(0.0)
    pending = proto.send(events.PresenceSubCommand(ids=("U1",)), 0.5)
    assert proto.cancel(pending)
    link = proto.socket_opened(1.0, "info")
    proto.receive_text(link, HELLO, 1.0)
    assert sent(proto.data_to_send(1.0)) == [{"type": "presence_sub", "ids": ["U1"], "id": ANY}]


def test_cancel_refuses_a_send_that_is_not_this_sessions() -> None:
    proto = make()
    other = make().send(message(), 0.0)
    assert proto.cancel(other) is False
    assert not other.done


def test_each_send_is_its_own_even_when_two_are_alike() -> None:
    proto = make()
    connect(proto)
    first = proto.send(events.TypingCommand(channel="C1"), 1.0)
    second = proto.send(events.TypingCommand(channel="C1"), 1.0)
    assert first != second
    assert len({first, second}) == 2, "hashable: a driver may key its waiters by send"
    assert proto.cancel(second)
    assert len(proto.data_to_send(1.0)) == 1
    proto.frames_written(1.0, 1)
    assert proto.take_completed() == [first]
    assert first.written
    assert not second.written


# -- sends across a reconnect ------------------------------------------------------------------


def test_sends_made_while_disconnected_go_out_after_the_next_hello() -> None:
    proto = make()
    link = connect(proto)
    proto.connection_lost(link, 1.0, "dropped")
    pending = proto.send(message("later"), 1.1, timeout=30.0)
    assert proto.data_to_send(1.2) == []
    proto.begin_connect(2.0)
    link = proto.socket_opened(2.0)
    assert proto.data_to_send(2.0) == [], "nothing before hello"
    proto.receive_text(link, HELLO, 2.1)
    (frame,) = sent(proto.data_to_send(2.1))
    assert frame["text"] == "later"
    assert frame["id"] == pending.id
    proto.receive_text(link, json.dumps({"ok": True, "reply_to": pending.id, "ts": "9"}), 2.2)
    assert pending.result.ts == "9"


def test_a_send_queued_too_long_fails_with_a_clear_timeout() -> None:
    proto = make()
    link = connect(proto)
    proto.connection_lost(link, 1.0, "dropped")
    pending = proto.send(message(), 1.0, timeout=5.0)
    proto.tick(6.0)
    assert isinstance(pending.error, RtmSendTimeout)
    assert pending.error.written is False
    assert "not sent" in str(pending.error)
    proto.begin_connect(7.0)
    link = proto.socket_opened(7.0)
    proto.receive_text(link, HELLO, 7.0)
    assert proto.data_to_send(7.0) == [], "a timed-out send is not sent late"


def test_a_written_send_whose_socket_is_lost_fails_as_delivery_unknown() -> None:
    proto = make()
    link = connect(proto)
    written = proto.send(message("a"), 1.0)
    proto.data_to_send(1.0)
    proto.connection_lost(link, 1.5, "connection dropped")
    assert isinstance(written.error, RtmConnectionLost)
    assert written.error.cause == "connection dropped"


# -- completions happen once, and only for the caller's sends ----------------------------------


def test_a_send_that_timed_out_before_its_write_was_reported_stays_timed_out() -> None:
    proto = make()
    connect(proto)
    pending = proto.send(events.TypingCommand(channel="C1"), 1.0, timeout=1.0)
    proto.data_to_send(1.0)
    proto.tick(2.0)
    assert proto.take_completed() == [pending]
    proto.frames_written(2.1, 1)
    assert proto.take_completed() == []
    assert isinstance(pending.error, RtmSendTimeout)
    assert pending.error.written is True


def test_a_command_with_an_id_but_no_ack_completes_once_written_and_only_once() -> None:
    proto = make()
    link = connect(proto)
    pending = proto.send(events.PingCommand(), 1.0)
    assert pending.id is not None
    proto.data_to_send(1.0)
    proto.frames_written(1.0, 1)
    assert proto.take_completed() == [pending]
    proto.connection_lost(link, 2.0, "dropped")
    assert proto.take_completed() == []
    assert pending.error is None


def test_an_ack_for_a_send_lost_with_its_socket_changes_nothing_later() -> None:
    proto = make()
    link = connect(proto)
    pending = proto.send(message(), 1.0, timeout=60.0)
    proto.data_to_send(1.0)
    proto.connection_lost(link, 1.5, "dropped")
    assert proto.take_completed() == [pending]
    proto.begin_connect(2.0)
    link = proto.socket_opened(2.0)
    proto.receive_text(link, HELLO, 2.0)
    proto.receive_text(link, json.dumps({"ok": True, "reply_to": pending.id, "ts": "1"}), 2.1)
    assert proto.take_completed() == []
    assert isinstance(pending.error, RtmConnectionLost)
    assert pending.result is None


def resubscribing() -> tuple[RtmProtocol, int]:
    """Connected again after a loss, the subscription queued by the session itself."""
    proto = make()
    link = connect(proto)
    sub = proto.send(events.PresenceSubCommand(ids=("U1",)), 1.0)
    proto.data_to_send(1.0)
    proto.frames_written(1.0, 1)
    assert proto.take_completed() == [sub]
    proto.connection_lost(link, 2.0, "dropped")
    proto.begin_connect(3.0)
    link = proto.socket_opened(3.0)
    proto.receive_text(link, HELLO, 3.0)
    assert proto.queued == 1
    return proto, link


def test_a_subscription_the_session_sends_again_completes_no_send() -> None:
    proto, _ = resubscribing()
    assert sent(proto.data_to_send(3.0)) == [{"type": "presence_sub", "ids": ["U1"], "id": ANY}]
    proto.frames_written(3.0, 1)
    assert proto.take_completed() == []


def test_closing_with_the_sessions_own_subscription_queued_fails_no_send() -> None:
    proto, _ = resubscribing()
    proto.close(3.5)
    assert proto.take_completed() == []
    assert proto.queued == 0


def test_the_outbox_says_whether_an_ack_was_awaited_and_forgets_every_send_it_failed() -> None:
    outbox = Outbox(RTM_DIALECT, RtmOptions(send_rate=None))
    first = outbox.add(message("one"), 0.0, 10.0)
    second = outbox.add(message("two"), 0.0, 10.0)
    frames: list[str] = []
    outbox.take_frames(0.0, frames)
    outbox.written(len(frames))
    assert first.id is not None and second.id is not None
    assert outbox.acked(first.id, "ok", None) is True
    assert outbox.acked(first.id, "again", None) is False  # an ack completes a send once
    ended = RtmSessionClosed(cause="closed")
    outbox.fail_all(ended)
    assert second.done and second.error is ended
    # Forgotten: a late ack for it is not awaited, and changes nothing.
    assert outbox.acked(second.id, "late", None) is False
    assert second.result is None and second.error is ended
