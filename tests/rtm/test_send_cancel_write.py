"""An async send whose task is cancelled while its frame is being written (a peer not reading).

The sender writes its own frame while the engine sleeps (`_aio_sends._write_now`). The frame it
was writing when cancelled had been handed to the transport already: the cancel is raised at
once, the frame goes out whole when the peer reads again, the peer reads every frame whole and
in order, the send counts as written, and the session goes on. The sync form has no such cancel
(a thread cannot be cancelled from outside); its blocked writes end by the write timeout or by
``close()`` (`test_session_hostile.py`).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import attrs

from slackrtm import AsyncClient

from .conftest import WAIT
from .hostile_ws import HostileSlack, Peer, client_options
from .test_session_hostile import QUIET

BLOB_TEXT = "x" * 15_000
"""A frame of 15 kB: a few of them fill a peer's small receive buffer."""


def _writing_itself(task: asyncio.Task[None]) -> bool:
    """Whether the task is awaiting inside the session's write of a frame (not a completion)."""
    names = []
    awaited: Any = task.get_coro()
    while awaited is not None and hasattr(awaited, "cr_code"):
        names.append(awaited.cr_code.co_name)
        awaited = awaited.cr_await
    return "_write_now" in names and "send_str" in names


class _Recorder:
    """A peer that says hello, reads nothing until released, then reads and acks everything."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.frames: list[dict[str, Any]] = []
        """Every text frame the peer read, parsed (a cut frame would fail to parse)."""

    def __call__(self, peer: Peer, _number: int) -> None:
        peer.hello()
        while not self.release.wait(0.05):
            if peer.stop.is_set():
                return
        peer.serve_acks(record=self.frames)


def test_a_send_cancelled_mid_write_finishes_its_frame_then_raises() -> None:
    recorder = _Recorder()
    options = attrs.evolve(QUIET, write_timeout=60.0)  # the peer's pause is not a timeout
    with HostileSlack(recorder, rcvbuf=4096) as server:

        async def main() -> None:
            async with AsyncClient(**client_options(server)) as client:
                session = client.rtm(options=options)
                await session.connect()
                try:
                    await _cancel_a_blocked_send(session, recorder)
                finally:
                    recorder.release.set()
                    await session.close()

        asyncio.run(asyncio.wait_for(main(), 60))


async def _cancel_a_blocked_send(session: Any, recorder: _Recorder) -> None:
    started: list[int] = []

    async def fill() -> None:
        for number in range(600):
            started.append(number)
            await session.send({"type": "blob", "number": number, "text": BLOB_TEXT})

    sender = asyncio.get_running_loop().create_task(fill())
    # The sends go out one by one until the peer's buffers are full and a write waits.
    while True:
        count = len(started)
        await asyncio.sleep(0.3)
        if len(started) == count:
            break
    assert not sender.done(), "the writes were never blocked"
    assert session._writing is not None, "no frame was being written"
    assert _writing_itself(sender), "the blocked frame was not the sender's own write"
    sender.cancel()
    done, _ = await asyncio.wait({sender}, timeout=WAIT)
    assert done and sender.cancelled()
    # The frame met by the cancel was in the transport's hands: it goes out once the peer
    # reads again, whole, and the session's next frames after it.
    recorder.release.set()
    # The session goes on: a message after it is written after the blocked frame, and acked.
    reply = await asyncio.wait_for(session.send_message("C1", "after"), WAIT)
    assert reply.text == "after"
    numbers = [frame["number"] for frame in recorder.frames if frame.get("type") == "blob"]
    assert numbers == list(range(len(started))), "each blob once, whole, in order"
    assert all(frame["text"] == BLOB_TEXT for frame in recorder.frames if "number" in frame)
    assert recorder.frames[-1]["type"] == "message"
    # The cancelled send counts as written (README, "Sends across a reconnect"): every blob.
    assert session.stats.written == len(started)
