"""What frames mean: the `Dialect` the engine asks about every frame, and `RtmDialect`.

`RtmDialect` is Slack's RTM API: acks matched by ``id`` / ``reply_to``, ``goodbye`` to reconnect.

The engine (`_protocol.py`) knows only the answers a dialect gives: which `Kind` a decoded
frame is, how a command is encoded, which commands carry an id and await an ack. Socket Mode's
dialect (envelopes acknowledged by ``envelope_id``, a ``disconnect`` frame instead of
``goodbye``, WebSocket pings) is `_socket_mode.SocketModeDialect`, on the same engine.

No state of a session lives here, and no timing: a dialect is a table of meanings, built once.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from typing import Any

from .. import events
from .._exceptions import RtmErrorAck, SlackError

__all__ = ["RTM_DIALECT", "WS_PING", "Dialect", "Kind", "RtmDialect", "note_fallback"]


@enum.unique
class Kind(enum.IntEnum):
    """What a decoded frame is to the engine.

    Every frame the engine does not act on is an `EVENT` for the user.
    """

    EVENT = 0
    HELLO = 1
    ACK = 2
    PONG = 3
    RECONNECT = 4
    RECONNECT_URL = 5  # pragma: no mutate (any value unlike the others)
    ERROR = 6  # pragma: no mutate (any value unlike the others)
    FALLBACK = 7  # pragma: no mutate (any value unlike the others)
    """A frame of a known type that did not fit the schema: delivered kept whole, noted once."""
    ENVELOPE = 8  # pragma: no mutate (any value unlike the others)
    """Socket Mode: an envelope to deliver once and ack (`_envelopes`)."""
    DISCONNECT = 9  # pragma: no mutate (any value unlike the others)
    """Socket Mode: ``disconnect``, whose reason says hand over, end or back off."""


WS_PING = "\x00a WebSocket ping\x00"
"""The frame text that stands for a WebSocket ping (`Dialect.websocket_pings`): the drivers
compare by identity (``frame is WS_PING``) and write a ping frame instead."""

_DELIVERED = frozenset(
    {Kind.EVENT, Kind.HELLO, Kind.RECONNECT, Kind.ERROR, Kind.FALLBACK, Kind.DISCONNECT}
)


def note_fallback(frame: Any, noted: set[str], log: logging.Logger) -> None:
    """One WARNING per ``type`` per session for frames delivered as `events.FallbackEvent`.

    It names the type, the wire path and the reason; never the frame's content. Later ones of
    the same type are logged at DEBUG.
    """
    kind = frame.type
    level = logging.DEBUG if kind in noted else logging.WARNING
    noted.add(kind)
    log.log(
        level,
        "RTM: a frame of type %s did not fit the schema (at %s: %s); delivered as FallbackEvent "
        "with its raw fields%s",
        kind,
        frame.path,
        frame.reason,
        "" if level == logging.DEBUG else " (further ones of this type are logged at DEBUG)",
    )


class Dialect:
    """What the frames of one socket protocol mean to the engine.

    The engine needs only these answers; everything else is an event for the user. `RtmDialect`
    is Slack's RTM API. A Socket Mode dialect would decode envelopes with its own schema, send
    acks as commands without an id, and map ``disconnect`` to a reconnect.
    """

    kind_by_class = False
    """Whether `kind` depends on the frame's class alone: the engine then asks once per class
    and remembers the answer (an inbound burst is tens of thousands of frames)."""
    has_envelopes = False
    """Whether frames come in envelopes to ack (Socket Mode): the engine keeps their books."""
    websocket_pings = False
    """Whether the engine's ping is a WebSocket ping: `ping` is then encoded as `WS_PING`,
    which the drivers write as a WebSocket ping frame, and the drivers report the pings and
    pongs that come (`RtmProtocol.control_received`) as proof of liveness (Socket Mode)."""
    open_method = "rtm.connect"
    """The Web API method that gives a socket URL (the stage named when it fails)."""

    def decode(self, frame: str | bytes) -> object:
        """One inbound frame as a typed object; raises `SlackFrameError` on a malformed one."""
        raise NotImplementedError

    def encode(self, command: Any, id: int | None) -> str:
        """One outbound frame's text."""
        raise NotImplementedError

    def kind(self, frame: object) -> Kind:
        """Which of the engine's kinds a decoded frame is (`Kind.EVENT` for anything else)."""
        raise NotImplementedError

    def class_kinds(self) -> Mapping[type, Kind]:
        """The classes whose every frame has one kind, known before any frame comes.

        The engine starts its per-class memory of kinds with these, so that a dialect whose
        `kind` depends on more than the class for a few classes (Socket Mode's kept-whole
        frames) still costs one lookup per frame of the others.
        """
        return {}

    def wants_id(self, command: Any) -> bool:
        """Whether the frame carries an ``id`` (and so gets an ack or a pong)."""
        raise NotImplementedError

    def expects_ack(self, command: Any) -> bool:
        """Whether a send completes with an ack (else: once written)."""
        raise NotImplementedError

    def ping(self) -> Any:
        """The command of a keepalive ping."""
        raise NotImplementedError

    def presence_sub(self, ids: tuple[str, ...]) -> Any:
        """The command that (re)subscribes to presence."""
        raise NotImplementedError

    def presence_ids(self, command: Any) -> tuple[str, ...] | None:
        """The ids a presence subscription command subscribes to; None for other commands."""
        raise NotImplementedError

    def ack(self, frame: Any) -> tuple[int, Any, SlackError | None]:
        """An ack's ``reply_to``, its result, and the error it stands for (or None)."""
        raise NotImplementedError

    def reply_to(self, frame: Any) -> int | None:
        """The id a pong answers."""
        raise NotImplementedError

    def reconnect_cause(self, frame: Any) -> str:
        """Why a frame of kind `Kind.RECONNECT` asks for a new connection."""
        raise NotImplementedError

    def reconnect_url(self, frame: Any) -> str | None:
        """The URL a frame of kind `Kind.RECONNECT_URL` offers."""
        raise NotImplementedError

    def ends_connection(self, frame: Any) -> bool:
        """Whether a frame of kind `Kind.ERROR` means the socket is done (else: an event)."""
        raise NotImplementedError

    def envelope_facts(self, frame: Any) -> tuple[str, str | None, bool]:
        """An envelope's facts: ``envelope_id``, ``event_id`` (or None), a payload accepted.

        Raises:
            TypeError: `frame` is not an envelope.
        """
        raise TypeError("this protocol has no envelopes")

    def ack_command(self, envelope_id: str, payload: Any) -> Any:
        """The command that acks an envelope, with a response `payload` (or None)."""
        raise TypeError("this protocol has no envelopes")

    def inner_event(self, frame: Any) -> Any:
        """The event an envelope carries (Events API), for the handlers of its class; or None."""
        return None

    def disconnect_reason(self, frame: Any) -> str:
        """The reason of a frame of kind `Kind.DISCONNECT`."""
        raise NotImplementedError

    def disconnect_action(self, reason: str) -> str:
        """What a ``disconnect`` asks: ``handover``, ``end``, ``backoff`` or ``reconnect``."""
        raise NotImplementedError

    def disconnect_error(self, reason: str) -> BaseException:
        """The error that ends the session for a ``disconnect`` whose action is ``end``."""
        raise NotImplementedError

    def delivered(self, kind: Kind) -> bool:
        """Whether a frame of this kind also goes to the user."""
        return kind in _DELIVERED


