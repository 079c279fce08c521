"""The RTM socket over real loopback WebSockets, with raw aiohttp and websockets clients."""

from __future__ import annotations

import asyncio
import json
import re
import time

import aiohttp
import attrs
import pytest
import websockets

from slackrtm.emulator import RTM_ERROR_MESSAGES, SLACKBOT_ID, Emulator, Limits, RtmError

from .emulator_suite import (
    ALICE,
    ALICE_TOKEN,
    BOB,
    BOB_TOKEN,
    BOT,
    CAROL_TOKEN,
    GENERAL,
    GRID_CHANNEL,
    RANDOM,
    closed,
    connect_url,
    eventually,
    open_rtm,
    recv,
    send,
    sync_point,
)

TS = re.compile(r"\d{10}\.\d{6}")


def error_ack(reply_to: int, code: RtmError) -> dict[str, object]:
    return {
        "ok": False,
        "reply_to": reply_to,
        "error": {"code": int(code), "msg": RTM_ERROR_MESSAGES[code]},
    }


# -- hello, ping ----------------------------------------------------------------------------------


async def test_hello_then_pong_echoing_flat_fields(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, emulator)
    await send(ws, {"id": 1, "type": "ping", "time": 1403299273342, "tag": "a", "n": None,
                    "nested": {"x": 1}, "list": [1]})  # fmt: skip
    assert await recv(ws) == {
        "type": "pong",
        "reply_to": 1,
        "time": 1403299273342,
        "tag": "a",
        "n": None,
    }
    await ws.close()


async def test_counters_follow_the_socket(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, emulator)
    await sync_point(ws)
    counters = emulator.counters
    assert (counters.connections_open, counters.connections_total) == (1, 1)
    assert counters.frames_in == 1
    assert counters.frames_out == 2  # hello, pong
    await ws.close()
    await eventually(lambda: emulator.counters.connections_open == 0)


async def test_frames_that_mean_nothing_are_ignored(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, emulator)
    await ws.send_str("not json")
    await ws.send_str("[1, 2]")
    await ws.send_bytes(b"\x00\x01")
    await send(ws, {"type": "some_future_type"})
    await sync_point(ws)
    assert emulator.counters.frames_in == 5
    await ws.close()


