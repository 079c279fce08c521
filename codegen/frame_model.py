"""The intermediate model of the frames' schema (schema/rtm/, schema/socket/): plain data.

What codegen.rtm and codegen.socket read the frame files into, and what the frames' emitters
(emit_events.py, emit_envelopes.py and the readers they call) write Python from. What must not
live here: reading or checking the schema (rtm.py, socket.py), writing text (the emitters).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Frame", "FrameField", "Frames", "ObjectModel", "SocketError", "UnionModel"]

SCALARS = {"string": "str", "boolean": "bool", "integer": "int", "number": "float", "any": "Any"}
"""The Python type of each scalar kind of the schema."""


@dataclass(frozen=True)
class FrameField:
    """One field of a frame or shared object.

    ``kind`` is the schema type; for arrays ``item_kind`` / ``item_ref`` describe the items, for
    objects ``ref`` names the shared object. ``single`` is the wire name that may carry one item.
    """

    wire: str
    attr: str
    kind: str
    required: bool
    description: str
    secret: bool = False
    ref: str | None = None
    item_kind: str | None = None
    item_ref: str | None = None
    single: str | None = None
    nested: bool = False
    """``ref`` (or ``item_ref``) names an event's class: that event, nested in this one."""
    union_on: str | None = None
    """When ``ref`` names a union: the field of its members that tells them apart."""
    union_members: tuple[tuple[str, str], ...] = ()
    """When ``ref`` names a union: its members, by the value of ``union_on``."""

    @property
    def reader(self) -> str:
        """The name the readers of ``ref`` are called by (a nested event has its own)."""
        assert self.ref is not None
        return f"Nested{self.ref}" if self.nested else self.ref

    @property
    def item_reader(self) -> str:
        """The name the readers of ``item_ref`` are called by."""
        assert self.item_ref is not None
        return f"Nested{self.item_ref}" if self.nested else self.item_ref

    @property
    def py_type(self) -> str:
        """The annotation, without ``| None``."""
        if self.kind == "object":
            assert self.ref is not None
            return self.ref
        if self.kind == "array":
            item = self.item_ref if self.item_kind == "object" else SCALARS[str(self.item_kind)]
            return f"tuple[{item}, ...]"
        return SCALARS[self.kind]


@dataclass(frozen=True)
class ObjectModel:
    """A shared object of rtm/objects.json, which frames name by ``ref``."""

    name: str
    description: str
    fields: tuple[FrameField, ...]


@dataclass(frozen=True)
class UnionModel:
    """A union of rtm/objects.json: one of its member objects, chosen by the value of ``on``."""

    name: str
    description: str
    on: str
    members: tuple[tuple[str, str], ...]
    """(value of ``on``, member class), in the schema's order (the most common first)."""


@dataclass(frozen=True)
class Frame:
    """One frame kind. ``discriminator`` is the wire type, or ``"true"``/``"false"`` for acks."""

    direction: str
    kind: str
    """``event``, ``command`` or ``ack``."""
    discriminator: str
    class_name: str
    summary: str
    fields: tuple[FrameField, ...]
    source_file: str
    documentation: str
    marks: tuple[tuple[str, str], ...] = ()
    """Booleans the session sets, never read from the wire: (Python name, description)."""
    scopes: tuple[str, ...] | None = None
    """The scopes Slack's Events API catalogue asks for; None for a type it does not list."""
    tokens: tuple[str, ...] = ()
    """The token types the catalogue allows the event for."""

    @property
    def wire_type(self) -> str:
        """The frame's wire ``type`` (for an ack, ``"true"`` or ``"false"``)."""
        return self.discriminator


@dataclass(frozen=True)
class SocketError:
    """An error code the socket may send (rtm/socket.json), with its message and meaning."""

    code: int
    msg: str
    description: str
    ends_connection: bool


@dataclass(frozen=True)
class Frames:
    """The whole RTM schema: frames by kind (each sorted), shared objects, socket facts."""

    events: tuple[Frame, ...]
    commands: tuple[Frame, ...]
    acks: tuple[Frame, ...]
    objects: tuple[ObjectModel, ...]
    errors: tuple[SocketError, ...]
    max_frame_bytes: int
    sources: tuple[str, ...]
    unions: tuple[UnionModel, ...] = ()
    nested: tuple[str, ...] = ()
    """The event classes some field holds nested, sorted."""
    not_applicable: tuple[tuple[str, str], ...] = ()
    """The catalogue's types that have no class, each with why, sorted."""
