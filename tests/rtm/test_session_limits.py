"""Both RTM sessions at what they refuse.

An inbound frame over `max_inbound_bytes`, a ``reconnect_url`` that fails the rule of
``rtm.connect``'s URL, a write that fails.

Each test runs twice (``rtm`` is parametrized: sync, async), with the same assertions and the
same cause strings: the core decides the words, each driver only maps its library's report.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import aiohttp
import attrs
import pytest
import websockets.exceptions

from slackrtm import Client, SlackConnectionError, events
from slackrtm._exceptions import RtmConnectionLost
from slackrtm.emulator import Emulator
from slackrtm.rtm import Connected, Disconnected, Lifecycle, Reconnecting
from slackrtm.rtm._reconnect import FIRST_CONNECT_ATTEMPTS

from .conftest import BOT, FAST, GENERAL, Rtm, connected, is_message

CAP = 64 * 1024
TOO_LARGE = f"a frame over max_inbound_bytes ({CAP} bytes) from Slack"


def rtm_connects(emu: Emulator) -> int:
    return sum(1 for r in emu.requests if r.path == "/api/rtm.connect")


def lifecycle(seen: list[Any]) -> list[Any]:
    return [e for e in seen if isinstance(e, Lifecycle)]


# -- max_inbound_bytes -------------------------------------------------------------------------


def message_of(size: int) -> str:
    """A ``message`` event of exactly `size` bytes."""
    frame = {"type": "message", "channel": GENERAL, "ts": "1.0", "text": ""}
    frame["text"] = "a" * (size - len(json.dumps(frame)))
    return json.dumps(frame)


def test_a_frame_over_max_inbound_bytes_closes_the_socket_and_the_session_reconnects(
    rtm: Rtm, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    connected(rtm, options=attrs.evolve(FAST, max_inbound_bytes=CAP))
    at_cap = message_of(CAP)
    assert len(at_cap.encode()) == CAP
    with caplog.at_level(logging.WARNING, logger="slackrtm"):
        emu.send_raw(at_cap, user_id=BOT)
        got, _ = rtm.wait_for(is_message)
        assert len(got.text) > CAP - 100, "a frame of exactly the cap is read, in both forms"
        emu.send_raw("x" * (CAP + 1), user_id=BOT)
        hello, seen = rtm.wait_for(lambda e: isinstance(e, Connected))
    assert hello == Connected(TOO_LARGE, 2)
    assert lifecycle(seen)[0] == Disconnected(TOO_LARGE)
    assert isinstance(lifecycle(seen)[1], Reconnecting)
    assert lifecycle(seen)[1].cause == TOO_LARGE
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"RTM: {TOO_LARGE}; reconnecting"]
    assert rtm.send_message(text="still here").ts
    assert rtm.session.state == "connected"


def test_a_1009_close_from_slack_is_slacks_close_not_the_inbound_cap(
    rtm: Rtm, emu: Emulator
) -> None:
    # Slack closes with 1009 when *we* sent too much; websockets echoes the code, and that
    # echo must not read as our own refusal of an inbound frame.
    connected(rtm, options=attrs.evolve(FAST, max_inbound_bytes=CAP))
    emu.close_connections(1009, user_id=BOT)
    hello, seen = rtm.wait_for(lambda e: isinstance(e, Connected))
    assert lifecycle(seen)[0] == Disconnected("closed by Slack (code 1009)")
    assert hello == Connected("closed by Slack (code 1009)", 2)


# -- reconnect_url -----------------------------------------------------------------------------


def test_a_reconnect_url_in_clear_text_to_a_remote_host_is_never_opened(
    rtm: Rtm, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    connected(rtm)
    before = rtm_connects(emu)
    with caplog.at_level(logging.DEBUG):
        emu.send_event({"type": "reconnect_url", "url": "ws://example.com/websocket/x"}, BOT)
        emu.send_goodbye(BOT)
        hello, seen = rtm.wait_for(lambda e: isinstance(e, Connected))
    assert hello == Connected("goodbye", 2)
    # One attempt, by rtm.connect: no socket to example.com failed first.
    assert [type(e) for e in lifecycle(seen)] == [Disconnected, Reconnecting]
    assert rtm_connects(emu) == before + 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "RTM: ignored a reconnect_url from Slack (ws:// (unencrypted) on a host that is not "
        "loopback, and allow_insecure is off); the next reconnect calls rtm.connect"
    ]
    assert "example.com" not in caplog.text, "the URL (its ticket) is never logged"
    assert rtm.send_message().ts


def test_a_loopback_reconnect_url_is_used_instead_of_rtm_connect(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    with Client(token=emu.bot_token, base_url=emu.base_url) as other:
        url = other.rtm_connect().url  # a fresh socket URL of the emulator's: ws:// on loopback
    assert url.startswith("ws://127.0.0.1:")
    before = rtm_connects(emu)
    emu.send_event({"type": "reconnect_url", "url": url}, BOT)
    emu.send_goodbye(BOT)
    hello, seen = rtm.wait_for(lambda e: isinstance(e, Connected))
    assert hello == Connected("goodbye", 2)
    assert [type(e) for e in lifecycle(seen)] == [Disconnected, Reconnecting]
    assert rtm_connects(emu) == before, "the reconnect_url was opened, not a new rtm.connect"
    assert rtm.send_message().ts


# -- a write that fails ------------------------------------------------------------------------


def break_writes(rtm: Rtm) -> None:
    """Make every write on the session's socket fail, as its library reports a closing socket.

    The emulator cannot fail a write on cue: a real failure races with the reader noticing.
    """
    ws = rtm.session._sockets.current
    assert ws is not None
    if rtm.kind == "sync":

        def send(*args: Any, **kwargs: Any) -> None:
            raise websockets.exceptions.ConnectionClosedError(None, None)

        ws.send = send
    else:

        async def send_str(*args: Any, **kwargs: Any) -> None:
            raise aiohttp.ClientConnectionResetError("Cannot write to closing transport")

        ws.send_str = send_str


@pytest.mark.parametrize(
    ("method", "args"),
    [("typing", {"channel": GENERAL}), ("subscribe_presence", {"user_ids": ["U0EMU0001"]})],
)
def test_a_send_without_an_ack_whose_write_fails_raises_connection_lost(
    rtm: Rtm, method: str, args: dict[str, Any]
) -> None:
    connected(rtm)
    break_writes(rtm)
    with pytest.raises(RtmConnectionLost) as info:
        rtm.call(method, **args)
    assert info.value.cause == "the socket failed as the frame was written"


def test_a_message_whose_write_fails_raises_connection_lost_at_once(rtm: Rtm) -> None:
    connected(rtm)
    break_writes(rtm)
    with pytest.raises(RtmConnectionLost) as info:
        rtm.send_message(timeout=30.0)  # not its timeout: the failed write
    assert info.value.cause == "the socket failed as the frame was written"


def test_after_a_failed_write_the_next_socket_takes_sends_again(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    break_writes(rtm)
    with pytest.raises(RtmConnectionLost):
        rtm.typing()
    emu.close_connections(1001, user_id=BOT)
    hello, _ = rtm.wait_for(lambda e: isinstance(e, Connected))
    assert hello == Connected("closed by Slack (code 1001)", 2)
    assert rtm.typing() is None
    assert rtm.call("send", events.TypingCommand(channel=GENERAL)) is None


# -- a first connection that cannot be made ------------------------------------------------------


def test_a_socket_that_cannot_be_opened_fails_connect_after_a_few_attempts(
    rtm: Rtm, emu: Emulator
) -> None:
    # rtm.connect works, but every socket URL it gives points at a closed port.
    emu.faults.web(n=10, extra_fields={"url": "ws://127.0.0.1:1/websocket/x"}, method="rtm.connect")
    started = time.monotonic()
    with pytest.raises(SlackConnectionError) as caught:
        rtm.open(options=None)  # the default policy would retry for an hour after a hello
    assert time.monotonic() - started < 10.0
    assert rtm_connects(emu) == FIRST_CONNECT_ATTEMPTS
    assert str(caught.value) == "RTM socket: handshake failed (connection refused)"
    assert rtm.session.state == "closed"


def test_after_a_hello_the_same_failures_are_retried_by_the_policy(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    emu.faults.web(
        n=FIRST_CONNECT_ATTEMPTS + 1,
        extra_fields={"url": "ws://127.0.0.1:1/websocket/x"},
        method="rtm.connect",
    )
    emu.drop_connections()
    hello, _ = rtm.wait_for(lambda e: isinstance(e, Connected), timeout=20)
    assert hello.connects == 2
    assert rtm_connects(emu) == 1 + (FIRST_CONNECT_ATTEMPTS + 1) + 1  # before, faulted, good


# -- nesting: a property of the frame, not of the reader's stack --------------------------------


def depth(value: Any) -> int:
    """How deeply lists nest in `value`, walked without recursion."""
    levels = 0
    while isinstance(value, list):
        levels += 1
        value = value[0] if value else None
    return levels


def test_a_deep_frame_reads_the_same_from_either_forms_stack(rtm: Rtm, emu: Emulator) -> None:
    # The async form decodes deep inside its event loop, the sync one in a shallow thread; a
    # frame 990 levels deep is read by both, and one too deep for any stack by neither.
    connected(rtm, options=FAST)
    nested = "[" * 990 + "]" * 990
    frame = f'{{"type":"message","channel":"{GENERAL}","ts":"1.0","text":"deep","deep":{nested}}}'
    emu.send_raw(frame, user_id=BOT)
    got, _ = rtm.wait_for(is_message)
    assert got.text == "deep"
    assert depth(got.extra["deep"]) == 990
    emu.send_raw('{"type":"message","deep":' + "[" * 50_000 + "]" * 50_000 + "}", user_id=BOT)
    emu.send_raw(f'{{"type":"message","channel":"{GENERAL}","ts":"2.0","text":"after"}}')
    got, _ = rtm.wait_for(is_message)
    assert got.text == "after", "the frame too deep for any stack is skipped, and reading goes on"
