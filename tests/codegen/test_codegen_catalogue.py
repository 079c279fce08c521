"""Slack's Events API catalogue, the event shapes and their real samples, and the fallback.

Every expectation is read from the schema files: the catalogue (schema/rtm/catalogue.json), each
event file's ``example`` and ``samples`` (real frames, each with where it was taken from). Each
sample decodes to its own class with every field reachable: a field the schema describes as its
attribute (objects, unions and nested events field by field), anything else in ``extra``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from codegen.instance import frame_instance_schema
from codegen.rtm import Frame, FrameField, Frames, load_frames
from slackrtm import events
from slackrtm._generated import events as generated

from .codegen_suite import SCHEMA_DIR, main

CATALOGUE = json.loads((SCHEMA_DIR / "rtm" / "catalogue.json").read_text(encoding="utf-8"))


def _frames() -> Frames:
    frames = load_frames(SCHEMA_DIR)
    assert frames is not None
    return frames


FRAMES = _frames()
EVENTS = {f.discriminator: f for f in FRAMES.events}
OBJECTS = {o.name: o for o in FRAMES.objects}
UNIONS = {u.name: u for u in FRAMES.unions}
CLASSES = {f.class_name: f for f in FRAMES.events}


def _samples() -> list[tuple[Frame, str, dict[str, Any]]]:
    out = []
    for frame in FRAMES.events:
        doc = json.loads((SCHEMA_DIR.parent / frame.source_file).read_text(encoding="utf-8"))
        if "sample" in doc["source"]:
            out.append((frame, doc["source"]["sample"], doc["example"]))
        out += [(frame, s["source"], s["frame"]) for s in doc.get("samples", [])]
    return out


SAMPLES = _samples()

# The types the issue asks full shapes of, each with at least one real sample.
FULL_SHAPES = [
    "reaction_added",
    "reaction_removed",
    "pin_added",
    "pin_removed",
    "star_added",
    "star_removed",
    "file_shared",
    "file_created",
    "file_deleted",
    "file_change",
    "file_public",
    "file_unshared",
    "channel_rename",
    "channel_archive",
    "channel_unarchive",
    "channel_deleted",
    "channel_history_changed",
    "group_rename",
    "group_archive",
    "group_unarchive",
    "group_left",
    "group_open",
    "group_close",
    "im_created",
    "im_open",
    "im_close",
    "member_left_channel",
    "team_rename",
    "team_domain_change",
    "email_domain_changed",
    "emoji_changed",
    "dnd_updated",
    "dnd_updated_user",
    "subteam_created",
    "subteam_updated",
    "subteam_members_changed",
    "subteam_self_added",
    "subteam_self_removed",
    "app_mention",
    "app_uninstalled",
    "app_rate_limited",
    "tokens_revoked",
    "scope_granted",
    "scope_denied",
]

MESSAGE_SUBTYPES = [
    "bot_message",
    "me_message",
    "message_changed",
    "message_deleted",
    "message_replied",
    "thread_broadcast",
    "channel_join",
    "channel_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "channel_archive",
    "file_share",
    "pinned_item",
]


# --------------------------------------------------------------------------- the catalogue


def test_every_catalogue_type_is_typed_or_not_applicable_with_a_reason() -> None:
    catalogued = {t["type"] for t in CATALOGUE["topics"]}
    not_applicable = dict(FRAMES.not_applicable)
    assert all(reason.strip() for reason in not_applicable.values())
    assert "url_verification" in not_applicable
    typed = catalogued - set(not_applicable)
    assert typed <= set(EVENTS)
    assert not set(not_applicable) & set(EVENTS)
    assert (len(CATALOGUE["topics"]), len(catalogued), len(typed), len(not_applicable)) == (
        66,
        61,
        57,
        4,
    )


def test_the_catalogue_names_its_source_and_keeps_no_prose() -> None:
    source = CATALOGUE["source"]
    assert source["repository"] == "slackapi/slack-api-specs"
    assert source["path"] == "events-api/slack_events_api_async_v1.json"
    assert len(source["commit"]) == 40
    for topic in CATALOGUE["topics"]:
        assert set(topic) == {"topic", "type", "scopes", "tokens"}


def _copy_schema(tmp_path: Path) -> Path:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    return schema


def test_check_fails_naming_a_catalogue_type_with_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = _copy_schema(tmp_path)
    (schema / "rtm" / "events" / "reaction_added.json").unlink()
    out = tmp_path / "out"
    assert main(["--schema", str(schema), "--out", str(out), "--check"]) == 2
    err = capsys.readouterr().err
    assert "schema/rtm/catalogue.json" in err
    assert "catalogue type 'reaction_added' (topic reaction.added) has no file" in err


def test_a_not_applicable_entry_is_the_only_way_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = _copy_schema(tmp_path)
    path = schema / "rtm" / "catalogue.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    (schema / "rtm" / "events" / "emoji_changed.json").unlink()
    doc["not_applicable"].append({"type": "emoji_changed", "reason": "a test"})
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["--schema", str(schema), "--out", str(tmp_path / "out")]) == 0
    # Listed as not applicable while it has a file: refused.
    doc["not_applicable"].append({"type": "reaction_added", "reason": "a test"})
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["--schema", str(schema), "--out", str(tmp_path / "out")]) == 2
    assert "'reaction_added' has a file in schema/rtm/events" in capsys.readouterr().err


@pytest.mark.parametrize("frame", FRAMES.events, ids=[f.discriminator for f in FRAMES.events])
def test_each_event_class_docstring_says_its_scopes_and_token_types(frame: Frame) -> None:
    doc = getattr(events, frame.class_name).__doc__
    assert doc.splitlines()[0].strip()  # the summary, in our own words
    topics = [t for t in CATALOGUE["topics"] if t["type"] == frame.discriminator]
    if not topics:
        assert "RTM only: not in Slack's Events API catalogue." in doc
        return
    scopes = sorted({s for t in topics for s in t["scopes"]})
    tokens = sorted({k for t in topics for k in t["tokens"]})
    flat = " ".join(doc.split())
    assert f"Scopes: {', '.join(f'``{s}``' for s in scopes) or 'none'}." in flat
    assert f"Token types: {', '.join(tokens)}." in flat


# --------------------------------------------------------------------------- shapes and samples


def test_each_type_asked_for_has_its_file_and_a_real_sample() -> None:
    sampled = {frame.discriminator for frame, _, _ in SAMPLES}
    assert set(FULL_SHAPES) <= sampled
    subtypes = {
        data.get("subtype") for frame, _, data in SAMPLES if frame.discriminator == "message"
    }
    assert set(MESSAGE_SUBTYPES) <= subtypes
    for _, source, _ in SAMPLES:
        assert source.startswith(("slackapi/", "slackhq/")) and " at " in source


def _reachable(value: Any, data: Any, fields: tuple[FrameField, ...], where: str) -> None:
    """Every wire field of ``data`` is on ``value``: described ones as attributes, else extra."""
    described = {f.wire: f for f in fields}
    skip = {"type"} if where == "$" else set()
    unknown = {k: v for k, v in data.items() if k not in described and k not in skip}
    assert dict(value.extra) == unknown, where
    for field in fields:
        wire = data.get(field.wire)
        got = getattr(value, field.attr)
        path = f"{where}.{field.wire}"
        if wire is None:
            assert got is None, path
        elif field.kind == "object":
            _reachable_object(got, wire, str(field.ref), path)
        elif field.kind == "array" and field.item_kind == "object":
            assert len(got) == len(wire), path
            for index, (item, raw) in enumerate(zip(got, wire, strict=True)):
                _reachable_object(item, raw, str(field.item_ref), f"{path}[{index}]")
        elif field.kind == "array":
            assert got == tuple(wire), path
        else:
            assert got == wire, path


def _reachable_object(value: Any, data: Any, ref: str, where: str) -> None:
    if ref in UNIONS:
        union = UNIONS[ref]
        ref = dict(union.members)[data[union.on]]
    if ref in CLASSES:
        assert type(value) is getattr(events, ref), where
        _reachable(value, data, CLASSES[ref].fields, "$")
        return
    assert type(value).__name__ == ref, where
    _reachable(value, data, OBJECTS[ref].fields, where)


@pytest.mark.parametrize(
    ("frame", "source", "data"),
    SAMPLES,
    ids=[f"{f.discriminator}:{i}" for i, (f, _, _) in enumerate(SAMPLES)],
)
def test_each_real_sample_decodes_to_its_class_with_every_field_reachable(
    frame: Frame, source: str, data: dict[str, Any]
) -> None:
    jsonschema.validate(data, frame_instance_schema(frame, FRAMES))
    decoded = events.decode(json.dumps(data))
    assert type(decoded) is getattr(events, frame.class_name), source
    _reachable(decoded, data, frame.fields, "$")
    assert events.decode(json.dumps(data), strict=True) == decoded


def test_reaction_items_are_a_union_keyed_by_their_type() -> None:
    base = {"type": "reaction_added", "user": "U1", "reaction": "tada"}
    message = events.decode(
        json.dumps({**base, "item": {"type": "message", "channel": "C1", "ts": "1.2"}})
    )
    file = events.decode(json.dumps({**base, "item": {"type": "file", "file": "F1"}}))
    comment = events.decode(
        json.dumps({**base, "item": {"type": "file_comment", "file_comment": "Fc1", "file": "F1"}})
    )
    assert isinstance(message, events.ReactionAdded)
    assert message.item == events.ReactionItemMessage(type="message", channel="C1", ts="1.2")
    assert isinstance(file, events.ReactionAdded) and isinstance(file.item, events.ReactionItemFile)
    assert isinstance(comment, events.ReactionAdded)
    assert comment.item == events.ReactionItemFileComment(
        type="file_comment", file_comment="Fc1", file="F1"
    )
    odd = {**base, "item": {"type": "channel", "channel": "C1"}}
    fallback = events.decode(json.dumps(odd))
    assert isinstance(fallback, events.FallbackEvent) and fallback.raw == odd
    assert fallback.path == "item.type"
    assert fallback.reason == "expected one of 'message', 'file', 'file_comment', got string"
    with pytest.raises(events.SlackFrameError) as caught:
        events.decode(json.dumps({**base, "item": {"channel": "C1"}}), strict=True)
    assert (caught.value.path, caught.value.reason) == ("item.type", "required field is missing")


def test_saved_items_hold_a_message_or_a_file() -> None:
    pin = events.decode(
        json.dumps(
            {
                "type": "pin_added",
                "item": {"type": "file", "file": {"id": "F1", "name": "a.png"}, "created": 3},
            }
        )
    )
    assert isinstance(pin, events.PinAdded) and isinstance(pin.item, events.SavedFile)
    assert pin.item.file == events.EventFile(id="F1", name="a.png") and pin.item.created == 3
    star = events.decode(
        json.dumps(
            {"type": "star_added", "item": {"type": "message", "message": {"ts": "1.2", "x": 1}}}
        )
    )
    assert isinstance(star, events.StarAdded) and isinstance(star.item, events.SavedMessage)
    assert isinstance(star.item.message, events.Message)
    assert star.item.message.ts == "1.2" and star.item.message.extra == {"x": 1}


def test_message_changed_carries_messages_and_their_errors_have_full_paths() -> None:
    frame = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "ts": "2.0",
        "message": {"type": "message", "ts": "1.0", "text": "new", "edited": {"user": "U1"}},
        "previous_message": {"ts": "1.0", "text": "old"},
    }
    changed = events.decode(json.dumps(frame))
    assert isinstance(changed, events.Message)
    assert isinstance(changed.message, events.Message)
    assert isinstance(changed.previous_message, events.Message)
    assert (changed.message.text, changed.previous_message.text) == ("new", "old")
    assert changed.message.edited == events.MessageEdited(user="U1")
    bad = {**frame, "message": {"ts": "1.0", "edited": {"user": 5}}}
    fallback = events.decode(json.dumps(bad))
    assert isinstance(fallback, events.FallbackEvent)
    assert (fallback.path, fallback.reason) == (
        "message.edited.user",
        "expected string, got number",
    )
    with pytest.raises(events.SlackFrameError) as caught:
        events.decode(json.dumps({**frame, "previous_message": "gone"}), strict=True)
    assert (caught.value.path, caught.value.frame_type) == ("previous_message", "message")


def test_events_nested_past_the_stack_are_the_fallback() -> None:
    deep = '{"type":"message","ts":"1","message":' * 900 + '{"ts":"1"}' + "}" * 900
    fallback = events.decode(deep)
    assert isinstance(fallback, events.FallbackEvent)
    assert (fallback.path, fallback.reason) == ("$", "events nested too deeply to read")
    with pytest.raises(events.SlackFrameError, match="events nested too deeply"):
        events.decode(deep, strict=True)


# --------------------------------------------------------------------------- the fallback


@pytest.fixture(params=["orjson", "stdlib"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both readers `decode` has: with orjson (the ``fast`` extra) and without."""
    if request.param == "stdlib":
        monkeypatch.setattr(events, "_orjson_loads", None)
    return str(request.param)


