"""How the command line prints events: real frames through `events.decode`, then formatted."""

from __future__ import annotations

import io
import json

import pytest

from slackrtm import events
from slackrtm.cli._output import Output, event_json, event_line, redact, to_wire

MESSAGE = {
    "type": "message",
    "channel": "C1",
    "user": "U1",
    "text": "hi there",
    "ts": "1.000001",
    "brand_new": {"a": 1},
}


def test_a_message_is_one_line_with_the_text_last() -> None:
    event = events.decode(json.dumps(MESSAGE))
    assert (
        event_line(event) == 'message channel=C1 ts=1.000001 user=U1 brand_new={"a":1} "hi there"'
    )


def test_json_lines_give_the_frame_back_type_first_unknown_fields_kept() -> None:
    event = events.decode(json.dumps(MESSAGE))
    data = event_json(event)
    assert data == MESSAGE
    assert next(iter(data)) == "type"


def test_both_presence_shapes_print_as_users() -> None:
    one = events.decode('{"type": "presence_change", "user": "U1", "presence": "away"}')
    many = events.decode('{"type": "presence_change", "users": ["U1", "U2"], "presence": "away"}')
    assert event_line(one) == 'presence_change presence=away users=["U1"]'
    assert event_json(many) == {
        "type": "presence_change",
        "presence": "away",
        "users": ["U1", "U2"],
    }


def test_a_reconnect_url_is_redacted() -> None:
    url = "wss://wss-primary.slack.com/websocket/secret-ticket"
    event = events.decode(json.dumps({"type": "reconnect_url", "url": url}))
    assert "secret-ticket" not in event_line(event)
    assert event_json(event) == {
        "type": "reconnect_url",
        "url": "wss://wss-primary.slack.com/<redacted>",
    }
    assert to_wire(event, show_secrets=True)["url"] == url


def test_an_unknown_event_is_its_frame() -> None:
    frame = {"type": "brand_new_event", "x": [1, 2]}
    event = events.decode(json.dumps(frame))
    assert isinstance(event, events.UnknownEvent)
    assert event_json(event) == frame
    assert event_line(event) == "brand_new_event x=[1,2]"


@pytest.mark.parametrize(
    ("frame", "line"),
    [
        ({"ok": True, "reply_to": 3, "ts": "1.5", "text": "hi"}, "MessageAck reply_to=3 ts=1.5 hi"),
        (
            {"ok": False, "reply_to": 4, "error": {"code": 4, "msg": "channel not found"}},
            'ErrorAck reply_to=4 error={"code":4,"msg":"channel not found"}',
        ),
    ],
)
def test_acks_print_with_their_class(frame: dict[str, object], line: str) -> None:
    ack = events.decode(json.dumps(frame))
    assert event_line(ack) == line
    assert next(iter(event_json(ack).items())) == ("kind", type(ack).__name__)
    assert "type" not in event_json(ack)


def test_redact_hides_tokens_and_socket_urls() -> None:
    text = "token xoxb-123-abc at ws://127.0.0.1:5/websocket/t1ck3t and my-secret"
    shown = redact(text, ["my-secret"])
    assert shown == "token xoxb-<redacted> at ws://127.0.0.1:5/<redacted> and <redacted>"


def test_no_colour_when_not_a_terminal() -> None:
    out = Output(io.StringIO(), io.StringIO())
    assert out.paint("x", "red") == "x"
