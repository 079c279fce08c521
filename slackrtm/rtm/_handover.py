"""Socket Mode's half of the engine: envelopes, acks, ``disconnect`` reasons, the handover.

`SocketModeParts` is a base of `RtmProtocol` (as `_outputs.EngineOutputs` is): the engine is
one class in three modules, and this one holds what only a dialect with envelopes uses
(`Dialect.has_envelopes`). Nothing here runs for RTM.

The rules:

- an envelope goes through `_envelopes.EnvelopeBook`: delivered once (by ``envelope_id`` and
  ``event_id``, within a bounded window), a duplicate dropped and acked when it must be; an ack
  is a frame without an id, queued in order in `_acks.AckOutbox`, complete once written;
- ``disconnect`` with reason ``warning`` or ``refresh_requested`` starts a handover: the
  current socket becomes `draining` (still read; frames to write go to it while no other socket
  is connected), the next connection is opened at once (a fresh ``apps.connections.open``, a new
  socket), and the old socket is closed only after the new one's ``hello``. Envelopes from
  either socket are delivered, each once. A `Reconnecting` (no wait) and a `Connected` are told,
  no `Disconnected` (there is no gap); if the old socket ends before the new ``hello``, there is
  one, and a `Disconnected` says so. A handover asked for before ``hello`` is a plain reconnect;
- ``link_disabled`` ends the session with `SocketModeLinkDisabled`; ``too_many_websockets``
  counts as a failed attempt (the backoff grows); another reason reconnects as a lost socket;
- an envelope not acked within 3 s is logged at WARNING by its ``envelope_id``, once.

No I/O, no clock of its own: every call takes ``now``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._exceptions import SlackFrameError
from ._dialects import Kind, note_fallback
from ._envelopes import ACK_WINDOW
from ._options import Disconnected, Reconnecting
from ._outputs import EngineOutputs
from ._state import State

if TYPE_CHECKING:
    from collections.abc import Callable
    from logging import Logger

    from .._exceptions import RtmSessionClosed
    from ._dialects import Dialect
    from ._envelopes import EnvelopeBook

__all__ = ["SocketModeParts"]

_CLOSED = State.CLOSED  # read per ack: `State.CLOSED` is a lookup through the enum's metaclass
_UNACKED = "Socket Mode: envelope %s was not acked within %g s; Slack sends it again"


class SocketModeParts(EngineOutputs):
    """The Socket Mode methods of the engine (a base of `RtmProtocol`)."""

    if TYPE_CHECKING:  # the engine's, in `_protocol.py`
        dialect: Dialect
        envelopes: EnvelopeBook | None
        draining: int | None
        handovers: int
        _log: Logger
        _cause: str
        _fallbacks: set[str]

        _decode: Callable[[str | bytes], object]

        def _move(self, to: State) -> None: ...
        def _end(self, now: float, error: BaseException) -> None: ...
        def _lost(self, now: float, cause: str, *, backoff: bool = False) -> None: ...
        def closed_error(self) -> RtmSessionClosed: ...

    def _socket_mode_frame(self, frame: Any, kind: Kind, now: float) -> None:
        if kind == Kind.ENVELOPE:
            self._envelope(frame, now)
        else:
            self._disconnect(frame, now)

    def control_received(self, link: int | None, now: float) -> None:
        """A WebSocket ping or pong came on `link`: proof of liveness, as a frame is.

        Only for a dialect with `Dialect.websocket_pings` (the drivers report them then).
        """
        if link is not None and link == self.link:
            keep = self._keep
            self._book.pong(keep.pong_for(None), now)
            keep.received(now)

    def _overdue(self, now: float) -> None:
        """Log each envelope whose 3 s have passed without an ack, once."""
        if self.envelopes is not None:
            for envelope_id in self.envelopes.overdue(now):
                self._log.warning(_UNACKED, envelope_id, ACK_WINDOW)

    def _envelope(self, frame: Any, now: float) -> bool:
        """An envelope: delivered if new; a duplicate is dropped, and acked if it must be.

        Returns:
            Whether it was delivered (then nothing else changed: the engine's burst path).
        """
        book = self.envelopes
        if book is None:  # pragma: no cover (only a Socket Mode dialect has envelopes)
            self.events.append(frame)
            return True
        envelope_id, event_id, accepts = self.dialect.envelope_facts(frame)
        arrival = book.arrived(frame, envelope_id, event_id, accepts, now)
        if arrival.deliver:
            self.events.append(frame)
            return True
        self._log.debug("Socket Mode: dropped a duplicate: %s", arrival.why)
        acks = self._acks
        if arrival.ack_now and self._state is not State.CLOSED and acks is not None:
            acks.add_ack(envelope_id, None, now)
        return False

    def ack(self, envelope: Any, payload: Any, now: float) -> bool:
        """Queue the ack of a delivered envelope (see `_envelopes` for the rules).

        Returns:
            True when queued; False for an envelope acked before (a no-op).

        Raises:
            TypeError: Not an envelope, not a Socket Mode session, or a payload JSON cannot
                carry; nothing queued.
            RtmFrameTooLarge: The ack is over `RtmOptions.max_frame_bytes`; nothing queued.
            AckPayloadRefused: A payload where the envelope accepts none; nothing queued.
            ValueError: An envelope this session did not deliver.
            RtmSessionClosed: The session has ended.
        """
        book = self.envelopes
        acks = self._acks
        if book is None or acks is None:
            raise TypeError("acks are Socket Mode's: an RTM session has nothing to ack")
        envelope_id = self.dialect.envelope_facts(envelope)[0]
        if self._state is State.CLOSED:
            raise self.closed_error()
        # Without a payload, an envelope still waiting needs no other check (the common ack).
        if not (payload is None and book.is_waiting(envelope_id)) and not book.may_ack(
            envelope_id, payload
        ):
            return False
        # Encoded and measured before the envelope counts as acked: a payload JSON cannot
        # carry, or one over the frame limit, leaves it waiting for a good ack.
        acks.add_ack(envelope_id, payload, now)
        book.mark_acked(envelope_id, now)
        return True

    def auto_ack(self, envelope: Any, now: float) -> bool:
        """`ack` without a payload of an envelope the session handed out (the ack modes').

        The common case, an envelope still waiting, takes no other check: it was handed out
        as one (`Kind.ENVELOPE`), so it has an ``envelope_id``.

        Returns:
            True when queued; False for an envelope acked before, or a session that has ended
            (nothing queued then).

        Raises:
            As `ack`.
        """
        if self._state is _CLOSED:
            return False
        book = self.envelopes
        acks = self._acks
        if book is not None and acks is not None:
            envelope_id = envelope.envelope_id
            if acks.add_plain_ack(envelope_id, now, book.pop_waiting):
                if book.accepting:  # `EnvelopeBook.mark_acked`, done by the pop but for this
                    book.accepting.discard(envelope_id)
                return True
        return self.ack(envelope, None, now)

    def _disconnect(self, frame: Any, now: float) -> None:
        """Slack's ``disconnect``: hand over, end the session, or back off (by its reason)."""
        reason = self.dialect.disconnect_reason(frame)
        action = self.dialect.disconnect_action(reason)
        cause = f"disconnect: {reason}"
        if action == "handover" and self._state is State.CONNECTED:
            self._handover(now, cause)
        elif action == "end":
            self._end(now, self.dialect.disconnect_error(reason))
        else:
            self._lost(now, cause, backoff=action == "backoff")

    def _handover(self, now: float, cause: str) -> None:
        """Open the next connection first: the current socket drains until its ``hello``.

        The session stays readable all along: the old socket is still read (and written to:
        acks go out on it) until the new one says ``hello``, when the driver closes it. No
        `Disconnected` is told, as there is no gap; `Reconnecting` (no wait) and `Connected`
        are.
        """
        self.handovers += 1
        self.draining = self.link
        self.link = None
        self._hello_deadline = None
        self._keep.reset()
        self._move(State.WAITING)
        self._cause = cause
        self._reconnect_at = now
        self._log.info("Socket Mode: %s; opening the next connection before closing this", cause)
        self.events.append(Reconnecting(cause, 1, 0.0))

    def _receive_draining(self, text: str | bytes, now: float) -> None:
        """A frame from the socket being handed over: its envelopes still count."""
        self._book.events_in += 1
        try:
            frame = self._decode(text)
        except SlackFrameError as exc:
            self._log.warning("RTM: skipped a malformed frame: %s", exc)
            return
        kind = self.dialect.kind(frame)
        if kind == Kind.ENVELOPE:
            self._envelope(frame, now)
        elif kind == Kind.EVENT:
            self.events.append(frame)
        elif kind == Kind.FALLBACK:
            note_fallback(frame, self._fallbacks, self._log)
            self.events.append(frame)

    def _drained(self, now: float, cause: str) -> None:
        """The old socket of a handover ended (before the new one's ``hello``, or with it)."""
        self.draining = None
        self._log.info("Socket Mode: the old connection ended during the handover (%s)", cause)
        if self._state is not State.CONNECTED and self._state is not State.CLOSED:
            # No socket is live until the next hello: a gap after all.
            self._book.disconnected(cause)
            self.events.append(Disconnected(cause))
