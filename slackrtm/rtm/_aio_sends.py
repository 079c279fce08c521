"""The async session's send methods: `AsyncSends`, the base of `AsyncRtmSession`.

Each public send method is the surface's (`_surface.SessionSurface`: its checks and docs),
awaited: the base's send methods call `_send`, which hands the command to the core, wakes the
engine task and waits for the send's completion on a future. A send whose ``await`` is
cancelled is withdrawn if it was not written yet. Only the waiting lives here; the rules are
the core's (`_sends`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any

from .._socket import AsyncSocketOpener
from ._surface import SessionSurface, outcome, surface_doc

__all__ = ["AsyncSends"]


class AsyncSends(SessionSurface[AsyncSocketOpener, Awaitable[Any], Awaitable[None]]):
    """The send methods of `AsyncRtmSession`, with ``await``."""

    _wake: asyncio.Event
    """Set to wake the engine task (the driver's)."""

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
        pending = self._proto.send(command, self._clock(), timeout=timeout)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        pending.waiter = waiter
        self._wake.set()
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
