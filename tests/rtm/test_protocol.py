"""The RTM engine alone (`slackrtm/rtm/_protocol.py`), with no sockets and no loop.

The clock and the random source are injected. Every rule of `RtmProtocol` is driven here by
hand, the way a driver would: frames and times in, frames to write, events, completions and
deadlines out. The rules of the modules it drives have files of their own: `test_sends.py`,
`test_reconnect.py`, `test_state.py`, `test_options.py`, `test_dialects.py`.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from unittest.mock import ANY

import pytest

from slackrtm import events
from slackrtm._exceptions import RtmConnectionLost, RtmSessionClosed
from slackrtm.rtm import Connected, Disconnected, Reconnecting, RtmOptions
from slackrtm.rtm._endings import SocketEnd
from slackrtm.rtm._protocol import RtmProtocol

from .driving import HELLO, connect, kinds, make, message, sent, state

# -- hello -------------------------------------------------------------------------------------


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


def test_a_fresh_session_has_no_socket_no_answer_and_ignores_what_is_not_its_own() -> None:
    proto = make()
    assert (proto.link, proto.info, proto.error, proto.connects) == (None, None, None, 0)
    assert repr(proto) == "<RtmProtocol state=idle link=None queued=0>"
    proto.receive_text(1, HELLO, 0.0)
    proto.connection_lost(1, 0.0, "closed")
    proto.socket_ended(1, 0.0, SocketEnd(too_large=True))
    proto.set_reading_paused(True, 0.0)
    proto.set_reading_paused(False, 1.0)
    assert state(proto) == "idle"
    assert proto.take_events() == []
    assert proto.next_deadline() is None
    link = connect(proto, 2.0)
    proto.send(message(), 2.0)
    assert repr(proto) == f"<RtmProtocol state=connected link={link} queued=1>"


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


def due(proto: RtmProtocol) -> bool:
    """`engine_due`, read afresh (a property mypy would otherwise keep narrowed)."""
    return proto.engine_due


def test_a_pong_wakes_the_engine_when_the_next_ping_is_due_before_the_pong_deadline() -> None:
    proto = make(RtmOptions(send_rate=None, ping_interval=0.5, pong_timeout=3.0))
    link = connect(proto, 0.0)
    assert due(proto), "hello: the engine slept to the hello deadline, the first ping is sooner"
    proto.tick(0.0)
    assert not due(proto)
    proto.tick(0.5)
    (ping,) = sent(proto.data_to_send(0.5))
    assert proto.next_deadline() == pytest.approx(3.5)  # the engine sleeps until the pong's
    proto.receive_text(link, json.dumps({"type": "pong", "reply_to": ping["id"]}), 0.6)
    assert due(proto), "the next ping is due at 1.1, before 3.5"
    assert proto.next_deadline() == pytest.approx(1.1)
    proto.tick(0.7)
    assert not due(proto), "the engine has run"
    proto.receive_text(link, json.dumps({"type": "message", "text": "x"}), 0.8)
    assert not due(proto), "a frame with no pong awaited moves no deadline earlier"


def test_a_stall_is_found_within_its_bound_for_a_short_ping_interval() -> None:
    """Drive the core as a driver does: sleep until next_deadline, or wake when engine_due."""
    proto = make(RtmOptions(send_rate=None, ping_interval=0.5, pong_timeout=3.0))
    link = connect(proto, 0.0)
    now, last_frame = 0.0, 0.0
    for _ in range(1_000):
        if state(proto) != "connected":
            break
        deadline = proto.next_deadline()
        assert deadline is not None
        now = deadline
        proto.tick(now)
        for frame in sent(proto.data_to_send(now)):
            if frame["type"] == "ping" and now < 10.0:  # Slack answers until 10 s, then stalls
                last_frame = now + 0.01
                proto.receive_text(link, json.dumps({"type": "pong"}), last_frame)
                assert proto.engine_due
    assert 9.0 < last_frame < now <= last_frame + 3.5 + 1e-9
    (lost,) = [e for e in proto.take_events() if isinstance(e, Disconnected)]
    assert lost.cause == "stalled: no frame within 3.5 s"


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


# -- inbound frames over max_inbound_bytes -----------------------------------------------------


def test_a_frame_over_max_inbound_bytes_is_a_disconnect_with_its_own_cause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    proto = make(RtmOptions(send_rate=None, max_inbound_bytes=1000))
    link = connect(proto)
    written = proto.send(message(), 1.0)
    proto.data_to_send(1.0)
    cause = "a frame over max_inbound_bytes (1000 bytes) from Slack"
    with caplog.at_level(logging.WARNING, logger="slackrtm"):
        proto.socket_ended(link, 1.5, SocketEnd(too_large=True))
    assert caplog.messages == [f"RTM: {cause}; reconnecting"]
    assert proto.state == "waiting"
    assert kinds(proto.take_events()) == [Disconnected, Reconnecting]
    assert isinstance(written.error, RtmConnectionLost)
    assert written.error.cause == cause
    # The same socket again: already replaced.
    proto.socket_ended(link, 1.6, SocketEnd(too_large=True))
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
        proto.socket_ended(link, 1.0, SocketEnd(too_large=True))
    assert "from Slack; the session ends" in caplog.text
    assert proto.closed
    assert isinstance(proto.error, RtmSessionClosed)
    assert "max_inbound_bytes" in proto.error.cause


# -- presence subscriptions across a reconnect -------------------------------------------------


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
        assert frames[0] == {"type": "presence_sub", "ids": ["U1", "U2"], "id": ANY}
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
    assert sent(proto.data_to_send(3.0)) == [{"type": "presence_sub", "ids": ["U2"], "id": ANY}]


# -- malformed frames --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        "[1, 2]",
        b"\xff\xfe",
        '{"ok": "yes", "reply_to": 1}',
        '{"ok": true, "reply_to": "1"}',
    ],
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


@pytest.mark.parametrize("frame", ['{"type": "message", "ts": 5}', '{"type": "error"}'])
def test_a_frame_off_the_schema_is_delivered_whole_and_noted_once_per_type(
    frame: str, caplog: pytest.LogCaptureFixture
) -> None:
    proto = make()
    link = connect(proto)
    proto.take_events()
    with caplog.at_level(logging.DEBUG, logger="slackrtm"):
        proto.receive_text(link, frame, 1.0)
        proto.receive_texts(link, [frame, '{"type": "message", "ts": "1.0"}'], 0, 1.1)
    got = proto.take_events()
    assert kinds(got) == [events.FallbackEvent, events.FallbackEvent]
    assert all(isinstance(e, events.FallbackEvent) and e.raw == json.loads(frame) for e in got)
    proto.receive_texts(link, ['{"type": "message", "ts": "1.0"}'], 0, 1.2)
    assert kinds(proto.take_events()) == [events.Message]
    warned = [r for r in caplog.records if "did not fit the schema" in r.getMessage()]
    assert [r.levelno for r in warned] == [logging.WARNING, logging.DEBUG]
    assert proto.state == "connected"  # an error frame off the schema asks for no reconnect


def test_unknown_events_are_delivered() -> None:
    proto = make()
    link = connect(proto)
    proto.take_events()
    proto.receive_text(link, '{"type": "brand_new", "x": 1}', 1.0)
    (event,) = proto.take_events()
    assert isinstance(event, events.UnknownEvent)
    assert event.raw["x"] == 1


# -- ending ------------------------------------------------------------------------------------


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


def test_each_pause_of_reading_is_logged_once_and_its_end_at_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="slackrtm")
    proto = make(RtmOptions(max_buffered=10))
    connect(proto)
    assert proto.reading_bounds() == (10, 5)
    caplog.clear()
    proto.set_reading_paused(True, 1.0, 10)
    proto.set_reading_paused(True, 1.5, 10)  # paused already: no second line
    proto.set_reading_paused(False, 2.0)
    proto.set_reading_paused(False, 2.5)  # reading already
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "RTM: 10 events are waiting for the consumer; reading paused"),
        (logging.INFO, "RTM: the consumer caught up; reading resumed"),
    ]


def test_a_batch_with_nothing_left_to_take_is_taken_whole_and_changes_nothing() -> None:
    proto = make()
    link = connect(proto)
    proto.send(message(), 5.0)  # queued: the batch is taken frame by frame
    before = list(proto.events)
    batch = ['{"type": "message", "ts": "1.0"}']
    assert proto.receive_texts(link, batch, 1, 5.0) == 1
    assert proto.receive_texts(link, [], 0, 5.0) == 0
    assert list(proto.events) == before


def test_reading_goes_on_up_to_twice_the_buffer_while_a_send_awaits_its_ack() -> None:
    proto = make(RtmOptions(max_buffered=10, send_rate=None))
    link = connect(proto)
    assert proto.reading_bounds() == (10, 5)
    proto.send(message(), 1.0)
    assert proto.reading_bounds() == (10, 5), "queued, not written: no ack awaited yet"
    (frame,) = sent(proto.data_to_send(1.0))
    proto.frames_written(1.0, 1)
    assert proto.reading_bounds() == (20, 19)
    proto.receive_text(link, json.dumps({"ok": True, "reply_to": frame["id"], "ts": "1.0"}), 1.1)
    assert proto.reading_bounds() == (10, 5)
