"""No frame dropped for its shape: both sessions deliver a frame off the schema as a fallback.

Each test runs twice (``rtm`` is parametrized: sync, async), against the emulator over real
sockets on loopback. A JSON object with a string ``type`` that its class cannot read reaches the
user as `events.FallbackEvent` (its raw dict, the wire path and the reason), with one WARNING
per type per session; only frames that are not objects, or have no string ``type``, are skipped.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from slackrtm import events
from slackrtm.emulator import Emulator
from slackrtm.rtm import Lifecycle

from .conftest import Rtm, connected

# Slack's own samples that the schema refuses: team_join's user without an id (slack-api-docs),
# channel_joined's channel empty (java-slack-sdk's fixture).
TEAM_JOIN = {"type": "team_join", "user": {}}
CHANNEL_JOINED = {"type": "channel_joined", "channel": {}}


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "did not fit the schema" in r.getMessage()
    ]


def test_a_frame_off_the_schema_reaches_the_user_whole_with_one_warning_per_type(
    rtm: Rtm, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    connected(rtm)
    with caplog.at_level(logging.DEBUG, logger="slackrtm"):
        emu.send_event(TEAM_JOIN)
        emu.send_event({**TEAM_JOIN, "n": 2})
        emu.send_event(CHANNEL_JOINED)
        emu.send_event({"type": "message", "ts": "1.0", "text": "after"})
        last, before = rtm.wait_for(lambda e: isinstance(e, events.Message))
    delivered = [e for e in [*before, last] if not isinstance(e, Lifecycle)]
    assert [type(e) for e in delivered] == [
        events.FallbackEvent,
        events.FallbackEvent,
        events.FallbackEvent,
        events.Message,
    ]
    first, second, joined, _ = delivered
    assert isinstance(first, events.FallbackEvent) and isinstance(second, events.FallbackEvent)
    assert isinstance(joined, events.FallbackEvent)
    assert first.raw == TEAM_JOIN and second.raw == {**TEAM_JOIN, "n": 2}
    assert (first.type, first.path, first.reason) == (
        "team_join",
        "user.id",
        "required field is missing",
    )
    assert (joined.type, joined.path) == ("channel_joined", "channel.id")
    warnings = _warnings(caplog)
    assert len(warnings) == 2  # one per type, whatever the number of frames
    assert (
        "type team_join did not fit the schema (at user.id: required field is missing)"
        in (warnings[0])
    )
    assert "channel_joined" in warnings[1]
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("type team_join did not fit" in r.getMessage() for r in debug)


def test_a_handler_of_unknown_events_receives_the_fallback_and_the_class_handler_does_not(
    rtm: Rtm, emu: Emulator
) -> None:
    session = connected(rtm)
    seen: dict[str, list[object]] = {"unknown": [], "team_join": [], "wire": []}
    session.on(events.UnknownEvent, seen["unknown"].append)
    session.on(events.TeamJoin, seen["team_join"].append)
    session.on("team_join", seen["wire"].append)
    if rtm.kind == "sync":
        session.on("message", lambda event: session.close())
    else:

        async def stop(event: Any) -> None:
            await session.close()

        session.on("message", stop)
    emu.send_event(TEAM_JOIN)
    emu.send_event({"type": "team_join", "user": {"id": "U9"}})
    emu.send_event({"type": "message", "ts": "1.0", "text": "stop"})
    rtm.call("run")
    assert [type(e) for e in seen["unknown"]] == [events.FallbackEvent]
    assert [type(e) for e in seen["team_join"]] == [events.TeamJoin]
    assert [type(e) for e in seen["wire"]] == [events.FallbackEvent, events.TeamJoin]