@pytest.mark.parametrize(
    ("frame", "path"),
    [
        ({"type": "team_join", "user": {}}, "user.id"),  # slack-api-docs' own sample
        ({"type": "channel_joined", "channel": {}}, "channel.id"),  # java-slack-sdk's fixture
        ({"type": "message", "ts": 5, "deep": [{"a": 1}]}, "ts"),
    ],
)
def test_decode_returns_a_frame_off_the_schema_whole_with_why(
    reader: str, frame: dict[str, Any], path: str
) -> None:
    decoded = events.decode(json.dumps(frame))
    assert type(decoded) is events.FallbackEvent
    assert isinstance(decoded, events.UnknownEvent)
    assert decoded.raw == frame and decoded.type == frame["type"] and decoded.path == path
    assert repr(decoded) == (
        f"FallbackEvent(type={frame['type']!r}, path={path!r}, reason={decoded.reason!r})"
    )
    with pytest.raises(events.SlackFrameError) as caught:
        events.decode(json.dumps(frame), strict=True)
    assert (caught.value.path, caught.value.reason) == (decoded.path, decoded.reason)


def test_only_frames_that_are_not_objects_or_bad_acks_are_refused(reader: str) -> None:
    for frame in ("[1]", '"x"', "not json", '{"ok": "yes", "reply_to": 1}'):
        with pytest.raises(events.SlackFrameError):
            events.decode(frame)
    untyped = events.decode('{"type": 5, "a": 1}')
    assert type(untyped) is events.UnknownEvent and untyped.raw == {"type": 5, "a": 1}


def test_the_generated_tables_know_every_new_type() -> None:
    for kind in FULL_SHAPES:
        assert kind == generated.EVENT_TYPES[kind].TYPE


def test_an_instance_shares_no_dict_with_the_caller_of_a_decoder() -> None:
    item: dict[str, Any] = {"type": "message", "channel": "C1", "ts": "1.2"}
    data: dict[str, Any] = {
        "type": "reaction_added",
        "user": "U1",
        "reaction": "tada",
        "item": item,
    }
    event = generated.DECODERS["reaction_added"](data)
    item["channel"] = "C2"  # the caller's dict changes; the frozen instance does not
    assert isinstance(event, events.ReactionAdded) and isinstance(
        event.item, events.ReactionItemMessage
    )
    assert event.item.channel == "C1"
    assert data["item"] == {"type": "message", "channel": "C2", "ts": "1.2"}
