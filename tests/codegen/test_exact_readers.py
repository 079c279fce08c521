"""The opening branch of a small class's fast reader (codegen/emit_event_exact.py).

Every frame and shared object the branch is generated for (RTM events and acks, Socket Mode
frames, their objects) is read with all its fields, with each optional one null, with each
field of a wrong type, and with an unknown field in place of a known one; a union's members,
read in place, each in turn. The fast reader must build what the strict one builds, refuse
what the loop refused, and `decode` must give the same with orjson and with ``json`` alone.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from codegen.emit_event_exact import branches, known_only
from codegen.frame_model import FrameField, ObjectModel
from codegen.rtm import load_frames
from codegen.socket import load_socket
from slackrtm import envelopes, events
from slackrtm._generated import envelopes as generated_envelopes
from slackrtm._generated import events as generated_events

from .codegen_suite import SCHEMA_DIR

_LOADED_FRAMES = load_frames(SCHEMA_DIR)
_LOADED_SOCKET = load_socket(SCHEMA_DIR)
assert _LOADED_FRAMES is not None and _LOADED_SOCKET is not None
_FRAMES, _SOCKET = _LOADED_FRAMES, _LOADED_SOCKET
_OBJECTS = {o.name: o for o in (*_FRAMES.objects, *_SOCKET.objects)}
_UNIONS = {u.name: u for u in _FRAMES.unions}
_NESTED = {f.class_name: f for f in _FRAMES.events}
_SCALAR = {"string": "s", "boolean": True, "integer": 7, "number": 1.5}
_WRONG = {"string": 1, "boolean": "true", "integer": 1.5, "number": "1", "object": "s"}
_WRONG["array"] = "s"


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _value(field: FrameField, member: int = 0) -> Any:
    """A valid value for every field, objects with all of theirs (a union: its ``member``)."""
    if field.kind in _SCALAR:
        return _SCALAR[field.kind]
    if _never(field):
        return None  # the one value the fast path takes, in a frame
    if field.kind == "array":
        item = FrameField(
            field.wire, field.attr, str(field.item_kind), True, "", ref=field.item_ref
        )
        return [_value(item)]
    return _object_value(str(field.ref), member)


def _object_value(ref: str, member: int = 0) -> dict[str, Any]:
    if ref in _UNIONS:
        union = _UNIONS[ref]
        value, name = union.members[member]
        return {**_full(_OBJECTS[name].fields), union.on: value}
    if ref in _OBJECTS:
        return _full(_OBJECTS[ref].fields)
    if ref == "Event":  # Socket Mode's inner event: any RTM event
        return {"type": "user_typing", "channel": "C1", "user": "U1"}
    scalars = tuple(f for f in _NESTED[ref].fields if f.required and f.kind in _SCALAR)
    return _full(scalars)  # a nested event: its required scalars


def _never(field: FrameField) -> bool:
    return field.kind == "any" or field.item_kind == "any"


def _full(fields: tuple[FrameField, ...]) -> dict[str, Any]:
    """An object with every field the fast path takes in one (an ``any`` field: not even null)."""
    return {f.wire: _value(f) for f in fields if not _never(f)}


class _Reader:
    """One generated fast reader with its strict twin and what it reads."""

    def __init__(
        self, module: Any, name: str, fields: tuple[FrameField, ...], head: dict[str, Any]
    ):
        self.name = name
        self.fields = fields
        self.head = head
        self.is_frame = bool(head)
        self.fast: Callable[[Any], Any] = getattr(module, f"_fast_{_snake(name)}")
        strict = getattr(module, f"_strict_{_snake(name)}")
        self.strict: Callable[[Any], Any] = (
            strict if self.is_frame else (lambda data: strict(data, "o", "f"))
        )
        self.decode = envelopes.decode if module is generated_envelopes else events.decode

    def full(self, member: int = 0) -> dict[str, Any]:
        body = {f.wire: _value(f, member) for f in self.fields}
        return {**self.head, **body}

    def __repr__(self) -> str:
        return self.name


def _readers() -> list[_Reader]:
    out: list[_Reader] = []
    head: dict[str, Any]
    for frame in _FRAMES.events:
        if branches(frame.fields, "type"):
            head = {"type": frame.discriminator}
            out.append(_Reader(generated_events, frame.class_name, frame.fields, head))
    for frame in _FRAMES.acks:
        if branches(frame.fields, "ok"):
            head = {"ok": frame.discriminator == "true"}
            out.append(_Reader(generated_events, frame.class_name, frame.fields, head))
    for socket_frame in _SOCKET.frames:
        if branches(socket_frame.fields, "type"):
            head = {"type": socket_frame.discriminator}
            module = generated_envelopes
            out.append(_Reader(module, socket_frame.class_name, socket_frame.fields, head))
    models: list[tuple[Any, ObjectModel]] = [(generated_events, o) for o in _FRAMES.objects]
    models += [(generated_envelopes, o) for o in _SOCKET.objects]
    for module, model in models:
        if branches(model.fields, None) or known_only(model):
            out.append(_Reader(module, model.name, model.fields, {}))
    return out


READERS = _readers()
_FRAME_READERS = [r for r in READERS if r.is_frame]


def _read(reader: _Reader, data: dict[str, Any]) -> Any:
    """The fast reader's answer on a copy, checked against the strict reader's."""
    built = reader.fast(copy.deepcopy(data))
    try:
        explained = reader.strict(copy.deepcopy(data))
    except events.SlackFrameError:
        assert built is None, (reader, data)
        return None
    assert built is None or built == explained, (reader, data)
    return built


@contextmanager
def _stdlib_only() -> Iterator[None]:
    saved = events._orjson_loads, envelopes._orjson_loads
    events._orjson_loads = envelopes._orjson_loads = None
    try:
        yield
    finally:
        events._orjson_loads, envelopes._orjson_loads = saved


def _decoded(reader: _Reader, text: str) -> Any:
    try:
        return reader.decode(text)
    except events.SlackFrameError as exc:  # an ack with a bad field has no fallback
        return exc


def _both_parsers(reader: _Reader, data: dict[str, Any]) -> Any:
    """`decode` of the frame's text with orjson and with ``json`` alone, which must agree."""
    text = json.dumps(data)
    first = _decoded(reader, text)
    with _stdlib_only():
        second = _decoded(reader, text)
    if isinstance(first, events.SlackFrameError):
        assert (first.path, first.reason) == (second.path, second.reason)
    else:
        assert first == second
    return first


