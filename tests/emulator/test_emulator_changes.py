"""Changes of the workspace, through the control routes and the Python API: the state, then events.

Over real loopback sockets: RTM sockets opened with raw aiohttp (no SDK class) read what each
change sends, every event is held against its schema/rtm/events file, and the Web API answers
what changed. A channel's rename and archive are changes like the others (`_changes`): the same
events whether a control route or an `Emulator` method makes them.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from slackrtm.emulator import Emulator

from .emulator_suite import (
    ALICE,
    ALICE_TOKEN,
    APP_TOKEN,
    BOB,
    BOB_TOKEN,
    BOT,
    RANDOM,
    open_rtm,
    recv,
    sync_point,
    valid,
)


async def control(session: aiohttp.ClientSession, emu: Emulator, path: str, **data: Any) -> Any:
    # The channel's rename and archive keep their first routes, under channel/ (the README's
    # table); the other changes are under workspace/.
    prefix = "" if path.startswith("channel/") else "workspace/"
    async with session.post(emu.url + "_emulator/" + prefix + path, json=data) as resp:
        answer = await resp.json()
    return resp.status, answer


async def event(ws: aiohttp.ClientWebSocketResponse[bool]) -> dict[str, Any]:
    return valid(await recv(ws))


async def _channels(session: aiohttp.ClientSession, emu: Emulator, **args: str) -> dict[str, Any]:
    async with session.get(
        emu.base_url + "conversations.list",
        params={"types": "public_channel", **args},
        headers={"Authorization": f"Bearer {emu.bot_token}"},
    ) as response:
        data = await response.json()
    return {c["id"]: c for c in data["channels"]}


async def test_each_route_changes_the_state_and_sends_slacks_events(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    bot = await open_rtm(session, emulator)
    alice = await open_rtm(session, emulator, ALICE_TOKEN)
    status, answer = await control(session, emulator, "users", id="U0NEW0001", name="dave")
    assert (status, answer) == (200, {"ok": True, "frames": 2})
    for ws in (bot, alice):
        joined = await event(ws)
        assert joined["type"] == "team_join"
        assert (joined["user"]["id"], joined["user"]["name"]) == ("U0NEW0001", "dave")
    await control(session, emulator, "users/rename", id="U0NEW0001", name="david")
    assert (await event(bot))["user"]["name"] == "david"
    assert (await event(alice))["type"] == "user_change"
    await control(session, emulator, "channels", id="C0NEW0001", name="fresh", creator=ALICE)
    created = await event(bot)
    assert created["type"] == "channel_created"
    assert (created["channel"]["name"], created["channel"]["is_member"]) == ("fresh", False)
    assert (await event(alice))["channel"]["is_member"] is True  # as each socket's user sees it
    status, answer = await control(session, emulator, "channel/rename", channel=RANDOM, name="chat")
    assert (status, answer) == (200, {"ok": True, "connections": 2})
    assert (await event(bot))["channel"]["name"] == "chat"
    await control(session, emulator, "channel/archive", channel=RANDOM, user_id=ALICE)
    assert (await event(bot))["type"] == "channel_archive"
    await control(session, emulator, "team/rename", name="Renamed")
    assert await event(bot) == {"type": "team_rename", "name": "Renamed"}
    seen = [(await event(alice))["type"] for _ in range(3)]
    assert seen == ["channel_rename", "channel_archive", "team_rename"]
    await sync_point(alice)
    await sync_point(bot)


RENAMED = {
    "id": RANDOM,
    "name": "off-topic",
    "name_normalized": "off-topic",
    "created": 1700000000,
    "is_channel": True,
    "is_mpim": False,
}
"""The channel as Slack's ``channel_rename`` carries it (its docs: id, name, created; its
logged payloads, java-slack-sdk's ChannelRenamePayload.json: also name_normalized, is_channel,
is_mpim), and as `conversations.list` shows it."""


async def _rename(
    by: str, session: aiohttp.ClientSession, emu: Emulator, channel: str, name: str
) -> None:
    if by == "route":
        status, answer = await control(session, emu, "channel/rename", channel=channel, name=name)
        assert (status, answer["ok"]) == (200, True), answer
    else:
        emu.rename_channel(channel, name)


async def _archive(
    by: str, session: aiohttp.ClientSession, emu: Emulator, *, unarchive: bool = False
) -> None:
    if by == "route":
        body = {"channel": RANDOM, "user_id": ALICE, "unarchive": unarchive}
        status, answer = await control(session, emu, "channel/archive", **body)
        assert (status, answer["ok"]) == (200, True), answer
    else:
        emu.archive_channel(ALICE, RANDOM, unarchive=unarchive)


@pytest.mark.parametrize("by", ["route", "method"])
async def test_a_rename_and_an_archive_change_the_workspace_and_tell_the_team(
    by: str, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    bob = await open_rtm(session, emulator, BOB_TOKEN)  # told, although not in random
    await _rename(by, session, emulator, RANDOM, "off-topic")
    renamed = await event(bob)
    assert renamed["type"] == "channel_rename" and renamed["channel"] == RENAMED
    listed = (await _channels(session, emulator))[RANDOM]
    assert {key: listed[key] for key in RENAMED if key in listed} == {
        key: value for key, value in RENAMED.items() if key != "name_normalized"
    }
    await _archive(by, session, emulator)
    archived = await event(bob)
    assert set(archived) == {"type", "channel", "user", "event_ts"}
    assert (archived["type"], archived["channel"], archived["user"]) == (
        "channel_archive",
        RANDOM,
        ALICE,
    )
    assert (await _channels(session, emulator))[RANDOM]["is_archived"] is True
    assert RANDOM not in await _channels(session, emulator, exclude_archived="true")
    await _archive(by, session, emulator, unarchive=True)
    unarchived = await event(bob)
    assert (unarchived["type"], unarchived["channel"], unarchived["user"]) == (
        "channel_unarchive",
        RANDOM,
        ALICE,
    )
    assert (await _channels(session, emulator))[RANDOM]["is_archived"] is False
    await sync_point(bob)
    await bob.close()


async def test_the_python_api_on_the_servers_own_loop_sends_the_same(
    async_emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    bob = await open_rtm(session, async_emulator, BOB_TOKEN)
    assert async_emulator.rename_channel(RANDOM, "off-topic") == 1
    assert (await event(bob))["channel"] == RENAMED
    assert async_emulator.archive_channel(ALICE, RANDOM) == 1
    assert (await event(bob))["type"] == "channel_archive"
    await sync_point(bob)
    await bob.close()


async def test_a_socket_mode_app_gets_the_same_events_as_events_api(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    async with session.post(
        emulator.base_url + "apps.connections.open",
        headers={
            "Authorization": f"Bearer {APP_TOKEN}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    ) as response:
        opened = await response.json()
    assert opened["ok"] is True, opened
    url = opened["url"]
    app = await session.ws_connect(url)
    assert (await recv(app))["type"] == "hello"
    bob = await open_rtm(session, emulator, BOB_TOKEN)
    emulator.rename_channel(RANDOM, "off-topic")
    emulator.archive_channel(ALICE, RANDOM)
    for _ in range(2):
        envelope = await recv(app)
        assert envelope["type"] == "events_api"
        await app.send_json({"envelope_id": envelope["envelope_id"]})
        assert envelope["payload"]["event"] == await event(bob)
    await sync_point(bob)
    await bob.close()
    await app.close()


async def test_a_change_that_cannot_happen_is_a_400_and_changes_nothing(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    refused: list[tuple[str, dict[str, Any]]] = [
        ("channel/rename", {"channel": RANDOM, "name": "general"}),  # taken
        ("channel/rename", {"channel": RANDOM, "name": ""}),
        ("channel/rename", {"channel": "C0NOPE", "name": "x"}),
        ("channel/archive", {"user_id": ALICE, "channel": RANDOM, "unarchive": True}),
        ("channel/archive", {"user_id": "U0NOPE", "channel": RANDOM}),
        ("channels", {"id": RANDOM, "name": "again", "creator": ALICE}),  # exists
    ]
    for path, body in refused:
        status, answer = await control(session, emulator, path, **body)
        assert (status, answer["ok"]) == (400, False), (path, body)
    channel = emulator.workspace.channels[RANDOM]
    assert (channel.name, channel.is_archived) == ("random", False)


async def test_a_join_and_a_leave_tell_the_member_first_then_the_team(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    bot = await open_rtm(session, emulator)
    status, answer = await control(session, emulator, "channels/join", id=RANDOM, user=BOB)
    assert (status, answer["frames"]) == (200, 1)  # bob has no socket: the bot's only
    joined = await event(bot)
    assert joined == {
        "type": "member_joined_channel",
        "user": BOB,
        "channel": RANDOM,
        "channel_type": "C",
        "team": "T0EMU0001",
    }
    await control(session, emulator, "channels/leave", id=RANDOM, user=BOT)
    assert await event(bot) == {"type": "channel_left", "channel": RANDOM, "actor_id": BOT}
    assert (await event(bot))["type"] == "member_left_channel"
    await control(session, emulator, "channels/join", id=RANDOM, user=BOT)
    whole = await event(bot)
    assert whole["type"] == "channel_joined"
    assert whole["channel"]["members"] == sorted({ALICE, BOB, BOT})
    assert whole["channel"]["is_member"] is True
    assert (await event(bot))["type"] == "member_joined_channel"
    status, answer = await control(session, emulator, "channels/join", id=RANDOM, user=BOT)
    assert (status, answer["ok"]) == (400, False)
    assert "already" in answer["error"]
    status, answer = await control(session, emulator, "channels/leave", id=RANDOM, user="U0NONE")
    assert status == 400
    await sync_point(bot)
