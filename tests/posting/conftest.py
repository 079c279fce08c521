"""One suite, two clients: the posting methods through `Client` and `AsyncClient` alike.

The emulator runs on its own thread for the whole session of these tests; each test starts from a
reset one whose channels hold no messages. `Twin` hides the one difference between the clients,
``await``: a test body calls ``twin.call("chat_post_message", ...)`` and gets what either gives.
The RTM side reuses the RTM suite's `Rtm` (tests/rtm/conftest.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from slackrtm import AsyncClient, Client, RetryPolicy
from slackrtm.emulator import Emulator, Limits
from slackrtm.emulator._history import History

from ..rtm.conftest import Rtm

GENERAL = "C0EMU0001"
RANDOM = "C0EMU0002"
BOT = "U0EMUBOT1"
ALICE = "U0EMU0001"
BOB = "U0EMU0002"
ALICE_TOKEN = "xoxp-emulator-user-token"
BOB_TOKEN = "xoxp-emulator-bob-token"
QUICK = RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.02)
"""Retries without the default backoff's waits (the 429 wait is Retry-After's, at least 0.5 s)."""


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[Emulator]:
    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        yield emu


@pytest.fixture
def emu(emulator_server: Emulator) -> Emulator:
    emulator_server.reset()
    # A fresh workspace state for each test: empty histories, no archived channel, no limit.
    workspace = emulator_server.workspace
    workspace.history = History()
    for channel in workspace.channels.values():
        channel.is_archived = False
    emulator_server.set_posting_limit(None)
    emulator_server.set_posting_limit(None, GENERAL)
    return emulator_server


class Twin:
    """Calls a Web API method with a client of one kind; raises what that client raises."""

    def __init__(self, kind: str, emu: Emulator) -> None:
        self.kind = kind
        self.emu = emu

    def call(
        self, py_name: str, *, client_options: dict[str, Any] | None = None, **args: Any
    ) -> Any:
        options: dict[str, Any] = {
            "token": self.emu.bot_token,
            "base_url": self.emu.base_url,
            "retry": QUICK,
        }
        options.update(client_options or {})
        if self.kind == "sync":
            with Client(**options) as client:
                return getattr(client, py_name)(**args)

        async def run() -> Any:
            async with AsyncClient(**options) as client:
                return await getattr(client, py_name)(**args)

        return asyncio.run(run())

    def post(self, text: str = "hello", channel: str = GENERAL, **args: Any) -> Any:
        return self.call("chat_post_message", channel=channel, text=text, **args)

    def history(self, channel: str = GENERAL) -> list[Any]:
        """The channel's messages, newest first, as conversations.history gives them."""
        return list(self.call("conversations_history", channel=channel).messages)


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest, emu: Emulator) -> Twin:
    return Twin(request.param, emu)


@pytest.fixture(params=["sync", "async"])
def rtm(request: pytest.FixtureRequest, emu: Emulator) -> Iterator[Rtm]:
    session = Rtm(request.param, emu)
    yield session
    session.finish()
