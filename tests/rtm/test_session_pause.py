"""A paused reader never starves the session (issue 18): acks are read while events are held.

Both forms, against the emulator over real sockets. A consumer that does not read fills the
buffer, and the session stops reading the socket; a send made then must still get its ack.
"""

from __future__ import annotations

import attrs
import pytest

from slackrtm import events
from slackrtm._exceptions import RtmSendTimeout
from slackrtm.emulator import Emulator

from .conftest import FAST, GENERAL, Rtm, connected, eventually

HELD = attrs.evolve(FAST, ping_interval=60.0, pong_timeout=10.0, max_buffered=5, ack_timeout=3.0)


def test_a_send_made_while_reading_is_paused_gets_its_ack(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm, options=HELD)
    emu.broadcast(8, GENERAL, text="held")  # more than the buffer: reading pauses at 5
    eventually(lambda: len(rtm.session._buffer) >= 5)
    ack = rtm.send_message(text="while paused")  # raised RtmSendTimeout before: no ack read
    assert isinstance(ack, events.MessageAck)
    assert ack.text == "while paused"
    got = rtm.burst(8, "held")
    assert [e.ts for e in got] == sorted(e.ts for e in got)
    assert len(rtm.session._buffer) == 0
    assert rtm.session.state == "connected"
    assert rtm.session.stats.failed == 0


def test_past_twice_the_buffer_reading_stops_even_for_an_ack(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm, options=HELD)
    emu.broadcast(40, GENERAL, text="flood")  # far more than twice the buffer before the ack
    eventually(lambda: len(rtm.session._buffer) >= 5)
    with pytest.raises(RtmSendTimeout) as info:
        rtm.send_message(text="too late", timeout=1.0)
    assert info.value.written is True
    assert 5 <= len(rtm.session._buffer) <= 2 * 5, "the memory bound: twice max_buffered"
    got = rtm.burst(40, "flood")  # nothing lost: all of them come once the consumer reads
    assert len({e.ts for e in got}) == 40
