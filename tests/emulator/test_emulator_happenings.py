"""What members do, caused through the control routes over HTTP, read off a raw socket.

The emulator's control routes (`reaction`, `pin`, `file_share`, `channel/rename`,
`channel/archive`) send the events Slack would send for each action; here they are read with raw
aiohttp (no SDK class) and held against schema/rtm as JSON Schema, and the workspace changes a
rename or an archive makes show in `conversations.list`.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import jsonschema

from codegen.instance import frame_instance_schema
from codegen.rtm import Frames, load_frames
from slackrtm.emulator import Emulator

from ..codegen.codegen_suite import SCHEMA_DIR
from .emulator_suite import ALICE, BOB_TOKEN, GENERAL, RANDOM, open_rtm, recv, sync_point

TS = "1700000000.000100"


def _frames() -> Frames:
    frames = load_frames(SCHEMA_DIR)
    assert frames is not None
    return frames


FRAMES = _frames()
BY_TYPE = {f.discriminator: f for f in FRAMES.events}


def _valid(frame: dict[str, Any]) -> dict[str, Any]:
    jsonschema.validate(frame, frame_instance_schema(BY_TYPE[frame["type"]], FRAMES))
    return frame


async def _control(session: aiohttp.ClientSession, emu: Emulator, path: str, **body: Any) -> Any:
    async with session.post(emu.control_url + path, json=body) as response:
        answer = await response.json()
    assert response.status == 200 and answer["ok"] is True, answer
    return answer


async def _channels(session: aiohttp.ClientSession, emu: Emulator, **args: str) -> dict[str, Any]:
    async with session.get(
        emu.base_url + "conversations.list",
        params={"types": "public_channel", **args},
        headers={"Authorization": f"Bearer {emu.bot_token}"},
    ) as response:
        data = await response.json()
    return {c["id"]: c for c in data["channels"]}


async def test_each_route_sends_its_event_to_those_who_would_see_it(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    bot = await open_rtm(session, emulator)
    bob = await open_rtm(session, emulator, BOB_TOKEN)  # in general, not in random
    body = {"user_id": ALICE, "channel": GENERAL, "ts": TS}
    answer = await _control(session, emulator, "reaction", reaction="tada", **body)
    assert answer["connections"] == 2
    added = _valid(await recv(bot))
    assert added["type"] == "reaction_added" and added["reaction"] == "tada"
    assert added["item"] == {"type": "message", "channel": GENERAL, "ts": TS}
    assert _valid(await recv(bob)) == added
    await _control(session, emulator, "reaction", reaction="tada", removed=True, **body)
    assert _valid(await recv(bot))["type"] == "reaction_removed"
    await _control(session, emulator, "pin", **body)
    pinned = _valid(await recv(bot))
    assert pinned["type"] == "pin_added" and pinned["item"]["message"]["ts"] == TS
    await _control(session, emulator, "pin", removed=True, **body)
    assert _valid(await recv(bot))["type"] == "pin_removed"
    await _control(session, emulator, "file_share", user_id=ALICE, channel=RANDOM)
    shared = _valid(await recv(bot))
    assert (shared["type"], shared["file_id"], shared["channel_id"]) == (
        "file_shared",
        "F0EMU0001",
        RANDOM,
    )
    kinds = [(await recv(bob))["type"] for _ in range(3)]
    assert kinds == ["reaction_removed", "pin_added", "pin_removed"]
    await sync_point(bob, 1)  # bob is not in random: the file share did not come his way
    await bot.close()
    await bob.close()


async def test_a_rename_and_an_archive_change_the_workspace_and_tell_the_team(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    bob = await open_rtm(session, emulator, BOB_TOKEN)  # told, although not in random
    await _control(session, emulator, "channel/rename", channel=RANDOM, name="off-topic")
    renamed = _valid(await recv(bob))
    assert renamed["channel"] == {"id": RANDOM, "name": "off-topic", "is_channel": True}
    assert (await _channels(session, emulator))[RANDOM]["name"] == "off-topic"
    await _control(session, emulator, "channel/archive", user_id=ALICE, channel=RANDOM)
    archived = _valid(await recv(bob))
    assert (archived["type"], archived["channel"], archived["user"]) == (
        "channel_archive",
        RANDOM,
        ALICE,
    )
    assert (await _channels(session, emulator))[RANDOM]["is_archived"] is True
    assert RANDOM not in await _channels(session, emulator, exclude_archived="true")
    await _control(
        session, emulator, "channel/archive", user_id=ALICE, channel=RANDOM, unarchive=True
    )
    assert _valid(await recv(bob))["type"] == "channel_unarchive"
    assert (await _channels(session, emulator))[RANDOM]["is_archived"] is False
    await bob.close()


async def test_an_action_that_cannot_happen_is_a_400(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    for path, body in [
        ("reaction", {"user_id": ALICE, "channel": "C0NOPE", "ts": TS, "reaction": "x"}),
        ("reaction", {"user_id": ALICE, "channel": GENERAL, "ts": TS}),
        ("channel/rename", {"channel": RANDOM, "name": "general"}),
        ("channel/archive", {"user_id": ALICE, "channel": RANDOM, "unarchive": True}),
    ]:
        async with session.post(emulator.control_url + path, json=body) as response:
            assert response.status == 400, (path, body)
            assert (await response.json())["ok"] is False
