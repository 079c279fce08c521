"""Fuzzing `events.decode`: whatever the server sends, a typed frame or `SlackFrameError`.

The frame kinds and their fields come from schema/rtm, so a new frame is fuzzed without a change
here. `make test` runs a bounded number of examples; `make fuzz` runs a long campaign.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.rtm import Frame, FrameField, Frames, load_frames
from slackrtm import events
from slackrtm._generated import events as generated

from ..codegen.codegen_suite import SCHEMA_DIR
from ..fuzzing import examples

pytestmark = pytest.mark.fuzz


def _frames() -> Frames:
    frames = load_frames(SCHEMA_DIR)
    assert frames is not None
    return frames


FRAMES = _frames()
OBJECTS = {o.name: o for o in FRAMES.objects}
UNIONS = {u.name: u for u in FRAMES.unions}
NESTED = {f.class_name: f for f in FRAMES.events if f.class_name in FRAMES.nested}
SERVER = [*FRAMES.events, *FRAMES.acks]
SETTINGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)


def _valid(field: FrameField) -> st.SearchStrategy[Any]:
    """Values of the right JSON type for a field (what Slack may send)."""
    kind = field.kind
    if kind == "string":
        return st.text(max_size=30)
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(min_value=-(2**63), max_value=2**63)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False) | st.integers(-1000, 1000)
    if kind == "any":
        return json_values
    if kind == "object":
        assert field.ref is not None
        return _shared(field.ref)
    assert field.item_kind is not None
    item = FrameField(field.wire, field.attr, field.item_kind, True, "", ref=field.item_ref)
    return st.lists(_valid(item), max_size=4)


def _shared(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """A shared object, one of a union's members with its key, or a nested event (one level)."""
    if name in OBJECTS:
        return _object(OBJECTS[name].fields)
    if name in UNIONS:
        union = UNIONS[name]
        return st.sampled_from(union.members).flatmap(
            lambda pair: _object(OBJECTS[pair[1]].fields).map(
                lambda body: {**body, union.on: pair[0]}
            )
        )
    # A nested event: its scalar fields only, so that the strategy ends.
    flat = tuple(f for f in NESTED[name].fields if f.kind not in ("object", "array"))
    return _object(flat)


def _object(fields: tuple[FrameField, ...]) -> st.SearchStrategy[dict[str, Any]]:
    required = {f.wire: _valid(f) for f in fields if f.required}
    optional = {f.wire: _valid(f) | st.none() for f in fields if not f.required}
    extra = st.dictionaries(
        st.text(min_size=1, max_size=8).map(lambda k: "x_" + k), json_values, max_size=3
    )
    return st.builds(
        lambda base, more: {**more, **base},
        st.fixed_dictionaries(required, optional=optional),
        extra,
    )


def _frame(frame: Frame) -> st.SearchStrategy[dict[str, Any]]:
    head: dict[str, Any] = (
        {"ok": frame.discriminator == "true"}
        if frame.kind == "ack"
        else {"type": frame.discriminator}
    )
    return _object(frame.fields).map(lambda body: {**body, **head})


valid_frames = st.sampled_from(SERVER).flatmap(lambda f: st.tuples(st.just(f), _frame(f)))


@SETTINGS
@given(pair=valid_frames)
def test_every_well_typed_frame_decodes_to_its_class_with_nothing_lost(
    pair: tuple[Frame, dict[str, Any]],
) -> None:
    frame, data = pair
    decoded = events.decode(json.dumps(data))
    assert type(decoded).__name__ == frame.class_name
    described = {"type", "ok"} | {f.wire for f in frame.fields} | {f.single for f in frame.fields}
    assert decoded.extra == {k: v for k, v in data.items() if k not in described}
    for field in frame.fields:
        if field.kind in ("string", "boolean", "integer") and data.get(field.wire) is not None:
            assert getattr(decoded, field.attr) == data[field.wire]


@SETTINGS
@given(
    kind=st.sampled_from(sorted(generated.EVENT_TYPES)),
    data=st.dictionaries(st.text(max_size=12), json_values, max_size=8),
)
def test_any_fields_under_a_known_type_give_its_class_or_the_fallback(
    kind: str, data: dict[str, Any]
) -> None:
    data["type"] = kind
    decoded = events.decode(json.dumps(data))
    if isinstance(decoded, events.FallbackEvent):
        assert decoded.type == kind and decoded.raw == data
        with pytest.raises(events.SlackFrameError) as caught:
            events.decode(json.dumps(data), strict=True)
        assert (caught.value.frame_type, caught.value.path) == (kind, decoded.path)
    else:
        assert type(decoded) is generated.EVENT_TYPES[kind]


@SETTINGS
@given(value=json_values)
def test_any_json_value_gives_a_frame_or_the_frame_error(value: Any) -> None:
    try:
        decoded = events.decode(json.dumps(value))
    except events.SlackFrameError:
        return
    assert isinstance(decoded, (events.Event, events.Ack))