class RtmDialect(Dialect):
    """Slack's RTM API, through the generated `slackrtm.events`."""

    def __init__(self) -> None:
        """Build the type table once."""
        self._kinds: dict[type, Kind] = {
            events.Hello: Kind.HELLO,
            events.MessageAck: Kind.ACK,
            events.ErrorAck: Kind.ACK,
            events.Pong: Kind.PONG,
            events.Goodbye: Kind.RECONNECT,
            events.TeamMigrationStarted: Kind.RECONNECT,
            events.Error: Kind.ERROR,
            events.ReconnectUrl: Kind.RECONNECT_URL,
            events.FallbackEvent: Kind.FALLBACK,
        }

    # The function itself, not a method calling it: one call less per inbound frame.
    decode = staticmethod(events.decode)

    def encode(self, command: Any, id: int | None) -> str:
        return events.encode(command, id)

    # A bounded set of classes, the generated ones. A speed-up only: asked per frame, the
    # dialect gives the same kinds.
    kind_by_class = True  # pragma: no mutate

    def class_kinds(self) -> Mapping[type, Kind]:
        return self._kinds

    def kind(self, frame: object) -> Kind:
        kind = self._kinds.get(type(frame))
        if kind is None:
            # An ack subclass the schema may add later is still an ack.
            return Kind.ACK if isinstance(frame, events.Ack) else Kind.EVENT
        return kind

    def wants_id(self, command: Any) -> bool:
        # Every frame gets one, those Slack documents without it too (presence_sub, typing):
        # Slack's error then names the frame it answers (an error ack, delivered to the user)
        # instead of coming as an ``error`` event that names nothing.
        return True

    def expects_ack(self, command: Any) -> bool:
        return isinstance(command, events.MessageCommand)

    def ping(self) -> Any:
        return events.PingCommand()

    def presence_sub(self, ids: tuple[str, ...]) -> Any:
        return events.PresenceSubCommand(ids=ids)

    def presence_ids(self, command: Any) -> tuple[str, ...] | None:
        return tuple(command.ids) if isinstance(command, events.PresenceSubCommand) else None

    def ack(self, frame: Any) -> tuple[int, Any, SlackError | None]:
        if isinstance(frame, events.ErrorAck):
            info = frame.error
            error = RtmErrorAck(
                code=info.code,
                msg=info.msg,
                description=events.RTM_ERROR_DESCRIPTIONS.get(info.code),
                reply_to=frame.reply_to,
            )
            return frame.reply_to, None, error
        return frame.reply_to, frame, None

    def reply_to(self, frame: Any) -> int | None:
        return frame.reply_to  # type: ignore[no-any-return]

    def ends_connection(self, frame: Any) -> bool:
        return frame.error.code in events.RTM_ERRORS_ENDING_CONNECTION

    def reconnect_cause(self, frame: Any) -> str:
        if isinstance(frame, events.Error):
            return f"error event {frame.error.code}: {frame.error.msg or 'no message'}"
        return str(frame.type)

    def reconnect_url(self, frame: Any) -> str | None:
        return frame.url  # type: ignore[no-any-return]


RTM_DIALECT: Dialect = RtmDialect()
"""The dialect of Slack's RTM API, shared by every session (it holds no session's state)."""
