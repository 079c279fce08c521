"""Helpers for the emulator's own tests: raw urllib3, aiohttp and WebSocket calls.

No slackrtm client is used anywhere in tests/emulator: the emulator is verified on its own.
"""

from __future__ import annotations

import asyncio
import functools
import json
from typing import Any

import aiohttp
import jsonschema
import urllib3

from codegen.instance import frame_instance_schema
from codegen.rtm import load_frames
from slackrtm.emulator import Emulator

from ..codegen.codegen_suite import SCHEMA_DIR

TIMEOUT = 5.0
GENERAL = "C0EMU0001"
RANDOM = "C0EMU0002"
GRID_CHANNEL = "C0EMUGRID"
BOT = "U0EMUBOT1"
ALICE = "U0EMU0001"
BOB = "U0EMU0002"
CAROL = "U0EMUGRID"
BOT_TOKEN = "xoxb-emulator-bot-token"
ALICE_TOKEN = "xoxp-emulator-user-token"
BOB_TOKEN = "xoxp-emulator-bob-token"
CAROL_TOKEN = "xoxp-emulator-grid-token"
APP_TOKEN = "xapp-1-A0EMUAPP1-1-emulator-app-token"


def token_for(method: str) -> str:
    """The default workspace's token a method takes: the app's for Socket Mode's, else the bot's."""
    from slackrtm._generated import METHODS

    return APP_TOKEN if METHODS[method].token_kinds == ("app",) else BOT_TOKEN


def call(
    http: urllib3.PoolManager,
    emu: Emulator,
    method: str = "GET",
    *,
    token: str | None = None,
    fields: dict[str, str] | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    api: str = "rtm.connect",
) -> urllib3.BaseHTTPResponse:
    """Call the emulator's Web API with urllib3, the token in the Authorization header."""
    all_headers = dict(headers or {})
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    url = emu.base_url + api
    if fields is not None and method == "GET":
        return http.request("GET", url, fields=fields, headers=all_headers)
    if fields is not None:
        return http.request("POST", url, fields=fields, headers=all_headers, encode_multipart=False)
    return http.request(method, url, body=body, headers=all_headers)


def payload(response: urllib3.BaseHTTPResponse) -> dict[str, Any]:
    """The JSON object of a response."""
    data = json.loads(response.data)
    assert isinstance(data, dict)
    return data


async def connect_url(
    session: aiohttp.ClientSession, emu: Emulator, token: str | None = None, **args: str
) -> str:
    """Call rtm.connect with aiohttp (GET) and return the socket URL."""
    async with session.get(
        emu.base_url + "rtm.connect",
        params=args,
        headers={"Authorization": f"Bearer {token or emu.bot_token}"},
    ) as resp:
        data = await resp.json()
    assert data["ok"] is True, data
    url = data["url"]
    assert isinstance(url, str)
    return url


async def open_rtm(
    session: aiohttp.ClientSession, emu: Emulator, token: str | None = None, **args: str
) -> aiohttp.ClientWebSocketResponse[bool]:
    """rtm.connect, open the socket, and read the ``hello``."""
    ws = await session.ws_connect(await connect_url(session, emu, token, **args))
    assert await recv(ws) == {"type": "hello"}
    return ws


async def recv(ws: aiohttp.ClientWebSocketResponse[bool]) -> dict[str, Any]:
    """The next text frame as a JSON object."""
    msg = await ws.receive(timeout=TIMEOUT)
    assert msg.type is aiohttp.WSMsgType.TEXT, msg
    data = json.loads(msg.data)
    assert isinstance(data, dict)
    return data


async def send(ws: aiohttp.ClientWebSocketResponse[bool], frame: dict[str, Any]) -> None:
    """Send a JSON frame."""
    await ws.send_str(json.dumps(frame))


async def sync_point(ws: aiohttp.ClientWebSocketResponse[bool], ping_id: int = 9999) -> None:
    """Ping and read the pong: everything the server queued before is now read.

    Fails if another frame arrives first, so it also proves nothing else was pending.
    """
    await send(ws, {"id": ping_id, "type": "ping"})
    assert await recv(ws) == {"type": "pong", "reply_to": ping_id}


async def closed(ws: aiohttp.ClientWebSocketResponse[bool]) -> tuple[aiohttp.WSMsgType, Any]:
    """Read until the socket closes; return the closing message's type and data."""
    while True:
        msg = await ws.receive(timeout=TIMEOUT)
        if msg.type in (
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.CLOSING,
            aiohttp.WSMsgType.ERROR,
        ):
            return msg.type, msg.data


async def eventually(predicate: Any, timeout: float = TIMEOUT) -> None:
    """Wait until `predicate()` is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


@functools.cache
def _event_schemas() -> dict[str, Any]:
    # Read on first use: most of the emulator's tests never look at the schema.
    frames = load_frames(SCHEMA_DIR)
    assert frames is not None
    return {f.discriminator: frame_instance_schema(f, frames) for f in frames.events}


def valid(event: dict[str, Any]) -> dict[str, Any]:
    """The event, held against its schema/rtm/events file as JSON Schema (raises if off it)."""
    jsonschema.validate(event, _event_schemas()[event["type"]])
    return event