def test_the_branch_is_generated_for_the_small_classes_and_their_shapes() -> None:
    names = {r.name for r in READERS}
    assert {"ReactionAdded", "PinAdded", "ReactionItemMessage", "EventsApi"} <= names
    assert "EventCallback" not in names  # 14 fields, 15: the loop is cheaper (see known_only)
    assert "SlashCommand" not in names
    assert "Message" not in names  # 33 fields: the loop alone
    kinds = {(f.kind, f.required, bool(f.union_members)) for r in READERS for f in r.fields}
    for shape in [
        ("string", True, False),
        ("string", False, False),
        ("integer", False, False),
        ("boolean", False, False),
        ("any", False, False),
        ("object", True, True),
        ("object", True, False),
        ("object", False, False),
        ("array", True, False),
        ("array", False, False),
    ]:
        assert shape in kinds, shape


@pytest.mark.parametrize("reader", READERS, ids=repr)
def test_a_class_with_every_field_is_read_by_the_branch(reader: _Reader) -> None:
    data = reader.full()
    built = _read(reader, data)
    assert built is not None
    assert built == reader.strict(copy.deepcopy(data))
    if reader.is_frame:
        assert type(_both_parsers(reader, data)) is type(built)


@pytest.mark.parametrize("reader", _FRAME_READERS, ids=repr)
def test_a_frame_with_every_field_never_takes_the_loop(reader: _Reader) -> None:
    class NoLoop(dict[str, Any]):
        def items(self) -> Any:
            raise AssertionError("the loop was taken")

    assert reader.fast(NoLoop(copy.deepcopy(reader.full()))) is not None


@pytest.mark.parametrize("reader", READERS, ids=repr)
def test_each_optional_field_may_be_null(reader: _Reader) -> None:
    for field in (f for f in reader.fields if not f.required):
        data = {**reader.full(), field.wire: None}
        built = _read(reader, data)
        assert built is not None, field.wire
        assert getattr(built, field.attr) is None
        if reader.is_frame:
            _both_parsers(reader, data)


@pytest.mark.parametrize("reader", READERS, ids=repr)
def test_each_optional_field_may_be_absent(reader: _Reader) -> None:
    for field in (f for f in reader.fields if not f.required):
        data = reader.full()
        del data[field.wire]
        built = _read(reader, data)
        assert built is not None, field.wire
        assert getattr(built, field.attr) is None
        assert field.attr not in vars(built)  # the class's None, not one stored
        if reader.is_frame:
            _both_parsers(reader, data)
    required = {f.wire: _value(f) for f in reader.fields if f.required}
    assert _read(reader, {**reader.head, **required}) is not None


