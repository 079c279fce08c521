"""Read and validate schema/rtm/ (the RTM frames), and turn it into a small intermediate model.

The generator's second kind. Every frame file under schema/rtm/{events,commands,acks} is
validated against schema/frame.schema.json (JSON Schema 2020-12); schema/rtm/objects.json,
schema/rtm/socket.json and schema/rtm/catalogue.json against its ``objects``, ``socket`` and
``catalogue`` definitions. Then come the checks a meta-schema cannot state: required names that
exist, references that resolve (to a shared object, a union of them keyed by one field, or an
event's class, then read nested), union members with their key, one frame per (direction,
discriminator), class names and Python names that do not collide, and every type of Slack's
Events API catalogue covered (codegen.catalogue).
The first problem found becomes one `SchemaProblem` naming the file and the JSON path.

`codegen.instance` turns a frame description back into a JSON Schema for the frames
themselves, so that tests can hold the emulator's traffic against the schema directly.

What must not live here: writing Python text (emit_events.py and the modules it names).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jsonschema

from .catalogue import CATALOGUE_DISPLAY, coverage
from .load import SchemaProblem, pascal, python_name

__all__ = [
    "Frame",
    "FrameField",
    "Frames",
    "ObjectModel",
    "SocketError",
    "UnionModel",
    "load_frames",
]

FRAME_DIRS = ("events", "commands", "acks")
# Wire names a frame may not describe as fields: they are its discriminators.
DISCRIMINATORS = frozenset({"type", "ok"})
# Python names the generated classes use for themselves.
RESERVED = frozenset({"extra", "raw", "TYPE", "OK"})
SCALARS = {"string": "str", "boolean": "bool", "integer": "int", "number": "float", "any": "Any"}


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


def _read(path: Path, display: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaProblem(
            display, "$", f"not valid JSON: {exc.msg} (line {exc.lineno})"
        ) from None


def _validate(instance: Any, meta: Mapping[str, Any], definition: str, display: str) -> None:
    schema = {"$defs": meta["$defs"], "$ref": f"#/$defs/{definition}"}
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(instance))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        path = "$" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in best.absolute_path
        )
        raise SchemaProblem(display, path, best.message)


def _fields(
    spec: Mapping[str, Any], display: str, path: str, objects: set[str] | None
) -> tuple[FrameField, ...]:
    """The fields of a frame or object, sorted by Python name, checked for collisions.

    Args:
        spec: The frame's or object's description, as the meta-schema admits it.
        display: The file named in a `SchemaProblem`.
        path: The JSON path of ``spec`` in that file.
        objects: The names of the shared objects a field may ``ref``, or None to skip that check.

    Returns:
        One `FrameField` per property, sorted by Python name.

    Raises:
        SchemaProblem: The first problem found, with its JSON path.
    """
    properties: Mapping[str, Any] = spec["properties"]
    required = spec.get("required", [])
    for index, wire in enumerate(required):
        if wire not in properties:
            raise SchemaProblem(
                display, f"{path}.required[{index}]", f"{wire!r} is required but not a property"
            )
    fields: list[FrameField] = []
    by_attr: dict[str, str] = {}
    for wire, sub in properties.items():
        where = f"{path}.properties.{wire}"
        attr = _attr(wire, by_attr, display, where)
        by_attr[attr] = wire
        fields.append(
            _field(
                wire,
                attr,
                sub,
                required=wire in required,
                siblings=properties,
                objects=objects,
                display=display,
                where=where,
            )
        )
    return tuple(sorted(fields, key=lambda f: f.attr))


def _attr(wire: str, by_attr: Mapping[str, str], display: str, where: str) -> str:
    """The Python name of a wire name, kept clear of the generated classes' own names.

    Raises:
        SchemaProblem: Another field of the same frame already has that Python name.
    """
    attr = python_name(wire)
    if attr in RESERVED:
        attr += "_"
    if attr in by_attr:
        raise SchemaProblem(
            display, where, f"{wire!r} and {by_attr[attr]!r} both map to Python name {attr!r}"
        )
    return attr


def _field(
    wire: str,
    attr: str,
    sub: Mapping[str, Any],
    *,
    required: bool,
    siblings: Collection[str],
    objects: set[str] | None,
    display: str,
    where: str,
) -> FrameField:
    """One property as a `FrameField`, checked in the order its problems are reported.

    Args:
        wire: The property's wire name.
        attr: Its Python name (from `_attr`).
        sub: Its description.
        required: The frame lists it as required.
        siblings: The wire names of every property of the same frame or object.
        objects: The shared objects it may ``ref``, or None to skip that check.
        display: The file named in a `SchemaProblem`.
        where: The JSON path of ``sub`` in that file.

    Raises:
        SchemaProblem: An array of arrays, a reference to no shared object, ``single`` on a
            field that is not an array or naming a sibling, or ``secret`` on a non-string.
    """
    kind = sub["type"]
    ref = sub.get("ref")
    item_kind = item_ref = None
    if kind == "array":
        item = sub["items"]
        item_kind, item_ref = item["type"], item.get("ref")
        if item_kind == "array":
            raise SchemaProblem(display, f"{where}.items", "arrays of arrays are not supported")
    for name, at in ((ref, where), (item_ref, f"{where}.items")):
        if name is not None and objects is not None and name not in objects:
            raise SchemaProblem(display, at, f"no shared object named {name!r}")
    single = sub.get("single")
    if single is not None:
        if kind != "array":
            raise SchemaProblem(display, where, "'single' is only for arrays")
        if single in siblings:
            raise SchemaProblem(display, where, f"'single' names {single!r}, a field itself")
    if sub.get("secret") and kind != "string":
        raise SchemaProblem(display, where, "only strings can be secret")
    return FrameField(
        wire=wire,
        attr=attr,
        kind=kind,
        required=required,
        description=sub["description"],
        secret=bool(sub.get("secret", False)),
        ref=ref,
        item_kind=item_kind,
        item_ref=item_ref,
        single=single,
    )


def load_frames(schema_dir: Path) -> Frames | None:
    """Read schema/rtm/, or None when the schema has no rtm/ directory.

    Raises:
        SchemaProblem: The first invalid file, with the JSON path of the problem.
    """
    rtm = schema_dir / "rtm"
    if not rtm.is_dir():
        return None
    meta = _read(schema_dir / "frame.schema.json", "schema/frame.schema.json")
    jsonschema.Draft202012Validator.check_schema(meta)
    objects, unions = _load_objects(rtm, meta)
    socket_doc, errors = _load_socket(rtm, meta)
    shared: dict[str, UnionModel | None] = {o.name: None for o in objects}
    shared.update((u.name, u) for u in unions)
    found, frame_sources = _load_frame_files(rtm, meta, set(shared))
    event_classes = {f.class_name for f in found["events"]}
    objects, nested = _resolve_all(objects, found, shared, event_classes)
    events, not_applicable = _catalogued(rtm, meta, found["events"])
    return Frames(
        events=tuple(sorted(events, key=lambda f: f.discriminator)),
        commands=tuple(sorted(found["commands"], key=lambda f: f.discriminator)),
        acks=tuple(sorted(found["acks"], key=lambda f: f.discriminator)),
        objects=objects,
        errors=tuple(sorted(errors, key=lambda e: e.code)),
        max_frame_bytes=socket_doc["max_frame_bytes"],
        sources=tuple(
            sorted([_OBJECTS_DISPLAY, _SOCKET_DISPLAY, CATALOGUE_DISPLAY, *frame_sources])
        ),
        unions=unions,
        nested=tuple(str(n) for n in nested),
        not_applicable=not_applicable,
    )


def _resolve_all(
    objects: tuple[ObjectModel, ...],
    found: dict[str, list[Frame]],
    shared: Mapping[str, UnionModel | None],
    event_classes: Collection[str],
) -> tuple[tuple[ObjectModel, ...], list[str]]:
    """Every field's references checked (`_resolve`), ``found`` updated in place.

    Returns:
        The shared objects with their fields resolved, and the event classes nested somewhere.
    """
    objects = tuple(
        replace(
            o,
            fields=_resolve(
                o.fields, _OBJECTS_DISPLAY, f"$.objects.{o.name}", shared, event_classes
            ),
        )
        for o in objects
    )
    for folder in FRAME_DIRS:
        found[folder] = [
            replace(f, fields=_resolve(f.fields, f.source_file, "$", shared, event_classes))
            for f in found[folder]
        ]
    nested = {
        str(name)
        for f in _all_fields(objects, found)
        if f.nested
        for name in (f.ref, f.item_ref)
        if name in event_classes
    }
    return objects, sorted(nested)


def _catalogued(
    rtm: Path, meta: Mapping[str, Any], events: list[Frame]
) -> tuple[list[Frame], tuple[tuple[str, str], ...]]:
    """The events with the catalogue's scopes and token types; its not-applicable types.

    Raises:
        SchemaProblem: The catalogue is invalid, or a type it names is not covered.
    """
    doc = _read(rtm / "catalogue.json", CATALOGUE_DISPLAY)
    _validate(doc, meta, "catalogue", CATALOGUE_DISPLAY)
    facts, not_applicable = coverage(doc, {f.discriminator for f in events})
    covered = [
        replace(f, scopes=facts[f.discriminator][0], tokens=facts[f.discriminator][1])
        if f.discriminator in facts
        else f
        for f in events
    ]
    return covered, not_applicable


_OBJECTS_DISPLAY = "schema/rtm/objects.json"
_SOCKET_DISPLAY = "schema/rtm/socket.json"


def _all_fields(
    objects: tuple[ObjectModel, ...], found: Mapping[str, list[Frame]]
) -> list[FrameField]:
    fields = [f for o in objects for f in o.fields]
    return fields + [f for frames in found.values() for frame in frames for f in frame.fields]


def _resolve(
    fields: tuple[FrameField, ...],
    display: str,
    path: str,
    shared: Mapping[str, UnionModel | None],
    event_classes: Collection[str],
) -> tuple[FrameField, ...]:
    """The fields with every ``ref`` checked: a shared object, a union, or an event nested.

    Raises:
        SchemaProblem: A reference to nothing the schema describes.
    """
    out: list[FrameField] = []
    for field in fields:
        nested = False
        where = f"{path}.properties.{field.wire}"
        for name, at in ((field.ref, where), (field.item_ref, f"{where}.items")):
            if name is None or name in shared:
                continue
            if name not in event_classes:
                raise SchemaProblem(display, at, f"no shared object named {name!r}")
            nested = True
        union = shared.get(field.ref) if field.ref is not None else None
        if union is not None:
            field = replace(field, union_on=union.on, union_members=union.members)
        out.append(replace(field, nested=True) if nested else field)
    return tuple(out)


def _load_objects(
    rtm: Path, meta: Mapping[str, Any]
) -> tuple[tuple[ObjectModel, ...], tuple[UnionModel, ...]]:
    """The shared objects and unions of rtm/objects.json, each sorted by name.

    Raises:
        SchemaProblem: A name used twice, or a union member that is not an object with its
            ``on`` field a required string.
    """
    objects_doc = _read(rtm / "objects.json", _OBJECTS_DISPLAY)
    _validate(objects_doc, meta, "objects", _OBJECTS_DISPLAY)
    objects = tuple(
        ObjectModel(
            name=name,
            description=spec["description"],
            fields=_fields(spec, _OBJECTS_DISPLAY, f"$.objects.{name}", None),
        )
        for name, spec in sorted(objects_doc["objects"].items())
    )
    by_name = {o.name: o for o in objects}
    unions: list[UnionModel] = []
    for name, spec in sorted(objects_doc.get("unions", {}).items()):
        where = f"$.unions.{name}"
        if name in by_name:
            raise SchemaProblem(_OBJECTS_DISPLAY, where, f"{name} is also a shared object")
        for value, member in sorted(spec["members"].items()):
            model = by_name.get(member)
            on = (
                None
                if model is None
                else next((f for f in model.fields if f.wire == spec["on"]), None)
            )
            if on is None or on.kind != "string" or not on.required:
                raise SchemaProblem(
                    _OBJECTS_DISPLAY,
                    f"{where}.members.{value}",
                    f"{member!r} is not a shared object with a required string {spec['on']!r}",
                )
        unions.append(
            UnionModel(name, spec["description"], spec["on"], tuple(spec["members"].items()))
        )
    return objects, tuple(unions)


def _load_socket(rtm: Path, meta: Mapping[str, Any]) -> tuple[Any, list[SocketError]]:
    """rtm/socket.json as read, and its error codes (each code once)."""
    socket_doc = _read(rtm / "socket.json", _SOCKET_DISPLAY)
    _validate(socket_doc, meta, "socket", _SOCKET_DISPLAY)
    errors: list[SocketError] = []
    for index, entry in enumerate(socket_doc["errors"]):
        if any(e.code == entry["code"] for e in errors):
            raise SchemaProblem(
                _SOCKET_DISPLAY, f"$.errors[{index}]", f"duplicate code {entry['code']}"
            )
        errors.append(
            SocketError(entry["code"], entry["msg"], entry["description"], entry["ends_connection"])
        )
    return socket_doc, errors


def _load_frame_files(
    rtm: Path, meta: Mapping[str, Any], objects: set[str]
) -> tuple[dict[str, list[Frame]], list[str]]:
    """Every frame file, by folder, and their display names.

    One frame per (direction, discriminator); a class name taken by a shared object or by
    another frame is refused.
    """
    found: dict[str, list[Frame]] = {kind: [] for kind in FRAME_DIRS}
    sources: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    classes: dict[str, str] = {name: _OBJECTS_DISPLAY for name in objects}
    for folder in FRAME_DIRS:
        for path in sorted((rtm / folder).glob("*.json")):
            display = f"schema/rtm/{folder}/{path.name}"
            doc = _read(path, display)
            _validate(doc, meta, "frame", display)
            frame = _frame(doc, folder, display, objects)
            key = (frame.direction, frame.discriminator)
            if key in seen:
                raise SchemaProblem(
                    display, "$", f"{seen[key]} already describes this frame ({key[1]!r})"
                )
            seen[key] = display
            if frame.class_name in classes:
                raise SchemaProblem(
                    display,
                    "$.class",
                    f"class {frame.class_name} is already taken by {classes[frame.class_name]}",
                )
            classes[frame.class_name] = display
            found[folder].append(frame)
            sources.append(display)
    return found, sources


_EXPECTED = {
    "events": ("server", "type"),
    "commands": ("client", "type"),
    "acks": ("server", "ack"),
}


def _frame(doc: Mapping[str, Any], folder: str, display: str, objects: set[str]) -> Frame:
    direction, key = _EXPECTED[folder]
    if doc["direction"] != direction:
        raise SchemaProblem(
            display, "$.direction", f"a file in rtm/{folder} must have direction {direction!r}"
        )
    if key not in doc:
        raise SchemaProblem(display, "$", f"a file in rtm/{folder} must have {key!r}")
    for wire in doc["properties"]:
        if wire in DISCRIMINATORS or (folder == "commands" and wire == "id"):
            raise SchemaProblem(
                display, f"$.properties.{wire}", f"{wire!r} is written by the generator itself"
            )
    # References are checked once every frame is known (`_resolve`): a field may nest an event.
    fields = _fields(doc, display, "$", None)
    if folder == "commands":
        for field in fields:
            if field.kind in ("any", "object") or (
                field.kind == "array" and field.item_kind != "string"
            ):
                raise SchemaProblem(
                    display,
                    f"$.properties.{field.wire}",
                    "a command field must be a scalar or an array of strings",
                )
    if folder == "acks":
        discriminator = "true" if doc["ack"] else "false"
        reply_to = next((f for f in fields if f.wire == "reply_to"), None)
        if reply_to is None or reply_to.kind != "integer" or not reply_to.required:
            raise SchemaProblem(
                display, "$.properties", "an ack must have a required integer 'reply_to'"
            )
        default_class = "Ack" + ("Ok" if doc["ack"] else "Error")
    else:
        discriminator = doc["type"]
        default_class = pascal(discriminator) + ("Command" if folder == "commands" else "")
    marks = tuple(sorted(doc.get("marks", {}).items()))
    for name, _ in marks:
        if name in doc["properties"] or name in RESERVED:
            raise SchemaProblem(display, f"$.marks.{name}", f"{name!r} is already a field's name")
    return Frame(
        marks=marks,
        direction=direction,
        kind={"events": "event", "commands": "command", "acks": "ack"}[folder],
        discriminator=discriminator,
        class_name=doc.get("class", default_class),
        summary=doc["summary"],
        fields=fields,
        source_file=display,
        documentation=doc["source"]["documentation"],
    )
