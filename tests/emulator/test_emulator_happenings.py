"""What members do in a channel, caused through the control routes over HTTP, off a raw socket.

The emulator's control routes (`reaction`, `pin`, `file_share`) send the events Slack would send
for each action to the channel's members; here they are read with raw aiohttp (no SDK class)
and held against schema/rtm as JSON Schema. A channel's rename and archive change the workspace:
tests/emulator/test_emulator_changes.py.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from slackrtm.emulator import Emulator

from .emulator_suite import ALICE, BOB, BOB_TOKEN, GENERAL, RANDOM, open_rtm, recv, sync_point
from .emulator_suite import valid as _valid

TS = "1700000000.000100"


async def _control(session: aiohttp.ClientSession, emu: Emulator, path: str, **body: Any) -> Any:
    async with session.post(emu.control_url + path, json=body) as response:
        answer = await response.json()
    assert response.status == 200 and answer["ok"] is True, answer
    return answer


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


async def test_an_action_that_cannot_happen_is_a_400(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    for path, body in [
        ("reaction", {"user_id": ALICE, "channel": "C0NOPE", "ts": TS, "reaction": "x"}),
        ("reaction", {"user_id": ALICE, "channel": GENERAL, "ts": TS}),
        ("pin", {"user_id": BOB, "channel": RANDOM, "ts": TS}),  # bob is not in random
        ("file_share", {"user_id": "U0NOPE", "channel": GENERAL}),
    ]:
        async with session.post(emulator.control_url + path, json=body) as response:
            assert response.status == 400, (path, body)
            assert (await response.json())["ok"] is False
