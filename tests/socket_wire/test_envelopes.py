"""`slackrtm.envelopes`: Socket Mode's frames typed from schema/socket/, read as RTM frames are.

Every real sample in the schema is read into its class, the same with orjson as with the
standard library alone; an ``events_api`` envelope's inner event is the very instance
`slackrtm.events` makes of that event; what the schema cannot type is kept whole; the ack is
checked when made and written without a ``type``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slackrtm.envelopes as envelopes_module
from slackrtm import envelopes, events

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "socket"


def _samples() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in sorted((SCHEMA / "frames").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        yield path.name, doc["type"], doc["example"]
        for index, sample in enumerate(doc.get("samples", [])):
            yield f"{path.name}[{index}]", doc["type"], sample["frame"]


SAMPLES = list(_samples())


@pytest.fixture(params=["orjson", "stdlib"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with orjson's fast path and with the standard library alone."""
    if request.param == "stdlib":
        monkeypatch.setattr(envelopes_module, "_orjson_loads", None)
        monkeypatch.setattr(events, "_orjson_loads", None)
    elif envelopes_module._orjson_loads is None:
        pytest.skip("orjson is not installed")
    return str(request.param)


@pytest.mark.parametrize(("name", "kind", "frame"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_every_real_sample_is_read_into_its_class(
    reader: str, name: str, kind: str, frame: dict[str, Any]
) -> None:
    out = envelopes.decode(json.dumps(frame))
    assert type(out) is envelopes.FRAME_TYPES[kind], out
    assert out.type == kind
    assert envelopes.decode(json.dumps(frame), strict=True) == out


def test_the_samples_cover_every_frame_and_every_interaction_kind_seen() -> None:
    assert {kind for _, kind, _ in SAMPLES} == set(envelopes.FRAME_TYPES)
    interactions = {f["payload"]["type"] for _, k, f in SAMPLES if k == "interactive"}
    assert interactions == {"shortcut", "block_actions", "block_suggestion"}


def test_both_readers_give_equal_instances() -> None:
    for _, _, frame in SAMPLES:
        text = json.dumps(frame)
        fast = envelopes.decode(text)
        saved = envelopes_module._orjson_loads
        envelopes_module._orjson_loads = None
        try:
            assert envelopes.decode(text) == fast
        finally:
            envelopes_module._orjson_loads = saved


def _events_api(event: dict[str, Any], **fields: Any) -> str:
    payload = {"type": "event_callback", "event_id": "Ev1", "event_time": 1, "event": event}
    return json.dumps({"type": "events_api", "envelope_id": "e1", "payload": payload, **fields})


def test_an_events_api_message_is_the_rtm_message_class(reader: str) -> None:
    event = next(f for n, k, f in SAMPLES if n == "events_api.json")["payload"]["event"]
    out = envelopes.decode(_events_api(event, accepts_response_payload=False))
    assert isinstance(out, envelopes.EventsApi)
    assert isinstance(out, envelopes.Envelope)
    assert type(out.payload.event) is events.Message
    assert out.payload.event == events.decode(json.dumps(event))
    assert out.payload.event.extra["blocks"][0]["type"] == "rich_text"
    assert (out.envelope_id, out.payload.event_id, out.accepts_response_payload) == (
        "e1",
        "Ev1",
        False,
    )


def test_the_retry_fields_are_read(reader: str) -> None:
    frame = next(f for n, k, f in SAMPLES if n == "events_api.json")
    out = envelopes.decode(json.dumps(frame))
    assert isinstance(out, envelopes.EventsApi)
    assert (out.retry_attempt, out.retry_reason) == (1, "timeout")
    assert out.payload.authorizations is not None
    assert out.payload.authorizations[0].enterprise_id is None


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ({"type": "team_join", "user": {"id": "U1", "name": "bo"}}, events.TeamJoin),
        ({"type": "channel_created", "channel": {"id": "C1", "name": "x"}}, events.ChannelCreated),
        ({"type": "brand_new_thing", "x": 1}, events.UnknownEvent),
        ({"type": "team_join", "user": 5}, events.FallbackEvent),
    ],
)
def test_the_inner_event_is_read_as_slackrtm_events_reads_it(
    reader: str, event: dict[str, Any], kind: type
) -> None:
    out = envelopes.decode(_events_api(event))
    assert isinstance(out, envelopes.EventsApi)
    assert type(out.payload.event) is kind
    assert out.payload.event == events.decode(json.dumps(event))


def test_an_inner_event_that_does_not_fit_raises_when_strict(reader: str) -> None:
    with pytest.raises(envelopes.SlackFrameError) as caught:
        envelopes.decode(_events_api({"type": "team_join", "user": 5}), strict=True)
    assert caught.value.path == "payload.event.user"
    assert caught.value.frame_type == "events_api"


def test_an_unknown_disconnect_reason_is_kept_as_a_string(reader: str) -> None:
    out = envelopes.decode('{"type": "disconnect", "reason": "solar_flare"}')
    assert out == envelopes.Disconnect(reason="solar_flare")
    assert "solar_flare" not in envelopes.DISCONNECT_REASONS
    assert set(envelopes.DISCONNECT_REASONS) == {
        "warning",
        "refresh_requested",
        "link_disabled",
        "too_many_websockets",
    }
    assert {"link_disabled"} == envelopes.DISCONNECT_REASONS_ENDING_SESSION


