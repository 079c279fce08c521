"""Automatic acks in a burst, in both forms: each envelope acked once, in order, by hand or not.

An automatic ack and an ack by hand of the same envelope count once, and a burst of acks is
written in the order of the envelopes, every one of them.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

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


def _iterate(sm: Sm, n: int, on_each: Any) -> list[str]:
    """Take `n` envelopes by ``for`` / ``async for`` (not `next_event`), calling `on_each`."""
    got: list[str] = []
    if sm.kind == "sync":
        for event in sm.session:
            if hasattr(event, "envelope_id"):
                got.append(event.envelope_id)
                on_each(event)
                if len(got) == n:
                    break
        return got

    async def iterate() -> list[str]:
        async for event in sm.session:
            if hasattr(event, "envelope_id"):
                got.append(event.envelope_id)
                on_each(event)
                if len(got) == n:
                    break
        return got

    return sm.run(iterate())  # type: ignore[no-any-return]


@pytest.mark.parametrize("mode", ["after", "before", "manual"])
def test_iterating_a_burst_already_read_acks_each_envelope_once_in_order_as_the_mode_says(
    sm: Sm, mode: str
) -> None:
    n = 60
    written: list[dict[str, Any]] = []
    read = threading.Event()
    expected = [f"E{i}" for i in range(n) if mode != "manual" or i % 2 == 0]

    def script(peer: Peer, count: int) -> None:
        hello(peer)
        if count == 1:
            for i in range(n):  # at once: the session reads them ahead of the iteration
                peer.send_text(message_envelope(f"E{i}", f"Ev{i}", "burst"))
            written.extend(acks(peer, len(expected)))
            read.set()
        peer.hold(WAIT)

    with SocketModeSlack(script) as slack:
        sm.open(slack.base_url, ack=mode)
        (first,) = sm.envelopes(1)  # by next_event: the rest are read ahead meanwhile
        if mode == "manual":
            assert sm.ack(first) is True
        last: list[Any] = []
        by_hand: list[bool] = []

        def on_each(envelope: Any) -> None:
            last[:] = [envelope]
            if mode == "manual" and int(envelope.envelope_id[1:]) % 2 == 0:
                by_hand.append(sm.session.ack(envelope))

        got = _iterate(sm, n - 1, on_each)
        if mode == "manual":
            assert by_hand == [True] * (n // 2 - 1)
        else:
            assert sm.ack(last[0]) is (mode == "after")  # "after": acked at the next request
        assert read.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while sm.session.stats.written < len(expected) and time.monotonic() < deadline:
            time.sleep(0.005)  # the peer may read the last ack before its write is reported
        stats = sm.session.stats
        assert (stats.sends, stats.written, stats.failed) == (len(expected), len(expected), 0)
        sm.close()
    assert got == [f"E{i}" for i in range(1, n)]
    assert [ack["envelope_id"] for ack in written] == expected
