"""The emulator's Socket Mode socket, driven over real sockets by a raw aiohttp client.

No session of the SDK here (it is built elsewhere): ``apps.connections.open`` over HTTP, then
``hello``, envelopes and acks by hand. Every frame the emulator sends is read strictly by
`slackrtm.envelopes`, so its traffic is held to schema/socket/ as well. Timings are made short
through the emulator's own controls; nothing waits for Slack's 3 s.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import pytest_asyncio

from slackrtm import envelopes, events
from slackrtm.emulator import Emulator

TIMEOUT = 5.0


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        emulator.socket_mode.set_timing(ack_seconds=0.15, disconnect_grace=0.2)
        yield emulator


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as session:
        yield session


async def open_url(
    http: aiohttp.ClientSession, emu: Emulator, token: str | None = None, **args: str
) -> dict[str, Any]:
    async with http.post(
        emu.base_url + "apps.connections.open",
        headers={
            "Authorization": f"Bearer {token or emu.app_token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        data=urlencode(args),
    ) as answer:
        body: dict[str, Any] = await answer.json()
        return body


async def connect(
    http: aiohttp.ClientSession, emu: Emulator, **args: str
) -> aiohttp.ClientWebSocketResponse[bool]:
    body = await open_url(http, emu, **args)
    assert body["ok"] is True, body
    return await http.ws_connect(body["url"], autoping=False)


async def frame(ws: aiohttp.ClientWebSocketResponse[bool]) -> envelopes.SocketFrame:
    """The next frame, read strictly: the emulator's frames fit schema/socket/."""
    message = await asyncio.wait_for(ws.receive(), TIMEOUT)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    return envelopes.decode(message.data, strict=True)


async def closed(ws: aiohttp.ClientWebSocketResponse[bool]) -> int | None:
    """Wait for the socket to end: its close code.

    The code of the server's close frame (1005 for one without a code), or aiohttp's word for
    an end without one (1006, or None).
    """
    while True:
        message = await asyncio.wait_for(ws.receive(), TIMEOUT)
        if message.type is aiohttp.WSMsgType.CLOSE:
            return int(message.data) or 1005
        if message.type in (
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.CLOSING,
            aiohttp.WSMsgType.ERROR,
        ):
            return ws.close_code


