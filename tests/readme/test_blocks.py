"""Every ```python block of the README runs in some test, so the README cannot rot.

The quickstarts, errors, events, workspace and session examples run in their own tests
(tests/readme/test_readme.py, tests/readme/test_workspace.py,
tests/rtm/test_readme_session.py); the blocks left run here, against the emulator. The last
test fails when a block is added that no test runs (tests/readme/test_fences.py does the same
for the other fenced blocks).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import warnings
from typing import Any

import pytest

from slackrtm import AsyncClient, Client
from slackrtm.emulator import EmulatedWorkspace, Emulator

from .test_readme import BLOCKS

# A line of each block that other tests run (they select their blocks by the same text).
RUN_ELSEWHERE = (
    "resp = client.rtm_connect(batch_presence_aware=True, presence_sub=False)",  # test_readme
    "resp = await client.rtm_connect()",  # test_readme
    "except (InvalidAuth, TokenRevoked)",  # test_readme
    'events.decode(\'{"type": "presence_change"',  # test_readme
    "ws = client.workspace()",  # test_workspace
    "ws = await client.workspace(",  # test_workspace
    "client.rtm(workspace=True) as rtm:  # connect",  # test_workspace
    "for event in rtm:",  # rtm/test_readme_session (sync and async)
    "s = rtm.stats",  # rtm/test_session_stats (sync and async)
    "client.rtm(replay=ReplayOptions(max_messages=500))",  # rtm/test_replay
    "frame = envelopes.decode(",  # socket_wire/test_envelopes
    "def ping_pong(client: Client)",  # socket_mode/test_one_bot (both transports)
    '        session = client.socket_mode() if "--socket-mode" in sys.argv',  # the same, async
    "sm = emu.socket_mode",  # socket_wire/test_emulator_socket_mode
    'text="Deploy finished",',  # posting/test_posting_readme
    'name="wave")',  # posting/test_posting_readme
    "    def reply(event: events.Message) -> None:",  # posting/test_posting_readme
    "    async def reply(event: events.Message) -> None:",  # posting/test_posting_readme
)


def _block(text: str) -> str:
    found: list[str] = [block for block in BLOCKS if text in block]
    assert len(found) == 1, f"expected one README block with {text!r}"
    return found[0]


def _run(code: str, namespace: dict[str, Any]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), namespace)
    return out.getvalue()


def test_paging() -> None:
    code = _block("client.iter_users_list(limit=200)")
    # The block mixes a sync loop and an `async for`: run each half where it can run.
    sync_part, async_part = code.split("\n\n", 1)
    with Emulator(EmulatedWorkspace.default(users=250)) as emu:
        with Client(token=emu.bot_token, base_url=emu.base_url) as client:
            printed = _run(sync_part, {"client": client})

        async def main() -> str:
            async with AsyncClient(token=emu.bot_token, base_url=emu.base_url) as aclient:
                body = "async def _paged(aclient):\n" + "".join(
                    f"    {line}\n" for line in async_part.splitlines()
                )
                namespace: dict[str, Any] = {}
                exec(compile(body, "README.md", "exec"), namespace)
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    await namespace["_paged"](aclient)
                return out.getvalue()

        channels = asyncio.run(main())
        pages = [r for r in emu.requests if r.path == "/api/users.list"]
    assert len(printed.splitlines()) == 253 and len(pages) == 2
    assert "C0EMU0001 general" in channels


def test_warnings_filter() -> None:
    with warnings.catch_warnings():
        _run(_block("warnings.simplefilter"), {})
        from slackrtm import SlackApiWarning

        with pytest.raises(SlackApiWarning):
            warnings.warn(SlackApiWarning("x"), stacklevel=1)


def test_retry_policy() -> None:
    namespace: dict[str, Any] = {}
    _run(_block("RetryPolicy(\n"), namespace)
    assert namespace["RetryPolicy"]().max_retries == 3


def test_starting_the_emulator() -> None:
    _run(_block("emu.user_token  "), {})

    async def main() -> None:
        body = "async def _start():\n" + "".join(
            f"    {line}\n" for line in _block("async with Emulator() as emu:").splitlines()
        )
        namespace: dict[str, Any] = {"Emulator": Emulator}
        exec(compile(body, "README.md", "exec"), namespace)
        await namespace["_start"]()

    asyncio.run(main())


def test_the_pytest_plugin_example() -> None:
    namespace: dict[str, Any] = {}
    _run(_block("def test_my_bot_connects(emulator):"), namespace)
    with Emulator() as emu:
        namespace["test_my_bot_connects"](emu)
        namespace["test_my_bot_survives_a_slack_outage"](emu)
        assert len(emu.faults) == 2


def test_injecting_faults() -> None:
    with Emulator() as emu:
        _run(_block("emu.faults.web(n=1, status=500)"), {"emu": emu})
        assert len(emu.faults) == 11
        _run(_block("emu.send_goodbye(close=False)"), {"emu": emu})
        assert emu.workspace.users["U0EMU0001"].presence == "away"


def test_what_members_do() -> None:
    from slackrtm import Client, events

    with Emulator() as emu, Client(token=emu.bot_token, base_url=emu.base_url) as client:
        with client.rtm() as rtm:
            while type(rtm.next_event(10)).__name__ != "Connected":
                pass
            _run(_block('emu.react("U0EMU0001", "C0EMU0001", ts, "tada")'), {"emu": emu})
            got = [type(rtm.next_event(10)) for _ in range(6)]
        listed = {c.id: c for c in client.conversations_list(types="public_channel").channels}
    assert got == [
        events.ReactionAdded,
        events.ReactionRemoved,
        events.PinAdded,
        events.FileShared,
        events.ChannelRename,
        events.ChannelArchive,
    ]
    assert listed["C0EMU0002"].name == "off-topic"


RUN_HERE = (
    "client.iter_users_list(limit=200)",
    "warnings.simplefilter",
    "RetryPolicy(\n",
    "emu.user_token  ",
    "async with Emulator() as emu:",
    "def test_my_bot_connects(emulator):",
    "emu.faults.web(n=1, status=500)",
    "emu.send_goodbye(close=False)",
    'emu.react("U0EMU0001", "C0EMU0001", ts, "tada")',
)
"""A line of each block the tests above run."""


def test_every_python_block_runs_in_some_test() -> None:
    markers = [*RUN_ELSEWHERE, *RUN_HERE]
    orphans = [block[:80] for block in BLOCKS if not any(m in block for m in markers)]
    assert orphans == [], "README blocks that no test runs"
