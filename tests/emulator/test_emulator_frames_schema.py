"""Every frame the emulator sends, held against schema/rtm as JSON Schema.

The schema's frame descriptions are turned into JSON Schemas (`frame_instance_schema`) and the
emulator's traffic, read with raw aiohttp, is validated against them. Neither side uses the
SDK's generated classes, so the emulator and the client cannot agree on the same mistake.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import jsonschema
import pytest

from codegen.instance import frame_instance_schema
from codegen.rtm import Frame, Frames, load_frames
from slackrtm.emulator import Emulator, Limits

from ..codegen.codegen_suite import SCHEMA_DIR
from .emulator_suite import ALICE, ALICE_TOKEN, BOB, GENERAL, closed, open_rtm, recv, send


def _frames() -> Frames:
    frames = load_frames(SCHEMA_DIR)
    assert frames is not None
    return frames


FRAMES = _frames()
BY_TYPE = {f.discriminator: f for f in FRAMES.events}
ACKS = {f.discriminator == "true": f for f in FRAMES.acks}
COMMANDS = {f.discriminator: f for f in FRAMES.commands}


def _described(frame: dict[str, Any]) -> Frame:
    if "type" in frame:
        assert frame["type"] in BY_TYPE, f"the schema does not describe {frame['type']!r}"
        return BY_TYPE[frame["type"]]
    assert "reply_to" in frame and "ok" in frame, frame
    return ACKS[frame["ok"]]


def check(frame: dict[str, Any], seen: set[str]) -> dict[str, Any]:
    """Validate a server frame against its schema; note which kinds were seen."""
    described = _described(frame)
    jsonschema.validate(frame, frame_instance_schema(described, FRAMES))
    seen.add(f"{described.kind}:{described.discriminator}")
    return frame


def command(frame: dict[str, Any]) -> dict[str, Any]:
    """Validate a client frame before sending it, so the tests speak the schema's language."""
    jsonschema.validate(frame, frame_instance_schema(COMMANDS[frame["type"]], FRAMES))
    return frame


async def test_the_emulators_frames_match_the_schema(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    seen: set[str] = set()
    ws = await open_rtm(session, emulator, batch_presence_aware="1")
    other = await open_rtm(session, emulator, ALICE_TOKEN)
    seen.add("event:hello")
    check({"type": "hello"}, seen)

    await send(ws, command({"id": 1, "type": "ping", "time": 5}))
    check(await recv(ws), seen)

    await send(ws, command({"id": 2, "type": "message", "channel": GENERAL, "text": "hi"}))
    ack = check(await recv(ws), seen)
    assert ack["ok"] is True
    delivered = check(await recv(other), seen)
    assert delivered["type"] == "message"

    await send(ws, command({"id": 3, "type": "message", "channel": "CNOPE", "text": "hi"}))
    assert check(await recv(ws), seen)["ok"] is False

    await send(ws, command({"id": 4, "type": "typing", "channel": GENERAL}))
    assert check(await recv(other), seen)["type"] == "user_typing"

    # presence: the batch shape on `ws`, the single shape on `other`
    await send(ws, command({"type": "presence_sub", "ids": [BOB]}))
    await send(other, command({"type": "presence_sub", "ids": [BOB]}))
    await send(ws, command({"id": 5, "type": "ping"}))
    await send(other, command({"id": 6, "type": "ping"}))
    check(await recv(ws), seen)
    check(await recv(other), seen)
    emulator.set_presence(BOB, "away")
    batch = check(await recv(ws), seen)
    single = check(await recv(other), seen)
    assert "users" in batch and "user" in single

    emulator.set_presence(ALICE, "away")
    assert check(await recv(other), seen)["type"] == "manual_presence_change"

    emulator.send_goodbye()
    check(await recv(ws), seen)
    emulator.start_team_migration()
    while (frame := await recv(ws))["type"] != "team_migration_started":
        check(frame, seen)
    check(frame, seen)
    await closed(ws)
    await other.close()

    assert {
        "event:hello",
        "event:pong",
        "ack:true",
        "ack:false",
        "event:message",
        "event:user_typing",
        "event:presence_change",
        "event:manual_presence_change",
        "event:goodbye",
        "event:team_migration_started",
    } <= seen


async def test_the_expired_url_error_matches_the_schema(session: aiohttp.ClientSession) -> None:
    async with Emulator(limits=Limits(ticket_ttl=0.01)) as emu:
        async with session.get(
            emu.base_url + "rtm.connect", headers={"Authorization": f"Bearer {emu.bot_token}"}
        ) as resp:
            url = (await resp.json())["url"]
        await asyncio.sleep(0.05)
        async with session.ws_connect(url) as ws:
            frame = await recv(ws)
    seen: set[str] = set()
    check(frame, seen)
    assert seen == {"event:error"}
    assert frame["error"]["code"] == 1


@pytest.mark.parametrize("kind", sorted(BY_TYPE))
def test_each_schema_example_satisfies_its_own_instance_schema(kind: str) -> None:
    # A guard on the converter itself: a schema that rejected its own examples would make the
    # tests above meaningless.
    frame = BY_TYPE[kind]
    example = json.loads((SCHEMA_DIR.parent / frame.source_file).read_text("utf-8"))["example"]
    jsonschema.validate(example, frame_instance_schema(frame, FRAMES))
    broken = dict(example, type="something_else")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, frame_instance_schema(frame, FRAMES))