@pytest.mark.parametrize("reader", READERS, ids=repr)
def test_each_field_of_a_wrong_type_is_refused(reader: _Reader) -> None:
    for field in reader.fields:
        if _never(field):
            # The fast path takes only a null there: the strict reader builds the rest.
            data = {**reader.full(), field.wire: [1] if field.kind == "array" else 1}
            assert reader.fast(copy.deepcopy(data)) is None
            assert reader.strict(data) is not None
            continue
        wrong = [_WRONG[field.kind]]
        if field.required:
            wrong.append(None)
        for value in wrong:
            data = {**reader.full(), field.wire: value}
            assert reader.fast(copy.deepcopy(data)) is None, (field.wire, value)
            with pytest.raises(events.SlackFrameError) as caught:
                reader.strict(data)
            assert caught.value.path.split(".")[0].split("[")[0] in (field.wire, "o"), field
            if reader.is_frame:
                fallback = _both_parsers(reader, data)
                assert fallback.path.split(".")[0].split("[")[0] == field.wire


@pytest.mark.parametrize("reader", READERS, ids=repr)
def test_an_unknown_field_in_place_of_a_known_one(reader: _Reader) -> None:
    for field in reader.fields:
        data = reader.full()
        del data[field.wire]
        data["x_new"] = [1]
        built = _read(reader, data)
        if not reader.is_frame:
            assert built is None  # an object's fast reader leaves unknown fields to the strict
            if not field.required:
                assert reader.strict(data).extra == {"x_new": [1]}
        elif field.required:
            assert built is None
        else:
            assert built is not None and built.extra == {"x_new": [1]}, field.wire
        if reader.is_frame:
            _both_parsers(reader, data)


@pytest.mark.parametrize("reader", READERS, ids=repr)
def test_an_unknown_field_beside_every_known_one(reader: _Reader) -> None:
    data = {**reader.full(), "x_new": {"a": 1}}
    built = _read(reader, data)
    if reader.is_frame:
        assert built is not None and built.extra == {"x_new": {"a": 1}}
        assert _both_parsers(reader, data).extra == {"x_new": {"a": 1}}
    else:
        assert built is None


def _union_fields() -> list[tuple[_Reader, FrameField]]:
    return [(r, f) for r in READERS for f in r.fields if f.union_members]


@pytest.mark.parametrize(("reader", "field"), _union_fields(), ids=lambda x: getattr(x, "wire", x))
def test_each_member_of_a_union_read_in_place_or_by_its_reader(
    reader: _Reader, field: FrameField
) -> None:
    for number, (_, member) in enumerate(field.union_members):
        data = reader.full(number)
        built = _read(reader, data)
        assert type(getattr(built, field.attr)).__name__ == member
        assert _both_parsers(reader, data) == built
        item = data[field.wire]
        for key in [k for k in item if k != field.union_on]:
            # One field absent: its reader, not the branch. One unknown in its place: refused
            # by the fast path, kept by the strict one. One of a wrong type: the whole frame
            # falls back, with the path.
            fewer = {**data, field.wire: {k: v for k, v in item.items() if k != key}}
            assert _read(reader, fewer) is not None, (member, key)
            unknown = {**data, field.wire: {**fewer[field.wire], "x_new": 1}}
            assert _read(reader, unknown) is None
            kept = _both_parsers(reader, unknown)
            assert getattr(kept, field.attr).extra == {"x_new": 1}
            wrong = {**data, field.wire: {**item, key: [1]}}
            assert _read(reader, wrong) is None
            assert _both_parsers(reader, wrong).path == f"{field.wire}.{key}"
        other = {**data, field.wire: {**item, str(field.union_on): "no_such_member"}}
        assert _read(reader, other) is None
        assert _both_parsers(reader, other).path == f"{field.wire}.{field.union_on}"


def test_a_reaction_read_by_the_branch_shares_nothing_with_its_caller() -> None:
    # DECODERS copies what it is given (owned): the branch takes the copy over, not the frame.
    frame = {
        "type": "reaction_added",
        "user": "U1",
        "item": {"type": "message", "channel": "C1", "ts": "1.2"},
        "reaction": "ok",
        "item_user": "U2",
        "event_ts": "1.3",
    }
    before = copy.deepcopy(frame)
    event = events.DECODERS["reaction_added"](frame)
    assert isinstance(event, events.ReactionAdded)
    assert frame == before
    assert event.item == events.ReactionItemMessage(channel="C1", ts="1.2", type="message")
    assert vars(event) is not frame and vars(event.item) is not frame["item"]


