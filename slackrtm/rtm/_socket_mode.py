"""Socket Mode's frames to the engine: `SocketModeDialect`, and `SocketModeLinkDisabled`.

The frames are decoded by the generated `slackrtm.envelopes` (from ``schema/socket/``): ``hello``,
``disconnect`` and the envelopes (``events_api``, ``slash_commands``, ``interactive``), whose
Events API payload carries its inner event decoded with the same `slackrtm.events` classes as
RTM. This dialect says what each means to the engine:

- ``hello`` is `Kind.HELLO`; an envelope is `Kind.ENVELOPE` (the engine's books in
  `_envelopes`); ``disconnect`` is `Kind.DISCONNECT`, and its reason says what to do
  (`DISCONNECT_ACTIONS`): ``warning`` and ``refresh_requested`` hand over to a new connection
  without a gap, ``link_disabled`` ends the session with `SocketModeLinkDisabled`,
  ``too_many_websockets`` backs off, any other reason reconnects;
- an ack is a command without an id that completes once written: nothing answers it;
- Slack pings at the WebSocket level and answers WebSocket pings, not JSON ones: the engine's
  keepalive ping is a WebSocket ping here (`WS_PING`), and the WebSocket pings and pongs that
  come count as frames do (`websocket_pings`). So a stall is judged by the engine's one rule:
  no frame, ping or pong within ``ping_interval + pong_timeout``.

No state of a session lives here: a dialect is a table of meanings, built once.
"""

from __future__ import annotations

from typing import Any

from .. import envelopes, events
from .._exceptions import SocketModeLinkDisabled
from ._dialects import WS_PING, Dialect, Kind

__all__ = [
    "DISCONNECT_ACTIONS",
    "SOCKET_MODE_DIALECT",
    "SocketModeDialect",
    "SocketModeLinkDisabled",
]

DISCONNECT_ACTIONS = {
    "warning": "handover",
    "refresh_requested": "handover",
    "link_disabled": "end",
    "too_many_websockets": "backoff",
}
"""What each ``disconnect`` reason asks of the engine; any other reason reconnects."""


_PING = object()
"""The engine's keepalive ping, encoded as `WS_PING`."""


class SocketModeDialect(Dialect):
    """Slack's Socket Mode, through the generated `slackrtm.envelopes`."""

    kind_by_class = True  # pragma: no mutate (a speed-up only)
    has_envelopes = True
    websocket_pings = True
    open_method = "apps.connections.open"

    def __init__(self) -> None:
        """Build the type table once."""
        self._kinds: dict[type, Kind] = {
            envelopes.Hello: Kind.HELLO,
            envelopes.Disconnect: Kind.DISCONNECT,
            envelopes.EventsApiEnvelope: Kind.ENVELOPE,
            envelopes.SlashCommandsEnvelope: Kind.ENVELOPE,
            envelopes.InteractiveEnvelope: Kind.ENVELOPE,
            events.FallbackEvent: Kind.FALLBACK,
        }

    decode = staticmethod(envelopes.decode)

    def encode(self, command: Any, id: int | None) -> str:
        if command is _PING:
            return WS_PING
        return envelopes.encode(command)

    def kind(self, frame: object) -> Kind:
        return self._kinds.get(type(frame), Kind.EVENT)

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
        if self._kinds.get(type(frame)) is not Kind.ENVELOPE:
            raise TypeError(f"not a Socket Mode envelope: {type(frame).__name__}")
        event_id = None
        if isinstance(frame, envelopes.EventsApiEnvelope):
            event_id = getattr(frame.payload, "event_id", None)
        return frame.envelope_id, event_id, bool(frame.accepts_response_payload)

    def ack_command(self, envelope_id: str, payload: Any) -> Any:
        return envelopes.Ack(envelope_id=envelope_id, payload=payload)

    def inner_event(self, frame: Any) -> Any:
        if isinstance(frame, envelopes.EventsApiEnvelope):
            return getattr(frame.payload, "event", None)
        return None

    def disconnect_reason(self, frame: Any) -> str:
        return str(frame.reason)

    def disconnect_action(self, reason: str) -> str:
        return DISCONNECT_ACTIONS.get(reason, "reconnect")

    def disconnect_error(self, reason: str) -> BaseException:
        return SocketModeLinkDisabled(reason)


SOCKET_MODE_DIALECT: Dialect = SocketModeDialect()
"""The dialect of Slack's Socket Mode, shared by every session (it holds no session's state)."""
