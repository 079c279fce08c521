"""The emulator's history (``conversations.history``, ``post_message``) and its outage fault.

Over real sockets with raw clients (urllib3, websockets), from Python and over the control
routes.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import urllib3
import websockets.exceptions
from websockets.sync.client import connect

from slackrtm.emulator import Emulator

from .emulator_suite import BOT_TOKEN, call, payload

GENERAL = "C0EMU0001"


def _history(http: urllib3.PoolManager, emu: Emulator, **fields: str) -> dict[str, Any]:
    response = call(http, emu, "POST", token=BOT_TOKEN, fields=fields, api="conversations.history")
    assert response.status == 200
    return payload(response)


def test_posted_sent_and_broadcast_messages_are_kept_in_history(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    first = emulator.post_message(GENERAL, "one", user="U0EMU0001")
    emulator.broadcast(2, GENERAL, text="burst")
    url = payload(call(http, emulator, token=BOT_TOKEN))["url"]
    with connect(url) as ws:
        assert '"hello"' in str(ws.recv(timeout=5))
        ws.send('{"id": 1, "type": "message", "channel": "C0EMU0001", "text": "sent"}')
        while '"reply_to":1' not in str(ws.recv(timeout=5)).replace(" ", ""):
            pass
    body = _history(http, emulator, channel=GENERAL, oldest=first, inclusive="true")
    assert [m["text"] for m in body["messages"]] == ["sent", "burst", "burst", "one"]
    assert body["messages"][-1] == {
        "type": "message",
        "ts": first,
        "user": "U0EMU0001",
        "text": "one",
        "team": "T0EMU0001",
    }
    assert body["has_more"] is False


def test_history_pages_by_cursor_to_older_messages(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    stamps = [emulator.post_message(GENERAL, f"p{i}") for i in range(5)]
    body = _history(http, emulator, channel=GENERAL, oldest=stamps[0], limit="2")
    assert [m["ts"] for m in body["messages"]] == [stamps[4], stamps[3]]
    assert body["has_more"] is True
    cursor = body["response_metadata"]["next_cursor"]
    body = _history(http, emulator, channel=GENERAL, oldest=stamps[0], limit="2", cursor=cursor)
    assert [m["ts"] for m in body["messages"]] == [stamps[2], stamps[1]]
    assert body["has_more"] is False
    assert body["response_metadata"]["next_cursor"] == ""
    bad = _history(http, emulator, channel=GENERAL, cursor="nonsense")
    assert bad == {"ok": False, "error": "invalid_cursor"}


def test_an_outage_drops_sockets_refuses_new_ones_and_keeps_posting(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    url = payload(call(http, emulator, token=BOT_TOKEN))["url"]
    spare = payload(call(http, emulator, token=BOT_TOKEN))["url"]
    with connect(url) as ws:
        assert '"hello"' in str(ws.recv(timeout=5))
        assert emulator.outage(1.0) == 1
        with pytest.raises(websockets.exceptions.ConnectionClosed):
            ws.recv(timeout=5)
    refused = call(http, emulator, token=BOT_TOKEN)
    assert refused.status == 503
    assert payload(refused) == {"ok": False, "error": "service_unavailable"}
    with pytest.raises(websockets.exceptions.InvalidStatus) as info:
        connect(spare)
    assert info.value.response.status_code == 503
    ts = emulator.post_message(GENERAL, "while away")
    time.sleep(1.1)
    assert call(http, emulator, token=BOT_TOKEN).status == 200
    body = _history(http, emulator, channel=GENERAL, oldest="0", limit="1")
    assert [(m["ts"], m["text"]) for m in body["messages"]] == [(ts, "while away")]


def test_reset_ends_an_outage(emulator: Emulator, http: urllib3.PoolManager) -> None:
    emulator.outage(60.0)
    assert call(http, emulator, token=BOT_TOKEN).status == 503
    emulator.reset()
    assert call(http, emulator, token=BOT_TOKEN).status == 200


def test_the_control_routes_post_and_begin_an_outage(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    response = http.request(
        "POST", emulator.control_url + "messages", json={"channel": GENERAL, "text": "via http"}
    )
    ts = payload(response)["ts"]
    body = _history(http, emulator, channel=GENERAL, oldest="0", limit="1")
    assert body["messages"][0]["ts"] == ts
    assert body["messages"][0]["user"] == "USLACKBOT"
    response = http.request("POST", emulator.control_url + "rtm/outage", json={"seconds": 30})
    assert payload(response) == {"ok": True, "connections": 0}
    assert call(http, emulator, token=BOT_TOKEN).status == 503
    bad = http.request("POST", emulator.control_url + "rtm/outage", json={"seconds": "x"})
    assert bad.status == 400
    emulator.reset()
