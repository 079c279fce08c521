"""One suite, two transports: every test here runs once with `Client` and once with `AsyncClient`.

The emulator runs on its own thread for the whole module; each test starts from a reset one.
`Caller` hides the only difference between the clients, `await`, so a test body is the same
for both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from slackrtm import AsyncClient, Client, RtmConnectResponse
from slackrtm.emulator import Emulator, Limits


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    # Slack's Tier-1 limit is off here: these tests make hundreds of calls. The limit itself
    # is tested on its own emulator (test_real_rate_limit).
    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        yield emu


@pytest.fixture
def emu(emulator_server: Emulator) -> Emulator:
    emulator_server.reset()
    return emulator_server


class Caller:
    """Makes a client of one kind and calls ``rtm.connect`` on it, raising what it raises."""

    def __init__(self, kind: str, emu: Emulator) -> None:
        self.kind = kind
        self.emu = emu

    def options(self, **overrides: Any) -> dict[str, Any]:
        options: dict[str, Any] = {"token": self.emu.bot_token, "base_url": self.emu.base_url}
        options.update(overrides)
        return options

    def __call__(
        self, client_options: dict[str, Any] | None = None, **args: Any
    ) -> RtmConnectResponse:
        options = self.options(**(client_options or {}))
        if self.kind == "sync":
            with Client(**options) as client:
                return client.rtm_connect(**args)

        async def run() -> RtmConnectResponse:
            async with AsyncClient(**options) as client:
                return await client.rtm_connect(**args)

        return asyncio.run(run())


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, emu: Emulator) -> Caller:
    return Caller(request.param, emu)
