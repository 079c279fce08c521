"""Read and validate schema/socket/ (Socket Mode's frames), as codegen.rtm reads schema/rtm/.

The same meta-schema (schema/frame.schema.json) and the same readers: every file under
schema/socket/frames (what Slack sends: ``hello``, ``disconnect`` and the envelopes) is a frame
of direction ``server``, told apart by its ``type``; schema/socket/commands holds the one frame
the app sends, the ack, which goes without a ``type`` (``typeless``); schema/socket/objects.json
holds the objects the frames share, and schema/socket/socket.json the connection's facts (the
ack window, retries, the connection limit, the disconnect reasons). A field may name ``Event``:
any RTM event, read by its own ``type`` with the RTM classes (the Events API's inner event).

Beyond the meta-schema: references resolve, an envelope (a frame with an ``envelope_id``) has it
as a required string, the ack has a required string ``envelope_id``, class names and reasons
are unique. The first problem found is one `SchemaProblem` naming the file and the JSON path.

What must not live here: writing Python text (emit_envelopes.py), and what schema/rtm/ alone
needs (rtm.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jsonschema

from .load import SchemaProblem
from .rtm import (
    Frame,
    ObjectModel,
    frame_fields,
    frame_of,
    load_objects,
    read_json,
    resolve_refs,
    validate,
)

__all__ = ["ANY_EVENT", "DisconnectReason", "SocketMode", "load_socket"]

ANY_EVENT = "Event"
"""The ``ref`` that means any RTM event, read by its own type."""

_OBJECTS_DISPLAY = "schema/socket/objects.json"
_FACTS_DISPLAY = "schema/socket/socket.json"


@dataclass(frozen=True)
class DisconnectReason:
    """A documented ``reason`` of a ``disconnect`` frame."""

    reason: str
    description: str
    ends_session: bool


@dataclass(frozen=True)
class SocketMode:
    """Socket Mode's schema: the server frames (sorted by type), the ack, objects and facts."""

    frames: tuple[Frame, ...]
    ack: Frame
    objects: tuple[ObjectModel, ...]
    reasons: tuple[DisconnectReason, ...]
    ack_seconds: int
    max_retries: int
    max_connections: int
    sources: tuple[str, ...]

    @property
    def envelopes(self) -> tuple[Frame, ...]:
        """The frames that are envelopes (they carry an ``envelope_id`` to ack)."""
        return tuple(f for f in self.frames if any(x.wire == "envelope_id" for x in f.fields))


def load_socket(schema_dir: Path) -> SocketMode | None:
    """Read schema/socket/, or None when the schema has no socket/ directory.

    Raises:
        SchemaProblem: The first invalid file, with the JSON path of the problem.
    """
    root = schema_dir / "socket"
    if not root.is_dir():
        return None
    meta = read_json(schema_dir / "frame.schema.json", "schema/frame.schema.json")
    jsonschema.Draft202012Validator.check_schema(meta)
    objects, _ = load_objects(root, meta, _OBJECTS_DISPLAY)
    shared: dict[str, None] = {o.name: None for o in objects}
    shared[ANY_EVENT] = None
    objects = tuple(
        replace(
            o, fields=resolve_refs(o.fields, _OBJECTS_DISPLAY, f"$.objects.{o.name}", shared, ())
        )
        for o in objects
    )
    frames, sources = _load_frames(root, meta, shared)
    ack, ack_source = _load_ack(root, meta, shared)
    facts = read_json(root / "socket.json", _FACTS_DISPLAY)
    validate(facts, meta, "socketMode", _FACTS_DISPLAY)
    return SocketMode(
        frames=tuple(sorted(frames, key=lambda f: f.discriminator)),
        ack=ack,
        objects=objects,
        reasons=_reasons(facts),
        ack_seconds=facts["ack_seconds"],
        max_retries=facts["max_retries"],
        max_connections=facts["max_connections"],
        sources=tuple(sorted([_OBJECTS_DISPLAY, _FACTS_DISPLAY, ack_source, *sources])),
    )


def _reasons(facts: Mapping[str, Any]) -> tuple[DisconnectReason, ...]:
    out: list[DisconnectReason] = []
    for index, entry in enumerate(facts["disconnect_reasons"]):
        if any(r.reason == entry["reason"] for r in out):
            raise SchemaProblem(
                _FACTS_DISPLAY, f"$.disconnect_reasons[{index}]", "duplicate reason"
            )
        out.append(DisconnectReason(entry["reason"], entry["description"], entry["ends_session"]))
    return tuple(out)


def _load_frames(
    root: Path, meta: Mapping[str, Any], shared: Mapping[str, None]
) -> tuple[list[Frame], list[str]]:
    """Every server frame of socket/frames, and their display names."""
    frames: list[Frame] = []
    sources: list[str] = []
    classes: dict[str, str] = {name: _OBJECTS_DISPLAY for name in shared}
    for path in sorted((root / "frames").glob("*.json")):
        display = f"schema/socket/frames/{path.name}"
        doc = read_json(path, display)
        validate(doc, meta, "frame", display)
        if doc.get("typeless") or "ack" in doc:
            raise SchemaProblem(display, "$", "a server frame is told apart by its 'type'")
        frame = frame_of(doc, "events", display, set(shared))
        frame = replace(frame, fields=resolve_refs(frame.fields, display, "$", shared, ()))
        if frame.class_name in classes:
            raise SchemaProblem(
                display,
                "$.class",
                f"class {frame.class_name} is already taken by {classes[frame.class_name]}",
            )
        classes[frame.class_name] = display
        if any(f.discriminator == frame.discriminator for f in frames):
            raise SchemaProblem(
                display, "$.type", f"type {frame.discriminator!r} is described twice"
            )
        envelope_id = next((f for f in frame.fields if f.wire == "envelope_id"), None)
        if envelope_id is not None and (envelope_id.kind != "string" or not envelope_id.required):
            raise SchemaProblem(
                display,
                "$.properties.envelope_id",
                "an envelope's envelope_id is a required string",
            )
        frames.append(frame)
        sources.append(display)
    return frames, sources


def _load_ack(root: Path, meta: Mapping[str, Any], shared: Mapping[str, None]) -> tuple[Frame, str]:
    """The one client frame of socket/commands: the ack, written without a ``type``."""
    paths = sorted((root / "commands").glob("*.json"))
    if [p.name for p in paths] != ["ack.json"]:
        raise SchemaProblem("schema/socket/commands", "$", "holds one file, ack.json")
    display = "schema/socket/commands/ack.json"
    doc = read_json(paths[0], display)
    validate(doc, meta, "frame", display)
    if doc["direction"] != "client" or "type" not in doc or not doc.get("typeless"):
        raise SchemaProblem(display, "$", "the ack is a client frame, typeless, with a 'type' name")
    fields = resolve_refs(frame_fields(doc, display, "$", set(shared)), display, "$", shared, ())
    envelope_id = next((f for f in fields if f.wire == "envelope_id"), None)
    if envelope_id is None or envelope_id.kind != "string" or not envelope_id.required:
        raise SchemaProblem(
            display, "$.properties", "the ack must have a required string 'envelope_id'"
        )
    ack = Frame(
        direction="client",
        kind="command",
        discriminator=doc["type"],
        class_name=doc.get("class", "EnvelopeAck"),
        summary=doc["summary"],
        fields=fields,
        source_file=display,
        documentation=doc["source"]["documentation"],
    )
    return ack, display
