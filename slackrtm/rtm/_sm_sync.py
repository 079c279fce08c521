"""`SocketModeSession`: the sync RTM session (`sync.RtmSession`) on the Socket Mode dialect.

Only what waits differently lives here: iteration and ``run`` apply the ack mode
(`_sm_surface`), and an ack is handed to the engine under the session's lock. Every rule is in
`_sm_surface.SocketModeRules` and the engine (`_handover`, `_envelopes`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .._socket import SyncSocketOpener
from ._options import RtmOptions
from ._sm_surface import ACKS_AT_CLOSE, SocketModeRules, check_ack_mode, socket_mode_options
from ._surface import surface_doc
from .sync import RtmSession

__all__ = ["SocketModeSession"]


class SocketModeSession(SocketModeRules, RtmSession):
    """One Socket Mode session over the websockets library's sync client.

    Made by `Client.socket_mode`; ``with`` connects (``apps.connections.open``, the socket,
    Slack's ``hello``) and closes. Envelopes, lifecycle notices and ``hello``/``disconnect``
    frames come by ``for event in session`` in arrival order; ``run`` calls the handlers of
    ``on``. Envelopes are acked as the ack mode says (see `Client.socket_mode`), or by `ack`.

    Args:
        opener: What the client hands a socket session (``client._socket_opener()``).
        ack: The ack mode: ``"after"`` (default), ``"before"`` or ``"manual"``.
        debug_reconnects: Ask Slack for short-lived connections (to exercise handovers).
        options: Timings and reconnects (`RtmOptions`; pacing is off by default).
        clock: A monotonic clock in seconds.
    """

    def __init__(
        self,
        opener: SyncSocketOpener,
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
    def next_event(self, timeout: float | None = None) -> Any:
        envelope = self._unacked  # `_ack_previous`, inlined: once per event
        if envelope is not None:
            self._unacked = None
            self._auto_ack(envelope)
        return self._handed_out(super().next_event(timeout))

    @surface_doc
    def run(self) -> None:
        for event in self:
            for handler, argument in self._targets(event):
                try:
                    handler(argument)
                except Exception:
                    self._handler_failed(handler, argument)
            self._ack_previous()

    def close(self) -> None:
        """As `RtmSession.close`, once the acks already queued are written.

        While connected it waits for them at most `ACKS_AT_CLOSE` seconds; acks not written by
        then are dropped (Slack sends those envelopes again).
        """
        deadline = time.monotonic() + ACKS_AT_CLOSE
        while self._acks_unwritten() and time.monotonic() < deadline:
            time.sleep(0.001)
        super().close()

    def _queue_ack(self, envelope: Any, payload: Any) -> bool:
        with self._lock:
            self._check_started()
            queued = self._proto.ack(envelope, payload, self._clock())
            if queued and not self._dirty:  # else the engine is to run anyway: it takes them all
                self._poke()
        return queued

    def _queue_auto_ack(self, envelope: Any) -> None:
        with self._lock:
            if self._proto.auto_ack(envelope, self._clock()) and not self._dirty:
                self._poke()
