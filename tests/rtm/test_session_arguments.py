"""Both sessions' surface as users of other clients reach for it (issue 19), over loopback.

Each test runs in both forms (``rtm`` is parametrized: sync, async) against the emulator: bad
text refused before any I/O, ``"*"`` handlers and handlers of the wrong shape, every schema
argument a keyword, ``presence_query`` and plain mappings through ``send``.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import pytest

from slackrtm import events
from slackrtm._exceptions import RtmFrameTooLarge
from slackrtm.emulator import Emulator

from .conftest import ALICE, BOB, BOT, GENERAL, Rtm, connected, is_message

# -- text UTF-8 cannot encode ------------------------------------------------------------------

LONE = "caf\udce9"
"""What ``b"caf\\xe9".decode("utf-8", "surrogateescape")`` gives: a lone surrogate at index 3."""


@pytest.mark.parametrize(
    ("method", "args", "name"),
    [
        ("send_message", {"channel": GENERAL, "text": LONE}, "text"),
        ("send_message", {"channel": LONE, "text": "hi"}, "channel"),
        ("send_message", {"channel": GENERAL, "text": "hi", "thread_ts": LONE}, "thread_ts"),
        ("typing", {"channel": LONE}, "channel"),
        ("subscribe_presence", {"user_ids": [ALICE, LONE]}, "each user ID"),
        ("send", {"command": events.MessageCommand(channel=GENERAL, text=LONE)}, "text"),
        ("send", {"command": events.PresenceSubCommand(ids=[ALICE, LONE])}, "ids[1]"),
    ],
)
def test_a_lone_surrogate_is_a_value_error_naming_the_argument_before_any_io(
    rtm: Rtm, emu: Emulator, method: str, args: dict[str, Any], name: str
) -> None:
    connected(rtm)
    before = emu.counters.frames_in
    with pytest.raises(ValueError, match=re.escape(f"{name} holds a lone surrogate")) as info:
        rtm.call(method, **args)
    assert type(info.value) is ValueError, "not a bare UnicodeEncodeError"
    assert str(info.value).startswith(f"{name} holds a lone surrogate ('\\udce9' at index ")
    assert emu.counters.frames_in == before
    assert rtm.send_message(text="caf\u00e9").text == "caf\u00e9", "the session goes on"


# -- handlers as other clients write them ------------------------------------------------------


def test_a_star_handler_gets_every_event_after_the_type_specific_ones(
    rtm: Rtm, emu: Emulator
) -> None:
    session = connected(rtm)
    calls: list[tuple[str, Any]] = []

    def message(event: Any) -> None:
        calls.append(("message", event))
        if event.text == "stop":
            session.close()

    async def message_async(event: Any) -> None:
        calls.append(("message", event))
        if event.text == "stop":
            await session.close()

    session.on("*", lambda event: calls.append(("*", event)))
    session.on("message", message if rtm.kind == "sync" else message_async)
    emu.send_event({"type": "brand_new_event", "x": 1})
    for text in ("one", "stop"):
        emu.send_event({"type": "message", "channel": GENERAL, "ts": "1.0", "text": text})
    rtm.call("run")
    kinds = [(kind, type(event).__name__) for kind, event in calls]
    assert kinds == [
        ("*", "UnknownEvent"),
        ("message", "Message"),
        ("*", "Message"),
        ("message", "Message"),
        ("*", "Message"),
    ]


def test_a_client_and_event_handler_is_refused_when_registered(rtm: Rtm) -> None:
    session = connected(rtm)

    def on_message(client: Any, event: Any) -> None:
        """slack_sdk rtm_v2's handler shape."""

    with pytest.raises(TypeError, match=r"called with one argument, the event; .*on_message"):
        session.on("message", on_message)
    with pytest.raises(TypeError, match="cannot take it"):
        session.on(events.Message)(on_message)
    session.on("message", functools.partial(on_message, session))


# -- every schema argument is a keyword ------------------------------------------------------


def test_send_message_takes_reply_broadcast(rtm: Rtm, alice: Rtm, emu: Emulator) -> None:
    connected(rtm)
    parent = rtm.send_message(text="parent")
    rtm.send_message(text="reply", thread_ts=parent.ts, reply_broadcast=True)
    got, _ = alice.wait_for(lambda e: is_message(e) and e.text == "reply")
    assert (got.thread_ts, got.subtype) == (parent.ts, "thread_broadcast")
    before = emu.counters.frames_in
    with pytest.raises(TypeError, match=r"^reply_broadcast must be a bool, got str$"):
        rtm.send_message(text="reply", thread_ts=parent.ts, reply_broadcast="yes")
    assert emu.counters.frames_in == before


# -- presence_query, and frames the schema does not describe -----------------------------------


@pytest.mark.parametrize("batch", [False, True])
def test_presence_query_is_answered_with_presence_changes(
    rtm: Rtm, emu: Emulator, batch: bool
) -> None:
    connected(rtm, batch_presence_aware=batch)
    emu.set_presence(BOB, "away", manual=False)
    try:
        assert rtm.call("send", events.PresenceQueryCommand(ids=[ALICE, BOB])) is None
        seen: dict[str, str] = {}
        while len(seen) < 2:
            got, _ = rtm.wait_for(lambda e: isinstance(e, events.PresenceChange))
            seen.update(dict.fromkeys(got.users, got.presence))
        assert seen == {ALICE: "active", BOB: "away"}
    finally:
        emu.set_presence(BOB, "active", manual=False)


def test_a_mapping_is_sent_as_it_is_with_the_sessions_id(rtm: Rtm, alice: Rtm) -> None:
    connected(rtm)
    first = rtm.send_message(text="first")
    frame = {"type": "message", "channel": GENERAL, "text": "as it is", "extra": {"k": [1]}}
    assert rtm.call("send", frame) is None
    got, _ = alice.wait_for(lambda e: is_message(e) and e.text == "as it is")
    assert got.user == BOT
    assert rtm.send_message(text="last").reply_to == first.reply_to + 2, "it took an id"
    assert rtm.call("send", {"type": "presence_query", "ids": [ALICE]}) is None
    got, _ = rtm.wait_for(lambda e: isinstance(e, events.PresenceChange))
    assert got.users == (ALICE,)


@pytest.mark.parametrize(
    ("frame", "error", "message"),
    [
        ({"ids": [ALICE]}, TypeError, "a frame's 'type' must be a string, got NoneType"),
        ({"type": 5}, TypeError, "a frame's 'type' must be a string, got int"),
        ({"type": ""}, ValueError, "a frame's 'type' must not be empty"),
        ({"type": "x", "id": 7}, ValueError, "a frame must not carry an 'id'"),
        ({"type": "x", "when": object()}, TypeError, "when must be a JSON value, got object"),
        ({"type": "x", "n": float("nan")}, ValueError, "n must be a finite number, got nan"),
        ({"type": "x", 1: "one"}, TypeError, "a frame's keys must be strings, got 1"),
        ({"type": "x", "t": ["ok", LONE]}, ValueError, "t[1] holds a lone surrogate"),
        (
            {"type": "x", "pad": "x" * 17_000},
            RtmFrameTooLarge,
            "frame of 17028 bytes is over the 16384-byte limit",
        ),
    ],
)
def test_a_bad_mapping_is_refused_before_any_io(
    rtm: Rtm, emu: Emulator, frame: dict[Any, Any], error: type[Exception], message: str
) -> None:
    connected(rtm)
    before = emu.counters.frames_in
    with pytest.raises(error, match=re.escape(message)):
        rtm.call("send", frame)
    assert emu.counters.frames_in == before
    assert rtm.send_message().ts, "the session goes on"
