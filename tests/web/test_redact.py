"""Scrubbing secrets from texts and JSON, however an answer writes them."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from slackrtm._web.redact import excerpt, redacted, scrub, scrub_json


def test_scrub_removes_every_secret_it_knows() -> None:
    text = (
        "Authorization: Bearer abc.def token=xoxp-1-2-3 url=wss://h/websocket/T "
        "escaped=ws:\\/\\/h\\/x pw=mine"
    )
    clean = scrub(text, ["mine"])
    for secret in ("abc.def", "xoxp-1-2-3", "wss://h", "ws:\\/\\/h", "mine"):
        assert secret not in clean


@pytest.mark.parametrize(
    "written",
    [
        "wss://h.example/websocket/TICKET",
        "ws://h.example/websocket/TICKET",
        "WSS://h.example/websocket/TICKET",
        "wss:\\/\\/h.example\\/websocket\\/TICKET",
        "wss:\\u002f\\u002fh.example\\u002fwebsocket\\u002fTICKET",
        "wss:\\u002F\\u002Fh.example/websocket/TICKET",
        "\\u0077ss://h.example/websocket/TICKET",
        "\\u0077\\u0073\\u0073\\u003a//h.example/websocket/TICKET",
        "wss%3A%2F%2Fh.example%2Fwebsocket%2FTICKET",
        "wss&#x3a;&#x2f;&#x2f;h.example/websocket/TICKET",
        "wss&#58;&#47;&#47;h.example/websocket/TICKET",
    ],
)
def test_a_socket_url_is_scrubbed_however_it_is_written(written: str) -> None:
    clean = scrub(f'{{"url":"{written}","next":1}}')
    assert "TICKET" not in clean
    assert clean == '{"url":"<socket url redacted>","next":1}'


@pytest.mark.parametrize(
    ("secret", "written"),
    [
        ("xoxb-secret", "xoxb-secret"),
        ("xoxb-secret", "xoxb\\u002dsecret"),
        ("xoxb-secret", "\\u0078oxb-secret"),
        ("xoxb-secret", "xoxb%2Dsecret"),
        ("xoxb-secret", "xoxb&#45;secret"),
        ("xoxb-secret", "XOXB-SECRET"),
        # A secret of no known shape (a proxy password) is scrubbed the same ways.
        ("hunter2", "hunter2"),
        ("hunter2", "hunter\\u0032"),
        ("hunter2", "%68unter2"),
    ],
)
def test_a_known_secret_is_scrubbed_however_it_is_written(secret: str, written: str) -> None:
    assert scrub(f"token={written};", [secret]) == "token=<redacted>;"


def test_scrubbing_a_body_nested_deeper_than_the_stack_does_not_overflow() -> None:
    deep: Any = "xoxb-secret"
    for level in range(sys.getrecursionlimit() * 3):
        deep = [deep] if level % 2 else {"k": deep}
    clean = scrub_json(deep, ["xoxb-secret"])
    for level in reversed(range(sys.getrecursionlimit() * 3)):
        clean = clean[0] if level % 2 else clean["k"]
    assert clean == "<redacted>"


def test_a_secret_is_shown_only_as_set_or_not() -> None:
    assert redacted("xoxb-secret") == "'<redacted>'"
    assert redacted("") == "''"
    assert redacted(None) == "None"


def test_the_longest_secret_is_scrubbed_first_and_an_empty_one_is_ignored() -> None:
    # "pass" inside "password1": scrubbing the short one first would leave "word1" behind.
    assert scrub("a password1 b", ["pass", "", "password1"]) == "a <redacted> b"
    assert scrub("nothing here", [""]) == "nothing here"


def test_json_is_scrubbed_in_keys_and_values_and_keeps_its_shape() -> None:
    value = {"xoxb-secret": ["Bearer abc", {"n": 1, "ok": True, "none": None}], "list": []}
    assert scrub_json(value, ["xoxb-secret"]) == {
        "<redacted>": ["Bearer <redacted>", {"n": 1, "ok": True, "none": None}],
        "list": [],
    }
    assert scrub_json(["x", ["xoxb-secret"]], ["xoxb-secret"]) == ["x", ["<redacted>"]]
    assert scrub_json("xoxb-secret", ["xoxb-secret"]) == "<redacted>"
    assert scrub_json(5, ["xoxb-secret"]) == 5


def test_an_excerpt_folds_white_space_and_never_half_keeps_a_secret() -> None:
    assert excerpt(b"a \n\t b", ()) == "a b"
    # A secret across the cut is scrubbed before the cut, so no piece of it is kept.
    body = b"x" * 195 + b" hunter2hunter2 " + b"y" * 300
    text = excerpt(body, ["hunter2hunter2"])
    assert text == "x" * 195 + " <red" + "…"
    assert excerpt("é".encode() * 300, ()) == "é" * 200 + "…"
    assert excerpt(b"\xff" * 3, ()) == "\ufffd" * 3


def test_an_excerpt_reads_no_more_than_four_times_what_it_keeps() -> None:
    # A body may be megabytes: only its first 800 bytes are decoded and scrubbed.
    assert excerpt(b"a" + b" " * 798 + b"b" + b"c" * 10_000, ()) == "a b"
    assert excerpt(b"a" + b" " * 799 + b"b", ()) == "a"
