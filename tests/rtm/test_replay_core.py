"""The replay core by hand, as a driver drives it: no socket, no thread, a clock passed in.

What both forms share is decided here (tests/rtm/test_replay.py holds the two forms against
the emulator): what is held, merged, dropped as a duplicate, skipped, and when calls are due.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from slackrtm import events
from slackrtm._convert import structure
from slackrtm._generated.models import ConversationsHistoryResponse
from slackrtm._response import SlackResponse
from slackrtm.errors import MissingScope, RateLimited
from slackrtm.rtm import Connected, ReplayOptions, ReplaySkipped
from slackrtm.rtm._replay import HistoryCall, Replay, replay_options, ts_key

LOG = logging.getLogger("test-replay")


def msg(channel: str, ts: str, text: str = "") -> events.Message:
    return events.Message(channel=channel, ts=ts, text=text or ts)


def page(*stamps: str, cursor: str = "") -> Any:
    body = {
        "ok": True,
        "messages": [{"type": "message", "ts": ts, "text": ts} for ts in sorted(stamps)[::-1]],
        "response_metadata": {"next_cursor": cursor},
    }
    return structure(body, ConversationsHistoryResponse)


def started(options: ReplayOptions | None = None, seen: tuple[str, ...] = ("C1",)) -> Replay:
    replay = Replay(options or ReplayOptions(), LOG)
    first = [Connected("start", 1), *(msg(c, "10.000000") for c in seen)]
    assert replay.feed(first, wall=5.0) == first
    return replay


def reconnect(replay: Replay) -> list[object]:
    return replay.feed([Connected("connection dropped", 2)], wall=20.0)


def texts(found: list[object]) -> list[str]:
    return [str(e.text) for e in found if isinstance(e, events.Message)]


def test_a_conversation_is_held_while_its_replay_runs_and_others_are_not() -> None:
    replay = started(seen=("C1", "C2"))
    reconnect(replay)
    assert replay.feed([msg("C1", "13.0", "live1")], wall=21.0) == []
    call = replay.next_call(0.0)
    assert isinstance(call, HistoryCall)
    assert call.arguments["oldest"] == "10.000000"
    # C2 waits for its turn: its live messages wait too.
    assert replay.feed([msg("C2", "14.0", "c2")], wall=21.0) == []
    found = replay.answered(call, page("11.0", "12.0"), None, 0.0)
    assert [(m.text, m.replayed) for m in found] == [  # type: ignore[attr-defined]
        ("11.0", True),
        ("12.0", True),
        ("live1", False),
    ]
    assert replay.newest["C1"] == "13.0"


def test_a_message_that_comes_both_live_and_from_history_comes_once_the_live_copy() -> None:
    replay = started()
    reconnect(replay)
    replay.feed([msg("C1", "12.0", "live")], wall=21.0)
    call = replay.next_call(0.0)
    assert call is not None
    found = replay.answered(call, page("11.0", "12.0"), None, 0.0)
    assert texts(found) == ["11.0", "live"]
    # A late live copy of a replayed message is a duplicate too.
    assert replay.feed([msg("C1", "11.0", "late")], wall=22.0) == []
    assert texts(replay.feed([msg("C1", "15.0", "next")], wall=22.0)) == ["next"]


def test_history_pages_are_followed_and_sorted_by_ts_not_by_text() -> None:
    replay = started()
    reconnect(replay)
    call = replay.next_call(0.0)
    assert call is not None
    assert replay.answered(call, page("99.0", "100.0", cursor="next"), None, 0.0) == []
    call = replay.next_call(0.0)
    assert call is not None and call.arguments["cursor"] == "next"
    assert texts(replay.answered(call, page("11.0", "9.5"), None, 0.0)) == ["11.0", "99.0", "100.0"]


def test_a_reconnect_during_a_replay_runs_it_again_from_what_it_delivered() -> None:
    replay = started()
    reconnect(replay)
    call = replay.next_call(0.0)
    assert call is not None
    reconnect(replay)
    replay.answered(call, page("11.0"), None, 0.0)
    again = replay.next_call(0.0)
    assert again is not None and again.arguments["oldest"] == "11.0"


def test_past_max_conversations_a_notice_from_each_ones_newest_ts() -> None:
    replay = Replay(ReplayOptions(max_conversations=1), LOG)
    replay.feed([Connected("start", 1), msg("C1", "10.0"), msg("C2", "12.0")], wall=5.0)
    notices = [e for e in reconnect(replay) if isinstance(e, ReplaySkipped)]
    assert notices == [ReplaySkipped("C1", "10.0", None, "over 1 conversations this reconnect")]


def test_past_the_held_bound_the_replay_gives_up_and_the_live_messages_go() -> None:
    replay = started(ReplayOptions(max_messages=2))
    reconnect(replay)
    assert replay.feed([msg("C1", "11.0"), msg("C1", "12.0")], wall=21.0) == []
    found = replay.feed([msg("C1", "13.0")], wall=21.0)
    assert isinstance(found[0], ReplaySkipped) and "held" in found[0].reason
    assert texts(found) == ["11.0", "12.0", "13.0"]
    assert not replay.busy


def test_a_listed_conversation_never_seen_is_replayed_from_the_first_hello() -> None:
    replay = started(ReplayOptions(conversations=["C9"]), seen=())
    reconnect(replay)
    call = replay.next_call(0.0)
    assert call is not None and call.arguments == {
        "channel": "C9",
        "oldest": "5.000000",
        "limit": 200,
    }


def test_calls_share_one_bucket_and_a_429_stops_them_until_retry_after() -> None:
    replay = started(ReplayOptions(burst=1, rate=1.0), seen=("C1", "C2"))
    reconnect(replay)
    call = replay.next_call(0.0)
    assert call is not None
    assert replay.next_call(0.0) is None  # one in flight
    error = RateLimited(
        retry_after=3.0, response=SlackResponse(status=429), method="conversations.history"
    )
    replay.answered(call, None, error, 0.0)
    assert replay.next_deadline() == 3.0
    assert replay.next_call(2.9) is None
    again = replay.next_call(3.0)
    assert again is not None and again.channel == call.channel


def test_a_refused_conversation_warns_once_and_is_not_asked_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    replay = started()
    reconnect(replay)
    call = replay.next_call(0.0)
    assert call is not None
    error = MissingScope(error="missing_scope", method="conversations.history")
    with caplog.at_level(logging.WARNING):
        assert replay.answered(call, None, error, 0.0) == []
        reconnect(replay)
    assert replay.next_call(100.0) is None
    assert [r.getMessage() for r in caplog.records] == [
        "RTM: replay of conversation C1 refused (missing_scope); not replayed in this session"
    ]


def test_ts_order_is_numeric() -> None:
    assert sorted(["10.000001", "9.5", "9.400000"], key=ts_key) == ["9.400000", "9.5", "10.000001"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(False, None), (None, None), (True, ReplayOptions()), (ReplayOptions(burst=2), None)],
)
def test_the_replay_argument(value: object, expected: ReplayOptions | None) -> None:
    result = replay_options(value)
    assert result == (value if isinstance(value, ReplayOptions) else expected)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_messages": 0}, ValueError),
        ({"max_conversations": True}, TypeError),
        ({"rate": 0}, ValueError),
        ({"conversations": "C1"}, TypeError),
    ],
)
def test_bad_replay_options_are_refused(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        ReplayOptions(**kwargs)