def test_the_connection_facts(reader: str) -> None:
    assert (envelopes.ACK_SECONDS, envelopes.MAX_RETRIES, envelopes.MAX_CONNECTIONS) == (3, 3, 10)
    assert {"events_api", "slash_commands", "interactive"} == envelopes.ENVELOPE_TYPES


def test_an_unknown_type_is_kept_whole_and_can_still_be_acked(reader: str) -> None:
    out = envelopes.decode('{"type": "workflow_step", "envelope_id": "e9", "payload": {}}')
    assert type(out) is envelopes.UnknownFrame
    assert (out.type, out.envelope_id, out.raw["payload"]) == ("workflow_step", "e9", {})
    assert repr(out) == "UnknownFrame(type='workflow_step')"
    assert type(envelopes.decode('{"no": "type"}')) is envelopes.UnknownFrame


def test_a_known_frame_that_does_not_fit_falls_back_or_raises(reader: str) -> None:
    text = '{"type": "slash_commands", "envelope_id": "e2", "payload": {"command": 7}}'
    out = envelopes.decode(text)
    assert type(out) is envelopes.FallbackFrame
    assert (out.path, out.reason) == ("payload.command", "expected string, got number")
    assert out.envelope_id == "e2"
    with pytest.raises(envelopes.SlackFrameError) as caught:
        envelopes.decode(text, strict=True)
    assert caught.value.path == "payload.command"
    # The words name the envelope's type, not the RTM protocol it did not come over.
    assert str(caught.value) == (
        "unreadable slash_commands frame at payload.command: expected string, got number"
    )
    missing = envelopes.decode('{"type": "events_api", "payload": {"type": "event_callback"}}')
    assert type(missing) is envelopes.FallbackFrame
    assert missing.envelope_id is None


def test_unknown_fields_are_kept(reader: str) -> None:
    out = envelopes.decode(
        '{"type": "hello", "num_connections": 1, "new_field": [1, 2], '
        '"debug_info": {"host": "h", "shiny": true}}'
    )
    assert isinstance(out, envelopes.Hello)
    assert out.extra == {"new_field": [1, 2]}
    assert out.debug_info is not None
    assert out.debug_info.extra == {"shiny": True}


def test_a_long_integer_is_kept_exact_both_ways(reader: str) -> None:
    big = 2**70
    out = envelopes.decode(_events_api({"type": "message", "ts": "1.2", "n": big}, big=big))
    assert isinstance(out, envelopes.EventsApi)
    assert out.extra["big"] == big
    assert out.payload.event.extra["n"] == big
    assert type(out.payload.event.extra["n"]) is int


@pytest.mark.parametrize(
    ("text", "words"),
    [("[1]", "expected an object, got JSON array"), ("{", "not JSON"), (b"\xff", "not UTF-8")],
)
def test_what_is_not_a_json_object_raises(reader: str, text: str | bytes, words: str) -> None:
    with pytest.raises(envelopes.SlackFrameError, match=words):
        envelopes.decode(text)


def test_secrets_stay_out_of_reprs(reader: str) -> None:
    seen = set()
    for _, kind, frame in SAMPLES:
        if "token" in frame.get("payload", {}):
            secret = {**frame, "payload": {**frame["payload"], "token": "vtok-s3cr3t"}}
            assert "vtok-s3cr3t" not in repr(envelopes.decode(json.dumps(secret))), kind
            seen.add(kind)
    assert seen == set(envelopes.ENVELOPE_TYPES)


def test_the_ack_is_written_without_a_type() -> None:
    assert envelopes.encode(envelopes.EnvelopeAck(envelope_id="e1")) == '{"envelope_id":"e1"}'
    ack = envelopes.EnvelopeAck(envelope_id="e1", payload={"text": "Thanks, \u00e9"})
    assert json.loads(envelopes.encode(ack)) == {
        "envelope_id": "e1",
        "payload": {"text": "Thanks, \u00e9"},
    }


@given(st.text(min_size=1, max_size=40))
@settings(max_examples=300, deadline=None)
def test_an_ack_without_payload_is_the_text_the_json_encoder_writes(envelope_id: str) -> None:
    # Plain ids skip the encoder; any id (quotes, backslashes, controls, non-ASCII, surrogates
    # aside) gives the same text as the encoder, and reads back as itself.
    ack = envelopes.EnvelopeAck(envelope_id=envelope_id)
    text = envelopes.encode(ack)
    assert text == envelopes_module._dumps({"envelope_id": envelope_id})
    assert json.loads(text) == {"envelope_id": envelope_id}


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"envelope_id": 5}, "envelope_id"),
        ({"envelope_id": "e", "payload": ["a"]}, "payload must be a dict"),
        ({"envelope_id": "e", "payload": {"x": object()}}, "payload is not JSON"),
    ],
)
def test_a_bad_ack_is_refused_when_made(fields: dict[str, Any], words: str) -> None:
    with pytest.raises(TypeError, match=words):
        envelopes.EnvelopeAck(**fields)


def test_encode_takes_only_an_ack() -> None:
    with pytest.raises(TypeError, match="not a Socket Mode ack"):
        envelopes.encode(events.PingCommand())  # type: ignore[arg-type]


def test_the_readme_example_runs(reader: str) -> None:
    from ..readme.test_readme import BLOCKS

    (block,) = [b for b in BLOCKS if "frame = envelopes.decode(" in b]
    exec(compile(block, "README.md", "exec"), {})
