"""Changes of the workspace through the control routes: the state, then Slack's events.

Over real loopback sockets: the bot's and alice's RTM sockets read what each change sends, and
the Web API answers what changed.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from slackrtm.emulator import Emulator

from .emulator_suite import ALICE, ALICE_TOKEN, BOB, BOT, RANDOM, open_rtm, recv, sync_point


async def control(session: aiohttp.ClientSession, emu: Emulator, path: str, **data: Any) -> Any:
    # The workspace's changes are under workspace/; a channel's rename and archive are the
    # member's actions (`_happenings`), under channel/.
    prefix = "" if path.startswith("channel/") else "workspace/"
    async with session.post(emu.url + "_emulator/" + prefix + path, json=data) as resp:
        answer = await resp.json()
    return resp.status, answer


async def test_each_route_changes_the_state_and_sends_slacks_events(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    bot = await open_rtm(session, emulator)
    alice = await open_rtm(session, emulator, ALICE_TOKEN)
    status, answer = await control(session, emulator, "users", id="U0NEW0001", name="dave")
    assert (status, answer) == (200, {"ok": True, "frames": 2})
    for ws in (bot, alice):
        joined = await recv(ws)
        assert joined["type"] == "team_join"
        assert (joined["user"]["id"], joined["user"]["name"]) == ("U0NEW0001", "dave")
    await control(session, emulator, "users/rename", id="U0NEW0001", name="david")
    assert (await recv(bot))["user"]["name"] == "david"
    assert (await recv(alice))["type"] == "user_change"
    await control(session, emulator, "channels", id="C0NEW0001", name="fresh", creator=ALICE)
    created = await recv(bot)
    assert created["type"] == "channel_created"
    assert (created["channel"]["name"], created["channel"]["is_member"]) == ("fresh", False)
    assert (await recv(alice))["channel"]["is_member"] is True  # as each socket's user sees it
    await control(session, emulator, "channel/rename", channel=RANDOM, name="chat")
    renamed = await recv(bot)
    assert renamed["type"] == "channel_rename"
    assert renamed["channel"]["name"] == "chat"
    await control(session, emulator, "channel/archive", channel=RANDOM, user_id=ALICE)
    archived = await recv(bot)
    assert (archived["type"], archived["channel"], archived["user"]) == (
        "channel_archive",
        RANDOM,
        ALICE,
    )
    assert emulator.workspace.channels[RANDOM].is_archived
    await control(
        session, emulator, "channel/archive", channel=RANDOM, user_id=ALICE, unarchive=True
    )
    assert (await recv(bot))["type"] == "channel_unarchive"
    await control(session, emulator, "team/rename", name="Renamed")
    assert await recv(bot) == {"type": "team_rename", "name": "Renamed"}
    seen = [(await recv(alice))["type"] for _ in range(4)]
    assert seen == ["channel_rename", "channel_archive", "channel_unarchive", "team_rename"]
    await sync_point(alice)
    await sync_point(bot)


async def test_a_join_and_a_leave_tell_the_member_first_then_the_team(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    bot = await open_rtm(session, emulator)
    status, answer = await control(session, emulator, "channels/join", id=RANDOM, user=BOB)
    assert (status, answer["frames"]) == (200, 1)  # bob has no socket: the bot's only
    joined = await recv(bot)
    assert joined == {
        "type": "member_joined_channel",
        "user": BOB,
        "channel": RANDOM,
        "channel_type": "C",
        "team": "T0EMU0001",
    }
    await control(session, emulator, "channels/leave", id=RANDOM, user=BOT)
    assert await recv(bot) == {"type": "channel_left", "channel": RANDOM, "actor_id": BOT}
    assert (await recv(bot))["type"] == "member_left_channel"
    await control(session, emulator, "channels/join", id=RANDOM, user=BOT)
    whole = await recv(bot)
    assert whole["type"] == "channel_joined"
    assert whole["channel"]["members"] == sorted({ALICE, BOB, BOT})
    assert whole["channel"]["is_member"] is True
    assert (await recv(bot))["type"] == "member_joined_channel"
    status, answer = await control(session, emulator, "channels/join", id=RANDOM, user=BOT)
    assert (status, answer["ok"]) == (400, False)
    assert "already" in answer["error"]
    status, answer = await control(session, emulator, "channels/leave", id=RANDOM, user="U0NONE")
    assert status == 400
    await sync_point(bot)
