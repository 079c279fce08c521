"""The reconnect policy (`slackrtm/rtm/_reconnect.py`), driven through the core by hand.

What leads to a reconnect, the waits, the limits, fatal errors, the first connection's attempts
and the ``reconnect_url`` Slack offers. An injected clock and random source; no sleep.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from slackrtm import events
from slackrtm._exceptions import (
    RateLimited,
    RtmSessionClosed,
    SlackApiError,
    SlackConnectionError,
    SlackHttpError,
    SlackResponse,
)
from slackrtm._web.policy import RetryPolicy
from slackrtm.errors import (
    ERROR_CLASSES,
    AccountInactive,
    InvalidAuth,
    NotAuthed,
    TokenRevoked,
)
from slackrtm.rtm import Connected, Disconnected, Reconnecting, RtmOptions
from slackrtm.rtm._endings import SocketEnd
from slackrtm.rtm._protocol import RtmProtocol
from slackrtm.rtm._reconnect import HEALTHY_AFTER

from .driving import HELLO, UNPACED, connect, kinds, make, message, state

SCHEMA = Path(__file__).resolve().parents[2] / "schema"

# -- what leads to a reconnect -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "cause"),
    [
        ({"type": "goodbye"}, "goodbye"),
        ({"type": "team_migration_started"}, "team_migration_started"),
        (
            {"type": "error", "error": {"code": 1, "msg": "Socket URL has expired"}},
            "error event 1: Socket URL has expired",
        ),
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


@pytest.mark.parametrize("code", [2, 4, 99])
def test_an_error_event_whose_code_leaves_the_socket_is_an_event(
    code: int, caplog: pytest.LogCaptureFixture
) -> None:
    proto = make()
    link = connect(proto)
    proto.take_events()
    frame = {"type": "error", "error": {"code": code, "msg": "channel not found"}}
    with caplog.at_level(logging.WARNING, logger="slackrtm"):
        proto.receive_text(link, json.dumps(frame), 1.0)
    (event,) = proto.take_events()
    assert isinstance(event, events.Error)
    assert (event.error.code, event.error.msg) == (code, "channel not found")
    assert proto.state == "connected"
    assert proto.link == link
    assert [r.getMessage() for r in caplog.records] == [
        f"RTM: Slack sent error event {code}: channel not found"
    ]


def test_an_error_ack_no_send_awaits_is_an_event(caplog: pytest.LogCaptureFixture) -> None:
    proto = make()
    link = connect(proto)
    typing = proto.send(events.TypingCommand(channel="C404"), 1.0)
    (frame,) = [json.loads(f) for f in proto.data_to_send(1.0)]
    proto.frames_written(1.0, 1)
    assert typing.done and typing.error is None, "complete once written"
    proto.take_events()
    refusal = {"ok": False, "reply_to": frame["id"], "error": {"code": 4, "msg": "nope"}}
    ok = {"ok": True, "reply_to": 77, "ts": "1.0"}
    with caplog.at_level(logging.DEBUG, logger="slackrtm"):
        proto.receive_text(link, json.dumps(refusal), 1.1)
        proto.receive_text(link, json.dumps(ok), 1.2)
    (event,) = proto.take_events()
    assert isinstance(event, events.ErrorAck)
    assert (event.reply_to, event.error.code, event.error.msg) == (frame["id"], 4, "nope")
    assert proto.state == "connected"
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    refused = f"error ack for frame {frame['id']}: code 4: nope"
    assert warned == [f"RTM: Slack refused a frame no send awaits: {refused}"]


def test_a_lost_socket_leads_to_a_reconnect() -> None:
    proto = make()
    link = connect(proto)
    proto.connection_lost(link, 5.0, "connection dropped")
    assert proto.state == "waiting"
    assert Disconnected("connection dropped") in proto.take_events()


# -- the waits ---------------------------------------------------------------------------------


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


def _flap_once(proto: RtmProtocol, now: float, up_for: float) -> Reconnecting:
    """Connect at `now` (the reconnect is due), stay up `up_for` s, drop; the next notice."""
    assert proto.connect_due(now)
    proto.begin_connect(now)
    link = proto.socket_opened(now, "info")
    proto.receive_text(link, HELLO, now)
    proto.connection_lost(link, now + up_for, "closed by Slack (code 1000)")
    (notice,) = [e for e in proto.take_events() if isinstance(e, Reconnecting)]
    return notice


def test_a_connection_that_ends_soon_after_hello_counts_as_a_failed_attempt() -> None:
    policy = RetryPolicy(max_retries=3, max_total=86_400.0, backoff_base=1.0, backoff_max=8.0)
    proto = make(RtmOptions(reconnect=policy), rng=1.0)
    link = connect(proto)
    proto.connection_lost(link, 100.0, "dropped")  # the first drop starts an outage
    (first,) = [e for e in proto.take_events() if isinstance(e, Reconnecting)]
    assert (first.attempt, first.delay) == (1, 1.0)
    now, seen = 100.0 + first.delay, []
    for _ in range(3):
        notice = _flap_once(proto, now, up_for=HEALTHY_AFTER - 0.5)
        seen.append((notice.attempt, notice.delay))
        now += HEALTHY_AFTER - 0.5 + notice.delay
    assert seen == [(2, 2.0), (3, 4.0), (4, 8.0)]
    proto.begin_connect(now)
    link = proto.socket_opened(now, "info")
    proto.receive_text(link, HELLO, now)
    proto.connection_lost(link, now + 1.0, "closed by Slack (code 1000)")
    assert proto.closed, "max_retries counts the flaps"
    assert "gave up reconnecting after 4 failed attempts" in str(proto.error)


def test_a_connection_that_stays_up_healthy_after_ends_the_outage() -> None:
    policy = RetryPolicy(max_retries=100, max_total=30.0, backoff_base=1.0, backoff_max=8.0)
    proto = make(RtmOptions(reconnect=policy), rng=1.0)
    link = connect(proto)
    proto.connection_lost(link, 100.0, "dropped")
    proto.take_events()
    notice = _flap_once(proto, 101.0, up_for=1.0)
    assert notice.attempt == 2
    notice = _flap_once(proto, 104.0, up_for=HEALTHY_AFTER)
    assert (notice.attempt, notice.delay) == (1, 1.0), "healthy: counted afresh"
    # The outage clock restarted too: 30 s of max_total from the drop at 114, not from 100.
    notice = _flap_once(proto, 115.0, up_for=1.0)
    assert notice.attempt == 2
    assert not proto.closed


def test_flaps_end_the_session_at_max_total() -> None:
    policy = RetryPolicy(max_retries=100, max_total=20.0, backoff_base=1.0, backoff_max=1.0)
    proto = make(RtmOptions(reconnect=policy), rng=1.0)
    link = connect(proto)
    proto.connection_lost(link, 100.0, "dropped")
    proto.take_events()
    now = 101.0
    while not proto.closed:
        assert now < 130.0, "max_total never ended the outage"
        proto.begin_connect(now)
        link = proto.socket_opened(now, "info")
        proto.receive_text(link, HELLO, now)
        proto.connection_lost(link, now + 2.0, "closed by Slack (code 1000)")
        now += 3.0
    assert "gave up reconnecting" in str(proto.error)
    assert now - 100.0 <= 21.0 + 3.0


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


# -- what ends the session ---------------------------------------------------------------------


def _rtm_connect_codes(retry: str) -> list[str]:
    with open(SCHEMA / "methods" / "rtm.connect.json", encoding="utf-8") as f:
        return [e["code"] for e in json.load(f)["errors"] if e["retry"] == retry]


def test_the_schema_judges_every_rtm_connect_error() -> None:
    with open(SCHEMA / "methods" / "rtm.connect.json", encoding="utf-8") as f:
        errors = json.load(f)["errors"]
    assert {e["retry"] for e in errors} == {"helps", "never"}
    assert len(_rtm_connect_codes("never")) + len(_rtm_connect_codes("helps")) == len(errors)
    for code in ("not_authed", "missing_scope", "token_expired", "is_bot", "no_permission"):
        assert code in _rtm_connect_codes("never")
    assert "ratelimited" in _rtm_connect_codes("helps")


def _reconnect_then_fail(error: Exception) -> RtmProtocol:
    proto = make(rng=0.5)
    link = connect(proto)
    proto.connection_lost(link, 0.0, "dropped")
    proto.begin_connect(proto.next_deadline() or 1.0)
    proto.connect_failed(1.0, error, stage="rtm.connect")
    return proto


@pytest.mark.parametrize("code", _rtm_connect_codes("never"))
def test_an_error_that_retrying_cannot_help_ends_the_session_after_a_hello(code: str) -> None:
    error = ERROR_CLASSES[code](code)
    assert error.retry_helps is False
    proto = _reconnect_then_fail(error)
    assert proto.closed
    assert proto.error is error


@pytest.mark.parametrize("code", [*_rtm_connect_codes("helps"), "user_removed_from_team"])
def test_an_error_that_retrying_can_help_or_an_undocumented_one_is_tried_again(code: str) -> None:
    cls = ERROR_CLASSES.get(code, SlackApiError)
    error = cls(code, method="rtm.connect")
    assert error.retry_helps is (None if cls is SlackApiError else True)
    proto = _reconnect_then_fail(error)
    assert proto.state == "waiting"
    assert kinds(proto.take_events())[-1] is Reconnecting


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


# -- the reconnect_url Slack offers ------------------------------------------------------------


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
        proto.socket_ended(link, 1.5, SocketEnd(too_large=True))
        cause = "a frame over max_inbound_bytes (4194304 bytes) from Slack"
    else:
        proto.tick(4.0)
        cause = "no hello within 3 s"
    assert proto.take_events() == [Reconnecting(cause, 2, 2.0)], "never connected: no Disconnected"


def test_a_frame_too_large_on_a_connected_socket_is_the_first_failure_of_an_outage() -> None:
    proto = backing_off()
    link = connect(proto)
    proto.socket_ended(link, 1.0, SocketEnd(too_large=True))
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
        # Any other Slack error is the server's: an rtm.connect code that is not fatal.
        (RetryPolicy(server_errors=False), SlackApiError("new_code", method="rtm.connect"), False),
        (RetryPolicy(connection_errors=False, rate_limited=False), SlackApiError("x"), True),
        # A rate limit has its own switch, though it is an HTTP error too.
        (RetryPolicy(server_errors=False), rate_limited(3), True),
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
