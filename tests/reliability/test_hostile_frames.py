"""Hostile frames over a real socket, through both drivers: logged, kept or skipped, going on.

The protocol core is fuzzed alone in `tests/fuzz/test_fuzz_session.py`; here the emulator sends
the same kinds of frames on the wire, text and binary, to a sync and an async session. A frame
that is a JSON object with a string ``type`` is delivered (a known type that does not fit as a
`FallbackEvent`); only the others are skipped.
"""

from __future__ import annotations

import json
import logging
import random
import time

import pytest

from slackrtm import events
from slackrtm._generated import events as generated
from slackrtm.emulator import Emulator
from slackrtm.rtm import Lifecycle
from tests.rtm.conftest import GENERAL, Rtm

from .soak import GARBAGE

ENDING = {"goodbye", "team_migration_started", "error", "hello", "reconnect_url"}
"""Frame types that end a connection by design, and ``pong``, which is not delivered."""


def hostile_frames(seed: int) -> list[str | bytes]:
    """Garbage, truncated and wrong-typed frames of every kind, and binary frames."""
    rng = random.Random(seed)
    wrong: list[object] = [{}, [], 5, -1.5, True, None, "x" * 50, {"a": [1, {"b": None}]}]
    frames: list[str | bytes] = list(GARBAGE)
    for kind in sorted(set(generated.EVENT_TYPES) - ENDING - {"pong"}):
        fields = ["ts", "user", "text", "channel", "users", "presence", "subtype", "edited"]
        frame = {"type": kind, **{f: rng.choice(wrong) for f in rng.sample(fields, 4)}}
        text = json.dumps(frame)
        frames.append(text)
        frames.append(text[: rng.randrange(1, len(text))])  # truncated
        frames.append(text.encode())  # the same as a binary frame
    frames.append(bytes(rng.randrange(256) for _ in range(300)))  # binary noise
    frames.append(b"")
    frames.append('{"type": "message", "text": "' + "\\ud800" + '"}')  # a lone surrogate
    rng.shuffle(frames)
    return frames


def _refused(frame: str | bytes) -> bool:
    """Whether `events.decode` refuses the frame (what a session skips)."""
    try:
        events.decode(frame)
    except events.SlackFrameError:
        return True
    return False


def test_hostile_frames_are_kept_or_skipped_by_both_sessions(
    rtm: Rtm, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    rtm.open()
    assert isinstance(rtm.next_event(), events.Hello)
    rtm.next_event()  # Connected
    frames = hostile_frames(seed=11)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="slackrtm"):
        for frame in frames:
            assert emu.send_raw(frame) == 1
        emu.send_event({"type": "message", "channel": GENERAL, "text": "sentinel", "ts": "1.5"})
        _, before = rtm.wait_for(lambda e: getattr(e, "text", None) == "sentinel")
    # Every frame was read, in order, within a bounded time; none ended the connection.
    assert time.monotonic() - started < 10.0
    assert not any(isinstance(e, Lifecycle) for e in before), before
    assert all(isinstance(e, (events.Event, events.Ack)) for e in before)
    skipped = caplog.text.count("skipped a malformed frame")
    assert skipped + len(before) == len(frames), (skipped, len(before), len(frames))
    assert skipped == sum(1 for frame in frames if _refused(frame)) >= len(frames) // 4
    fallbacks = [e for e in before if isinstance(e, events.FallbackEvent)]
    assert len(fallbacks) >= len(frames) // 4
    noted = caplog.text.count("did not fit the schema")  # once per type, at WARNING
    assert noted == len({e.type for e in fallbacks})
    assert emu.counters.connections_total == 1
    # And the session still does its job.
    assert rtm.send_message(text="still here").text == "still here"
