"""The async session's send methods: `AsyncSends`, the base of `AsyncRtmSession`.

Each public send method is the surface's (`_surface.SessionSurface`: its checks and docs),
awaited: the base's send methods call `_send`, which hands the command to the core, writes
its frame in the sender's own task (`_write_now`) or wakes the engine task to, and waits for
the send's completion on a future. A send whose ``await`` is cancelled is withdrawn if it was
not written yet. Only the waiting and the writing live here; the rules are the core's
(`_sends`), and the socket written to is the one the core names (`write_link`).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from .._socket import AsyncSocketOpener
from ._surface import SessionSurface, outcome, surface_doc

__all__ = ["AsyncSends"]


class AsyncSends(SessionSurface[AsyncSocketOpener, Awaitable[Any], Awaitable[None]]):
    """The send methods of `AsyncRtmSession`, with ``await``."""

    # The driver's (`aio.AsyncRtmSession`), declared for `_write_now`.
    _wake: asyncio.Event
    """Set to wake the engine task."""
    _idle: tuple[bool, float | None]
    """Whether the engine task sleeps, and until when (None: until woken)."""
    _writing: Any
    """The socket being written to (by the engine or a sender), or None."""
    _paused: bool
    _space: asyncio.Event
    _write_frames: Callable[[list[str]], Awaitable[None]]
    _settle: Callable[[], None]

    # -- sending ------------------------------------------------------------------------------

    # The public send methods: the base's checks and docs (`help()` shows them), awaited.

    @surface_doc
    async def send_message(
        self,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        reply_broadcast: bool | None = None,
        timeout: float | None = None,
    ) -> Any:
        return await super().send_message(
            channel, text, thread_ts=thread_ts, reply_broadcast=reply_broadcast, timeout=timeout
        )

    @surface_doc
    async def typing(self, channel: str, *, timeout: float | None = None) -> None:
        await super().typing(channel, timeout=timeout)

    @surface_doc
    async def subscribe_presence(
        self, user_ids: Iterable[str], *, timeout: float | None = None
    ) -> None:
        await super().subscribe_presence(user_ids, timeout=timeout)

    @surface_doc
    async def send(self, command: Any, *, timeout: float | None = None) -> Any:
        return await super().send(command, timeout=timeout)

    async def _send(self, command: Any, timeout: float | None) -> Any:
        self._check_started()
        now = self._clock()
        pending = self._proto.send(command, now, timeout=timeout)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        pending.waiter = waiter
        await self._write_now(now, pending.deadline)  # or wakes the engine to write it
        try:
            await waiter
        except asyncio.CancelledError:
            # The caller gave up (asyncio.wait_for, a cancelled task): a send not written yet
            # is withdrawn, never written later, as a sync send at its timeout.
            self._proto.cancel(pending)
            raise
        return outcome(pending)

    async def _send_written(self, command: Any, timeout: float | None) -> None:
        await self._send(command, timeout)

    async def _write_now(self, now: float, due: float) -> None:
        """Write what the core gives now in the sender's task, as the engine would.

        While the engine sleeps and nothing is being written, the sender writes: a send then
        costs no wake-up of the engine (its turns of the loop, the timer of its wait: issue
        23). The frames, and the socket (`_write_frames`: the one the core names, the old one
        during a Socket Mode handover), are the engine's own; the engine takes none while a
        sender writes. It is woken when it has work left, or when the send's deadline `due`
        comes before the one it sleeps until (every other deadline is as it was when it fell
        asleep, or was checked by the sender that set it); and, not asleep or while another
        write is on, to write this one.
        """
        if not self._idle[0] or self._writing is not None:
            self._wake.set()
            return
        proto = self._proto
        try:
            frames = proto.data_to_send(now)
        except Exception:  # a bug of the core: the engine meets it too, and ends the session
            self._wake.set()
            return
        done = False
        try:
            if frames:
                if self._paused:
                    self._space.set()  # an ack awaited now may lift the pause
                await self._write_frames(frames)
            self._settle()
            done = True
        finally:
            until = self._idle[1]
            if (
                not done  # a failure or a cancel: the engine sees to what is left
                or proto.engine_due
                or proto.closed
                or (due < math.inf and (until is None or due < until))
            ):
                self._wake.set()
