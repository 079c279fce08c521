"""The RTM protocol core alone: no sockets, no loop, an injected clock and random source.

Every rule of `RtmProtocol` is driven here by hand, the way a driver would: frames and times
in, frames to write, events, completions and deadlines out.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

import attrs
import pytest

from slackrtm import events
from slackrtm._exceptions import (
    RateLimited,
    RtmConnectionLost,
    RtmErrorAck,
    RtmFrameTooLarge,
    RtmSendTimeout,
    RtmSessionClosed,
    SlackConnectionError,
    SlackHttpError,
    SlackResponse,
)
from slackrtm._web.policy import RetryPolicy
from slackrtm.errors import AccountInactive, InvalidAuth, NotAuthed, TokenRevoked
from slackrtm.rtm import Connected, Disconnected, Reconnecting, RtmOptions
from slackrtm.rtm._protocol import (
    DEFAULT_MAX_INBOUND_BYTES,
    DEFAULT_RECONNECT,
    RTM_DIALECT,
    Dialect,
    Pending,
    RtmProtocol,
    check_seconds,
    socket_url_refusal,
)

HELLO = '{"type": "hello"}'
UNPACED = RtmOptions(send_rate=None)


def make(options: RtmOptions = UNPACED, rng: float = 0.5) -> RtmProtocol:
    return RtmProtocol(options, rng=lambda: rng)


def connect(proto: RtmProtocol, now: float = 0.0, info: Any = "info") -> int:
    assert proto.connect_due(now)
    assert proto.begin_connect(now) is None
    link = proto.socket_opened(now, info)
    proto.receive_text(link, HELLO, now)
    assert proto.state == "connected"
    proto.take_events()
    return link


def sent(frames: list[str]) -> list[dict[str, Any]]:
    return [json.loads(f) for f in frames]


def message(text: str = "hi", channel: str = "C1") -> events.MessageCommand:
    return events.MessageCommand(channel=channel, text=text)


def state(proto: RtmProtocol) -> str:
    return proto.state  # a plain str: mypy would narrow the Literal between calls


def done(pending: Pending) -> bool:
    return pending.done


def kinds(items: list[object]) -> list[type]:
    return [type(i) for i in items]


# -- hello, ids, acks --------------------------------------------------------------------------


def test_hello_connects_and_is_delivered_with_a_lifecycle_notice() -> None:
    proto = make()
    assert state(proto) == "idle"
    assert proto.begin_connect(0.0) is None
    assert state(proto) == "connecting"
    link = proto.socket_opened(0.0, "info")
    assert state(proto) == "open"
    assert proto.take_events() == []
    proto.receive_text(link, HELLO, 0.1)
    assert proto.state == "connected"
    assert proto.info == "info"
    out = proto.take_events()
    assert isinstance(out[0], events.Hello)
    assert out[1] == Connected("start", 1)


def test_ids_are_positive_and_unique_and_only_frames_that_need_one_carry_one() -> None:
    proto = make()
    connect(proto)
    proto.send(message("a"), 1.0)
    proto.send(events.TypingCommand(channel="C1"), 1.0)
    proto.send(message("b"), 1.0)
    proto.send(events.PresenceSubCommand(ids=("U1",)), 1.0)
    frames = sent(proto.data_to_send(1.0))
    assert [f["type"] for f in frames] == ["message", "typing", "message", "presence_sub"]
    assert [f.get("id") for f in frames] == [1, None, 2, None]


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
    assert sent(proto.data_to_send(1.0)) == [{"type": "presence_sub", "ids": ["U1"]}]


# -- ending on a driver's failure --------------------------------------------------------------


def test_fail_ends_the_session_with_the_error_and_chains_it_to_the_sends() -> None:
    proto = make()
    connect(proto)
    pending = proto.send(message(), 1.0)
    bug = RuntimeError("a bug in a driver")
    proto.fail(2.0, bug)
    assert proto.closed
    assert proto.error is bug
    assert isinstance(pending.error, RtmSessionClosed)
    assert pending.error.__cause__ is bug
    assert proto.closed_error().__cause__ is bug
    proto.fail(3.0, RuntimeError("later"))
    assert proto.error is bug, "the first failure stays the reason"


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


# -- keepalive ---------------------------------------------------------------------------------


def keepalive(**kw: Any) -> RtmProtocol:
    return make(RtmOptions(send_rate=None, ping_interval=5.0, pong_timeout=2.0, **kw))


def test_a_ping_goes_out_after_the_idle_interval() -> None:
    proto = keepalive()
    connect(proto, 0.0)
    assert proto.next_deadline() == 5.0
    proto.tick(4.9)
    assert proto.data_to_send(4.9) == []
    proto.tick(5.0)
    (ping,) = sent(proto.data_to_send(5.0))
    assert ping["type"] == "ping"
    assert ping["id"] >= 1
    assert proto.next_deadline() == 7.0
    proto.tick(5.5)
    assert proto.data_to_send(5.5) == [], "one ping, then its pong deadline"


def test_any_inbound_frame_is_liveness() -> None:
    proto = keepalive()
    link = connect(proto, 0.0)
    proto.receive_text(link, '{"type": "message", "ts": "1.0"}', 4.0)
    proto.tick(5.0)
    assert proto.data_to_send(5.0) == [], "a frame 1 s ago: no ping yet"
    proto.tick(9.0)
    (ping,) = sent(proto.data_to_send(9.0))
    proto.receive_text(link, json.dumps({"type": "pong", "reply_to": ping["id"]}), 9.5)
    proto.tick(11.5)
    assert proto.state == "connected"


def test_a_stall_is_found_within_ping_interval_plus_pong_timeout() -> None:
    """Drive the core as a driver does: sleep until next_deadline, tick, write."""
    proto = keepalive()
    connect(proto, 0.0)
    now = 0.0
    for _ in range(100):
        if state(proto) != "connected":
            break
        deadline = proto.next_deadline()
        assert deadline is not None
        now = deadline
        proto.tick(now)
        proto.data_to_send(now)
    assert now == pytest.approx(7.0)
    notices = [e for e in proto.take_events() if isinstance(e, (Disconnected, Reconnecting))]
    assert isinstance(notices[0], Disconnected)
    assert notices[0].cause == "stalled: no frame within 7 s"
    assert isinstance(notices[1], Reconnecting)


def test_no_stall_is_judged_while_reading_is_paused() -> None:
    proto = keepalive()
    connect(proto, 0.0)
    proto.tick(5.0)
    proto.data_to_send(5.0)
    proto.set_reading_paused(True, 5.5)
    assert proto.next_deadline() is None
    proto.tick(100.0)
    assert proto.state == "connected"
    proto.set_reading_paused(False, 100.0)
    proto.tick(101.0)
    assert state(proto) == "connected"
    proto.tick(102.0)
    assert state(proto) == "waiting", "the pong deadline restarts when reading resumes"


# -- reconnects --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "cause"),
    [
        ({"type": "goodbye"}, "goodbye"),
        ({"type": "team_migration_started"}, "team_migration_started"),
        ({"type": "error", "error": {"code": 99, "msg": "boom"}}, "error event 99: boom"),
    ],
)
def test_these_frames_lead_to_a_reconnect(frame: dict[str, Any], cause: str) -> None:
    proto = make(rng=0.5)
    link = connect(proto)
    proto.take_events()
    proto.receive_text(link, json.dumps(frame), 10.0)
    out = proto.take_events()
    assert kinds(out)[1:] == [Disconnected, Reconnecting]
    assert out[1] == Disconnected(cause)
    assert out[2] == Reconnecting(cause, 1, 0.25)
    assert proto.state == "waiting"
    assert proto.link is None
    assert not proto.connect_due(10.2)
    assert proto.connect_due(10.25)
    link2 = proto.socket_opened(10.3, "info2") if proto.begin_connect(10.25) is None else 0
    proto.receive_text(link2, HELLO, 10.4)
    assert proto.take_events()[1] == Connected(cause, 2)


def test_a_lost_socket_leads_to_a_reconnect() -> None:
    proto = make()
    link = connect(proto)
    proto.connection_lost(link, 5.0, "connection dropped")
    assert proto.state == "waiting"
    assert Disconnected("connection dropped") in proto.take_events()


def test_frames_and_losses_of_a_replaced_socket_are_ignored() -> None:
    proto = make()
    old = connect(proto)
    proto.receive_text(old, '{"type": "goodbye"}', 1.0)
    proto.begin_connect(5.0)
    new = proto.socket_opened(5.0)
    proto.receive_text(new, HELLO, 5.0)
    proto.take_events()
    proto.receive_text(old, '{"type": "message", "ts": "1"}', 5.1)
    proto.connection_lost(old, 5.2, "closed")
    assert proto.take_events() == []
    assert proto.state == "connected"


def test_backoff_grows_exponentially_with_jitter_up_to_its_ceiling() -> None:
    policy = RetryPolicy(max_retries=100, max_total=86_400.0, backoff_base=1.0, backoff_max=8.0)
    proto = make(RtmOptions(reconnect=policy), rng=1.0)
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    delays = []
    now = 0.0
    for _ in range(6):
        (notice,) = [e for e in proto.take_events() if isinstance(e, Reconnecting)]
        delays.append(notice.delay)
        now += notice.delay
        proto.begin_connect(now)
        proto.connect_failed(now, SlackConnectionError("refused"), stage="socket")
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_the_jitter_comes_from_the_random_source() -> None:
    proto = make(RtmOptions(reconnect=RetryPolicy(backoff_base=4.0, backoff_max=8.0)), rng=0.1)
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    (notice,) = [e for e in proto.take_events() if isinstance(e, Reconnecting)]
    assert notice.delay == pytest.approx(0.4)


def rate_limited(retry_after: float | None) -> RateLimited:
    return RateLimited(retry_after=retry_after, response=SlackResponse(status=429))


def test_retry_after_is_honoured() -> None:
    proto = make(rng=0.5)
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    proto.begin_connect(1.0)
    proto.connect_failed(1.0, rate_limited(7), stage="rtm.connect")
    notice = proto.take_events()[-1]
    assert isinstance(notice, Reconnecting)
    assert notice.delay == 7.0
    assert notice.attempt == 2
    assert not proto.connect_due(7.9)
    assert proto.connect_due(8.0)


def test_retry_after_missing_waits_a_second_at_least() -> None:
    proto = make(rng=0.0)
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    proto.begin_connect(0.0)
    proto.connect_failed(0.0, rate_limited(None), stage="rtm.connect")
    assert proto.take_events()[-1].delay == 1.0  # type: ignore[attr-defined]


@pytest.mark.parametrize("fatal", [NotAuthed, InvalidAuth, AccountInactive, TokenRevoked])
def test_fatal_auth_errors_end_the_session_with_that_error(fatal: type[Exception]) -> None:
    proto = make()
    link = connect(proto)
    queued_later = None
    proto.connection_lost(link, 0.0, "dropped")
    queued_later = proto.send(message(), 0.1)
    proto.begin_connect(1.0)
    error = fatal(fatal.code)  # type: ignore[attr-defined]
    proto.connect_failed(1.0, error, stage="rtm.connect")
    assert proto.closed
    assert proto.error is error
    assert isinstance(queued_later.error, RtmSessionClosed)
    assert queued_later.error.__cause__ is error
    with pytest.raises(RtmSessionClosed) as info:
        proto.send(message(), 2.0)
    assert info.value.__cause__ is error


def test_an_rtm_connect_failure_before_the_first_hello_ends_the_session() -> None:
    proto = make()
    proto.begin_connect(0.0)
    error = SlackConnectionError("refused")
    proto.connect_failed(0.0, error, stage="rtm.connect")
    assert proto.closed
    assert proto.error is error


def test_a_socket_failure_before_the_first_hello_is_retried() -> None:
    proto = make()
    proto.begin_connect(0.0)
    proto.connect_failed(0.0, SlackConnectionError("refused"), stage="socket")
    assert proto.state == "waiting"


def test_an_expired_url_counts_as_a_failed_attempt() -> None:
    proto = make(RtmOptions(reconnect=RetryPolicy(backoff_base=1.0, backoff_max=60)), rng=1.0)
    proto.begin_connect(0.0)
    link = proto.socket_opened(0.0)
    expired = {"type": "error", "error": {"code": 1, "msg": "Socket URL has expired"}}
    proto.receive_text(link, json.dumps(expired), 0.1)
    out = proto.take_events()
    assert isinstance(out[0], events.Error)
    assert out[1] == Reconnecting("error event 1: Socket URL has expired", 2, 2.0)
    proto.connection_lost(link, 0.2, "closed by the server")
    assert proto.take_events() == [], "the close that follows is the same failure"


def test_no_hello_in_time_is_a_failed_attempt() -> None:
    proto = make(RtmOptions(hello_timeout=3.0))
    proto.begin_connect(0.0)
    proto.socket_opened(0.0)
    assert proto.next_deadline() == 3.0
    proto.tick(2.9)
    assert state(proto) == "open"
    proto.tick(3.0)
    assert proto.state == "waiting"
    assert "no hello" in proto.take_events()[-1].cause  # type: ignore[attr-defined]


def test_reconnecting_gives_up_after_max_retries() -> None:
    proto = make(RtmOptions(reconnect=RetryPolicy(max_retries=2, max_total=86_400.0)))
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    error = SlackConnectionError("refused")
    for now in (1.0, 2.0, 3.0):
        assert proto.connect_due(now)
        proto.begin_connect(now)
        proto.connect_failed(now, error, stage="socket")
    assert proto.closed
    assert isinstance(proto.error, RtmSessionClosed)
    assert "gave up" in proto.error.cause
    assert proto.error.__cause__ is error


def test_reconnecting_gives_up_after_max_total() -> None:
    policy = RetryPolicy(max_retries=100, max_total=10.0, backoff_base=4.0, backoff_max=4.0)
    proto = make(RtmOptions(reconnect=policy), rng=1.0)
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    now = 0.0
    while not proto.closed:
        now += 4.0
        proto.begin_connect(now)
        proto.connect_failed(now, SlackConnectionError("refused"), stage="socket")
    assert now == 8.0, "a third wait would end past 10 s of outage"


def test_without_a_reconnect_policy_the_first_disconnect_ends_the_session() -> None:
    proto = make(RtmOptions(reconnect=None))
    link = connect(proto)
    proto.receive_text(link, '{"type": "goodbye"}', 1.0)
    assert proto.closed
    assert isinstance(proto.error, RtmSessionClosed)
    assert "goodbye" in proto.error.cause


def test_a_policy_can_refuse_to_retry_rate_limits() -> None:
    proto = make(RtmOptions(reconnect=RetryPolicy(rate_limited=False)))
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    proto.begin_connect(1.0)
    error = rate_limited(3)
    proto.connect_failed(1.0, error, stage="rtm.connect")
    assert proto.closed
    assert proto.error is error


def test_a_fresh_reconnect_url_is_used_and_a_stale_one_is_not() -> None:
    proto = make(rng=0.0)
    link = connect(proto)
    proto.receive_text(link, '{"type": "reconnect_url", "url": "wss://x/fresh"}', 1.0)
    assert not any(isinstance(e, events.ReconnectUrl) for e in proto.take_events())
    proto.connection_lost(link, 2.0, "dropped")
    assert proto.begin_connect(2.0) == "wss://x/fresh"
    proto.connect_failed(2.0, SlackConnectionError("refused"), stage="socket")
    assert proto.begin_connect(10.0) is None, "a URL is used once"

    proto = make(rng=0.0)
    link = connect(proto)
    proto.receive_text(link, '{"type": "reconnect_url", "url": "wss://x/old"}', 1.0)
    proto.connection_lost(link, 100.0, "dropped")
    assert proto.begin_connect(100.0) is None


@pytest.mark.parametrize(
    ("url", "allow_insecure", "refused"),
    [
        ("wss://wss-primary.slack.com/websocket/abc", False, None),
        ("ws://127.0.0.1:8080/websocket/abc", False, None),
        ("ws://localhost/websocket/abc", False, None),
        ("ws://[::1]:8080/websocket/abc", False, None),
        ("ws://example.com/websocket/abc", True, None),
        ("ws://example.com/websocket/abc", False, "ws:// (unencrypted) on a host that is not"),
        ("ws://10.0.0.1/websocket/abc", False, "ws:// (unencrypted) on a host that is not"),
        ("http://127.0.0.1/websocket/abc", False, "not a wss:// URL"),
        ("https://slack.com/websocket/abc", True, "not a wss:// URL"),
        ("wss:///websocket/abc", False, "not a wss:// URL"),
        ("/websocket/abc", False, "not a wss:// URL"),
        ("wss://[::1/websocket/abc", False, "not a URL"),
        (5, False, "not a string"),
    ],
)
def test_the_socket_url_rule_is_rtm_connects(
    url: Any, allow_insecure: bool, refused: str | None
) -> None:
    reason = socket_url_refusal(url, allow_insecure=allow_insecure)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(refused)
        assert "abc" not in reason, "the reason never quotes the URL"


def test_a_reconnect_url_that_fails_the_rule_is_ignored_unlogged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    proto = make(rng=0.0)
    link = connect(proto)
    proto.receive_text(link, '{"type": "reconnect_url", "url": "wss://x/good"}', 1.0)
    with caplog.at_level(logging.DEBUG, logger="slackrtm"):
        proto.receive_text(link, '{"type": "reconnect_url", "url": "ws://x/secret"}', 2.0)
    assert "ignored a reconnect_url" in caplog.text
    assert "secret" not in caplog.text
    proto.connection_lost(link, 3.0, "dropped")
    assert proto.begin_connect(3.0) is None, "not opened, and the older offer is dropped too"


def test_allow_insecure_lets_a_remote_ws_reconnect_url_through() -> None:
    proto = RtmProtocol(UNPACED, rng=lambda: 0.0, allow_insecure=True)
    link = connect(proto)
    proto.receive_text(link, '{"type": "reconnect_url", "url": "ws://x/fresh"}', 1.0)
    proto.connection_lost(link, 2.0, "dropped")
    assert proto.begin_connect(2.0) == "ws://x/fresh"


# -- inbound frames over max_inbound_bytes ------------------------------------------------------


def test_a_frame_over_max_inbound_bytes_is_a_disconnect_with_its_own_cause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    proto = make(RtmOptions(send_rate=None, max_inbound_bytes=1000))
    link = connect(proto)
    written = proto.send(message(), 1.0)
    proto.data_to_send(1.0)
    cause = "a frame over max_inbound_bytes (1000 bytes) from Slack"
    with caplog.at_level(logging.WARNING, logger="slackrtm"):
        proto.inbound_too_large(link, 1.5)
    assert caplog.messages == [f"RTM: {cause}; reconnecting"]
    assert proto.state == "waiting"
    assert kinds(proto.take_events()) == [Disconnected, Reconnecting]
    assert isinstance(written.error, RtmConnectionLost)
    assert written.error.cause == cause
    proto.inbound_too_large(link, 1.6)  # the same socket again: already replaced
    assert proto.take_events() == []
    proto.begin_connect(2.0)
    link = proto.socket_opened(2.0)
    proto.receive_text(link, HELLO, 2.0)
    assert proto.take_events()[1] == Connected(cause, 2)


def test_a_frame_over_max_inbound_bytes_without_reconnects_ends_the_session(
    caplog: pytest.LogCaptureFixture,
) -> None:
    proto = make(RtmOptions(max_inbound_bytes=1000, reconnect=None))
    link = connect(proto)
    with caplog.at_level(logging.WARNING, logger="slackrtm"):
        proto.inbound_too_large(link, 1.0)
    assert "from Slack; the session ends" in caplog.text
    assert proto.closed
    assert isinstance(proto.error, RtmSessionClosed)
    assert "max_inbound_bytes" in proto.error.cause


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


def test_presence_subscriptions_are_sent_again_first_after_each_hello() -> None:
    proto = make()
    link = connect(proto)
    proto.send(events.PresenceSubCommand(ids=("U1", "U2")), 1.0)
    proto.data_to_send(1.0)
    assert proto.subscription == ("U1", "U2")
    proto.connection_lost(link, 2.0, "dropped")
    proto.send(message("queued"), 2.0)
    for round_ in range(2):
        now = 3.0 + round_
        proto.begin_connect(now)
        link = proto.socket_opened(now)
        proto.receive_text(link, HELLO, now)
        frames = sent(proto.data_to_send(now))
        assert frames[0] == {"type": "presence_sub", "ids": ["U1", "U2"]}
        assert [f["type"] for f in frames[1:]] == (["message"] if round_ == 0 else [])
        proto.connection_lost(link, now + 0.5, "dropped")


def test_a_subscription_queued_while_disconnected_is_not_sent_twice() -> None:
    proto = make()
    link = connect(proto)
    proto.send(events.PresenceSubCommand(ids=("U1",)), 1.0)
    proto.data_to_send(1.0)
    proto.connection_lost(link, 2.0, "dropped")
    proto.send(events.PresenceSubCommand(ids=("U2",)), 2.0)
    proto.begin_connect(3.0)
    link = proto.socket_opened(3.0)
    proto.receive_text(link, HELLO, 3.0)
    assert sent(proto.data_to_send(3.0)) == [{"type": "presence_sub", "ids": ["U2"]}]


# -- malformed frames, closing -----------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["not json", "[1, 2]", b"\xff\xfe", '{"type": "message", "ts": 5}', '{"type": "error"}'],
)
def test_a_malformed_frame_is_logged_and_skipped(
    bad: str | bytes, caplog: pytest.LogCaptureFixture
) -> None:
    proto = make()
    link = connect(proto)
    proto.take_events()
    with caplog.at_level(logging.WARNING, logger="slackrtm"):
        proto.receive_text(link, bad, 1.0)
    assert "malformed frame" in caplog.text
    assert proto.take_events() == []
    proto.receive_text(link, '{"type": "message", "ts": "1.0"}', 1.1)
    assert kinds(proto.take_events()) == [events.Message]
    assert proto.state == "connected"


def test_unknown_events_are_delivered() -> None:
    proto = make()
    link = connect(proto)
    proto.take_events()
    proto.receive_text(link, '{"type": "brand_new", "x": 1}', 1.0)
    (event,) = proto.take_events()
    assert isinstance(event, events.UnknownEvent)
    assert event.raw["x"] == 1


def test_close_fails_every_unfinished_send_and_refuses_new_ones() -> None:
    proto = make()
    connect(proto)
    written = proto.send(message("a"), 1.0)
    proto.data_to_send(1.0)
    queued = proto.send(message("b"), 1.0)
    proto.close(2.0)
    assert proto.closed
    assert proto.link is None
    assert proto.error is None
    for pending in (written, queued):
        assert isinstance(pending.error, RtmSessionClosed)
        assert pending.error.cause == "closed by the user"
    with pytest.raises(RtmSessionClosed):
        proto.send(message(), 3.0)
    assert proto.next_deadline() is None
    assert proto.data_to_send(3.0) == []
    assert proto.queued == 0


def test_a_socket_that_opens_after_close_is_not_current() -> None:
    proto = make()
    proto.begin_connect(0.0)
    proto.close(0.5)
    link = proto.socket_opened(1.0)
    assert proto.link != link
    assert proto.closed


@pytest.mark.parametrize(
    "option",
    [
        {"ping_interval": 0},
        {"pong_timeout": -1},
        {"ack_timeout": True},
        {"send_rate": 0},
        {"send_burst": 0},
        {"max_buffered": 0},
    ],
)
def test_bad_options_are_refused(option: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        RtmOptions(**option)


DURATIONS = ["ping_interval", "pong_timeout", "ack_timeout", "hello_timeout", "connect_timeout"]


@pytest.mark.parametrize("name", DURATIONS)
@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (0, ValueError),
        (-1, ValueError),
        (math.nan, ValueError),
        (-math.inf, ValueError),
        (True, TypeError),
        ("10", TypeError),
        (None, TypeError),
    ],
)
def test_bad_durations_are_refused_naming_the_option(name: str, bad: Any, error: Any) -> None:
    with pytest.raises(error, match=name):
        RtmOptions(**{name: bad})


@pytest.mark.parametrize("name", DURATIONS)
def test_an_infinite_duration_is_no_limit(name: str) -> None:
    options = RtmOptions(**{name: math.inf})  # type: ignore[arg-type]
    assert getattr(options, name) == math.inf


@pytest.mark.parametrize(
    ("option", "error"),
    [
        ({"send_rate": math.nan}, ValueError),
        ({"send_rate": -1}, ValueError),
        ({"send_rate": True}, TypeError),
        ({"send_rate": "1"}, TypeError),
        ({"send_burst": True}, TypeError),
        ({"send_burst": 2.5}, TypeError),
        ({"max_buffered": "10"}, TypeError),
        ({"max_frame_bytes": 0}, ValueError),
        ({"max_inbound_bytes": 0}, ValueError),
        ({"max_inbound_bytes": -1}, ValueError),
        ({"max_inbound_bytes": True}, TypeError),
        ({"max_inbound_bytes": 1.5}, TypeError),
        ({"max_inbound_bytes": "4096"}, TypeError),
        ({"max_inbound_bytes": None}, TypeError),
    ],
)
def test_bad_pacing_and_sizes_are_refused_naming_the_option(option: Any, error: Any) -> None:
    with pytest.raises(error, match=next(iter(option))):
        RtmOptions(**option)


def test_an_infinite_send_rate_turns_pacing_off() -> None:
    proto = make(RtmOptions(send_rate=math.inf, send_burst=1))
    connect(proto)
    for i in range(10):
        proto.send(message(str(i)), 1.0)
    assert len(proto.data_to_send(1.0)) == 10


def test_a_reconnect_url_is_fresh_for_25_seconds_and_its_socket_keeps_the_last_answer() -> None:
    proto = make(rng=0.0)
    link = connect(proto, info="first answer")
    proto.receive_text(link, '{"type": "reconnect_url", "url": "wss://x/fresh"}', 1.0)
    proto.connection_lost(link, 25.9, "dropped")
    assert proto.begin_connect(25.9) == "wss://x/fresh"
    link = proto.socket_opened(25.9)  # no rtm.connect answer for a reconnect_url
    proto.receive_text(link, HELLO, 26.0)
    assert proto.info == "first answer"
    proto.receive_text(link, '{"type": "reconnect_url", "url": "wss://x/later"}', 30.0)
    proto.connection_lost(link, 55.0, "dropped")
    assert proto.begin_connect(55.0) is None, "offered at 30: stale from 55 on"


# -- the defaults and the public shapes --------------------------------------------------------


def test_the_defaults_are_the_documented_ones() -> None:
    assert attrs.asdict(RtmOptions(), recurse=False) == {
        "ping_interval": 10.0,
        "pong_timeout": 10.0,
        "ack_timeout": 10.0,
        "hello_timeout": 10.0,
        "connect_timeout": 10.0,
        "send_rate": 1.0,
        "send_burst": 5,
        "max_frame_bytes": 16_384,
        "max_inbound_bytes": 4_194_304,
        "reconnect": DEFAULT_RECONNECT,
        "max_buffered": 10_000,
    }
    assert DEFAULT_MAX_INBOUND_BYTES == 4_194_304
    # "Reconnect until an hour of consecutive failures: uniform(0, min(30, 0.5 * 2**n))."
    documented = RetryPolicy(max_retries=1000, max_total=3600.0, backoff_base=0.5, backoff_max=30.0)
    assert documented == DEFAULT_RECONNECT


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        RtmOptions(5.0)  # type: ignore[call-arg]


def test_lifecycle_notices_default_to_a_first_connect_and_an_attempt_at_once() -> None:
    assert Connected("start") == Connected("start", 1)
    assert Reconnecting("dropped") == Reconnecting("dropped", 1, 0.0)


def test_zero_seconds_is_allowed_only_where_a_poll_is() -> None:
    assert check_seconds("timeout", 0, zero=True) == 0.0
    assert type(check_seconds("timeout", 2)) is float
    with pytest.raises(ValueError, match="timeout must be a non-negative number"):
        check_seconds("timeout", -0.5, zero=True)
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        check_seconds("timeout", 0)


def test_a_remote_ws_url_is_refused_unless_insecure_is_allowed() -> None:
    assert socket_url_refusal("ws://example.com/websocket/abc") is not None
    assert socket_url_refusal("ws://example.com/websocket/abc", allow_insecure=True) is None


def test_the_rtm_dialect_reads_a_pongs_reply_to() -> None:
    pong = RTM_DIALECT.decode('{"type": "pong", "reply_to": 7}')
    assert RTM_DIALECT.kind(pong) == Dialect.PONG
    assert RTM_DIALECT.reply_to(pong) == 7
    assert not RTM_DIALECT.delivered(Dialect.PONG)


def test_a_fresh_session_has_no_socket_no_answer_and_ignores_what_is_not_its_own() -> None:
    proto = make()
    assert (proto.link, proto.info, proto.error, proto.connects) == (None, None, None, 0)
    assert repr(proto) == "<RtmProtocol state=idle link=None queued=0>"
    proto.receive_text(1, HELLO, 0.0)
    proto.connection_lost(1, 0.0, "closed")
    proto.inbound_too_large(1, 0.0)
    proto.set_reading_paused(True, 0.0)
    proto.set_reading_paused(False, 1.0)
    assert state(proto) == "idle"
    assert proto.take_events() == []
    assert proto.next_deadline() is None
    link = connect(proto, 2.0)
    proto.send(message(), 2.0)
    assert repr(proto) == f"<RtmProtocol state=connected link={link} queued=1>"


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


# -- connecting: what is due, what counts as a failed attempt ----------------------------------


def test_begin_connect_refuses_when_no_attempt_is_due() -> None:
    proto = make()
    link = connect(proto)
    with pytest.raises(RuntimeError, match=r"no connection attempt is due \(state connected\)"):
        proto.begin_connect(1.0)
    proto.connection_lost(link, 1.0, "dropped")  # the next attempt at 1.25
    with pytest.raises(RuntimeError, match=r"\(state waiting\)"):
        proto.begin_connect(1.2)
    assert state(proto) == "waiting"
    assert proto.begin_connect(1.25) is None


def backing_off(**kw: Any) -> RtmProtocol:
    """Delays of exactly 1, 2, 4, ... s (the jitter's random source at 1.0)."""
    policy = RetryPolicy(backoff_base=1.0, backoff_max=60.0, **kw)
    return make(RtmOptions(send_rate=None, hello_timeout=3.0, reconnect=policy), rng=1.0)


@pytest.mark.parametrize("how", ["lost", "too large", "no hello"])
def test_a_socket_that_ends_before_its_hello_is_a_failed_attempt(how: str) -> None:
    proto = backing_off()
    link = connect(proto, 0.0)
    proto.connection_lost(link, 0.0, "dropped")
    assert proto.take_events() == [Disconnected("dropped"), Reconnecting("dropped", 1, 1.0)]
    proto.begin_connect(1.0)
    link = proto.socket_opened(1.0)
    if how == "lost":
        proto.connection_lost(link, 1.5, "closed")
        cause = "closed"
    elif how == "too large":
        proto.inbound_too_large(link, 1.5)
        cause = "a frame over max_inbound_bytes (4194304 bytes) from Slack"
    else:
        proto.tick(4.0)
        cause = "no hello within 3 s"
    assert proto.take_events() == [Reconnecting(cause, 2, 2.0)], "never connected: no Disconnected"


def test_a_frame_too_large_on_a_connected_socket_is_the_first_failure_of_an_outage() -> None:
    proto = backing_off()
    link = connect(proto)
    proto.inbound_too_large(link, 1.0)
    cause = "a frame over max_inbound_bytes (4194304 bytes) from Slack"
    assert proto.take_events() == [Disconnected(cause), Reconnecting(cause, 1, 1.0)]


def test_a_hello_starts_the_next_outage_afresh() -> None:
    proto = backing_off(max_retries=3, max_total=10.0)
    link = connect(proto, 0.0)
    proto.connection_lost(link, 0.0, "dropped")
    proto.begin_connect(1.0)
    proto.connect_failed(1.0, SlackConnectionError("refused"), stage="socket")
    assert proto.take_events()[-1] == Reconnecting("socket failed: refused", 2, 2.0)
    proto.begin_connect(3.0)
    link = proto.socket_opened(3.0)
    proto.receive_text(link, HELLO, 3.0)
    proto.take_events()
    # Long after the first outage began: its failures and its max_total no longer count.
    proto.connection_lost(link, 100.0, "dropped again")
    assert proto.take_events() == [
        Disconnected("dropped again"),
        Reconnecting("dropped again", 1, 1.0),
    ]


def test_a_wait_that_ends_exactly_at_max_total_is_still_made() -> None:
    policy = RetryPolicy(max_retries=100, max_total=10.0, backoff_base=5.0, backoff_max=5.0)
    proto = make(RtmOptions(send_rate=None, reconnect=policy), rng=1.0)
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    proto.begin_connect(5.0)
    proto.connect_failed(5.0, SlackConnectionError("refused"), stage="socket")
    assert state(proto) == "waiting", "the wait ends at 10 s of outage: within max_total"
    proto.begin_connect(10.0)
    proto.connect_failed(10.0, SlackConnectionError("refused"), stage="socket")
    assert proto.closed


def http_error(status: int) -> SlackHttpError:
    return SlackHttpError("server error", status=status, response=SlackResponse(status=status))


@pytest.mark.parametrize(
    ("policy", "error", "retried"),
    [
        (RetryPolicy(connection_errors=False), SlackConnectionError("refused"), False),
        (RetryPolicy(server_errors=False), SlackConnectionError("refused"), True),
        (RetryPolicy(server_errors=False), http_error(503), False),
        (RetryPolicy(connection_errors=False, rate_limited=False), http_error(503), True),
        (RetryPolicy(), RuntimeError("not a Slack error"), False),
    ],
)
def test_which_failed_reconnects_are_tried_again_is_the_policys(
    policy: RetryPolicy, error: Exception, retried: bool
) -> None:
    proto = make(RtmOptions(send_rate=None, reconnect=policy))
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    proto.begin_connect(1.0)
    proto.connect_failed(1.0, error, stage="rtm.connect")
    if retried:
        assert state(proto) == "waiting"
    else:
        assert proto.closed
        assert proto.error is error


def test_a_first_connection_ends_after_three_failed_attempts_with_the_last_error() -> None:
    proto = make(rng=0.0)
    for attempt in (1, 2, 3):
        assert proto.connect_due(float(attempt))
        proto.begin_connect(float(attempt))
        error = SlackConnectionError(f"refused {attempt}")
        proto.connect_failed(float(attempt), error, stage="socket")
        if attempt < 3:
            assert state(proto) == "waiting"
    assert proto.closed
    assert proto.error is error


def test_a_first_connection_without_a_hello_ends_after_three_attempts() -> None:
    proto = make(RtmOptions(send_rate=None, hello_timeout=3.0), rng=0.0)
    for attempt in (1, 2, 3):
        now = 10.0 * attempt
        proto.begin_connect(now)
        proto.socket_opened(now)
        proto.tick(now + 3.0)
        assert proto.closed == (attempt == 3)
    assert isinstance(proto.error, RtmSessionClosed)
    assert proto.error.cause == "no hello within 3 s"


def test_after_a_hello_more_failed_attempts_are_the_policys_to_count() -> None:
    proto = make(RtmOptions(send_rate=None, reconnect=RetryPolicy(max_retries=10)), rng=0.0)
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    for attempt in range(1, 6):
        proto.begin_connect(float(attempt))
        proto.connect_failed(float(attempt), SlackConnectionError("refused"), stage="socket")
        assert state(proto) == "waiting"


def test_an_attempt_that_fails_after_close_changes_nothing() -> None:
    proto = make()
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    proto.begin_connect(1.0)
    proto.close(1.5)
    proto.take_events()
    proto.connect_failed(2.0, SlackConnectionError("refused"), stage="socket")
    proto.connect_failed(2.0, InvalidAuth(InvalidAuth.code), stage="rtm.connect")
    assert proto.closed
    assert proto.error is None
    assert proto.take_events() == []
    assert proto.next_deadline() is None


# -- keepalive: what a frame, a pause and a resume do to it ------------------------------------


def test_a_ping_takes_an_id_of_its_own() -> None:
    proto = keepalive()
    connect(proto, 0.0)
    proto.tick(5.0)
    (ping,) = sent(proto.data_to_send(5.0))
    pending = proto.send(message(), 5.1)
    (frame,) = sent(proto.data_to_send(5.1))
    assert frame["id"] == pending.id == ping["id"] + 1


def test_a_pong_is_not_an_ack_even_for_an_awaited_id() -> None:
    proto = make()
    link = connect(proto)
    pending = proto.send(message(), 1.0)
    proto.data_to_send(1.0)
    proto.receive_text(link, json.dumps({"type": "pong", "reply_to": pending.id}), 1.1)
    assert not pending.done
    assert proto.take_events() == [], "a pong is not delivered"


def test_a_frame_that_arrives_before_a_due_ping_is_written_makes_it_unneeded() -> None:
    proto = keepalive()
    link = connect(proto, 0.0)
    proto.tick(5.0)  # a ping is due
    proto.receive_text(link, '{"type": "message", "ts": "1.0"}', 5.1)
    assert proto.data_to_send(5.1) == []
    assert proto.next_deadline() == pytest.approx(10.1)


def test_a_frame_after_a_pong_does_not_ask_for_another_ping() -> None:
    proto = keepalive()
    link = connect(proto, 0.0)
    proto.tick(5.0)
    (ping,) = sent(proto.data_to_send(5.0))
    proto.receive_text(link, json.dumps({"type": "pong", "reply_to": ping["id"]}), 5.5)
    assert proto.data_to_send(5.5) == []
    assert proto.next_deadline() == 10.5


def test_resuming_reading_restarts_the_idle_interval() -> None:
    proto = keepalive()
    connect(proto, 0.0)
    proto.set_reading_paused(True, 1.0)
    proto.set_reading_paused(False, 100.0)
    assert proto.next_deadline() == 105.0
    proto.tick(100.0)
    assert proto.data_to_send(100.0) == []


def test_only_a_resume_after_a_pause_restarts_the_liveness_clock() -> None:
    proto = keepalive()
    connect(proto, 0.0)
    proto.set_reading_paused(False, 4.0)  # reading already: nothing to resume
    assert proto.next_deadline() == 5.0
    proto.tick(5.0)
    proto.data_to_send(5.0)  # the ping; its pong is due by 7
    proto.set_reading_paused(True, 5.5)
    proto.set_reading_paused(True, 8.0)  # paused already
    proto.set_reading_paused(False, 9.0)
    assert proto.next_deadline() == 11.0, "the pong deadline restarts from the resume at 9"


# -- pacing at a rate other than one a second --------------------------------------------------


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
    assert sent(proto.data_to_send(3.0)) == [{"type": "presence_sub", "ids": ["U1"]}]
    proto.frames_written(3.0, 1)
    assert proto.take_completed() == []


def test_closing_with_the_sessions_own_subscription_queued_fails_no_send() -> None:
    proto, _ = resubscribing()
    proto.close(3.5)
    assert proto.take_completed() == []
    assert proto.queued == 0


def test_cancel_refuses_a_send_that_is_not_this_sessions() -> None:
    proto = make()
    other = make().send(message(), 0.0)
    assert proto.cancel(other) is False
    assert not other.done


def test_closing_twice_keeps_the_first_cause() -> None:
    proto = make()
    connect(proto)
    proto.close(1.0)
    proto.close(2.0, "closed again")
    error = proto.closed_error()
    assert isinstance(error, RtmSessionClosed)
    assert error.cause == "closed by the user"
    assert error.__cause__ is None
    with pytest.raises(RtmSessionClosed) as info:
        proto.send(message(), 3.0)
    assert info.value.cause == "closed by the user"


# -- what receive_text tells the driver --------------------------------------------------------


def test_receive_text_says_when_the_driver_has_more_to_do_than_deliver() -> None:
    proto = make()
    link = connect(proto)
    plain = '{"type": "message", "ts": "1.0"}'
    assert proto.receive_text(link, plain, 1.0) is False, "a plain event while connected"
    assert proto.receive_text(link + 1, plain, 1.0) is True, "a socket being replaced"
    assert proto.receive_text(link, "not json", 1.0) is True
    assert proto.receive_text(link, '{"type": "pong", "reply_to": 1}', 1.0) is True
    pending = proto.send(message(), 1.0)
    assert proto.receive_text(link, plain, 1.1) is True, "a send waits to be written"
    proto.data_to_send(1.1)
    assert proto.receive_text(link, plain, 1.2) is False, "written: its ack is awaited"
    ack = json.dumps({"ok": True, "reply_to": pending.id, "ts": "1"})
    assert proto.receive_text(link, ack, 1.3) is True
    assert proto.receive_text(link, plain, 1.4) is True, "a completion to hand over"
    assert proto.take_completed() == [pending]
    assert proto.receive_text(link, plain, 1.5) is False
    assert kinds(proto.take_events()) == [events.Message] * 5, "not the replaced socket's"
    proto.connection_lost(link, 2.0, "dropped")
    proto.begin_connect(3.0)
    link = proto.socket_opened(3.0)
    assert proto.receive_text(link, plain, 3.0) is True, "not connected yet"
    assert proto.receive_text(link, HELLO, 3.1) is True
