"""The RTM frames: schema/rtm -> generated classes, decoders and encoders, against the schema.

Every expectation here is read from the schema files themselves (their examples, fields and
types), so a frame added to schema/rtm is covered without touching this file.
"""

from __future__ import annotations

import copy
import gc
import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

from codegen.instance import frame_instance_schema
from codegen.rtm import Frame, FrameField, Frames, load_frames
from slackrtm import events
from slackrtm._generated import events as generated

from .codegen_suite import SCHEMA_DIR, generate, main


def _frames() -> Frames:
    frames = load_frames(SCHEMA_DIR)
    assert frames is not None
    return frames


FRAMES = _frames()
SERVER = [*FRAMES.events, *FRAMES.acks]


def _example(frame: Frame) -> dict[str, Any]:
    path = SCHEMA_DIR.parent / frame.source_file
    example = json.loads(path.read_text(encoding="utf-8"))["example"]
    assert isinstance(example, dict)
    return example


def _class(frame: Frame) -> type[Any]:
    cls = getattr(events, frame.class_name)
    assert isinstance(cls, type)
    return cls


def _wrong_value(field: FrameField) -> Any:
    """A JSON value of the wrong type for the field (never null, which means absent)."""
    kind = field.kind
    if kind == "string":
        return 7
    if kind in ("integer", "number"):
        return "7"
    if kind == "boolean":
        return 1
    if kind == "array":
        return {"not": "a list"}
    return ["not", "an object"]


def _ids(frames: list[Frame]) -> list[str]:
    return [f"{f.kind}:{f.discriminator}" for f in frames]


# --------------------------------------------------------------------------- the examples


@pytest.mark.parametrize("frame", SERVER, ids=_ids(SERVER))
def test_each_server_example_decodes_to_its_class(frame: Frame) -> None:
    example = _example(frame)
    jsonschema.validate(example, frame_instance_schema(frame, FRAMES))
    decoded = events.decode(json.dumps(example))
    assert type(decoded) is _class(frame)
    described = {"type", "ok"} | {f.wire for f in frame.fields} | {f.single for f in frame.fields}
    assert decoded.extra == {k: v for k, v in example.items() if k not in described}
    for field in frame.fields:
        value = getattr(decoded, field.attr)
        wire = example.get(field.wire, example.get(field.single or ""))
        if wire is None:
            assert value is None
        elif field.kind in ("string", "integer", "boolean"):
            assert value == wire
        elif field.kind == "array" and field.item_kind != "object":
            assert value == (tuple(wire) if isinstance(wire, list) else (wire,))


@pytest.mark.parametrize("frame", FRAMES.commands, ids=_ids(list(FRAMES.commands)))
def test_each_command_example_encodes_as_written(frame: Frame) -> None:
    example = _example(frame)
    jsonschema.validate(example, frame_instance_schema(frame, FRAMES))
    kwargs = {f.attr: example[f.wire] for f in frame.fields if f.wire in example}
    command = _class(frame)(**kwargs)
    encoded = events.encode(command, example.get("id"))
    assert json.loads(encoded) == example
    leading = ["id", "type"] if "id" in example else ["type"]
    assert list(json.loads(encoded))[: len(leading)] == leading


def test_every_event_type_is_in_the_type_table() -> None:
    assert set(generated.EVENT_TYPES) == {f.discriminator for f in FRAMES.events}
    for frame in FRAMES.events:
        assert generated.EVENT_TYPES[frame.discriminator] is _class(frame)
        assert frame.discriminator == _class(frame).TYPE
        assert issubclass(_class(frame), events.Event)
    for frame in FRAMES.commands:
        assert issubclass(_class(frame), events.Command)


# --------------------------------------------------------------------------- strictness


def _wrong_cases() -> list[tuple[Frame, FrameField]]:
    return [(frame, field) for frame in SERVER for field in frame.fields if field.kind != "any"]


@pytest.mark.parametrize(
    ("frame", "field"),
    _wrong_cases(),
    ids=[f"{fr.discriminator}.{fi.wire}" for fr, fi in _wrong_cases()],
)
def test_a_field_of_the_wrong_type_is_refused_by_path(frame: Frame, field: FrameField) -> None:
    bad = _example(frame)
    bad.pop(field.single or "", None)
    bad[field.wire] = _wrong_value(field)
    with pytest.raises(events.SlackFrameError) as caught:
        events.decode(json.dumps(bad), strict=True)
    assert caught.value.path == field.wire
    assert caught.value.reason.startswith("expected ")


