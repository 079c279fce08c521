"""``rtm.stats`` in both forms, against the emulator over real sockets: the same counts."""

from __future__ import annotations

import threading
import time

import pytest

from slackrtm._exceptions import RtmErrorAck
from slackrtm.emulator import Emulator
from slackrtm.rtm import Connected, RtmOptions, RtmStats
from tests.readme.test_readme import block_with, run

from .conftest import ALICE, BOT, FAST, GENERAL, Rtm, connected, eventually, is_message


def test_stats_count_a_sessions_life(rtm: Rtm, emu: Emulator, alice: Rtm) -> None:
    connected(rtm)
    rtm.send_message(text="one")
    rtm.typing()
    alice.send_message(text="to the bot")
    rtm.wait_for(is_message)
    stats = rtm.session.stats
    assert isinstance(stats, RtmStats)
    assert stats.state == "connected"
    assert (stats.connects, stats.disconnects, stats.failed_attempts) == (1, 0, 0)
    assert (stats.sends, stats.acked, stats.written, stats.failed) == (2, 1, 1, 0)
    assert stats.events_in >= 3, "hello, the ack and alice's message at least"
    assert stats.uptime >= stats.connected_for > 0  # type: ignore[operator]
    assert stats.last_frame_age is not None and stats.last_frame_age < 10

    emu.drop_connections(user_id=BOT)
    rtm.wait_for(lambda e: isinstance(e, Connected) and e.cause != "start")
    after = rtm.session.stats
    assert (after.connects, after.disconnects) == (2, 1)
    (cause,) = after.disconnect_causes
    assert cause == "connection dropped"
    assert after.events_in > stats.events_in


def test_a_ping_round_trip_is_measured_on_a_quiet_socket(rtm: Rtm) -> None:
    connected(rtm)  # FAST: a ping after 0.5 s without a frame
    eventually(lambda: rtm.session.stats.ping_rtt is not None)
    rtt = rtm.session.stats.ping_rtt
    assert rtt is not None and 0 < rtt < 5


def test_a_failed_send_is_counted(rtm: Rtm) -> None:
    connected(rtm)
    with pytest.raises(RtmErrorAck):
        rtm.send_message(channel="C0NOSUCH")
    stats = rtm.session.stats
    assert (stats.sends, stats.acked, stats.failed) == (1, 0, 1)


def test_reading_stats_does_not_wait_for_a_consumer_or_a_session_stuck_reconnecting(
    rtm: Rtm, emu: Emulator
) -> None:
    options = RtmOptions(
        ping_interval=FAST.ping_interval,
        pong_timeout=FAST.pong_timeout,
        send_rate=None,
        max_buffered=5,
        reconnect=FAST.reconnect,
    )
    connected(rtm, options=options)
    for n in range(50):  # more than the buffer: the session stops reading
        emu.send_event({"type": "message", "channel": GENERAL, "user": ALICE, "text": f"{n}"})
    emu.faults.web(n=3, delay=2.0, method="rtm.connect")  # a slow reconnect
    emu.drop_connections(user_id=BOT)
    took: list[float] = []

    def read() -> None:
        for _ in range(20):
            started = time.monotonic()
            rtm.session.stats  # noqa: B018 - reading it is the test
            took.append(time.monotonic() - started)
            time.sleep(0.05)

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(10)
    assert not reader.is_alive()
    assert len(took) == 20
    assert max(took) < 0.5, "a generous bound: reading takes microseconds, never a wait"


def test_the_readme_example_prints_the_stats_in_both_forms(rtm: Rtm) -> None:
    connected(rtm)
    rtm.send_message(text="one")
    printed = run(block_with("s = rtm.stats"), {"rtm": rtm.session})
    assert printed.startswith("connected: ping ")
    assert printed.rstrip().endswith(" in, 1/1 acked")
