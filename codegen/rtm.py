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

The model's classes live in frame_model.py (and are offered here too, as before).
What must not live here: writing Python text (emit_events.py and the modules it names).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema

from .catalogue import CATALOGUE_DISPLAY, coverage
from .frame_model import Frame, FrameField, Frames, ObjectModel, SocketError, UnionModel
from .load import SchemaProblem, pascal, python_name

__all__ = [
    "Frame",
    "FrameField",
    "Frames",
    "ObjectModel",
    "SocketError",
    "UnionModel",
    "frame_fields",
    "frame_of",
    "load_frames",
    "load_objects",
    "read_json",
    "resolve_refs",
    "validate",
]

FRAME_DIRS = ("events", "commands", "acks")
# Wire names a frame may not describe as fields: they are its discriminators.
DISCRIMINATORS = frozenset({"type", "ok"})
# Python names the generated classes use for themselves.
RESERVED = frozenset({"extra", "raw", "TYPE", "OK"})


def read_json(path: Path, display: str) -> Any:
    """A schema file's JSON.

    Raises:
        SchemaProblem: It is not valid JSON (named ``display``).
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaProblem(
            display, "$", f"not valid JSON: {exc.msg} (line {exc.lineno})"
        ) from None


def validate(instance: Any, meta: Mapping[str, Any], definition: str, display: str) -> None:
    """Hold a file's JSON against a definition of the frames' meta-schema.

    Raises:
        SchemaProblem: The best-matching error, with its JSON path in ``display``.
    """
    schema = {"$defs": meta["$defs"], "$ref": f"#/$defs/{definition}"}
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(instance))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        path = "$" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in best.absolute_path
        )
        raise SchemaProblem(display, path, best.message)


def frame_fields(
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
    meta = read_json(schema_dir / "frame.schema.json", "schema/frame.schema.json")
    jsonschema.Draft202012Validator.check_schema(meta)
    objects, unions = load_objects(rtm, meta)
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
    """Every field's references checked (`resolve_refs`), ``found`` updated in place.

    Returns:
        The shared objects with their fields resolved, and the event classes nested somewhere.
    """
    objects = tuple(
        replace(
            o,
            fields=resolve_refs(
                o.fields, _OBJECTS_DISPLAY, f"$.objects.{o.name}", shared, event_classes
            ),
        )
        for o in objects
    )
    for folder in FRAME_DIRS:
        found[folder] = [
            replace(f, fields=resolve_refs(f.fields, f.source_file, "$", shared, event_classes))
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
    doc = read_json(rtm / "catalogue.json", CATALOGUE_DISPLAY)
    validate(doc, meta, "catalogue", CATALOGUE_DISPLAY)
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


def resolve_refs(
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


def load_objects(
    rtm: Path, meta: Mapping[str, Any], display: str = _OBJECTS_DISPLAY
) -> tuple[tuple[ObjectModel, ...], tuple[UnionModel, ...]]:
    """The shared objects and unions of an objects.json (rtm/'s, or ``display``'s), sorted.

    Raises:
        SchemaProblem: A name used twice, or a union member that is not an object with its
            ``on`` field a required string.
    """
    objects_doc = read_json(rtm / "objects.json", display)
    validate(objects_doc, meta, "objects", display)
    objects = tuple(
        ObjectModel(
            name=name,
            description=spec["description"],
            fields=frame_fields(spec, display, f"$.objects.{name}", None),
        )
        for name, spec in sorted(objects_doc["objects"].items())
    )
    by_name = {o.name: o for o in objects}
    unions: list[UnionModel] = []
    for name, spec in sorted(objects_doc.get("unions", {}).items()):
        where = f"$.unions.{name}"
        if name in by_name:
            raise SchemaProblem(display, where, f"{name} is also a shared object")
        for value, member in sorted(spec["members"].items()):
            model = by_name.get(member)
            on = (
                None
                if model is None
                else next((f for f in model.fields if f.wire == spec["on"]), None)
            )
            if on is None or on.kind != "string" or not on.required:
                raise SchemaProblem(
                    display,
                    f"{where}.members.{value}",
                    f"{member!r} is not a shared object with a required string {spec['on']!r}",
                )
        unions.append(
            UnionModel(name, spec["description"], spec["on"], tuple(spec["members"].items()))
        )
    return objects, tuple(unions)


def _load_socket(rtm: Path, meta: Mapping[str, Any]) -> tuple[Any, list[SocketError]]:
    """rtm/socket.json as read, and its error codes (each code once)."""
    socket_doc = read_json(rtm / "socket.json", _SOCKET_DISPLAY)
    validate(socket_doc, meta, "socket", _SOCKET_DISPLAY)
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
            doc = read_json(path, display)
            validate(doc, meta, "frame", display)
            frame = frame_of(doc, folder, display, objects)
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


def frame_of(doc: Mapping[str, Any], folder: str, display: str, objects: set[str]) -> Frame:
    """A frame file's `Frame`, as a file in ``folder`` (events, commands or acks) must be.

    Raises:
        SchemaProblem: The wrong direction or discriminator, a field the generator writes itself,
            a command field that is not a scalar, an ack without its ``reply_to``.
    """
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
    # References are checked once every frame is known (`resolve_refs`): a field may nest an event.
    fields = frame_fields(doc, display, "$", None)
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
