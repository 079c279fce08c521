"""A frame's description (codegen.rtm) turned back into a JSON Schema of the frames themselves.

Tests hold the emulator's traffic and the schema's samples against it directly. Shared objects,
unions and nested events become ``$defs`` (a message may nest a message), referenced by name.

What must not live here: reading the schema (codegen.rtm) and writing Python text.
"""

from __future__ import annotations

from typing import Any

from .rtm import Frame, FrameField, Frames

__all__ = ["frame_instance_schema"]


_JSON_TYPES = {
    "string": "string",
    "boolean": "boolean",
    "integer": "integer",
    "number": "number",
}


def _value_schema(field: FrameField) -> dict[str, Any]:
    if field.kind == "any":
        return {}
    if field.kind == "object":
        return {"$ref": f"#/$defs/{field.ref}"}
    if field.kind == "array":
        if field.item_kind == "object":
            items: dict[str, Any] = {"$ref": f"#/$defs/{field.item_ref}"}
        elif field.item_kind == "any":
            items = {}
        else:
            items = {"type": _JSON_TYPES[str(field.item_kind)]}
        return {"type": "array", "items": items}
    return {"type": _JSON_TYPES[field.kind]}


def _object_schema(fields: tuple[FrameField, ...]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    alternatives: list[dict[str, Any]] = []
    for field in fields:
        properties[field.wire] = _value_schema(field)
        if field.single is not None:
            item = {"type": _JSON_TYPES.get(str(field.item_kind), "object")}
            properties[field.single] = item
            if field.required:
                alternatives.append(
                    {"anyOf": [{"required": [field.wire]}, {"required": [field.single]}]}
                )
        elif field.required:
            required.append(field.wire)
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if alternatives:
        schema["allOf"] = alternatives
    return schema


def _definitions(frames: Frames) -> dict[str, Any]:
    """The JSON Schema of every shared object, union and nested event, by class name."""
    defs = {o.name: _object_schema(o.fields) for o in frames.objects}
    for union in frames.unions:
        defs[union.name] = {
            "anyOf": [
                {
                    "allOf": [
                        {"$ref": f"#/$defs/{member}"},
                        {"properties": {union.on: {"const": value}}},
                    ]
                }
                for value, member in union.members
            ]
        }
    events = {f.class_name: f for f in frames.events}
    for name in frames.nested:
        nested = _object_schema(events[name].fields)
        defs[name] = nested
    return defs


def frame_instance_schema(frame: Frame, frames: Frames) -> dict[str, Any]:
    """A JSON Schema (2020-12) that every wire frame of this kind satisfies.

    Unknown fields are allowed (Slack adds fields); the discriminator is fixed. A nested event
    is read whatever its ``type`` says.
    """
    schema = _object_schema(frame.fields)
    if frame.kind == "ack":
        schema["properties"]["ok"] = {"const": frame.discriminator == "true"}
        schema["required"] = sorted({*schema["required"], "ok"})
    else:
        schema["properties"]["type"] = {"const": frame.discriminator}
        schema["required"] = sorted({*schema["required"], "type"})
        if frame.kind == "command":
            schema["properties"]["id"] = {"type": "integer", "minimum": 1}
    schema["$defs"] = _definitions(frames)
    return schema