def _required_cases() -> list[tuple[Frame, FrameField]]:
    # An ack's reply_to is what makes it an ack: without it, see the test below.
    return [
        (frame, field)
        for frame in SERVER
        for field in frame.fields
        if field.required and not (frame.kind == "ack" and field.wire == "reply_to")
    ]


@pytest.mark.parametrize(
    ("frame", "field"),
    _required_cases(),
    ids=[f"{fr.discriminator}.{fi.wire}" for fr, fi in _required_cases()],
)
def test_a_missing_required_field_is_refused(frame: Frame, field: FrameField) -> None:
    bad = _example(frame)
    bad.pop(field.wire, None)
    bad.pop(field.single or "", None)
    with pytest.raises(events.SlackFrameError, match="required field is missing") as caught:
        events.decode(json.dumps(bad), strict=True)
    assert caught.value.path == field.wire


def test_a_frame_without_type_or_reply_to_is_unknown() -> None:
    event = events.decode('{"ok": true, "ts": "1.2"}')
    assert isinstance(event, events.UnknownEvent) and event.raw == {"ok": True, "ts": "1.2"}


def test_no_coercion() -> None:
    with pytest.raises(events.SlackFrameError, match="expected boolean"):
        events.decode('{"type": "message", "ts": "1.2", "hidden": "false"}', strict=True)
    with pytest.raises(events.SlackFrameError, match="expected integer"):
        events.decode('{"type": "pong", "reply_to": true}', strict=True)
    with pytest.raises(events.SlackFrameError, match="expected integer"):
        events.decode('{"type": "pong", "reply_to": 1.0}', strict=True)
    with pytest.raises(events.SlackFrameError) as caught:
        events.decode('{"type": "message", "ts": "1.2", "edited": {"user": 5}}', strict=True)
    assert caught.value.path == "edited.user"
    assert caught.value.frame_type == "message"


def test_optional_null_is_absent() -> None:
    msg = events.decode('{"type": "message", "ts": "1.2", "user": null, "edited": null}')
    assert isinstance(msg, events.Message)
    assert msg.user is None and msg.edited is None


# --------------------------------------------------------------------------- tolerance


def test_unknown_fields_are_kept_at_every_level() -> None:
    msg = events.decode(
        '{"type": "message", "ts": "1.2", "blocks": [{"x": 1}], "edited": {"ts": "3", "new": true}}'
    )
    assert isinstance(msg, events.Message)
    assert msg.extra == {"blocks": [{"x": 1}]}
    assert msg.edited is not None and msg.edited.extra == {"new": True}


def test_unknown_type_keeps_the_frame_whole() -> None:
    frame = {"type": "brand_new_event", "deep": {"a": [1, 2]}}
    event = events.decode(json.dumps(frame))
    assert isinstance(event, events.UnknownEvent)
    assert event.type == "brand_new_event"
    assert event.raw == frame
    untyped = events.decode('{"hello": 1}')
    assert isinstance(untyped, events.UnknownEvent) and untyped.type == ""


def test_presence_change_both_shapes_read_as_users() -> None:
    one = events.decode('{"type": "presence_change", "user": "U1", "presence": "away"}')
    many = events.decode('{"type": "presence_change", "users": ["U1", "U2"], "presence": "active"}')
    assert isinstance(one, events.PresenceChange) and isinstance(many, events.PresenceChange)
    assert one.users == ("U1",) and one.extra == {}
    assert many.users == ("U1", "U2")
    with pytest.raises(events.SlackFrameError) as caught:
        events.decode(
            '{"type": "presence_change", "users": ["U1", 2], "presence": "away"}', strict=True
        )
    assert caught.value.path == "users[1]"


def test_acks() -> None:
    ok = events.decode('{"ok": true, "reply_to": 4, "ts": "1.2", "text": "hi"}')
    assert ok == events.MessageAck(reply_to=4, ts="1.2", text="hi")
    assert isinstance(ok, events.Ack)
    failed = events.decode('{"ok": false, "reply_to": 5, "error": {"code": 2, "msg": "no"}}')
    assert failed == events.ErrorAck(reply_to=5, error=events.ErrorInfo(code=2, msg="no"))
    with pytest.raises(events.SlackFrameError, match="expected boolean"):
        events.decode('{"ok": "yes", "reply_to": 5}')


def test_timestamps_stay_strings() -> None:
    msg = events.decode('{"type": "message", "ts": "1355517523.000005"}')
    assert isinstance(msg, events.Message) and msg.ts == "1355517523.000005"


