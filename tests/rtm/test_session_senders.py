"""Several senders at once, in both forms: each send written once, in order, and its own ack.

A sender writes its own frames when the engine sleeps and nothing else is being written
(`_aio_sends`, `_sync_sends`); otherwise the engine writes them. These tests send from several
threads (sync) or tasks (async) at once against the emulator, with its pacing limits off, so
that both ways run and meet: each sender's messages must reach the channel in the order it
sent them, and each ack must be the one for its own message.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from slackrtm.emulator import Emulator, Limits

from .conftest import GENERAL, Rtm, connected, is_message

SENDERS = 4
EACH = 40
UNPACED = Limits(web_rate_limit=None, message_rate=1e9, message_burst=10**9)


def _send_all(rtm: Rtm, sends: list[list[tuple[str, str]]]) -> list[list[Any]]:
    """Run each list of (kind, text) sends in a sender of its own, all at once; their results."""
    results: list[list[Any]] = [[] for _ in sends]
    if rtm.kind == "sync":
        session = rtm.session
        start = threading.Barrier(len(sends))

        def sender(index: int) -> None:
            start.wait()
            for kind, text in sends[index]:
                if kind == "typing":
                    results[index].append(session.typing(GENERAL))
                else:
                    results[index].append(session.send_message(GENERAL, text))

        threads = [threading.Thread(target=sender, args=(i,)) for i in range(len(sends))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        return results

    async def async_sender(index: int) -> None:
        session = rtm.session
        for kind, text in sends[index]:
            if kind == "typing":
                results[index].append(await session.typing(GENERAL))
            else:
                results[index].append(await session.send_message(GENERAL, text))

    async def all_senders() -> None:
        await asyncio.gather(*(async_sender(i) for i in range(len(sends))))

    rtm.run(all_senders())
    return results


def _texts(watcher: Rtm, n: int) -> list[str]:
    """The texts of the next `n` messages `watcher` sees, in the order it sees them."""
    texts: list[str] = []
    while len(texts) < n:
        event = watcher.next_event()
        if is_message(event):
            texts.append(event.text)
    return texts


def test_concurrent_senders_keep_their_order_and_each_gets_its_own_ack(
    rtm: Rtm, alice: Rtm, emu: Emulator
) -> None:
    emu.limits = UNPACED
    connected(rtm)
    sends = [[("message", f"s{k}-{i}") for i in range(EACH)] for k in range(SENDERS)]
    results = _send_all(rtm, sends)
    for k in range(SENDERS):
        acks = results[k]
        assert [ack.text for ack in acks] == [text for _, text in sends[k]]
        stamps = [float(ack.ts) for ack in acks]
        assert stamps == sorted(stamps) and len(set(stamps)) == EACH
    seen = _texts(alice, SENDERS * EACH)
    for k in range(SENDERS):
        assert [t for t in seen if t.startswith(f"s{k}-")] == [text for _, text in sends[k]]
    stats = rtm.session.stats
    assert (stats.sends, stats.acked, stats.failed) == (SENDERS * EACH,) * 2 + (0,)


def test_senders_with_and_without_acks_mixed_each_complete_once(
    rtm: Rtm, alice: Rtm, emu: Emulator
) -> None:
    """`typing` completes once written, a message at its ack; mixed, no send is lost."""
    emu.limits = UNPACED
    connected(rtm)
    sends = [
        [("typing", "") if i % 3 == 0 else ("message", f"m{k}-{i}") for i in range(EACH)]
        for k in range(SENDERS)
    ]
    results = _send_all(rtm, sends)
    for k in range(SENDERS):
        got = [None if r is None else r.text for r in results[k]]
        assert got == [None if kind == "typing" else text for kind, text in sends[k]]
    messages = sum(kind == "message" for each in sends for kind, _ in each)
    seen = _texts(alice, messages)
    for k in range(SENDERS):
        mine = [text for kind, text in sends[k] if kind == "message"]
        assert [t for t in seen if t.startswith(f"m{k}-")] == mine
    stats = rtm.session.stats
    assert stats.sends == SENDERS * EACH and stats.failed == 0
