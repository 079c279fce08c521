"""SLACK_API_URL: both clients read the Web API root from the environment when not given one."""

from __future__ import annotations

import asyncio
import socket

import pytest

from slackrtm import AsyncClient, Client, RtmConnectResponse
from slackrtm.emulator import Emulator

from .conftest import Caller


def connect_without_base_url(kind: str, token: str) -> RtmConnectResponse:
    if kind == "sync":
        with Client(token=token) as client:
            return client.rtm_connect()

    async def run() -> RtmConnectResponse:
        async with AsyncClient(token=token) as client:
            return await client.rtm_connect()

    return asyncio.run(run())


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_slack_api_url_is_the_root_when_base_url_is_not_given(
    call: Caller, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_API_URL", emu.base_url)
    resp = connect_without_base_url(call.kind, emu.bot_token)
    assert resp.self_.id == "U0EMUBOT1"
    assert [r.path for r in emu.requests] == ["/api/rtm.connect"]


def test_base_url_wins_over_slack_api_url(
    call: Caller, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{closed_port()}/api/")
    assert call().ok  # Caller passes base_url=emu.base_url
    assert len(emu.requests) == 1


@pytest.mark.parametrize("kind", [Client, AsyncClient])
def test_a_bad_slack_api_url_is_refused_by_name(
    kind: type[Client | AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_API_URL", "slack.com/api")
    with pytest.raises(ValueError, match="SLACK_API_URL must be an http"):
        kind(token="xoxb-1")


@pytest.mark.parametrize("kind", [Client, AsyncClient])
@pytest.mark.parametrize("value", [None, ""])
def test_without_slack_api_url_the_root_is_slacks(
    kind: type[Client | AsyncClient], value: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv("SLACK_API_URL", raising=False)
    else:
        monkeypatch.setenv("SLACK_API_URL", value)
    assert "base_url='https://slack.com/api/'" in repr(kind(token="xoxb-1"))