async def test_websockets_library_client(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    url = await connect_url(session, emulator)
    async with websockets.connect(url) as ws:
        assert json.loads(await ws.recv()) == {"type": "hello"}
        await ws.send(json.dumps({"id": 7, "type": "ping"}))
        assert json.loads(await ws.recv()) == {"type": "pong", "reply_to": 7}
        pong = await ws.ping()
        await asyncio.wait_for(pong, 2)


# -- messages -------------------------------------------------------------------------------------


async def test_message_ack_and_delivery(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    bot = await open_rtm(session, emulator)
    alice = await open_rtm(session, emulator, ALICE_TOKEN)
    bob = await open_rtm(session, emulator, BOB_TOKEN)
    await send(bot, {"id": 1, "type": "message", "channel": RANDOM, "text": "hi \u00e9"})
    ack = await recv(bot)
    assert ack == {"ok": True, "reply_to": 1, "ts": ack["ts"], "text": "hi \u00e9"}
    assert TS.fullmatch(ack["ts"])
    assert await recv(alice) == {
        "type": "message",
        "channel": RANDOM,
        "user": BOT,
        "text": "hi \u00e9",
        "ts": ack["ts"],
        "team": "T0EMU0001",
    }
    await sync_point(bob)  # bob is not in #random
    await sync_point(bot)  # the sender's own socket gets the ack, not the event
    for ws in (bot, alice, bob):
        await ws.close()


async def test_message_reaches_the_senders_other_sockets(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    first = await open_rtm(session, emulator)
    second = await open_rtm(session, emulator)
    await send(first, {"id": 1, "type": "message", "channel": GENERAL, "text": "one"})
    ack = await recv(first)
    event = await recv(second)
    assert (event["user"], event["ts"]) == (BOT, ack["ts"])
    await first.close()
    await second.close()


async def test_timestamps_increase(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    ws = await open_rtm(session, emulator)
    stamps = []
    for i in range(1, 4):
        await send(ws, {"id": i, "type": "message", "channel": GENERAL, "text": "x"})
        stamps.append((await recv(ws))["ts"])
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 3
    await ws.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"text": "x"}, RtmError.CHANNEL_MISSING),
        ({"channel": "", "text": "x"}, RtmError.CHANNEL_MISSING),
        ({"channel": GENERAL}, RtmError.MESSAGE_TEXT_MISSING),
        ({"channel": GENERAL, "text": ""}, RtmError.MESSAGE_TEXT_MISSING),
        ({"channel": GENERAL, "text": 5}, RtmError.MESSAGE_TEXT_MISSING),
        ({"channel": "C0NOWHERE", "text": "x"}, RtmError.CHANNEL_NOT_FOUND),
        ({"channel": GRID_CHANNEL, "text": "x"}, RtmError.NOT_IN_CHANNEL),
        ({"channel": GENERAL, "text": "x" * 4001}, RtmError.MESSAGE_TOO_LONG),
    ],
)
async def test_message_error_acks(
    emulator: Emulator,
    session: aiohttp.ClientSession,
    frame: dict[str, object],
    code: RtmError,
) -> None:
    ws = await open_rtm(session, emulator)
    alice = await open_rtm(session, emulator, ALICE_TOKEN)
    await send(ws, {"id": 3, "type": "message", **frame})
    assert await recv(ws) == error_ack(3, code)
    await sync_point(alice)  # nothing was delivered
    await ws.close()
    await alice.close()


async def test_text_of_the_limit_is_accepted(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, emulator)
    await send(ws, {"id": 1, "type": "message", "channel": GENERAL, "text": "x" * 4000})
    assert (await recv(ws))["ok"] is True
    await ws.close()


async def test_message_without_id_errors_as_an_event(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, emulator)
    alice = await open_rtm(session, emulator, ALICE_TOKEN)
    await send(ws, {"type": "message", "channel": GENERAL})
    code = RtmError.MESSAGE_TEXT_MISSING
    assert await recv(ws) == {
        "type": "error",
        "error": {"code": int(code), "msg": RTM_ERROR_MESSAGES[code]},
    }
    await send(ws, {"type": "message", "channel": GENERAL, "text": "no id"})
    assert (await recv(alice))["text"] == "no id"
    await sync_point(ws)  # no ack without an id
    await ws.close()
    await alice.close()


async def test_frame_over_16kb_disconnects(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, emulator)
    frame = {"id": 1, "type": "ping", "pad": ""}
    frame["pad"] = "x" * (16 * 1024 - len(json.dumps(frame)))
    await ws.send_str(json.dumps(frame))  # exactly 16 kB: fine
    assert (await recv(ws))["reply_to"] == 1
    frame["pad"] = str(frame["pad"]) + "x"
    await ws.send_str(json.dumps(frame))  # one byte more
    kind, data = await closed(ws)
    assert kind is aiohttp.WSMsgType.CLOSE
    assert data == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
    await eventually(lambda: emulator.counters.connections_open == 0)


async def test_message_rate_limit_then_disconnect(
    fast_emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, fast_emulator)
    for i in range(1, 5):  # burst of 3 allowed, the 4th is over the limit
        await send(ws, {"id": i, "type": "message", "channel": GENERAL, "text": "spam"})
    for i in range(1, 4):
        assert (await recv(ws))["reply_to"] == i
    assert await recv(ws) == error_ack(4, RtmError.RATE_LIMITED)
    kind, data = await closed(ws)
    assert (kind, data) == (aiohttp.WSMsgType.CLOSE, aiohttp.WSCloseCode.POLICY_VIOLATION)


