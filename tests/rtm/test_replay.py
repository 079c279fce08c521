"""Replay (``client.rtm(replay=...)``), in both forms, against the emulator's outage fault.

Each test runs twice (``rtm`` is parametrized: sync, async), over real sockets on loopback. The
emulator here has a third channel the bot is in, so that three conversations are replayed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from slackrtm import RetryPolicy, events
from slackrtm.emulator import EmulatedWorkspace, Emulator, Limits
from slackrtm.rtm import Connected, ReplayOptions, ReplaySkipped
from tests.readme.test_readme import BLOCKS, exported_environment, run

from .conftest import BOT, GENERAL, RANDOM, Rtm, connected, rtm_threads

THIRD = "C0EMU0003"
CHANNELS = (GENERAL, RANDOM, THIRD)
OUTAGE = 1.0


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[Emulator]:
    workspace = EmulatedWorkspace.default()
    workspace.add_channel(THIRD, name="third", team_id="T0EMU0001", members=[BOT])
    with Emulator(workspace, limits=Limits(web_rate_limit=None)) as emu:
        yield emu


def _reconnected(event: Any) -> bool:
    return isinstance(event, Connected) and event.cause != "start"


def _collect(rtm: Rtm, texts: set[str], quiet: float = 0.5, timeout: float = 20.0) -> list[Any]:
    """Events until every text in `texts` came, then `quiet` seconds more (to see any duplicate)."""
    got: list[Any] = []
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while not texts <= seen:
        left = deadline - time.monotonic()
        assert left > 0, f"missing {sorted(texts - seen)}"
        event = rtm.next_event(left)
        got.append(event)
        if isinstance(event, events.Message) and event.text is not None:
            seen.add(event.text)
    end = time.monotonic() + quiet
    while (left := end - time.monotonic()) > 0:
        try:
            got.append(rtm.next_event(left))
        except TimeoutError:
            break
    return got


def _outage(
    rtm: Rtm, emu: Emulator, tag: str, per_channel: int = 3, before: dict[str, str] | None = None
) -> set[str]:
    """Messages before (read live), during an outage, and after the reconnect: their texts.

    `before` gets the ts of each channel's message from before the outage.
    """
    texts = set()
    for channel in CHANNELS:
        ts = emu.post_message(channel, f"{tag} before {channel}")
        texts.add(f"{tag} before {channel}")
        if before is not None:
            before[channel] = ts
    _collect(rtm, set(texts), quiet=0.0)
    emu.outage(OUTAGE)
    for i in range(per_channel):
        for channel in CHANNELS:
            emu.post_message(channel, f"{tag} during {channel} {i}")
            texts.add(f"{tag} during {channel} {i}")
    rtm.wait_for(_reconnected, timeout=20.0)
    for channel in CHANNELS:
        emu.post_message(channel, f"{tag} after {channel}")
        texts.add(f"{tag} after {channel}")
    return texts


def _messages(got: list[Any]) -> list[Any]:
    return [e for e in got if isinstance(e, events.Message)]


def test_messages_of_an_outage_come_once_each_in_ts_order_the_missed_ones_marked(
    rtm: Rtm, emu: Emulator
) -> None:
    connected(rtm, replay=True)
    texts = _outage(rtm, emu, "a")
    got = _messages(_collect(rtm, {t for t in texts if "before" not in t}))
    later = [m for m in got if "before" not in str(m.text)]
    assert sorted(str(m.text) for m in later) == sorted(t for t in texts if "before" not in t)
    for channel in CHANNELS:
        stamps = [m.ts for m in later if m.channel == channel]
        assert stamps == sorted(stamps, key=lambda ts: tuple(map(int, ts.split(".")))), channel
        assert len(stamps) == 4
    for message in later:
        if " during " in str(message.text):
            assert message.replayed is True, message
    history = [r for r in emu.requests if r.path == "/api/conversations.history"]
    assert sorted(r.args["channel"] for r in history) == sorted(CHANNELS)
    marked = [m for m in got if m.replayed]
    assert rtm.session.stats.replayed == len(marked) > 0


def test_without_replay_what_was_posted_during_the_outage_is_never_seen(
    rtm: Rtm, emu: Emulator
) -> None:
    connected(rtm)
    texts = _outage(rtm, emu, "b")
    got = _messages(_collect(rtm, {t for t in texts if " after " in t}))
    assert not [m for m in got if " during " in str(m.text)]
    assert not [r for r in emu.requests if r.path == "/api/conversations.history"]
    assert rtm.session.stats.replayed == 0


def test_over_max_conversations_the_rest_get_a_notice_from_their_newest_ts(
    rtm: Rtm, emu: Emulator
) -> None:
    connected(rtm, replay=ReplayOptions(max_conversations=1))
    before: dict[str, str] = {}
    texts = _outage(rtm, emu, "c", per_channel=1, before=before)
    got = _collect(rtm, {t for t in texts if " after " in t})
    skipped = [e for e in got if isinstance(e, ReplaySkipped)]
    assert len(skipped) == 2
    assert all(s.latest is None and "over 1 conversations" in s.reason for s in skipped)
    replayed = [m for m in _messages(got) if m.replayed]
    assert len({m.channel for m in replayed}) == 1
    assert not {s.channel for s in skipped} & {m.channel for m in replayed}
    # From the newest ts delivered there: the "before" message's.
    for notice in skipped:
        assert notice.oldest == before[notice.channel]


def test_over_max_messages_the_newest_come_and_a_notice_names_the_gap(
    rtm: Rtm, emu: Emulator
) -> None:
    options = ReplayOptions(conversations=[GENERAL], max_messages=2, page_size=1)
    connected(rtm, replay=options)
    emu.post_message(GENERAL, "d before")
    _collect(rtm, {"d before"}, quiet=0.0)
    emu.outage(OUTAGE)
    for i in range(5):
        emu.post_message(GENERAL, f"d during {i}")
    rtm.wait_for(_reconnected, timeout=20.0)
    emu.post_message(GENERAL, "d after")
    got = _collect(rtm, {"d after"})
    later = _messages(got)
    # The two newest in history when the replay ran ("d after" may be among them: it is
    # posted as the session reconnects), then the live ones, each once, in ts order.
    order = [f"d during {i}" for i in range(5)] + ["d after"]
    texts = [m.text for m in later]
    assert len(texts) in (2, 3) and texts == order[-len(texts) :], texts
    assert later[0].replayed
    (notice,) = [e for e in got if isinstance(e, ReplaySkipped)]
    assert notice.channel == GENERAL
    assert notice.latest == later[0].ts
    assert "over 2 messages" in notice.reason
    assert got.index(notice) < got.index(later[0])


@pytest.mark.parametrize("code", ["missing_scope", "not_in_channel"])
def test_a_refused_conversation_gives_one_warning_naming_it_and_the_session_goes_on(
    rtm: Rtm, emu: Emulator, caplog: pytest.LogCaptureFixture, code: str
) -> None:
    caplog.set_level(logging.WARNING, logger="slackrtm")
    emu.faults.web(n=10, error=code, method="conversations.history")
    connected(rtm, replay=ReplayOptions(conversations=[RANDOM]))
    for round_ in range(2):
        emu.outage(0.2)
        emu.post_message(RANDOM, f"e missed {code} {round_}")
        rtm.wait_for(_reconnected, timeout=20.0)
        emu.post_message(RANDOM, f"e live {code} {round_}")
        got = _messages(_collect(rtm, {f"e live {code} {round_}"}))
        assert [m.text for m in got] == [f"e live {code} {round_}"]
    warnings = [r.getMessage() for r in caplog.records if "replay" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert RANDOM in warnings[0] and code in warnings[0]
    history = [r for r in emu.requests if r.path == "/api/conversations.history"]
    assert len(history) == 1, "a refused conversation is not asked for again"


def test_a_rate_limited_history_call_waits_its_retry_after(rtm: Rtm, emu: Emulator) -> None:
    # The client's own retries off: the session sees the 429 and waits itself.
    connected(
        rtm,
        replay=ReplayOptions(conversations=[GENERAL]),
        client_options={"retry": RetryPolicy(max_retries=0)},
    )
    emu.faults.web(status=429, retry_after=1, method="conversations.history")
    emu.outage(0.2)
    emu.post_message(GENERAL, "f during")
    rtm.wait_for(_reconnected, timeout=20.0)
    got = _messages(_collect(rtm, {"f during"}, quiet=0.0))
    assert [(m.text, m.replayed) for m in got] == [("f during", True)]
    history = [r for r in emu.requests if r.path == "/api/conversations.history"]
    assert len(history) == 2
    assert history[1].at - history[0].at >= 1.0  # Retry-After: 1 s, honoured before the retry


def test_replay_must_be_a_bool_or_replay_options(rtm: Rtm) -> None:
    with pytest.raises(TypeError, match="replay must be a bool or a ReplayOptions"):
        rtm.open(replay="yes")


def test_the_readme_replay_example_runs_unchanged(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    (code,) = [b for b in BLOCKS if "client.rtm(replay=ReplayOptions(max_messages=500))" in b]
    exported_environment(emu, monkeypatch)

    def traffic() -> None:
        # Once the example is connected: a live message, an outage with one posted meanwhile,
        # and once it is back, "bye".
        while emu.counters.connections_open < 1:
            time.sleep(0.01)
        total = emu.counters.connections_total
        emu.post_message(GENERAL, "seen live")
        time.sleep(0.5)
        emu.outage(0.5)
        emu.post_message(GENERAL, "posted while away")
        while emu.counters.connections_total == total or emu.counters.connections_open < 1:
            time.sleep(0.01)
        # After the replay has read history: "bye" comes live (else it would be replayed).
        while not [r for r in emu.requests if r.path == "/api/conversations.history"]:
            time.sleep(0.01)
        emu.post_message(GENERAL, "bye")

    poster = threading.Thread(target=traffic)
    poster.start()
    printed = run(code)
    poster.join()
    assert printed.splitlines() == ["missed while away: posted while away"]
    assert rtm_threads() == []


def test_a_slow_history_call_holds_only_its_conversation_and_never_the_keepalive(
    rtm: Rtm, emu: Emulator
) -> None:
    # FAST: a stall is found within 1 s, so a keepalive held up by the 2 s call would show.
    connected(rtm, replay=ReplayOptions(conversations=[GENERAL]))
    emu.post_message(GENERAL, "g before")
    _collect(rtm, {"g before"}, quiet=0.0)
    emu.faults.web(delay=2.0, method="conversations.history")
    emu.outage(0.2)
    emu.post_message(GENERAL, "g during")
    rtm.wait_for(_reconnected, timeout=20.0)
    emu.post_message(RANDOM, "r live")
    emu.post_message(GENERAL, "g live")
    got = _collect(rtm, {"g during", "g live", "r live"})
    texts = [m.text for m in _messages(got)]
    assert texts.index("r live") < texts.index("g during") < texts.index("g live"), texts
    assert not [e for e in got if isinstance(e, Connected)], "no reconnect during the call"
