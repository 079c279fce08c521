"""Automatic acks in a burst, in both forms: each envelope acked once, in order, by hand or not.

An automatic ack and an ack by hand of the same envelope count once, and a burst of acks is
written in the order of the envelopes, every one of them.
"""

from __future__ import annotations

import threading
from typing import Any

from tests.rtm.hostile_ws import Peer

from .conftest import WAIT, Sm
from .slack import SocketModeSlack, acks, hello, message_envelope

BURST = 300


def test_a_burst_is_acked_once_each_in_order_with_a_hand_ack_among_the_automatic_ones(
    sm: Sm,
) -> None:
    written: list[dict[str, Any]] = []
    read = threading.Event()

    def script(peer: Peer, n: int) -> None:
        hello(peer)
        if n == 1:
            for i in range(BURST):
                peer.send_text(message_envelope(f"E{i}", f"Ev{i}", "burst"))
            written.extend(acks(peer, BURST))
            read.set()
        peer.hold(WAIT)

    with SocketModeSlack(script) as slack:
        sm.open(slack.base_url)  # ack="after": each is acked when the next is asked for
        got: list[str] = []
        previous: Any = None
        for i in range(BURST):
            (envelope,) = sm.envelopes(1)
            got.append(envelope.envelope_id)
            if i == BURST // 2:
                # The previous one was acked automatically as this one was asked for.
                assert sm.ack(previous) is False
                assert sm.ack(envelope) is True  # by hand: the automatic one does nothing
            previous = envelope
        assert sm.ack(previous) is True  # the last, never asked past
        assert read.wait(WAIT)
        sm.close()
    expected = [f"E{i}" for i in range(BURST)]
    assert got == expected
    assert [ack["envelope_id"] for ack in written] == expected