def test_secret_fields_are_redacted() -> None:
    url = "wss://example.invalid/websocket/SECRET-TICKET"
    event = events.decode(json.dumps({"type": "reconnect_url", "url": url}))
    assert isinstance(event, events.ReconnectUrl) and event.url == url
    assert "SECRET" not in repr(event) and "SECRET" not in str(event)


def test_socket_error_codes_come_from_the_schema() -> None:
    assert dict(events.RTM_ERROR_DESCRIPTIONS) == {e.code: e.description for e in FRAMES.errors}
    assert events.RTM_ERROR_MESSAGES[1] == "Socket URL has expired"
    assert events.MAX_FRAME_BYTES == 16384


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "frame",
    [
        "",
        "not json",
        "[1, 2]",
        "null",
        "7",
        '"text"',
        "[" * 100_000,
        '{"a":' * 5_000 + "1" + "}" * 5_000,
        "1" * 5_000,
        b"\xff\xfe\x00",
        '{"type": "message"',
    ],
)
def test_garbage_raises_only_the_frame_error(frame: str | bytes) -> None:
    with pytest.raises(events.SlackFrameError) as caught:
        events.decode(frame)
    assert caught.value.path == "$"


def test_deep_nesting_inside_a_kept_field_is_kept() -> None:
    deep = '{"type": "pref_change", "name": "x", "value": ' + "[" * 500 + "]" * 500 + "}"
    event = events.decode(deep)
    assert isinstance(event, events.PrefChange)


def test_frame_error_survives_pickle_and_copy() -> None:
    with pytest.raises(events.SlackFrameError) as caught:
        events.decode('{"type": "message", "ts": 5}', strict=True)
    for clone in (pickle.loads(pickle.dumps(caught.value)), copy.copy(caught.value)):
        assert str(clone) == str(caught.value)
        assert (clone.path, clone.reason, clone.frame_type) == (
            "ts",
            "expected string, got number",
            "message",
        )


# --------------------------------------------------------------------------- commands


