"""How a socket ended, worded once (`rtm/_endings.py`), and the engine acting on it."""

from __future__ import annotations

import pytest

from slackrtm.rtm import Disconnected, RtmOptions
from slackrtm.rtm._endings import NO_CODE, SocketEnd, lost_cause

from .driving import UNPACED, connect, make


@pytest.mark.parametrize(
    ("end", "cause", "warn"),
    [
        (SocketEnd(), "connection dropped", False),
        (SocketEnd(close_code=1006), "connection dropped", False),
        (SocketEnd(close_code=NO_CODE), "closed by Slack (no close code)", False),
        (SocketEnd(close_code=1000), "closed by Slack (code 1000)", False),
        (SocketEnd(close_code=4000), "closed by Slack (code 4000)", False),
        (
            SocketEnd(too_large=True),
            "a frame over max_inbound_bytes (4194304 bytes) from Slack",
            True,
        ),
        (
            SocketEnd(write_timed_out=True),
            "Slack stopped reading: a frame not written within 10 s",
            True,
        ),
        # What the session did to the socket comes before any close code.
        (
            SocketEnd(close_code=1000, write_timed_out=True),
            "Slack stopped reading: a frame not written within 10 s",
            True,
        ),
    ],
)
def test_each_end_has_one_wording(end: SocketEnd, cause: str, warn: bool) -> None:
    assert lost_cause(end, RtmOptions()) == (cause, warn)


def test_the_engine_tells_a_blocked_write_as_a_disconnect_and_reconnects() -> None:
    proto = make()
    link = connect(proto)
    proto.socket_ended(link, 1.0, SocketEnd(write_timed_out=True))
    assert proto.take_events()[0] == Disconnected(
        "Slack stopped reading: a frame not written within 10 s"
    )
    assert proto.state == "waiting"
    proto.socket_ended(link, 1.1, SocketEnd(close_code=1000))  # the old socket again: ignored
    assert proto.take_events() == []
    assert UNPACED.write_timeout == 10.0
