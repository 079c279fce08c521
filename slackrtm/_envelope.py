"""The hand-written roots of Socket Mode's frame classes, which `_generated/envelopes.py` extends.

What lives here: `SocketFrame` (a frame a Socket Mode socket sends, with a ``type``),
`Envelope` (one that must be acked by its ``envelope_id``), `UnknownFrame` and `FallbackFrame`
(a frame kept whole when the schema cannot type it), the check of an ack's payload, and the
strict reader of the Events API's inner event, which hands it to the RTM event classes
(`slackrtm.events`) so that one handler serves both transports. Nothing here does I/O.

Instances are built as the RTM frames' are (see `slackrtm._event`): frozen attrs classes without
slots, filled by the generated fast readers in one C call. The fast reader of the inner event
is written in place in the body's (``codegen.emit_event_fast``): the RTM fast reader of its
type, which takes the event's dict over without a copy, as the body's reader takes its own.
That is safe because nothing refuses an envelope once its event is read: the body builds the
event after every other field is checked and built, and the envelope builds the body after
all its own checks (``codegen.emit_event_exact.TAKEN_OVER``). A refused envelope's dicts are
then as they came, for its strict reader to read again. A float in the event's ``extra`` that
orjson made of a long integer is `slackrtm.envelopes.decode`'s to catch, from the frame's text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ._event import Event, FallbackEvent, UnknownEvent, absent_is_none, frame_error
from ._exceptions import SlackFrameError
from ._generated.events import DECODERS

__all__ = [
    "Envelope",
    "FallbackFrame",
    "SocketFrame",
    "UnknownFrame",
    "json_object",
    "strict_any_event",
]


@absent_is_none
@attrs.frozen(kw_only=True, slots=False)
class SocketFrame:
    """A frame a Socket Mode socket sent, with a ``type``; each known type is a generated class.

    Attributes:
        extra: Fields Slack sent that the schema does not describe, by wire name.
    """

    TYPE: ClassVar[str] = ""
    """The wire ``type`` of the class's frames."""

    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, metadata={"role": "extra"})

    @property
    def type(self) -> str:
        """The frame's wire ``type``."""
        return self.TYPE


class Envelope(SocketFrame):
    """A frame the app must acknowledge by its ``envelope_id`` within Slack's 3 seconds.

    `EventsApi`, `SlashCommands` and `Interactive` are envelopes; ``payload`` is each one's own
    class. The fields below are declared by each of them (from the schema).
    """

    envelope_id: str
    payload: Any
    accepts_response_payload: bool | None
    retry_attempt: int | None
    retry_reason: str | None


@attrs.frozen(kw_only=True, slots=False)
class UnknownFrame(SocketFrame):
    """A frame whose ``type`` the schema does not describe (or that has none), kept whole.

    Attributes:
        raw: The decoded frame, as it came.
    """

    raw: Mapping[str, Any] = attrs.field(repr=False)

    @property
    def type(self) -> str:
        """The frame's wire ``type``; ``""`` when it has none or it is not a string."""
        kind = self.raw.get("type")
        return kind if isinstance(kind, str) else ""

    @property
    def envelope_id(self) -> str | None:
        """The frame's ``envelope_id`` when it is a string (so that it can still be acked)."""
        value = self.raw.get("envelope_id")
        return value if isinstance(value, str) else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(type={self.type!r})"


@attrs.frozen(kw_only=True, slots=False)
class FallbackFrame(UnknownFrame):
    """A frame of a described type that did not fit its description, kept whole, with why.

    Attributes:
        raw: The decoded frame, as it came.
        path: The wire path of the first value that did not fit, such as ``payload.command``.
        reason: What was wrong there.
    """

    path: str = attrs.field()
    reason: str = attrs.field()

    def __repr__(self) -> str:
        return f"FallbackFrame(type={self.type!r}, path={self.path!r}, reason={self.reason!r})"


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_object(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The validator of an ack's payload: None, or a dict that JSON can write.

    Raises:
        TypeError: Anything else, naming the field.
    """
    if value is None:
        return
    if type(value) is not dict:
        raise TypeError(
            f"{attribute.name} must be a dict (a JSON object), got {type(value).__name__}"
        )
    try:
        _dumps(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{attribute.name} is not JSON: {exc}") from None


def strict_any_event(data: Any, path: str, frame: str) -> Event:
    """The inner event as `slackrtm.events.decode` reads an RTM frame of its type.

    An unknown or missing type is an `UnknownEvent`; a described type that does not fit is a
    `FallbackEvent` (its path is the event's own), so the envelope stays typed and can be acked.

    Raises:
        SlackFrameError: The value is not an object, or is nested too deeply to read.
    """
    if type(data) is not dict:
        raise frame_error(frame, path, data, "object")
    kind = data.get("type")
    if type(kind) is not str or kind not in DECODERS:
        return UnknownEvent(raw=data)
    try:
        return DECODERS[kind](data)
    except RecursionError:
        raise SlackFrameError(
            path=path, reason="events nested too deeply to read", frame_type=frame
        ) from None
    except SlackFrameError as exc:
        return FallbackEvent(raw=data, path=exc.path, reason=exc.reason)