def test_commands_check_their_arguments() -> None:
    with pytest.raises(TypeError, match="'channel'"):
        events.MessageCommand(channel=5, text="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="list of strings"):
        events.PresenceSubCommand(ids="U1")
    with pytest.raises(TypeError, match="list of strings"):
        events.PresenceSubCommand(ids=["U1", 2])  # type: ignore[list-item]
    assert events.PresenceSubCommand(ids=["U1"]).ids == ("U1",)


def test_encode_leaves_out_none_and_checks_the_id() -> None:
    text = events.encode(events.MessageCommand(channel="C1", text="ünï"), 3)
    assert text == '{"id":3,"type":"message","channel":"C1","text":"ünï"}'
    assert events.encode(events.PingCommand()) == '{"type":"ping"}'
    with pytest.raises(ValueError, match="positive"):
        events.encode(events.PingCommand(), 0)
    with pytest.raises(TypeError, match="integer"):
        events.encode(events.PingCommand(), True)
    with pytest.raises(TypeError, match="not an RTM command"):
        events.encode(object(), 1)  # type: ignore[arg-type]


def test_a_frame_command_is_encoded_as_it_is_after_its_id() -> None:
    command = events.FrameCommand(frame={"type": "presence_query", "ids": ["U1"], "x": None})
    assert events.encode(command, 4) == '{"id":4,"type":"presence_query","ids":["U1"],"x":null}'
    assert events.encode(command) == '{"type":"presence_query","ids":["U1"],"x":null}'
    assert repr(command) == "FrameCommand(type='presence_query')"
    assert events.FrameCommand(frame={"type": 5}).type == ""


def test_classes_are_frozen() -> None:
    hello = events.decode('{"type": "hello"}')
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        hello.extra = {}  # type: ignore[misc]


# --------------------------------------------------------------------------- the generator


def _copy_schema(tmp_path: Path) -> Path:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    return schema


def test_a_new_frame_file_gives_a_class_and_a_decoder(tmp_path: Path) -> None:
    schema = _copy_schema(tmp_path)
    (schema / "rtm" / "events" / "star_added.json").write_text(
        json.dumps(
            {
                "type": "star_added",
                "direction": "server",
                "summary": "A user starred an item.",
                "source": {"documentation": "test", "taken": "2026-11-28"},
                "properties": {"user": {"type": "string", "description": "Who starred it."}},
                "required": ["user"],
            }
        ),
        encoding="utf-8",
    )
    files = generate(schema)
    text = files["events.py"]
    assert "class StarAdded(Event):" in text
    assert '"star_added": _read_star_added,' in text
    namespace: dict[str, Any] = {}
    exec(compile(text, "events.py", "exec"), namespace)  # the generated module runs as written
    event = namespace["DECODERS"]["star_added"]({"type": "star_added", "user": "U1", "x": 1})
    assert event.user == "U1" and event.extra == {"x": 1}
    assert generate(schema) == files  # deterministic


def test_a_frame_with_a_required_and_an_optional_object_reads_both_ways(tmp_path: Path) -> None:
    # The fast reader converts a required object unconditionally and an optional one only when
    # the one pass saw it (``conv_``); no frame of the schema has both, this one does.
    schema = _copy_schema(tmp_path)
    (schema / "rtm" / "events" / "thing_moved.json").write_text(
        json.dumps(
            {
                "type": "thing_moved",
                "direction": "server",
                "summary": "A thing moved.",
                "source": {"documentation": "test", "taken": "2026-12-04"},
                "properties": {
                    "channel": {"type": "object", "ref": "EventChannel", "description": "To."},
                    "edited": {"type": "object", "ref": "MessageEdited", "description": "By."},
                    "user": {"type": "string", "description": "Who moved it."},
                },
                "required": ["channel", "user"],
            }
        ),
        encoding="utf-8",
    )
    text = generate(schema)["events.py"]
    namespace: dict[str, Any] = {}
    exec(compile(text, "events.py", "exec"), namespace)
    fast, read = namespace["_fast_thing_moved"], namespace["DECODERS"]["thing_moved"]
    channel = {"id": "C1", "name": "general", "created": 1, "creator": "U1"}
    edited = {"user": "U2", "ts": "1.5"}
    both = {"type": "thing_moved", "channel": channel, "edited": edited, "user": "U1", "x": 1}
    event = fast(json.loads(json.dumps(both)))
    assert event is not None and event == read(both)
    assert (event.channel.id, event.edited.user, event.extra) == ("C1", "U2", {"x": 1})
    alone = fast({"type": "thing_moved", "channel": dict(channel), "user": "U1"})
    assert alone is not None and alone.edited is None and alone.channel.name == "general"
    for refused in (
        {"type": "thing_moved", "user": "U1"},  # the required object missing
        {"type": "thing_moved", "channel": None, "user": "U1"},
        {"type": "thing_moved", "channel": "C1", "user": "U1"},
        {"type": "thing_moved", "channel": {**channel, "id": 5}, "user": "U1"},
        {"type": "thing_moved", "channel": channel, "edited": {"user": 5}, "user": "U1"},
    ):
        kept = json.loads(json.dumps(refused))
        assert fast(kept) is None and kept == refused  # refused, and left as it came


def _frame_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, doc: Any) -> str:
    schema = _copy_schema(tmp_path)
    (schema / "rtm" / "events" / name).write_text(json.dumps(doc), encoding="utf-8")
    assert main(["--schema", str(schema), "--out", str(tmp_path / "out")]) == 2
    return capsys.readouterr().err


def _event_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": "thing",
        "direction": "server",
        "summary": "A thing.",
        "source": {"documentation": "test", "taken": "2026-11-28"},
        "properties": {},
    }
    doc.update(changes)
    return doc


def test_two_wire_names_for_one_python_name_stop_the_generator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    props = {
        "self": {"type": "string", "description": "a"},
        "self_": {"type": "string", "description": "b"},
    }
    err = _frame_problem(tmp_path, capsys, "thing.json", _event_doc(properties=props))
    assert "schema/rtm/events/thing.json" in err and "both map to Python name 'self_'" in err


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_event_doc(type="hello"), "already describes this frame"),
        (_event_doc(**{"class": "Message"}), "class Message is already taken"),
        (
            _event_doc(properties={"x": {"type": "object", "ref": "Nope", "description": "x"}}),
            "no shared object named 'Nope'",
        ),
        (_event_doc(properties={"type": {"type": "string", "description": "x"}}), "generator"),
        (_event_doc(direction="client"), "must have direction 'server'"),
        (_event_doc(required=["missing"]), "'missing' is required but not a property"),
        (_event_doc(properties={"x": {"type": "array", "description": "x"}}), "'items'"),
    ],
)
def test_invalid_frame_files_stop_the_generator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: dict[str, Any], message: str
) -> None:
    err = _frame_problem(tmp_path, capsys, "thing.json", doc)
    assert "schema/rtm/events/thing.json" in err
    assert message in err


