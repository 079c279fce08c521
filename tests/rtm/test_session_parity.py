"""The twin sessions side by side: each hostile server against both forms, the whole story equal.

Each row is one server (`hostile_ws.HostileSlack`) and what its sockets do. The sync session
runs against it, then the async one against a fresh server of the same row, and the test
compares everything the user is told: every `Disconnected` and `Reconnecting` cause (and
attempt), every `Connected` cause, then the class and text of the error that ends the session
and of its cause. Substrings or classes alone would let two different stories pass.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import attrs
import pytest

from slackrtm import RetryPolicy
from slackrtm.rtm import Connected, Disconnected, Reconnecting, RtmOptions

from .conftest import FAST, Rtm
from .hostile_ws import REFUSE, SILENT, TOKEN, HostileSlack, Peer

OPTIONS = attrs.evolve(
    FAST,
    ping_interval=30.0,
    pong_timeout=30.0,
    hello_timeout=0.5,
    connect_timeout=0.5,
    write_timeout=0.5,
    max_inbound_bytes=1000,
    reconnect=RetryPolicy(max_retries=2, max_total=60.0, backoff_base=0.01, backoff_max=0.05),
)
"""Quick to give up: two retries, short waits, half a second for hello and the handshake."""

STORY_WAIT = 30.0


def each_socket(act: Callable[[Peer], None]) -> Callable[[Peer, int], None]:
    """Every socket says hello, then does `act`."""

    def script(peer: Peer, _number: int) -> None:
        peer.hello()
        act(peer)

    return script


def first_then(act: Callable[[Peer], None]) -> Callable[[Peer, int], None]:
    """The first socket says hello, then aborts; later sockets do `act` (no hello)."""

    def script(peer: Peer, number: int) -> None:
        if number == 1:
            peer.hello()
            peer.abort()
        else:
            act(peer)

    return script


def first_only(how: str) -> Callable[[int], str]:
    """The handshake: accepted for the first socket, `how` for the others."""
    return lambda number: "101" if number == 1 else how


def _bad_json(peer: Peer) -> None:
    peer.send_text("{not json")
    peer.close(4000)


def _oversize(peer: Peer) -> None:
    peer.send_text('{"type": "message", "text": "' + "x" * 2000 + '"}')
    peer.answer_close()


def _stops_reading(peer: Peer, number: int) -> None:
    """The first socket says hello and reads no more; later ones close with 4000."""
    peer.hello()
    if number == 1:
        peer.hold(10.0)
    else:
        peer.close(4000)


ROWS: dict[str, dict[str, Any]] = {
    "tcp abort": {"script": each_socket(Peer.abort)},
    "close without a code": {"script": each_socket(lambda p: p.close(None))},
    "close 1000": {"script": each_socket(lambda p: p.close(1000))},
    "close 1001": {"script": each_socket(lambda p: p.close(1001))},
    "close 4000": {"script": each_socket(lambda p: p.close(4000))},
    "close 1011": {"script": each_socket(lambda p: p.close(1011))},
    "bad json, then close": {"script": each_socket(_bad_json)},
    "oversize frame": {"script": each_socket(_oversize)},
    "never says hello": {"script": first_then(lambda p: p.hold(5.0))},
    "handshake 404": {"script": first_then(Peer.hold), "handshake": first_only(REFUSE)},
    "handshake timeout": {"script": first_then(Peer.hold), "handshake": first_only(SILENT)},
    "stops reading": {"script": _stops_reading, "rcvbuf": 4096, "fill": True},
}


def _fill(rtm: Rtm) -> None:
    """Write until the peer's buffers are full (each send returns once written)."""
    frame = {"type": "blob", "text": "x" * 15_000}
    for _ in range(2_000):
        try:
            rtm.call("send", frame, timeout=30.0)
        except Exception:
            return


def story(kind: str, row: dict[str, Any], options: RtmOptions = OPTIONS) -> list[Any]:
    """What the user of one form is told, from the first `Connected` to the end."""
    server = HostileSlack(row["script"], row.get("handshake", lambda _n: "101"), row.get("rcvbuf"))
    # Rtm reads the token and the base URL from an emulator: this server stands in.
    rtm = Rtm(kind, SimpleNamespace(bot_token=TOKEN, base_url=server.base_url))  # type: ignore[arg-type]
    told: list[Any] = []
    filler: threading.Thread | None = None
    try:
        with server:
            rtm.open(options=options)
            if row.get("fill"):
                filler = threading.Thread(target=_fill, args=(rtm,), daemon=True)
                filler.start()
            while True:
                try:
                    event = rtm.next_event(STORY_WAIT)
                except TimeoutError:
                    raise
                except Exception as exc:
                    cause = exc.__cause__
                    told.append(("ended", type(exc).__name__, str(exc)))
                    told.append(("because", type(cause).__name__, str(cause)))
                    break
                if isinstance(event, Reconnecting):
                    told.append(("reconnecting", event.cause, event.attempt))
                elif isinstance(event, (Connected, Disconnected)):
                    told.append((type(event).__name__, event.cause))
            rtm.close()
    finally:
        rtm.finish()
        if filler is not None:
            filler.join(STORY_WAIT)
    return told


@pytest.mark.parametrize("row", list(ROWS))
def test_both_sessions_tell_the_same_story(row: str) -> None:
    sync = story("sync", ROWS[row])
    async_ = story("async", ROWS[row])
    assert sync == async_
    assert sync[0] == ("Connected", "start")
    assert sync[-2][0] == "ended"
