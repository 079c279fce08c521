"""How frames reach the core, in both forms: whole frames, fragmented ones, text that is not UTF-8.

The sync session hands each whole frame to the core in websockets' own reading thread
(`_ws_sync._Fed`); a fragmented message, or a text frame that is not UTF-8, turns its socket
over to the library's assembler and ``recv`` for good. These tests hold that nothing a user
sees depends on the way: the order of events across the change, acks after it, and the end of
a socket that sent text that is not UTF-8 (the async session reads through aiohttp, which
assembles every message itself).
"""

from __future__ import annotations

import json
import time
from typing import Any

import attrs
import pytest

from slackrtm import events
from slackrtm.rtm import Connected, Disconnected, _sync_reader, _ws_sync

from .conftest import FAST
from .hostile_ws import HostileSlack, Peer
from .test_session_hostile import against

QUIET = attrs.evolve(FAST, ping_interval=60.0, pong_timeout=60.0, hello_timeout=30.0)


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _message(text: str, n: int) -> str:
    ts = f"1.{n:06d}"
    return json.dumps({"type": "message", "channel": "C1", "user": "U1", "text": text, "ts": ts})


def _texts(rtm: Any, n: int) -> list[str | None]:
    out: list[str | None] = []
    while len(out) < n:
        event = rtm.next_event()
        if isinstance(event, events.Message):
            out.append(event.text)
    return out


def _burst_with_a_fragmented_message(peer: Peer, _number: int) -> None:
    peer.hello()
    for i in range(40):
        peer.send_text(_message(f"a{i}", i))
    peer.send_fragments(_message("in three frames", 40), parts=3)
    for i in range(40):
        peer.send_text(_message(f"b{i}", 41 + i))
    peer.serve_acks()


def test_a_fragmented_message_amid_a_burst_keeps_its_place_and_acks_come_after_it(
    kind: str,
) -> None:
    with HostileSlack(_burst_with_a_fragmented_message) as server:
        rtm = against(kind, server)
        try:
            rtm.open(options=QUIET)
            rtm.wait_for(lambda e: isinstance(e, Connected))
            got = _texts(rtm, 81)
            if kind == "sync":
                ws = rtm.session._sockets.current  # fed until the fragments, then assembled
                assert ws.feed is not None and ws.assembling
            expected = [f"a{i}" for i in range(40)] + ["in three frames"]
            assert got == expected + [f"b{i}" for i in range(40)]
            # Frames now come through the other way (the sync form's assembler): acks too.
            assert [rtm.send_message(text=f"s{i}").text for i in range(3)] == ["s0", "s1", "s2"]
        finally:
            rtm.finish()


def _text_not_utf8_then_well(peer: Peer, number: int) -> None:
    peer.hello()
    if number == 1:
        peer.send_text(_message("before", 1))
        peer.send_bytes(0x1, b'{"type": "message", "text": "\xff"}')
        peer.send_text(_message("never", 2))
        peer.answer_close()
    else:
        peer.serve_acks()


def _burst(peer: Peer, _number: int) -> None:
    peer.hello()
    for i in range(300):
        peer.send_text(_message(f"m{i}", i))
    peer.serve_acks()


def test_whole_frames_are_fed_in_order_from_the_librarys_thread(kind: str) -> None:
    with HostileSlack(_burst) as server:
        rtm = against(kind, server)
        try:
            rtm.open(options=QUIET)
            rtm.wait_for(lambda e: isinstance(e, Connected))
            assert _texts(rtm, 300) == [f"m{i}" for i in range(300)]
            assert rtm.send_message(text="acked").text == "acked"
            if kind == "sync":
                ws = rtm.session._sockets.current  # none went through the assembler
                assert ws.feed is not None and not ws.assembling
                assert ws.recv_messages.frames.empty()
        finally:
            rtm.finish()


def test_text_that_is_not_utf8_ends_its_socket_after_the_frames_before_it(kind: str) -> None:
    with HostileSlack(_text_not_utf8_then_well) as server:
        rtm = against(kind, server)
        try:
            rtm.open(options=QUIET)
            rtm.wait_for(lambda e: isinstance(e, Connected))
            assert _texts(rtm, 1) == ["before"]
            lost, seen = rtm.wait_for(lambda e: isinstance(e, Disconnected), skip_lifecycle=True)
            assert seen == []
            assert lost.cause == "connection dropped"  # websockets closed it (1007), as before
            rtm.wait_for(lambda e: isinstance(e, Connected))
            assert rtm.send_message(text="again").text == "again"
        finally:
            rtm.finish()


def test_a_burst_beyond_what_a_socket_holds_before_it_is_read_comes_whole_and_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sync form: frames that came before the socket was the core's, more than it holds.

    Those held come first, then the rest through the library's assembler, in order.
    """
    monkeypatch.setattr(_ws_sync, "_HELD", 5)
    start_feeding = _ws_sync.start_feeding

    def late(ws: Any, feed: Any) -> Any:
        time.sleep(0.3)  # the burst comes meanwhile
        return start_feeding(ws, feed)

    monkeypatch.setattr(_sync_reader, "start_feeding", late)
    with HostileSlack(_burst) as server:
        rtm = against("sync", server)
        try:
            rtm.open(options=QUIET)
            rtm.wait_for(lambda e: isinstance(e, Connected))
            assert _texts(rtm, 300) == [f"m{i}" for i in range(300)]
            assert rtm.send_message(text="acked").text == "acked"
            assert rtm.session._sockets.current.assembling
        finally:
            rtm.finish()