def test_method_files_refuse_two_names_for_one_attribute(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = _copy_schema(tmp_path)
    path = schema / "methods" / "rtm.connect.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["response"]["properties"]["self_"] = {"type": "string", "description": "clash"}
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["--schema", str(schema), "--out", str(tmp_path / "out")]) == 2
    assert "both map to Python name 'self_'" in capsys.readouterr().err


def test_frames_model_is_complete() -> None:
    assert isinstance(FRAMES, Frames)
    wanted = {
        "hello", "goodbye", "pong", "error", "reconnect_url", "message", "user_typing",
        "presence_change", "manual_presence_change", "team_migration_started", "channel_joined",
        "channel_left", "channel_created", "member_joined_channel", "team_join", "user_change",
        "pref_change",
    }  # fmt: skip
    assert wanted <= {f.discriminator for f in FRAMES.events}
    assert {"message", "typing", "ping", "presence_sub"} <= {
        f.discriminator for f in FRAMES.commands
    }


# --------------------------------------------------------------------------- the fast path


@pytest.fixture
def stdlib_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `decode` run as on an install without orjson (the ``fast`` extra)."""
    monkeypatch.setattr(events, "_orjson_loads", None)


def _outcome(frame: str | bytes) -> tuple[str, Any]:
    """What decode gives, comparable across readers: the class and its fields, or the error."""
    try:
        decoded = events.decode(frame)
    except events.SlackFrameError as exc:
        return ("error", (exc.path, exc.reason, exc.frame_type))
    if isinstance(decoded, events.UnknownEvent):
        return (type(decoded).__name__, dict(decoded.raw))
    return (type(decoded).__name__, attrs.asdict(decoded, recurse=True))


def _frames_to_compare() -> list[str | bytes]:
    frames: list[str | bytes] = []
    for frame in SERVER:
        example = _example(frame)
        frames.append(json.dumps(example))
        frames.append(json.dumps({**example, "x_new": [1, {"a": None}], "x_n": 2.5}))
        for field in frame.fields:
            if field.kind != "any":
                frames.append(json.dumps({**example, field.wire: _wrong_value(field)}))
            if not field.required:
                frames.append(json.dumps({**example, field.wire: None}))
            else:
                frames.append(json.dumps({k: v for k, v in example.items() if k != field.wire}))
    frames += [
        "",
        "not json",
        "[1, 2]",
        b"\xff\xfe",
        b'{"type": "hello"}',
        ' {"type": "hello"} ',
        '{"type": "hello"}\n',
        '{"type": "hello", "type": "goodbye"}',
        '{"type": "brand_new", "n": 18446744073709551616}',
        '{"type": "message", "ts": "1", "n": -9223372036854775809}',
        '{"type": "message", "ts": "1", "deep": [[{"n": 100000000000000000000}]]}',
        '{"type": "pong", "reply_to": 18446744073709551616}',
        '{"type": "pong", "reply_to": 18446744073709551615}',
        '{"type": "message", "ts": "1", "n": NaN}',
        '{"type": "message", "ts": "1", "n": 1e400}',
        '{"type": "message", "ts": "1", "text": "\\ud800"}',
        '{"ok": true, "reply_to": 3, "ts": "1", "type": null}',
        '{"ok": 1, "reply_to": 3}',
    ]
    return frames


def test_stdlib_and_orjson_decode_every_frame_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("orjson")
    assert events._orjson_loads is not None
    frames = _frames_to_compare()
    with_orjson = [_outcome(frame) for frame in frames]
    monkeypatch.setattr(events, "_orjson_loads", None)
    assert [_outcome(frame) for frame in frames] == with_orjson


def test_long_integers_stay_exact_with_orjson() -> None:
    pytest.importorskip("orjson")
    pong = events.decode('{"type": "pong", "reply_to": 18446744073709551616}')
    assert isinstance(pong, events.Pong) and pong.reply_to == 2**64
    assert type(pong.reply_to) is int
    msg = events.decode('{"type": "message", "ts": "1", "n": [-9223372036854775809]}')
    assert msg.extra == {"n": [-(2**63) - 1]} and type(msg.extra["n"][0]) is int
    unknown = events.decode('{"type": "brand_new", "n": 100000000000000000000}')
    assert isinstance(unknown, events.UnknownEvent) and unknown.raw["n"] == 10**20
    assert type(unknown.raw["n"]) is int


@pytest.mark.usefixtures("stdlib_json")
def test_the_stdlib_path_alone_reads_the_examples_and_refuses_bad_types() -> None:
    for frame in SERVER:
        decoded = events.decode(json.dumps(_example(frame)))
        assert type(decoded) is _class(frame)
    with pytest.raises(events.SlackFrameError, match="expected boolean"):
        events.decode('{"type": "message", "ts": "1.2", "hidden": "false"}', strict=True)
    with pytest.raises(events.SlackFrameError) as caught:
        events.decode("not json")
    assert caught.value.path == "$"
    assert events.decode(' {"type": "hello"} ') == events.Hello()


@pytest.mark.parametrize("frame", SERVER, ids=_ids(SERVER))
def test_the_fast_reader_builds_what_the_strict_one_builds(frame: Frame) -> None:
    name = frame.class_name
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    fast = getattr(generated, f"_fast_{snake}")
    strict = getattr(generated, f"_strict_{snake}")
    example = _example(frame)
    built = fast(copy.deepcopy(example))
    if built is None:
        # The one thing the fast path never takes as it is: a value of any JSON type.
        assert any(
            (f.kind == "any" or f.item_kind == "any") and example.get(f.wire) is not None
            for f in frame.fields
        ), name
        return
    assert built == strict(copy.deepcopy(example))
    assert repr(built) == repr(strict(copy.deepcopy(example)))
    # Unknown fields: the fast reader keeps them too.
    with_more = {**example, "x_new": {"a": [1]}}
    assert fast(copy.deepcopy(with_more)) == strict(with_more)


def test_a_decoder_never_changes_the_dict_it_is_given() -> None:
    data = {"type": "message", "ts": "1", "edited": {"user": "U1"}, "x": [1]}
    before = copy.deepcopy(data)
    message = generated.DECODERS["message"](data)
    assert data == before
    assert isinstance(message, events.Message)
    assert message.edited == events.MessageEdited(user="U1")
    assert message.extra == {"x": [1]}
    presence = {"type": "presence_change", "user": "U1", "presence": "away"}
    generated.DECODERS["presence_change"](presence)
    assert presence == {"type": "presence_change", "user": "U1", "presence": "away"}
    # Nor does one need the discriminator that chose it.
    assert generated.DECODERS["message"]({"ts": "1"}) == events.Message(ts="1")
    assert generated.ACK_DECODERS[True]({"reply_to": 1, "ts": "2"}) == events.MessageAck(
        reply_to=1, ts="2"
    )


def test_a_fast_built_event_is_an_ordinary_attrs_instance() -> None:
    msg = events.decode('{"type": "message", "ts": "1.2", "text": "hi"}')
    assert isinstance(msg, events.Message)
    assert msg == events.Message(ts="1.2", text="hi")
    assert msg.user is None and msg.edited is None and msg.extra == {}
    assert attrs.evolve(msg, user="U1") == events.Message(ts="1.2", text="hi", user="U1")
    for clone in (pickle.loads(pickle.dumps(msg)), copy.copy(msg), copy.deepcopy(msg)):
        assert clone == msg
    assert attrs.asdict(msg)["text"] == "hi"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        msg.text = "changed"  # type: ignore[misc]
    assert msg.type == "message"
    assert "type" not in vars(msg)


def test_no_extra_is_one_shared_read_only_empty_dict() -> None:
    first = events.decode('{"type": "hello"}')
    second = events.decode('{"type": "message", "ts": "1"}')
    assert first.extra is second.extra
    assert first.extra == {} and isinstance(first.extra, dict)
    assert json.dumps(first.extra) == "{}"
    with pytest.raises(TypeError, match="read-only"):
        first.extra["x"] = 1
    assert pickle.loads(pickle.dumps(first.extra)) is first.extra
    assert copy.deepcopy(first.extra) is first.extra
    assert first.extra == {}  # unchanged
    assert events.decode('{"type": "message", "ts": "1", "x": 1}').extra == {"x": 1}


def test_a_plain_event_gives_the_garbage_collector_one_object() -> None:
    # Its __dict__ holds strings only; the empty extra lives on the class (a burst of 50,000
    # events then costs half the collection work).
    msg = events.decode('{"type": "message", "ts": "1.2", "text": "hi", "user": "U1"}')
    assert gc.is_tracked(msg)
    assert not gc.is_tracked(vars(msg))
