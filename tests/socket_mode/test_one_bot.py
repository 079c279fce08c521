"""One bot, written once, on RTM and on Socket Mode, replying with chat.postMessage.

The README's two examples (sync and async) run as a user runs them, in a subprocess against the
emulator, with ``--socket-mode`` and without: someone says "ping" and the bot's "pong" arrives
in the thread, seen as an event by another RTM session. In process, the same handler runs in
both forms on both transports, and the bot's own reply comes back to its session as an event.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from slackrtm import AsyncClient, Client, events
from slackrtm.emulator import Emulator, Limits
from slackrtm.rtm import Connected
from tests.readme.test_readme import README

ROOT = Path(__file__).parents[2]
GENERAL = "C0EMU0001"
WAIT = 20.0
"""Seconds to wait for what should come (generous: a subprocess starts, the machine is shared)."""

TRANSPORTS = ["rtm", "socket_mode"]


def _python_blocks() -> list[str]:
    parts = README.split("```python\n")[1:]
    return [part.split("\n```", 1)[0] for part in parts]


SYNC_BOT = next(b for b in _python_blocks() if "def ping_pong(client: Client)" in b)
ASYNC_BOT = next(
    b
    for b in _python_blocks()
    if "AsyncClient() as client:\n        session = client.socket_mode(" in b
)


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[Emulator]:
    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        yield emu


@pytest.fixture
def emu(emulator_server: Emulator) -> Emulator:
    emulator_server.reset()
    return emulator_server


def _until(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _pong_in_thread_of(ping_ts: str) -> Callable[[Any], bool]:
    return lambda e: isinstance(e, events.Message) and e.text == "pong" and e.thread_ts == ping_ts


def _ping_and_watch(emu: Emulator) -> events.Message:
    """Alice says "ping" in #general; returns the bot's "pong" as her own RTM session saw it."""
    alice = Client(token=emu.workspace.first_token("xoxp-"), base_url=emu.base_url)
    with alice, alice.rtm() as watcher:
        ping = alice.chat_post_message(channel=GENERAL, text="ping")
        is_pong = _pong_in_thread_of(ping.ts)
        deadline = time.monotonic() + WAIT
        while True:
            event = watcher.next_event(timeout=max(0.0, deadline - time.monotonic()))
            if is_pong(event):
                assert isinstance(event, events.Message)
                return event


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("form", "script"), [("sync", SYNC_BOT), ("async", ASYNC_BOT)])
def test_the_readme_bot_answers_ping_on_either_transport(
    emu: Emulator, tmp_path: Path, transport: str, form: str, script: str
) -> None:
    bot = tmp_path / f"bot_{form}.py"
    bot.write_text(script, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env |= {
        "SLACK_API_URL": emu.base_url,
        "SLACK_BOT_TOKEN": emu.bot_token,
        "SLACK_APP_TOKEN": emu.app_token,
        "PYTHONPATH": str(ROOT),
    }
    argv = [sys.executable, str(bot), *(["--socket-mode"] if transport == "socket_mode" else [])]
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    try:

        def sockets() -> int:
            if transport == "socket_mode":
                return emu.socket_mode.connections()
            return emu.counters.connections_open

        _until(lambda: sockets() >= 1 or proc.poll() is not None, "the bot")
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        pong = _ping_and_watch(emu)
        assert pong.user == "U0EMUBOT1" and pong.channel == GENERAL
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise


def _ping_pong() -> Callable[[Client], Callable[[events.Message], None]]:
    namespace: dict[str, Any] = {}
    exec(SYNC_BOT.split("# SLACK_BOT_TOKEN")[0], namespace)  # the README's handler, as written
    maker: Callable[[Client], Callable[[events.Message], None]] = namespace["ping_pong"]
    return maker


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_sync_the_reply_comes_back_to_the_bots_own_session(emu: Emulator, transport: str) -> None:
    seen: list[Any] = []
    connected = threading.Event()
    client = Client(token=emu.bot_token, app_token=emu.app_token, base_url=emu.base_url)
    with client:
        session: Any = client.socket_mode() if transport == "socket_mode" else client.rtm()
        session.on(events.Message, _ping_pong()(client))
        session.on(events.Message, seen.append)
        session.on(Connected, lambda _: connected.set())
        with session:
            runner = threading.Thread(target=session.run, daemon=True)
            runner.start()
            assert connected.wait(WAIT)
            pong = _ping_and_watch(emu)
            _until(lambda: any(map(_pong_in_thread_of(pong.thread_ts or ""), seen)), "the echo")
        runner.join(WAIT)
        assert not runner.is_alive()
    assert [e.text for e in seen if isinstance(e, events.Message)][:2] == ["ping", "pong"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_async_the_reply_comes_back_to_the_bots_own_session(emu: Emulator, transport: str) -> None:
    seen: list[Any] = []

    async def main() -> None:
        async with AsyncClient(
            token=emu.bot_token, app_token=emu.app_token, base_url=emu.base_url
        ) as client:
            session: Any = client.socket_mode() if transport == "socket_mode" else client.rtm()

            async def on_message(event: events.Message) -> None:
                seen.append(event)
                if event.text == "ping" and event.channel:
                    await client.chat_post_message(
                        channel=event.channel, text="pong", thread_ts=event.ts
                    )

            session.on(events.Message, on_message)
            connected = asyncio.Event()
            session.on(Connected, lambda _: connected.set())
            async with session:
                runner = asyncio.create_task(session.run())
                await asyncio.wait_for(connected.wait(), WAIT)
                pong = await asyncio.to_thread(_ping_and_watch, emu)
                is_echo = _pong_in_thread_of(pong.thread_ts or "")
                while not any(map(is_echo, seen)):
                    await asyncio.sleep(0.02)
            await asyncio.wait_for(runner, WAIT)

    asyncio.run(asyncio.wait_for(main(), WAIT * 2))
    assert [e.text for e in seen][:2] == ["ping", "pong"]