def _envelope_fields() -> list[tuple[str, FrameField]]:
    """Each scalar of an ``events_api`` envelope and of its body, by where it sits."""
    envelope = next(r for r in READERS if r.name == "EventsApi")
    out = [("", f) for f in envelope.fields if f.kind in _SCALAR]
    return out + [("payload", f) for f in _OBJECTS["EventCallback"].fields if f.kind in _SCALAR]


@pytest.mark.parametrize(
    ("where", "field"), _envelope_fields(), ids=lambda x: getattr(x, "wire", x)
)
@pytest.mark.parametrize("unknown", [False, True], ids=["exact", "loop"])
def test_a_refused_envelope_leaves_its_event_as_it_came(
    where: str, field: FrameField, unknown: bool
) -> None:
    # The event's fast reader takes its dict over (no copy): the body reads it last, and the
    # envelope its body last (by its exact branch, or by its loop when it has an unknown
    # field), so a field refused anywhere leaves every dict as it came, for the strict reader
    # (and the fallback's raw) to read.
    envelope = next(r for r in READERS if r.name == "EventsApi")
    data = envelope.full()
    data["payload"]["event"] = {"type": "message", "channel": "C1", "text": "hi", "ts": "1.2"}
    (data["payload"] if where else data)[field.wire] = _WRONG[field.kind]
    if unknown:
        data["x_new"] = 1
    before = copy.deepcopy(data)
    assert envelope.fast(data) is None
    assert data == before
    text = json.dumps(before)
    fallback = envelopes.decode(text)
    assert isinstance(fallback, envelopes.FallbackFrame)
    assert fallback.path == ".".join(filter(None, [where, field.wire]))
    assert fallback.raw == before
    with _stdlib_only():
        assert envelopes.decode(text) == fallback


_REFUSED_INSIDE = {
    "an authorization": ("authorizations", [{"user_id": 1}]),
    "the event": ("event", {"type": "message", "channel": 1, "ts": "1.2"}),
}


@pytest.mark.parametrize("inside", _REFUSED_INSIDE)
def test_a_refused_body_or_event_leaves_the_envelope_as_it_came(inside: str) -> None:
    # Refused by a nested fast reader: nothing was changed, and decode gives the same with
    # both parsers (a fallback frame, or the envelope with a FallbackEvent).
    envelope = next(r for r in READERS if r.name == "EventsApi")
    data = envelope.full()
    data["payload"]["event"] = {"type": "message", "channel": "C1", "ts": "1.2"}
    where, value = _REFUSED_INSIDE[inside]
    data["payload"][where] = value
    before = copy.deepcopy(data)
    assert envelope.fast(data) is None
    assert data == before
    decoded = envelopes.decode(json.dumps(before))
    if where == "event":  # the envelope stays typed, so that it can be acked
        assert isinstance(decoded, envelopes.EventsApi)
        assert isinstance(decoded.payload.event, events.FallbackEvent)
    else:
        assert isinstance(decoded, envelopes.FallbackFrame)
    with _stdlib_only():
        assert envelopes.decode(json.dumps(before)) == decoded


_LOOPED = [
    _Reader(generated_envelopes, name, _OBJECTS[name].fields, {})
    for name in ("EventCallback", "SlashCommand")
]


@pytest.mark.parametrize("reader", _LOOPED, ids=repr)
def test_the_larger_socket_objects_are_read_by_the_loop_as_before(reader: _Reader) -> None:
    # Every field, each optional one null or absent, each of a wrong type, an unknown one.
    assert _read(reader, reader.full()) is not None
    for field in reader.fields:
        if not field.required:
            assert _read(reader, {**reader.full(), field.wire: None}) is not None
            fewer = {k: v for k, v in reader.full().items() if k != field.wire}
            assert field.attr not in vars(_read(reader, fewer))
        wrong = {**reader.full(), field.wire: _WRONG[field.kind]}
        assert reader.fast(copy.deepcopy(wrong)) is None, field.wire
    unknown = {**reader.full(), "x_new": 1}
    assert reader.fast(copy.deepcopy(unknown)) is None
    assert reader.strict(unknown).extra == {"x_new": 1}
