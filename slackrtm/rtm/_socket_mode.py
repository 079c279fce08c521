"""Socket Mode's frames to the engine: `SocketModeDialect`, and `SocketModeLinkDisabled`.

The frames are decoded by the generated `slackrtm.envelopes` (from ``schema/socket/``): ``hello``,
``disconnect`` and the envelopes (``events_api``, ``slash_commands``, ``interactive``), whose
Events API payload carries its inner event decoded with the same `slackrtm.events` classes as
RTM. This dialect says what each means to the engine:

- ``hello`` is `Kind.HELLO`; an envelope is `Kind.ENVELOPE` (the engine's books in
  `_envelopes`); ``disconnect`` is `Kind.DISCONNECT`, and its reason says what to do
  (`disconnect_action`): ``warning`` and ``refresh_requested`` hand over to a new connection
  without a gap, ``link_disabled`` (the schema's reason that ends a session) ends it with
  `SocketModeLinkDisabled`,
  ``too_many_websockets`` backs off, any other reason reconnects;
- an ack is a command without an id that completes once written: nothing answers it;
- Slack pings at the WebSocket level and answers WebSocket pings, not JSON ones: the engine's
  keepalive ping is a WebSocket ping here (`WS_PING`), and the WebSocket pings and pongs that
  come count as frames do (`websocket_pings`). So a stall is judged by the engine's one rule:
  no frame, ping or pong within ``ping_interval + pong_timeout``.

No state of a session lives here: a dialect is a table of meanings, built once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import envelopes
from .._exceptions import SocketModeLinkDisabled
from ._dialects import WS_PING, Dialect, Kind

__all__ = [
    "BACKOFF_REASONS",
    "HANDOVER_REASONS",
    "SOCKET_MODE_DIALECT",
    "SocketModeDialect",
    "SocketModeLinkDisabled",
    "ack_text",
]

HANDOVER_REASONS = frozenset({"warning", "refresh_requested"})
"""``disconnect`` reasons answered by a handover without a gap."""
BACKOFF_REASONS = frozenset({"too_many_websockets"})
"""``disconnect`` reasons counted as a failed attempt (the backoff grows)."""

_PING = object()
"""The engine's keepalive ping, encoded as `WS_PING`."""


def ack_text(envelope_id: str) -> str | None:
    """The frame of an ack without a payload, made without an `EnvelopeAck`; None: encode one.

    Only for an id JSON writes as it is (printable ASCII, no quote, no backslash): the same
    text `slackrtm.envelopes.encode` gives for it (a test holds that), for the one ack per
    envelope of a burst.
    """
    if (
        envelope_id.isascii()
        and envelope_id.isprintable()
        and '"' not in envelope_id
        and "\\" not in envelope_id
    ):
        return '{"envelope_id":"' + envelope_id + '"}'
    return None


_EVENTS_API = envelopes.EventsApi


class SocketModeDialect(Dialect):
    """Slack's Socket Mode, through the generated `slackrtm.envelopes`."""

    has_envelopes = True
    websocket_pings = True
    open_method = "apps.connections.open"

    def __init__(self) -> None:
        """Build the type table once."""
        self._kinds: dict[type, Kind] = {
            envelopes.Hello: Kind.HELLO,
            envelopes.Disconnect: Kind.DISCONNECT,
        }
        for kind in (envelopes.EventsApi, envelopes.SlashCommands, envelopes.Interactive):
            self._kinds[kind] = Kind.ENVELOPE

    decode = staticmethod(envelopes.decode)

    def encode(self, command: Any, id: int | None) -> str:
        if command is _PING:
            return WS_PING
        return envelopes.encode(command)

    def class_kinds(self) -> Mapping[type, Kind]:
        # Not `UnknownFrame` or `FallbackFrame`: their kind depends on their envelope_id.
        return self._kinds

    def kind(self, frame: object) -> Kind:
        kind = self._kinds.get(type(frame))
        if kind is not None:
            return kind
        if isinstance(frame, envelopes.UnknownFrame):
            # Kept whole; one with an envelope_id is still an envelope, to deliver once and ack.
            if frame.envelope_id is not None:
                return Kind.ENVELOPE
            if isinstance(frame, envelopes.FallbackFrame):
                return Kind.FALLBACK
        return Kind.EVENT

    def wants_id(self, command: Any) -> bool:
        return False  # an ack names its envelope; nothing answers it

    def expects_ack(self, command: Any) -> bool:
        return False

    def ping(self) -> Any:
        return _PING

    def presence_sub(self, ids: tuple[str, ...]) -> Any:
        raise TypeError("Socket Mode has no presence subscription")

    def presence_ids(self, command: Any) -> tuple[str, ...] | None:
        return None

    def envelope_facts(self, frame: Any) -> tuple[str, str | None, bool]:
        if type(frame) is _EVENTS_API:  # a burst's envelope: the same facts, no isinstance
            accepts = frame.accepts_response_payload is True
            return frame.envelope_id, frame.payload.event_id, accepts
        if isinstance(frame, envelopes.Envelope):
            payload = frame.payload
            event_id = payload.event_id if isinstance(frame, envelopes.EventsApi) else None
            return frame.envelope_id, event_id, frame.accepts_response_payload is True
        if isinstance(frame, envelopes.UnknownFrame) and frame.envelope_id is not None:
            accepts = frame.raw.get("accepts_response_payload") is True
            return frame.envelope_id, None, accepts
        raise TypeError(f"not a Socket Mode envelope: {type(frame).__name__}")

    def ack_command(self, envelope_id: str, payload: Any) -> Any:
        return envelopes.EnvelopeAck(envelope_id=envelope_id, payload=payload)

    def inner_event(self, frame: Any) -> Any:
        if isinstance(frame, envelopes.EventsApi):
            return frame.payload.event
        return None

    def disconnect_reason(self, frame: Any) -> str:
        reason = frame.reason
        return reason if isinstance(reason, str) else "no reason"

    def disconnect_action(self, reason: str) -> str:
        if reason in envelopes.DISCONNECT_REASONS_ENDING_SESSION:
            return "end"
        if reason in HANDOVER_REASONS:
            return "handover"
        return "backoff" if reason in BACKOFF_REASONS else "reconnect"

    def disconnect_error(self, reason: str) -> BaseException:
        return SocketModeLinkDisabled(reason)


SOCKET_MODE_DIALECT: Dialect = SocketModeDialect()
"""The dialect of Slack's Socket Mode, shared by every session (it holds no session's state)."""