@SETTINGS
@given(raw=st.binary(max_size=200))
def test_any_bytes_give_a_frame_or_the_frame_error(raw: bytes) -> None:
    try:
        decoded = events.decode(raw)
    except events.SlackFrameError:
        return
    assert isinstance(decoded, (events.Event, events.Ack))


@SETTINGS
@given(pair=valid_frames, cut=st.integers(min_value=0, max_value=10_000))
def test_a_truncated_frame_is_the_frame_error(pair: tuple[Frame, dict[str, Any]], cut: int) -> None:
    text = json.dumps(pair[1])
    cut %= len(text)
    with pytest.raises(events.SlackFrameError) as caught:
        events.decode(text[:cut])
    assert caught.value.path == "$"


@SETTINGS
@given(depth=st.integers(min_value=1, max_value=200_000), opener=st.sampled_from(["[", '{"a":']))
def test_nesting_of_any_depth(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = opener * depth + "1" + closer * depth
    try:
        decoded = events.decode(text)
    except events.SlackFrameError:
        return
    assert isinstance(decoded, events.UnknownEvent)


@SETTINGS
@given(digits=st.integers(min_value=1, max_value=20_000))
def test_numbers_of_any_length(digits: int) -> None:
    text = '{"type": "pong", "reply_to": ' + "9" * digits + "}"
    try:
        decoded = events.decode(text)
    except events.SlackFrameError:
        return
    assert isinstance(decoded, events.Pong)


# --------------------------------------------------------------------------- the fast path


def _outcome(text: str | bytes) -> tuple[str, Any]:
    """What decode gives, comparable: the class and its fields (recursively), or the error."""
    try:
        decoded = events.decode(text)
    except events.SlackFrameError as exc:
        return ("error", (exc.path, exc.reason, exc.frame_type))
    if isinstance(decoded, events.UnknownEvent):
        return ("UnknownEvent", json.dumps(decoded.raw, sort_keys=True))
    fields = attrs.asdict(decoded, recurse=True)
    return (type(decoded).__name__, json.dumps(fields, sort_keys=True, default=repr))


def _with_and_without_orjson(text: str | bytes) -> tuple[tuple[str, Any], tuple[str, Any]]:
    fast = _outcome(text)
    saved, events._orjson_loads = events._orjson_loads, None
    try:
        return fast, _outcome(text)
    finally:
        events._orjson_loads = saved


needs_orjson = pytest.mark.skipif(events._orjson_loads is None, reason="orjson is not installed")

long_integers = st.integers(min_value=2**62, max_value=2**70) | st.integers(
    min_value=-(2**70), max_value=-(2**62)
)
wild_values = st.recursive(
    json_scalars | long_integers,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)


@needs_orjson
@SETTINGS
@given(pair=valid_frames, more=st.dictionaries(st.text(max_size=8), wild_values, max_size=3))
def test_orjson_and_the_standard_library_read_every_valid_frame_alike(
    pair: tuple[Frame, dict[str, Any]], more: dict[str, Any]
) -> None:
    text = json.dumps({**more, **pair[1]})
    with_orjson, without = _with_and_without_orjson(text)
    assert with_orjson == without


@needs_orjson
@SETTINGS
@given(
    kind=st.sampled_from([*sorted(generated.EVENT_TYPES), "brand_new", None]),
    data=st.dictionaries(st.text(max_size=12), wild_values, max_size=8),
    ack=st.sampled_from([None, True, False, "yes"]),
)
def test_orjson_and_the_standard_library_read_any_frame_alike(
    kind: str | None, data: dict[str, Any], ack: Any
) -> None:
    if kind is not None:
        data["type"] = kind
    if ack is not None:
        data.update(ok=ack, reply_to=data.get("reply_to", 1))
    with_orjson, without = _with_and_without_orjson(json.dumps(data))
    assert with_orjson == without


@needs_orjson
@SETTINGS
@given(raw=st.binary(max_size=200) | st.text(max_size=200))
def test_orjson_and_the_standard_library_refuse_garbage_alike(raw: str | bytes) -> None:
    with_orjson, without = _with_and_without_orjson(raw)
    assert with_orjson == without


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


@SETTINGS
@given(
    frame=st.sampled_from(SERVER),
    data=st.dictionaries(st.text(max_size=12), json_values, max_size=8),
    valid=st.booleans(),
)
def test_the_fast_reader_builds_what_the_strict_one_builds_or_declines(
    frame: Frame, data: dict[str, Any], valid: bool
) -> None:
    fast = getattr(generated, f"_fast_{_snake(frame.class_name)}")
    strict = getattr(generated, f"_strict_{_snake(frame.class_name)}")
    if valid:
        example = json.loads((SCHEMA_DIR.parent / frame.source_file).read_text())["example"]
        data = {**data, **example}
    data = {**data, **({"type": frame.discriminator} if frame.kind != "ack" else {})}
    copy_of = json.loads(json.dumps(data))
    built = fast(json.loads(json.dumps(data)))
    try:
        explained = strict(copy_of)
    except events.SlackFrameError:
        assert built is None
        return
    assert built is None or built == explained
