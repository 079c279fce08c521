"""The Socket Mode surface both forms share: `SocketModeRules`, beside `SessionSurface`.

`SocketModeSession` (``_sm_sync.py``) and `AsyncSocketModeSession` (``_sm_aio.py``) are the RTM
sessions of ``sync.py`` and ``aio.py`` on the Socket Mode dialect: the same engine, drivers,
notices, options, ``on``/``run``/iteration, ``close``, errors and ``stats``. What differs is
written once, here:

- the socket URL comes from ``apps.connections.open`` (the client's app-level token);
- ``ack(envelope, payload=None)`` queues an envelope's ack without waiting (the engine writes
  it); the automatic acks follow the session's ack mode (`ACK_MODES`):

  - ``"after"`` (the default): ``run`` acks an envelope once its handlers have returned, a
    handler that raised included (its error is logged; a retry would be dropped as a
    duplicate anyway, so not acking would only make Slack send it again for nothing);
    iteration acks an envelope when the next event is asked for;
  - ``"before"``: an envelope is acked as it is handed out, before any handler runs, so that
    a slow handler never causes a retry;
  - ``"manual"``: only ``ack`` acks;

- ``run`` hands an Events API envelope's inner event to the handlers registered for its class
  or wire type (``on(events.Message, ...)`` works on either transport), the envelope itself
  to those registered for the envelope's class, its type or ``"*"``;
- nothing is sent on a Socket Mode socket but acks: the RTM send methods raise `TypeError`
  (a bot replies through the Web API, ``chat.postMessage``).

What must not live here: anything that waits, a lock, a thread, a task, a socket.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ._dialects import Dialect, Kind
from ._options import RtmOptions
from ._socket_mode import SOCKET_MODE_DIALECT
from ._stats import RtmStats

if TYPE_CHECKING:
    from ._protocol import RtmProtocol
    from ._surface import Handlers

__all__ = ["ACK_MODES", "SocketModeRules", "check_ack_mode", "socket_mode_options"]

ACKS_AT_CLOSE = 1.0
"""Seconds `close` waits, while connected, for the acks already queued to be written."""

ACK_MODES = ("after", "before", "manual")
"""When a Socket Mode session acks an envelope by itself (see the module's rules)."""

_NO_SENDS = (
    "a Socket Mode session sends nothing on its socket but acks: reply through the Web API "
    "(client.chat_postMessage), ack envelopes with session.ack(envelope)"
)


def check_ack_mode(ack: object) -> str:
    """The ack mode, checked.

    Raises:
        TypeError, ValueError: Not one of `ACK_MODES`.
    """
    if not isinstance(ack, str):
        raise TypeError(f"ack must be a str, one of {', '.join(ACK_MODES)}; got {ack!r}")
    if ack not in ACK_MODES:
        raise ValueError(f"ack must be one of {', '.join(ACK_MODES)}; got {ack!r}")
    return ack


def socket_mode_options(options: RtmOptions | None) -> RtmOptions:
    """The session's options: `RtmOptions` with pacing off when none are given.

    Acks are not paced: Slack's one message a second is RTM's rule for messages, and an ack
    held back by pacing could miss its 3 s. Given options are taken as they are.

    Raises:
        TypeError: `options` is not an `RtmOptions`.
    """
    if options is None:
        return RtmOptions(send_rate=None)
    if not isinstance(options, RtmOptions):
        raise TypeError("options must be an RtmOptions")
    return options


class SocketModeRules:
    """What a Socket Mode session adds to (and refuses of) the RTM session's surface."""

    _open_call: ClassVar[str] = "apps_connections_open"
    _how_to_connect: ClassVar[str] = "with client.socket_mode() as session"

    if TYPE_CHECKING:  # the session's (`SessionSurface` and the driver)
        _proto: RtmProtocol
        _handlers: Handlers
        _clock: Callable[[], float]

        def _queue_ack(self, envelope: Any, payload: Any) -> bool: ...
        def _queue_auto_ack(self, envelope: Any) -> None: ...

    _ack_mode: str = "after"
    _unacked: Any = None
    """The envelope handed out last in mode ``"after"``, acked at the next request."""

    @classmethod
    def _dialect(cls) -> Dialect:
        return SOCKET_MODE_DIALECT

    _debug_reconnects = False

    def _open_args(self, debug_reconnects: object) -> dict[str, Any]:
        """The arguments of ``apps.connections.open`` at every connection (none but the token).

        Raises:
            TypeError: `debug_reconnects` is neither None nor a bool.
        """
        if debug_reconnects is not None and not isinstance(debug_reconnects, bool):
            raise TypeError(f"debug_reconnects must be a bool, got {debug_reconnects!r}")
        self._debug_reconnects = bool(debug_reconnects)
        return {}

    def _socket_url(self, url: str) -> str:
        """The socket URL, with ``debug_reconnects=true`` in its query when asked for.

        ``apps.connections.open`` takes no argument but the token; Slack reads the flag from
        the socket URL (and gives short-lived connections then).
        """
        if not self._debug_reconnects:
            return url
        return f"{url}{'&' if '?' in url else '?'}debug_reconnects=true"

    @property
    def stats(self) -> RtmStats:
        """The session's health in numbers now, as an `RtmStats` snapshot.

        As the RTM session's, with Socket Mode's counts: ``duplicates`` (envelopes dropped as
        copies) and ``handovers`` (connections replaced without a gap).
        """
        proto = self._proto
        stats = proto.stats(self._clock())
        book = proto.envelopes
        duplicates = book.duplicates if book is not None else 0
        return attrs.evolve(stats, duplicates=duplicates, handovers=proto.handovers)

    def _acks_unwritten(self) -> bool:
        """Whether acks wait to be written on a connection that can still write them.

        `close` waits for these (at most `ACKS_AT_CLOSE`): an ack dropped at close has Slack
        send its envelope again, to the app's next connection, as a duplicate of one handled.
        """
        stats = self.stats
        done = stats.acked + stats.written + stats.failed
        return stats.state == "connected" and done < stats.sends

    # -- acks ---------------------------------------------------------------------------------

    def ack(self, envelope: Any, payload: Any = None) -> bool:
        """Acknowledge an envelope, with a response `payload` where it accepts one.

        It does not wait: the ack is queued and written by the session at once (or after
        the next ``hello``). The first ack of an envelope counts; a later one does nothing.

        Args:
            envelope: An envelope this session delivered.
            payload: A JSON-able response (a slash command's or an interaction's answer);
                only where the envelope's ``accepts_response_payload`` is true.

        Returns:
            True when the ack was queued; False when the envelope was acked before.

        Raises:
            AckPayloadRefused: A payload where the envelope accepts none; nothing is sent.
            TypeError: Not an envelope, or a payload that is not JSON-able.
            ValueError: An envelope this session did not deliver.
            RtmSessionClosed: The session has ended.
        """
        return self._queue_ack(envelope, payload)

    def _handed_out(self, event: Any) -> Any:
        """An event handed to the user: acked now (``"before"``), or at the next request."""
        mode = self._ack_mode
        if mode != "manual" and self._proto.dialect.kind(event) is Kind.ENVELOPE:
            if mode == "before":
                self._auto_ack(event)
            else:
                self._unacked = event
        return event

    def _ack_previous(self) -> None:
        """Ack the envelope handed out last (mode ``"after"``), if it is not acked yet."""
        envelope = self._unacked
        if envelope is not None:
            self._unacked = None
            self._auto_ack(envelope)

    def _auto_ack(self, envelope: Any) -> None:
        # The driver's `_queue_auto_ack`: `RtmProtocol.auto_ack`, which queues nothing once the
        # session has ended.
        try:
            self._queue_auto_ack(envelope)
        except ValueError as exc:
            self._ack_failed(exc)

    def _ack_failed(self, exc: ValueError) -> None:
        """Log an automatic ack refused: its envelope left the books (10,000 waiting).

        Slack sends that envelope again.
        """
        self._proto._log.warning("Socket Mode: could not ack: %s", exc)

    # -- run's dispatch -----------------------------------------------------------------------

    def _targets(self, event: Any) -> list[tuple[Callable[[Any], Any], Any]]:
        """Each handler for `event` with what it is called with (see the module's rules)."""
        handlers = self._handlers
        found = [(handler, event) for handler in handlers.matching(event)]
        inner = self._proto.dialect.inner_event(event)
        if inner is not None:
            found[:0] = [(handler, inner) for handler in handlers.matching(inner, every=False)]
        return found

    # -- the RTM sends, refused ---------------------------------------------------------------

    def send_message(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: Socket Mode posts through the Web API (``chat.postMessage``).

        Raises:
            TypeError: Always.
        """
        raise TypeError(_NO_SENDS)

    def typing(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: Socket Mode has no typing indicator.

        Raises:
            TypeError: Always.
        """
        raise TypeError(_NO_SENDS)

    def subscribe_presence(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: Socket Mode has no presence subscription.

        Raises:
            TypeError: Always.
        """
        raise TypeError(_NO_SENDS)

    def send(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: Socket Mode sends nothing but acks (`ack`).

        Raises:
            TypeError: Always.
        """
        raise TypeError(_NO_SENDS)