async def test_apps_connections_open_answers_a_single_use_link(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    body = await open_url(http, emu)
    assert set(body) == {"ok", "url"}
    assert body["url"].startswith(f"ws://127.0.0.1:{emu.port}/link/?ticket=")
    assert body["url"].endswith("&app_id=A0EMUAPP1")
    first = await http.ws_connect(body["url"])
    assert isinstance(await frame(first), envelopes.Hello)
    again = await http.ws_connect(body["url"])
    assert await closed(again) == 1008  # a ticket is used once
    await first.close()


async def test_the_wrong_kind_of_token_gets_not_allowed_token_type(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    assert await open_url(http, emu, token=emu.bot_token) == {
        "ok": False,
        "error": "not_allowed_token_type",
    }
    async with http.get(
        emu.base_url + "rtm.connect", headers={"Authorization": f"Bearer {emu.app_token}"}
    ) as answer:
        assert await answer.json() == {"ok": False, "error": "not_allowed_token_type"}
    assert await open_url(http, emu, token="xapp-1-A0NOBODY-1-x") == {
        "ok": False,
        "error": "invalid_auth",
    }


async def test_hello_counts_the_apps_open_connections(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    first = await connect(http, emu)
    hello = await frame(first)
    assert isinstance(hello, envelopes.Hello)
    assert hello.num_connections == 1
    assert hello.connection_info is not None and hello.connection_info.app_id == "A0EMUAPP1"
    assert hello.debug_info is not None and hello.debug_info.approximate_connection_time
    second = await connect(http, emu)
    assert (await frame(second)) == envelopes.Hello(
        num_connections=2, debug_info=hello.debug_info, connection_info=hello.connection_info
    )
    assert emu.socket_mode.connections() == 2
    await first.close()
    await second.close()


async def test_a_pushed_event_is_acked_once_and_not_retried(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    ws = await connect(http, emu)
    await frame(ws)
    event = {"type": "message", "channel": "C0EMU0001", "user": "U0EMU0001", "text": "hi"}
    envelope_id = emu.socket_mode.push_event({**event, "ts": "1700000000.000100"})
    got = await frame(ws)
    assert isinstance(got, envelopes.EventsApi)
    assert (got.envelope_id, got.retry_attempt, got.accepts_response_payload) == (
        envelope_id,
        None,
        False,
    )
    assert type(got.payload.event) is events.Message
    assert got.payload.event.text == "hi"
    assert got.payload.event_id is not None and got.payload.api_app_id == "A0EMUAPP1"
    await ws.send_str(envelopes.encode(envelopes.EnvelopeAck(envelope_id=envelope_id)))
    await asyncio.sleep(0.4)  # past two ack windows: nothing more comes
    assert [a.envelope_id for a in emu.socket_mode.acks] == [envelope_id]
    assert emu.socket_mode.acks[0].retry_attempt == 0
    assert emu.socket_mode.pending == []
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(ws.receive(), 0.05)
    await ws.close()


async def test_an_unacked_envelope_is_retried_three_times_then_dropped(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    ws = await connect(http, emu)
    await frame(ws)
    envelope_id = emu.socket_mode.push_slash_command("/weather", "paris")
    seen = [await frame(ws) for _ in range(4)]
    assert all(isinstance(f, envelopes.SlashCommands) for f in seen)
    assert {f.envelope_id for f in seen if isinstance(f, envelopes.Envelope)} == {envelope_id}
    attempts = [
        (f.retry_attempt, f.retry_reason) for f in seen if isinstance(f, envelopes.Envelope)
    ]
    assert attempts == [(None, None), (1, "timeout"), (2, "timeout"), (3, "timeout")]
    await asyncio.sleep(0.3)
    assert emu.socket_mode.dropped == [envelope_id]
    assert emu.socket_mode.pending == []
    await ws.send_str(json.dumps({"envelope_id": envelope_id, "payload": {"text": "late"}}))
    await asyncio.sleep(0.05)
    (late,) = emu.socket_mode.acks
    assert (late.retry_attempt, late.payload) == (None, {"text": "late"})  # too late to count
    await ws.close()


async def test_a_retry_goes_to_another_connection_and_its_ack_payload_is_kept(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    old = await connect(http, emu)
    await frame(old)
    envelope_id = emu.socket_mode.push_slash_command("/deploy")
    first = await frame(old)
    assert isinstance(first, envelopes.SlashCommands) and first.accepts_response_payload is True
    assert first.payload.command == "/deploy" and first.payload.user_id == "U0EMU0001"
    await old.close()
    new = await connect(http, emu)
    assert isinstance(await frame(new), envelopes.Hello)
    retried = await frame(new)
    assert isinstance(retried, envelopes.SlashCommands)
    assert (retried.envelope_id, retried.retry_attempt) == (envelope_id, 1)
    await new.send_str(json.dumps({"envelope_id": envelope_id, "payload": {"text": "done"}}))
    await asyncio.sleep(0.05)
    (ack,) = emu.socket_mode.acks
    assert (ack.payload, ack.retry_attempt, ack.envelope_type) == (
        {"text": "done"},
        1,
        "slash_commands",
    )
    await new.close()


async def test_one_delivery_goes_to_the_newest_connection_or_everywhere_on_demand(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    old, new = await connect(http, emu), await connect(http, emu)
    await frame(old)
    await frame(new)
    one = emu.socket_mode.push_interaction({"type": "block_actions", "user": {"id": "U0EMU0001"}})
    got = await frame(new)
    assert isinstance(got, envelopes.Interactive)
    assert (got.envelope_id, got.payload.type) == (one, "block_actions")
    assert got.accepts_response_payload is True
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(old.receive(), 0.05)
    both = emu.socket_mode.push_event({"type": "team_join", "user": {"id": "U9"}}, everywhere=True)
    for each in (old, new):
        dup = await frame(each)
        assert isinstance(dup, envelopes.EventsApi) and dup.envelope_id == both
    await old.close()
    await new.close()


async def test_what_the_rtm_side_sends_reaches_the_app_as_events_api(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    ws = await connect(http, emu)
    await frame(ws)
    ts = emu.post_message("C0EMU0001", "posted", user="U0EMU0001")
    emu.broadcast(2, "C0EMU0002", text="burst")
    emu.post_message("C0EMUGRID", "elsewhere", user="U0EMUGRID")  # the bot is not there
    emu.add_user("U0NEW0001", name="dave")
    emu.react("U0EMU0001", "C0EMU0001", ts, "tada")
    kinds = []
    for _ in range(5):
        got = await frame(ws)
        assert isinstance(got, envelopes.EventsApi)
        await ws.send_str(json.dumps({"envelope_id": got.envelope_id}))
        kinds.append(type(got.payload.event))
    await asyncio.sleep(0.05)  # the last ack read
    assert kinds == [
        events.Message,
        events.Message,
        events.Message,
        events.TeamJoin,
        events.ReactionAdded,
    ]
    event_ids = {a.envelope_id for a in emu.socket_mode.acks}
    assert len(event_ids) == 5
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(ws.receive(), 0.05)
    await ws.close()


@pytest.mark.parametrize(
    ("reason", "closes"),
    [("warning", "later"), ("refresh_requested", "later"), ("link_disabled", "now"), ("odd", "no")],
)
async def test_each_disconnect_reason(
    emu: Emulator, http: aiohttp.ClientSession, reason: str, closes: str
) -> None:
    ws = await connect(http, emu)
    await frame(ws)
    assert emu.socket_mode.disconnect(reason) == 1
    got = await frame(ws)
    assert isinstance(got, envelopes.Disconnect) and got.reason == reason
    if closes == "no":
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ws.receive(), 0.3)
        await ws.close()
        return
    started = asyncio.get_running_loop().time()
    code = await closed(ws)
    waited = asyncio.get_running_loop().time() - started
    assert code == (1001 if closes == "later" else 1008)
    assert (waited >= 0.15) is (closes == "later")  # the grace is 0.2 s


async def test_the_eleventh_connection_is_refused_with_too_many_websockets(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    sockets = [await connect(http, emu) for _ in range(10)]
    counts = [(await frame(ws)) for ws in sockets]
    assert [h.num_connections for h in counts if isinstance(h, envelopes.Hello)] == list(
        range(1, 11)
    )
    extra = await connect(http, emu)
    got = await frame(extra)
    assert isinstance(got, envelopes.Disconnect) and got.reason == "too_many_websockets"
    assert await closed(extra) == 1008
    assert emu.socket_mode.connections() == 10
    for ws in sockets:
        await ws.close()


async def test_debug_reconnects_makes_a_short_lived_connection(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    emu.socket_mode.set_timing(debug_life=0.2)
    ws = await connect(http, emu, debug_reconnects="true")
    hello = await frame(ws)
    assert isinstance(hello, envelopes.Hello)
    got = await frame(ws)
    assert isinstance(got, envelopes.Disconnect) and got.reason == "refresh_requested"
    assert await closed(ws) == 1001


async def test_faults_drop_close_without_a_code_no_hello_stalls_and_delays(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    sm = emu.socket_mode
    ws = await connect(http, emu)
    await frame(ws)
    assert sm.drop_connections() == 1
    assert await closed(ws) in (None, 1006)  # no close frame
    ws = await connect(http, emu)
    await frame(ws)
    assert sm.close_connections(code=None) == 1
    assert await closed(ws) == 1005  # a close frame without a code
    sm.skip_hello()
    ws = await connect(http, emu)
    envelope_id = sm.push_event({"type": "hello_world"})
    got = await frame(ws)  # no hello: the envelope is the first frame
    assert isinstance(got, envelopes.EventsApi) and got.envelope_id == envelope_id
    assert type(got.payload.event) is events.UnknownEvent
    sm.stall_pings()
    await ws.ping(b"x")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(ws.receive(), 0.1)
    sm.stall_pings(False)
    await ws.ping(b"y")
    assert (await asyncio.wait_for(ws.receive(), TIMEOUT)).type is aiohttp.WSMsgType.PONG
    sm.set_delay(0.3)
    await ws.send_str(json.dumps({"envelope_id": envelope_id}))
    await asyncio.sleep(0.1)
    assert sm.acks == []  # read late
    await asyncio.sleep(0.4)
    assert [a.envelope_id for a in sm.acks] == [envelope_id]
    await ws.close()


async def test_an_outage_refuses_the_link_and_its_method(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    body = await open_url(http, emu)
    emu.outage(5)
    assert await open_url(http, emu) == {"ok": False, "error": "service_unavailable"}
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await http.ws_connect(body["url"])
    assert refused.value.status == 503
    emu.reset()


async def test_an_envelope_waits_for_a_connection(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    forgotten = emu.socket_mode.push_event({"type": "team_join", "user": {"id": "U6"}})
    assert emu.socket_mode.pending == [forgotten]
    emu.reset()  # forgets it
    assert emu.socket_mode.pending == []
    emu.socket_mode.set_timing(ack_seconds=0.15)
    envelope_id = emu.socket_mode.push_event({"type": "team_join", "user": {"id": "U7"}})
    assert emu.socket_mode.pending == [envelope_id]
    ws = await connect(http, emu)
    await frame(ws)
    got = await frame(ws)
    assert isinstance(got, envelopes.EventsApi) and got.envelope_id == envelope_id
    assert got.retry_attempt is None
    await ws.close()


async def test_the_control_routes(emu: Emulator, http: aiohttp.ClientSession) -> None:
    ws = await connect(http, emu)
    await frame(ws)
    root = emu.control_url + "socket_mode"

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with http.post(f"{root}/{path}", json=body) as answer:
            result: dict[str, Any] = await answer.json()
            return result

    pushed = await post("event", {"event": {"type": "team_join", "user": {"id": "U8"}}})
    got = await frame(ws)
    assert isinstance(got, envelopes.EventsApi) and got.envelope_id == pushed["envelope_id"]
    await ws.send_str(json.dumps({"envelope_id": got.envelope_id, "payload": {"a": 1}}))
    command = await post("command", {"command": "/x", "text": "y"})
    assert isinstance(await frame(ws), envelopes.SlashCommands)
    interaction = await post("interaction", {"payload": {"type": "shortcut"}})
    shortcut = await frame(ws)
    assert isinstance(shortcut, envelopes.Interactive)
    assert shortcut.accepts_response_payload is False
    assert await post("interaction", {"payload": {}}) == {
        "ok": False,
        "error": "an interaction needs its 'type', such as 'block_actions'",
    }
    assert (await post("timing", {"ack_seconds": 5}))["ok"] is True
    assert (await post("faults", {"skip_hello": 0, "stall_pings": False, "delay": 0}))["ok"]
    await asyncio.sleep(0.05)
    async with http.get(root) as answer:
        records = await answer.json()
    assert records["acks"][0]["payload"] == {"a": 1}
    assert records["pending"] == [command["envelope_id"], interaction["envelope_id"]]
    assert records["connections"] == 1
    assert await post("disconnect", {}) == {
        "ok": False,
        "error": "'reason' is required: one of warning, refresh_requested, link_disabled, "
        "too_many_websockets, or another",
    }
    assert (await post("close", {"code": None}))["connections"] == 1
    assert await closed(ws) == 1005
    assert (await post("drop", {}))["connections"] == 0


async def test_the_readme_example_runs(emu: Emulator, http: aiohttp.ClientSession) -> None:
    from ..readme.test_readme import BLOCKS

    (block,) = [b for b in BLOCKS if "sm = emu.socket_mode" in b]
    ws = await connect(http, emu)
    await frame(ws)
    # The block calls the emulator from its own thread's view: run it off the loop.
    namespace: dict[str, Any] = {"emu": emu}
    await asyncio.to_thread(exec, compile(block, "README.md", "exec"), namespace)
    assert namespace["envelope_id"] in {
        *namespace["pending"],
        *(a.envelope_id for a in namespace["acks"]),
    }
    await ws.close()
