"""The hand-written roots of the RTM frame classes that `_generated/events.py` extends.

What lives here: `Event` (a frame from the server with a ``type``), `UnknownEvent` (a type the
schema does not describe, kept whole), `FallbackEvent` (a described type whose frame did not
fit its description, kept whole with why), `Ack` (the server's answer to a client frame's ``id``),
`Command` (a frame the client sends), `FrameCommand` (one the schema does not describe), and
the small checks the generated decoders and command classes share. Nothing here knows a frame
by name, and nothing here does I/O: the sessions in `slackrtm.rtm` and the Web API core never
need each other through this module.

What the server sends is read into frozen attrs classes *without* slots: the generated fast
readers build an instance by filling its ``__dict__`` from the decoded frame in one C call
(setting 17 slots one by one costs more than decoding the JSON), and `absent_is_none` lets an
optional field a frame leaves out read None from the class. Fields, equality, ``repr``,
``attrs.evolve``, pickling and frozenness are what attrs gives any frozen class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import attrs

from ._exceptions import SlackFrameError
from ._no_extra import NO_EXTRA

__all__ = [
    "NO_EXTRA",
    "Ack",
    "Command",
    "Event",
    "FallbackEvent",
    "FrameCommand",
    "UnknownEvent",
    "absent_is_none",
    "dict_setter",
    "extra_fields",
    "frame_error",
    "holds_float",
    "json_type",
    "nested_event",
    "owned",
    "string_tuple",
]


_C = TypeVar("_C", bound=type)


def absent_is_none(cls: _C) -> _C:
    """Give an attrs class the values its fast-built instances read for what a frame left out.

    An instance made by a fast reader holds in its ``__dict__`` only what the frame carried; an
    optional field the frame left out then reads the class's None, exactly what ``__init__``
    would have stored, ``extra`` reads `NO_EXTRA`, and a mark the session sets (``role``
    ``"mark"``) reads its default. (attrs removes its field definitions
    from a class without slots, so the names are free.)
    """
    for field in attrs.fields(cls):
        if field.default is None:
            setattr(cls, field.name, None)
        elif field.metadata.get("role") == "extra":
            setattr(cls, field.name, NO_EXTRA)
        elif field.metadata.get("role") == "mark":
            setattr(cls, field.name, field.default)  # a session's mark, never on the wire
    return cls


def dict_setter(cls: type) -> Callable[[Any, dict[str, Any]], None]:
    """What gives an instance of ``cls`` (a class without slots) a whole ``__dict__`` at once.

    The ``__dict__`` descriptor's own setter, found on the class that introduced it: a little
    cheaper than ``object.__setattr__(instance, "__dict__", d)``, which looks it up each time.

    Raises:
        TypeError: Instances of ``cls`` have no ``__dict__``.
    """
    for klass in cls.__mro__:
        descriptor = vars(klass).get("__dict__")
        if descriptor is not None:
            setter: Callable[[Any, dict[str, Any]], None] = descriptor.__set__
            return setter
    raise TypeError(f"{cls.__name__} instances have no __dict__")


@absent_is_none
@attrs.frozen(kw_only=True, slots=False)
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


@attrs.frozen(kw_only=True, slots=False)
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


@attrs.frozen(kw_only=True, slots=False)
class FallbackEvent(UnknownEvent):
    """A frame of a type the schema describes that did not fit the description, kept whole.

    Slack's real traffic is looser than its documents (a ``team_join`` whose ``user`` has no
    ``id``); such a frame is never dropped. It is an `UnknownEvent` too, so a handler of
    `UnknownEvent` (everything the schema cannot type) receives it; `path` and `reason` say
    what did not fit, as `SlackFrameError` would have (``events.decode(..., strict=True)``
    raises that instead).

    Attributes:
        raw: The decoded frame, as it came.
        path: The wire path of the first value that did not fit, such as ``user.id``.
        reason: What was wrong there, such as ``required field is missing``.
    """

    path: str = attrs.field()
    reason: str = attrs.field()

    def __repr__(self) -> str:
        return f"FallbackEvent(type={self.type!r}, path={self.path!r}, reason={self.reason!r})"


@absent_is_none
@attrs.frozen(kw_only=True, slots=False)
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


@attrs.frozen(kw_only=True)
class FrameCommand(Command):
    """A frame the schema does not describe (yet), sent as it is (``session.send(mapping)``).

    `slackrtm.events.encode` writes its fields after the ``id`` a session gives it; the
    session checks them first (a string ``type``, JSON values, no ``id`` of their own).

    Attributes:
        frame: The frame's fields, by wire name.
    """

    frame: Mapping[str, Any] = attrs.field(repr=False)

    @property
    def type(self) -> str:
        """The frame's wire ``type``; ``""`` when it has none or it is not a string."""
        kind = self.frame.get("type")
        return kind if isinstance(kind, str) else ""

    def __repr__(self) -> str:
        return f"FrameCommand(type={self.type!r})"


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


_E = TypeVar("_E", bound="Event")


def nested_event(
    read: Callable[[dict[str, Any]], _E], kind: str, data: object, path: str, frame_type: str
) -> _E:
    """An event nested in another (a changed message's ``message``), its errors at their path.

    The field tells what the nested value is, so its own ``type`` is not asked for nor checked
    (Slack's fixtures send it missing or empty): it is read as a ``kind`` event.

    Args:
        read: The nested event's decoder (``_read_<name>``).
        kind: Its wire ``type``.
        data: The nested value, as it came.
        path: Its wire path in the enclosing frame.
        frame_type: The enclosing frame's type, for errors.

    Raises:
        SlackFrameError: The value is not an object, or its read fails (the error's path then
            starts at ``path``).
    """
    if type(data) is not dict:
        raise frame_error(frame_type, path, data, "object")
    try:
        return read({**data, "type": kind})
    except SlackFrameError as exc:
        raise SlackFrameError(
            path=f"{path}.{exc.path}", reason=exc.reason, frame_type=frame_type
        ) from None


def holds_float(value: Any) -> bool:
    """Whether a float is anywhere in a decoded value, its lists and dicts walked (no recursion).

    The fast reader of an event nested in another (a changed message's ``message``) asks it of
    the nested event's ``extra``: orjson makes a float of an integer beyond 64 bits, and
    `slackrtm.events.decode` reads the text again for that only when the outer frame keeps
    values of its own.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is float:
            return True
        if kind is dict:
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
    return False


def owned(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a decoded frame down to its last dict and list, for a fast reader to take over.

    The fast readers make dicts they are given the instances' own (see `dict_setter`); a frame
    that is not the decoder's own parse (one handed to ``DECODERS``) is copied first, so that no
    instance shares a dict with its caller.
    """
    return {key: _owned_value(value) for key, value in data.items()}


def _owned_value(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _owned_value(item) for key, item in value.items()}
    if kind is list:
        return [_owned_value(item) for item in value]
    return value


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


def extra_fields(data: Mapping[str, Any], known: frozenset[str]) -> Mapping[str, Any]:
    """The fields of a decoded frame that the schema does not describe, or `NO_EXTRA` if none.

    ``known`` are the names the schema gives the frame's fields.
    """
    if len(data) <= len(known) and known.issuperset(data):
        return NO_EXTRA
    return {key: value for key, value in data.items() if key not in known}
