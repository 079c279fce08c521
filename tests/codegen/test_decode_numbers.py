"""Numbers read alike with orjson and without: long integers stay exact, floats stay floats.

`events.decode` and `envelopes.decode` parse with orjson when it is installed, and orjson makes
a float of an integer outside [-2**63, 2**64), which ``json`` keeps an exact `int`. A frame whose
text has 19 digits in a row, where such an integer may be, is read again by ``json`` when it
keeps values as they came (``extra``, ``raw``). Every test here runs with orjson and with the
standard library alone, and the values must be the same ``json.loads`` gives, type included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import slackrtm.envelopes as envelopes_module
from slackrtm import envelopes, events

LONG = [2**64, 2**64 - 1, -(2**63), -(2**63) - 1, 10**19, -(10**19), 2**70, -(2**100), 10**30]
"""Around the edges of what orjson keeps an integer (19 and 20 digits), and far beyond."""

FLOATS = ["1e19", "-1e19", "9.3e18", "1.5", "18446744073709551616.0", "12345678901234567890.5"]
"""Floats as written: the first three and the last two are floats of 2**63 or more."""


@pytest.fixture(params=["orjson", "stdlib"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with orjson's fast path and with the standard library alone."""
    if request.param == "stdlib":
        monkeypatch.setattr(envelopes_module, "_orjson_loads", None)
        monkeypatch.setattr(events, "_orjson_loads", None)
    elif events._orjson_loads is None:
        pytest.skip("orjson is not installed")
    return str(request.param)


def _message(number: str) -> str:
    """A message with blocks holding ``number`` in a block, and in ``extra`` beside them."""
    return (
        '{"type":"message","channel":"C1","user":"U1","text":"hi","ts":"1700000000.000100",'
        '"blocks":[{"type":"rich_text","block_id":"b1","elements":[{"type":"rich_text_section",'
        f'"elements":[{{"type":"text","text":"hi","n":{number}}}]}}]}}],"n":{number}}}'
    )


def _in_block(message: events.Message) -> Any:
    return message.extra["blocks"][0]["elements"][0]["elements"][0]["n"]


def _reaction(number: str) -> str:
    """A reaction_added whose message ``item`` carries ``number`` as an unknown field."""
    return (
        '{"type":"reaction_added","user":"U1","reaction":"eyes","event_ts":"1700000001.000001",'
        f'"item":{{"type":"message","channel":"C1","ts":"1700000000.000100","n":{number}}}}}'
    )


def _changed(number: str) -> str:
    """A message_changed whose messages (not the frame itself) keep ``number`` in ``extra``."""
    new, old = _message(number), _message(number).replace('"text":"hi"', '"text":"old"', 1)
    return (
        '{"type":"message","subtype":"message_changed","channel":"C1","hidden":true,'
        f'"ts":"1700000000.000200","event_ts":"1700000000.000200","message":{new},'
        f'"previous_message":{old}}}'
    )


def _envelope(number: str) -> str:
    """An events_api envelope whose message event has ``number`` in its blocks and its own."""
    event = _message(number)
    return (
        '{"type":"events_api","envelope_id":"e1","accepts_response_payload":false,'
        f'"payload":{{"type":"event_callback","event_id":"Ev1","event":{event}}},"n":{number}}}'
    )


def _values(number: str) -> list[tuple[str, Any]]:
    """Where each shape keeps ``number``, decoded, with the value's type."""
    message = events.decode(_message(number))
    assert isinstance(message, events.Message)
    reaction = events.decode(_reaction(number))
    assert isinstance(reaction, events.ReactionAdded)
    assert isinstance(reaction.item, events.ReactionItemMessage)
    envelope = envelopes.decode(_envelope(number))
    assert isinstance(envelope, envelopes.EventsApi)
    inner = envelope.payload.event
    assert isinstance(inner, events.Message)
    changed = events.decode(_changed(number))
    assert isinstance(changed, events.Message)
    assert changed.message is not None and changed.previous_message is not None
    assert changed.extra == {}  # only the nested messages keep values
    unknown = events.decode(f'{{"type":"brand_new","n":[{number}]}}')
    assert isinstance(unknown, events.UnknownEvent)
    places = {
        "extra": message.extra["n"],
        "block": _in_block(message),
        "item": reaction.item.extra["n"],
        "envelope": envelope.extra["n"],
        "envelope's event": inner.extra["n"],
        "envelope's block": _in_block(inner),
        "raw": unknown.raw["n"][0],
        "changed message": changed.message.extra["n"],
        "changed message's block": _in_block(changed.message),
        "previous message": changed.previous_message.extra["n"],
    }
    return [(place, (value, type(value))) for place, value in places.items()]


@pytest.mark.parametrize("number", LONG, ids=str)
def test_an_integer_beyond_64_bits_stays_an_exact_int_everywhere(reader: str, number: int) -> None:
    for place, value in _values(str(number)):
        assert value == (number, int), place


@pytest.mark.parametrize("text", FLOATS)
def test_a_float_stays_the_float_json_reads(reader: str, text: str) -> None:
    for place, value in _values(text):
        assert value == (json.loads(text), float), place


def test_19_digits_in_a_string_change_nothing(reader: str) -> None:
    digits = "1234567890123456789012"
    frame = _message("7").replace('"text":"hi"', f'"text":"{digits}"', 1)
    message = events.decode(frame)
    assert isinstance(message, events.Message)
    assert (message.text, message.extra["n"], _in_block(message)) == (digits, 7, 7)
    assert events.decode(frame.encode()) == message


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_a_frame_given_as_bytes_keeps_its_long_integers(
    reader: str, kind: Callable[[bytes], Any]
) -> None:
    message = events.decode(kind(_message(str(-(2**63) - 1)).encode()))
    assert isinstance(message, events.Message)
    assert type(message.extra["n"]) is int and message.extra["n"] == -(2**63) - 1


def test_a_message_with_blocks_and_short_numbers_is_parsed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if events._orjson_loads is None:
        pytest.skip("orjson is not installed")
    again: list[object] = []
    load = events._load
    careful = events._decode_carefully

    def counted(frame: str | bytes) -> Any:
        again.append(frame)
        return load(frame)

    def counted_decode(frame: str | bytes, strict: bool) -> Any:
        again.append(frame)
        return careful(frame, strict)

    monkeypatch.setattr(events, "_decode_carefully", counted_decode)
    monkeypatch.setattr(envelopes_module, "_load", counted)
    # 18 digits at most in a row: orjson's parse is kept, blocks and all.
    assert isinstance(events.decode(_message("123456789012345678")), events.Message)
    assert isinstance(envelopes.decode(_envelope("-123456789012345678")), envelopes.EventsApi)
    assert isinstance(events.decode(_changed("123456789012345678")), events.Message)
    assert again == []
    # Nothing kept as it came (no extra in the envelope nor in its event): 19 digits in a row
    # (here in a string) send nothing to json either.
    plain = (
        '{"type":"events_api","envelope_id":"e1","payload":{"type":"event_callback",'
        '"event_id":"Ev1","event":{"type":"message","channel":"C1","user":"U1",'
        '"text":"1234567890123456789012","ts":"1700000000.000100"}}}'
    )
    decoded = envelopes.decode(plain)
    assert isinstance(decoded, envelopes.EventsApi)
    assert isinstance(decoded.payload.event, events.Message)
    assert decoded.payload.event.text == "1234567890123456789012"
    assert again == []
    # 19 digits (2**63 - 1, which orjson keeps exact): read again by json all the same.
    assert isinstance(events.decode(_message(str(2**63 - 1))), events.Message)
    assert len(again) == 1
