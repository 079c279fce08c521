"""The hand-written roots of the RTM frame classes that `_generated/events.py` extends.

What lives here: `Event` (a frame from the server with a ``type``), `UnknownEvent` (a type the
schema does not describe, kept whole), `Ack` (the server's answer to a client frame's ``id``),
`Command` (a frame the client sends), and the small checks the generated decoders and command
classes share. Nothing here knows a frame by name, and nothing here does I/O: the sessions in
`slackrtm.rtm` and the Web API core never need each other through this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs

from ._exceptions import SlackFrameError

__all__ = [
    "Ack",
    "Command",
    "Event",
    "UnknownEvent",
    "extra_fields",
    "frame_error",
    "json_type",
    "string_tuple",
]


@attrs.frozen(kw_only=True)
class Event:
    """A frame the server sent with a ``type``; each known type is a generated subclass.

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


@attrs.frozen(kw_only=True)
class UnknownEvent(Event):
    """A frame whose ``type`` the schema does not describe (or that has none), kept whole.

    A new Slack event type never breaks a session: it arrives as this class, with every field
    reachable in `raw`.

    Attributes:
        raw: The decoded frame, as it came.
    """

    raw: Mapping[str, Any] = attrs.field(repr=False)

    @property
    def type(self) -> str:
        """The frame's wire ``type``; ``""`` when it has none or it is not a string."""
        kind = self.raw.get("type")
        return kind if isinstance(kind, str) else ""

    def __repr__(self) -> str:
        return f"UnknownEvent(type={self.type!r})"


@attrs.frozen(kw_only=True)
class Ack:
    """The server's answer to a client frame: ``reply_to`` is that frame's ``id``.

    Attributes:
        reply_to: The ``id`` of the client frame this answers.
        extra: Fields Slack sent that the schema does not describe, by wire name.
    """

    OK: ClassVar[bool]
    """The wire ``ok`` of the class's frames."""

    reply_to: int = attrs.field(metadata={"wire": "reply_to"})
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, metadata={"role": "extra"})


@attrs.frozen(kw_only=True)
class Command:
    """A frame the client sends; each known type is a generated subclass.

    `slackrtm.events.encode` writes one as JSON text with the ``id`` a session gives it.
    """

    TYPE: ClassVar[str] = ""
    """The wire ``type`` of the class's frames."""


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def frame_error(frame_type: str, path: str, value: object, expected: str) -> SlackFrameError:
    """The error for a field of the wrong JSON type, or a required one that is missing."""
    if value is None:
        return SlackFrameError(path=path, reason="required field is missing", frame_type=frame_type)
    return SlackFrameError(
        path=path, reason=f"expected {expected}, got {json_type(value)}", frame_type=frame_type
    )


def string_tuple(value: Iterable[str]) -> tuple[str, ...]:
    """The converter of a command's list-of-strings argument: a list or tuple of strings.

    Raises:
        TypeError: A single string (which would split into characters) or a non-string item.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"expected a list of strings, got {type(value).__name__}")
    for item in value:
        if type(item) is not str:
            raise TypeError(f"expected a list of strings, got an item of {type(item).__name__}")
    return tuple(value)


def extra_fields(data: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The fields of a decoded frame that the schema does not describe (``known`` are its names)."""
    if len(data) <= len(known) and known.issuperset(data):
        return {}
    return {key: value for key, value in data.items() if key not in known}