async def test_message_rate_limit_without_disconnect(
    fast_emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    fast_emulator.limits = attrs.evolve(
        fast_emulator.limits, disconnect_on_rate_limit=False, message_rate=4.0, message_burst=1
    )
    ws = await open_rtm(session, fast_emulator)
    await send(ws, {"id": 1, "type": "message", "channel": GENERAL, "text": "a"})
    await send(ws, {"id": 2, "type": "message", "channel": GENERAL, "text": "b"})
    assert (await recv(ws))["ok"] is True
    assert await recv(ws) == error_ack(2, RtmError.RATE_LIMITED)
    await asyncio.sleep(0.3)  # the bucket refills at 4/s
    await send(ws, {"id": 3, "type": "message", "channel": GENERAL, "text": "c"})
    assert (await recv(ws))["ok"] is True
    await ws.close()


# -- typing and presence --------------------------------------------------------------------------


async def test_typing(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    bot = await open_rtm(session, emulator)
    alice = await open_rtm(session, emulator, ALICE_TOKEN)
    bob = await open_rtm(session, emulator, BOB_TOKEN)
    await send(bot, {"id": 1, "type": "typing", "channel": RANDOM})
    assert await recv(alice) == {"type": "user_typing", "channel": RANDOM, "user": BOT}
    await send(bot, {"id": 2, "type": "typing", "channel": GRID_CHANNEL})  # not a member
    not_in = {"ok": False, "reply_to": 2, "error": {"code": 5, "msg": "not in channel"}}
    assert await recv(bot) == not_in
    await send(bot, {"id": 3, "type": "typing", "channel": "C0NOSUCH"})
    not_found = {"ok": False, "reply_to": 3, "error": {"code": 4, "msg": "channel not found"}}
    assert await recv(bot) == not_found
    await send(bot, {"type": "typing", "channel": "C0NOSUCH"})  # no id: an error event
    assert await recv(bot) == {"type": "error", "error": not_found["error"]}
    await sync_point(bot)
    await sync_point(alice)
    await sync_point(bob)
    for ws in (bot, alice, bob):
        await ws.close()


async def test_presence_sub_single_and_batch(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    single = await open_rtm(session, emulator)
    batch = await open_rtm(session, emulator, batch_presence_aware="1")
    await send(single, {"type": "presence_sub", "ids": [ALICE]})
    await send(batch, {"type": "presence_sub", "ids": [ALICE, BOB]})
    await sync_point(single)
    await sync_point(batch)
    emulator.set_presence(ALICE, "away")
    assert await recv(single) == {"type": "presence_change", "user": ALICE, "presence": "away"}
    assert await recv(batch) == {"type": "presence_change", "users": [ALICE], "presence": "away"}
    emulator.set_presence(BOB, "away")
    assert await recv(batch) == {"type": "presence_change", "users": [BOB], "presence": "away"}
    await sync_point(single)  # not subscribed to bob
    await single.close()
    await batch.close()


async def test_presence_sub_replaces_the_list(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, emulator)
    await send(ws, {"type": "presence_sub", "ids": [ALICE]})
    await send(ws, {"type": "presence_sub", "ids": [BOB]})
    await sync_point(ws)
    emulator.set_presence(ALICE, "away")
    emulator.set_presence(BOB, "away")
    assert await recv(ws) == {"type": "presence_change", "user": BOB, "presence": "away"}
    await sync_point(ws)
    await ws.close()


async def test_presence_subscription_lasts_one_socket(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, emulator)
    await send(ws, {"type": "presence_sub", "ids": [ALICE]})
    await sync_point(ws)
    await ws.close()
    ws = await open_rtm(session, emulator)
    emulator.set_presence(ALICE, "away")
    await sync_point(ws)
    await ws.close()


async def test_presence_query(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    emulator.workspace.users[BOB].presence = "away"
    single = await open_rtm(session, emulator)
    batch = await open_rtm(session, emulator, batch_presence_aware="true")
    query = {"type": "presence_query", "ids": [ALICE, BOB, "U0NOBODY"]}
    await send(single, query)
    assert await recv(single) == {"type": "presence_change", "user": ALICE, "presence": "active"}
    assert await recv(single) == {"type": "presence_change", "user": BOB, "presence": "away"}
    await send(batch, query)
    assert await recv(batch) == {"type": "presence_change", "users": [ALICE], "presence": "active"}
    assert await recv(batch) == {"type": "presence_change", "users": [BOB], "presence": "away"}
    await single.close()
    await batch.close()


async def test_manual_presence_change_to_own_sockets(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    alice = await open_rtm(session, emulator, ALICE_TOKEN)
    bot = await open_rtm(session, emulator)
    emulator.set_presence(ALICE, "away")
    assert await recv(alice) == {"type": "manual_presence_change", "presence": "away"}
    await sync_point(bot)
    emulator.set_presence(ALICE, "active", manual=False)
    await sync_point(alice)
    await alice.close()
    await bot.close()


async def test_without_presence_sub_all_team_presence_arrives(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, emulator, presence_sub="false")
    carol = await open_rtm(session, emulator, CAROL_TOKEN, presence_sub="0")
    emulator.set_presence(BOB, "away")
    assert await recv(ws) == {"type": "presence_change", "user": BOB, "presence": "away"}
    await sync_point(carol)  # another team
    await ws.close()
    await carol.close()


def test_set_presence_checks(emulator: Emulator) -> None:
    with pytest.raises(KeyError):
        emulator.set_presence("U0NOBODY", "away")
    with pytest.raises(ValueError, match="presence"):
        emulator.set_presence(ALICE, "busy")  # type: ignore[arg-type]


# -- socket URLs ----------------------------------------------------------------------------------

EXPIRED = {"type": "error", "error": {"code": 1, "msg": "Socket URL has expired"}}


async def assert_refused(session: aiohttp.ClientSession, url: str) -> None:
    async with session.ws_connect(url) as ws:
        assert await recv(ws) == EXPIRED
        kind, _ = await closed(ws)
        assert kind is aiohttp.WSMsgType.CLOSE


async def test_reused_url(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    url = await connect_url(session, emulator)
    async with session.ws_connect(url) as ws:
        assert await recv(ws) == {"type": "hello"}
        await assert_refused(session, url)  # even while the first is open
    await assert_refused(session, url)
    assert emulator.counters.tickets_rejected == 2


async def test_unknown_url(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    url = await connect_url(session, emulator)
    await assert_refused(session, url[:-4] + "AAAA")
    await assert_refused(session, url.rsplit("/", 1)[0] + "/x")


async def test_expired_url(session: aiohttp.ClientSession) -> None:
    async with Emulator(limits=Limits(ticket_ttl=0.2)) as emu:
        url = await connect_url(session, emu)
        await asyncio.sleep(0.3)
        await assert_refused(session, url)
        emu.limits = attrs.evolve(emu.limits, ticket_ttl=30.0)
        async with session.ws_connect(await connect_url(session, emu)) as ws:
            assert await recv(ws) == {"type": "hello"}


async def test_expire_socket_urls(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    emulator.expire_socket_urls(2)
    for _ in range(2):
        await assert_refused(session, await connect_url(session, emulator))
    async with session.ws_connect(await connect_url(session, emulator)) as ws:
        assert await recv(ws) == {"type": "hello"}
    emulator.expire_socket_urls(1)
    emulator.reset()
    async with session.ws_connect(await connect_url(session, emulator)) as ws:
        assert await recv(ws) == {"type": "hello"}, "reset clears a pending expiry"
    with pytest.raises(ValueError, match="n must"):
        emulator.expire_socket_urls(-1)
    async with session.post(emulator.control_url + "rtm/expire", json={"n": 1}) as resp:
        assert resp.status == 200
    await assert_refused(session, await connect_url(session, emulator))


# -- injected RTM faults --------------------------------------------------------------------------


async def test_goodbye(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    bot = await open_rtm(session, emulator)
    alice = await open_rtm(session, emulator, ALICE_TOKEN)
    assert emulator.send_goodbye() == 2
    assert await recv(bot) == {"type": "goodbye"}
    assert await recv(alice) == {"type": "goodbye"}
    await sync_point(bot)  # still open
    assert emulator.send_goodbye(user_id=ALICE, close=True) == 1
    assert await recv(alice) == {"type": "goodbye"}
    kind, data = await closed(alice)
    assert (kind, data) == (aiohttp.WSMsgType.CLOSE, aiohttp.WSCloseCode.GOING_AWAY)
    await bot.close()


async def test_team_migration(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    ws = await open_rtm(session, emulator)
    assert emulator.start_team_migration() == 1
    assert await recv(ws) == {"type": "team_migration_started"}
    assert (await closed(ws))[0] is aiohttp.WSMsgType.CLOSE


async def test_close_with_a_code(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    ws = await open_rtm(session, emulator)
    assert emulator.close_connections(code=4000) == 1
    kind, data = await closed(ws)
    assert (kind, data) == (aiohttp.WSMsgType.CLOSE, 4000)


async def test_drop(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    ws = await open_rtm(session, emulator)
    assert emulator.drop_connections() == 1
    kind, _ = await closed(ws)
    assert kind in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)  # no close frame
    await eventually(lambda: emulator.counters.connections_open == 0)
    await open_rtm(session, emulator)  # the server goes on


async def test_stall_pings(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    ws = await open_rtm(session, emulator)
    emulator.stall_pings(True)
    await send(ws, {"id": 1, "type": "ping"})
    with pytest.raises(asyncio.TimeoutError):
        await ws.receive(timeout=0.2)
    emulator.stall_pings(False)
    await sync_point(ws, 2)
    await ws.close()


async def test_stall_websocket_pings(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    url = await connect_url(session, emulator)
    async with websockets.connect(url, ping_interval=None) as ws:
        await ws.recv()
        emulator.stall_pings(True)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(await ws.ping(), 0.2)
        emulator.stall_pings(False)
        await asyncio.wait_for(await ws.ping(), 2)


async def test_send_raw_not_json(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    ws = await open_rtm(session, emulator)
    alice = await open_rtm(session, emulator, ALICE_TOKEN)
    assert emulator.send_raw("not json", user_id=BOT) == 1
    msg = await ws.receive(timeout=2)
    assert (msg.type, msg.data) == (aiohttp.WSMsgType.TEXT, "not json")
    await sync_point(alice)
    assert emulator.send_event({"type": "new_event_type", "x": [1]}) == 2
    assert await recv(alice) == {"type": "new_event_type", "x": [1]}
    await ws.close()
    await alice.close()


async def test_rtm_delay(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    ws = await open_rtm(session, emulator)
    emulator.set_rtm_delay(0.2)
    start = time.monotonic()
    await sync_point(ws)
    assert time.monotonic() - start >= 0.2
    emulator.set_rtm_delay(0)
    with pytest.raises(ValueError, match="seconds"):
        emulator.set_rtm_delay(-1)
    await ws.close()


async def test_broadcast(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    bot = await open_rtm(session, emulator)
    carol = await open_rtm(session, emulator, CAROL_TOKEN)
    assert emulator.broadcast(100, GENERAL, text="tick") == 1
    events = [await recv(bot) for _ in range(100)]
    assert {(e["type"], e["channel"], e["user"], e["text"], e["team"]) for e in events} == {
        ("message", GENERAL, SLACKBOT_ID, "tick", "T0EMU0001")
    }
    stamps = [e["ts"] for e in events]
    assert all(TS.fullmatch(ts) for ts in stamps)
    assert len(set(stamps)) == 100
    assert stamps == sorted(stamps)
    await sync_point(bot)
    await sync_point(carol)
    assert emulator.broadcast(2) == 2  # no channel: every socket
    assert (await recv(carol))["type"] == "message"
    assert (await recv(carol))["type"] == "message"
    assert emulator.counters.frames_out >= 100 + 2 + 2
    with pytest.raises(KeyError):
        emulator.broadcast(1, "C0NOWHERE")
    with pytest.raises(ValueError, match="n must be"):
        emulator.broadcast(-1)
    await bot.close()
    await carol.close()


async def test_broadcast_keeps_order_with_other_frames(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, emulator)
    emulator.send_raw('{"type":"first"}')
    emulator.broadcast(3000, GENERAL)
    emulator.send_goodbye()
    assert await recv(ws) == {"type": "first"}
    for _ in range(3000):
        assert (await recv(ws))["type"] == "message"
    assert await recv(ws) == {"type": "goodbye"}
    await ws.close()


# -- the same on the test's own loop --------------------------------------------------------------


async def test_async_emulator_on_the_running_loop(
    async_emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    ws = await open_rtm(session, async_emulator)
    await send(ws, {"type": "presence_sub", "ids": [ALICE]})
    await sync_point(ws)
    async_emulator.set_presence(ALICE, "away")
    assert await recv(ws) == {"type": "presence_change", "user": ALICE, "presence": "away"}
    async_emulator.broadcast(10, GENERAL)
    for _ in range(10):
        assert (await recv(ws))["type"] == "message"
    async_emulator.send_goodbye()
    assert await recv(ws) == {"type": "goodbye"}
    assert async_emulator.counters.connections_open == 1
    async_emulator.drop_connections()
    await closed(ws)


# -- the RTM controls over HTTP -------------------------------------------------------------------


async def test_rtm_control_routes(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    async def control(path: str, data: dict[str, object]) -> dict[str, object]:
        async with session.post(emulator.control_url + path, json=data) as resp:
            body = await resp.json()
            assert resp.status == 200, body
            assert isinstance(body, dict)
            return body

    ws = await open_rtm(session, emulator)
    await send(ws, {"type": "presence_sub", "ids": [ALICE]})
    assert (await control("rtm/raw", {"data": "not json"}))["connections"] == 1
    assert (await ws.receive(timeout=2)).data == "not json"
    await control("rtm/event", {"event": {"type": "x_event"}, "user_id": BOT})
    assert await recv(ws) == {"type": "x_event"}
    await control("presence", {"user_id": ALICE, "presence": "away"})
    assert await recv(ws) == {"type": "presence_change", "user": ALICE, "presence": "away"}
    await control("rtm/broadcast", {"n": 2, "channel": GENERAL, "text": "t"})
    assert [(await recv(ws))["text"] for _ in range(2)] == ["t", "t"]
    await control("rtm/goodbye", {})
    assert await recv(ws) == {"type": "goodbye"}
    await control("rtm/stall", {"stalled": True})
    await send(ws, {"id": 1, "type": "ping"})
    with pytest.raises(asyncio.TimeoutError):
        await ws.receive(timeout=0.1)
    await control("rtm/stall", {"stalled": False})
    await control("rtm/delay", {"seconds": 0.1})
    start = time.monotonic()
    await sync_point(ws)
    assert time.monotonic() - start >= 0.1
    await control("rtm/delay", {"seconds": 0})
    await control("rtm/close", {"code": 4001})
    assert await closed(ws) == (aiohttp.WSMsgType.CLOSE, 4001)

    ws = await open_rtm(session, emulator)
    await control("rtm/migration", {})
    assert await recv(ws) == {"type": "team_migration_started"}
    assert (await closed(ws))[0] is aiohttp.WSMsgType.CLOSE
    ws = await open_rtm(session, emulator)
    assert (await control("rtm/drop", {"user_id": BOT}))["connections"] == 1
    assert (await closed(ws))[0] in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
