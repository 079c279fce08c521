"""`AsyncSocketModeSession`: the async RTM session (`aio.AsyncRtmSession`) on Socket Mode.

Only what waits differently lives here: iteration and ``run`` apply the ack mode
(`_sm_surface`), and an ack wakes the engine task. Every rule is in
`_sm_surface.SocketModeRules` and the engine (`_handover`, `_envelopes`).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from .._exceptions import RtmSessionClosed
from .._socket import AsyncSocketOpener
from ._dialects import Kind
from ._options import RtmOptions
from ._sm_surface import ACKS_AT_CLOSE, SocketModeRules, check_ack_mode, socket_mode_options
from ._surface import surface_doc
from .aio import AsyncRtmSession

__all__ = ["AsyncSocketModeSession"]


class AsyncSocketModeSession(SocketModeRules, AsyncRtmSession):
    """One Socket Mode session over aiohttp: `SocketModeSession` with ``await``.

    Made by `AsyncClient.socket_mode`; ``async with`` connects and closes; ``async for`` and
    ``run`` as in the sync form. `ack` does not wait, in both forms.

    Args:
        opener: What the client hands a socket session (``client._socket_opener()``).
        ack: The ack mode: ``"after"`` (default), ``"before"`` or ``"manual"``.
        debug_reconnects: Ask Slack for short-lived connections (to exercise handovers).
        options: Timings and reconnects (`RtmOptions`; pacing is off by default).
        clock: A monotonic clock in seconds.
    """

    _how_to_connect = "async with client.socket_mode() as session"

    def __init__(
        self,
        opener: AsyncSocketOpener,
        *,
        ack: str = "after",
        debug_reconnects: bool | None = None,
        options: RtmOptions | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Prepare a session; nothing is opened until `connect`.

        Raises:
            TypeError, ValueError: A bad ack mode, `debug_reconnects` or `options`.
        """
        mode = check_ack_mode(ack)
        super().__init__(opener, options=socket_mode_options(options), clock=clock)
        self._ack_mode = mode
        self._connect_args = self._open_args(debug_reconnects)

    @surface_doc
    async def next_event(self, timeout: float | None = None) -> Any:
        self._ack_previous()
        return self._handed_out(await super().next_event(timeout))

    def __aiter__(self) -> AsyncIterator[Any]:
        """Events and lifecycle notices in arrival order, each as from `next_event`."""
        return self._socket_mode_events()

    async def _socket_mode_events(self) -> AsyncIterator[Any]:
        # As the RTM session's `_events`: an event already buffered is taken here, with the
        # ack mode applied as `next_event` applies it (`_ack_previous`, `_handed_out`, inlined
        # for mode "after": the burst path), without a coroutine per event. The ack goes
        # straight to the core (`_auto_ack` and `_queue_auto_ack` in one), and wakes the engine
        # once until the engine next looks at the core (`_ack_woke`), not once per ack.
        buffer = self._buffer
        resume_at = self._resume_at
        after = self._ack_mode == "after"
        class_kinds = self._proto.dialect.class_kinds().get
        kind = self._proto.dialect.kind
        auto_ack = self._proto.auto_ack
        clock = self._clock
        envelope_kind = Kind.ENVELOPE
        while True:
            if buffer:
                envelope = self._unacked
                if envelope is not None:
                    self._unacked = None
                    try:
                        if auto_ack(envelope, clock()) and not self._ack_woke:
                            self._ack_woke = True
                            self._wake.set()
                    except ValueError as exc:
                        self._ack_failed(exc)
                event = buffer.popleft()
                if not after:
                    self._handed_out(event)
                elif class_kinds(type(event)) is envelope_kind or kind(event) is envelope_kind:
                    self._unacked = event
                if self._paused and len(buffer) <= resume_at:
                    self._space.set()
            else:
                try:
                    event = await self.__anext__()
                except StopAsyncIteration:
                    return
            yield event

    async def __anext__(self) -> Any:
        """The next event or lifecycle notice, in arrival order (the ack mode applied).

        Raises:
            StopAsyncIteration: The session was closed.
            SlackError: The error that ended the session (once, after the buffered events).
        """
        try:
            return await self.next_event()
        except RtmSessionClosed as exc:
            if exc is self._proto.error:
                raise
            raise StopAsyncIteration from None

    @surface_doc
    async def run(self) -> None:
        async for event in self:
            for handler, argument in self._targets(event):
                try:
                    result = handler(argument)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    self._handler_failed(handler, argument)
            self._ack_previous()

    async def close(self) -> None:
        """As `AsyncRtmSession.close`, once the acks already queued are written.

        While connected it waits for them at most `ACKS_AT_CLOSE` seconds; acks not written by
        then are dropped (Slack sends those envelopes again).
        """
        deadline = time.monotonic() + ACKS_AT_CLOSE
        while self._acks_unwritten() and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        await super().close()

    def _queue_ack(self, envelope: Any, payload: Any) -> bool:
        self._check_started()
        queued = self._proto.ack(envelope, payload, self._clock())
        if queued:
            self._wake.set()
        return queued

    def _queue_auto_ack(self, envelope: Any) -> None:
        if self._proto.auto_ack(envelope, self._clock()) and not self._ack_woke:
            self._ack_woke = True
            self._wake.set()
