"""The README's posting and replying examples run unchanged, against the emulator.

Each block runs as the README shows it, with the environment the emulator tells a reader to
export (tests/readme/test_readme.py); the replying bots, sync and async, answer a ``ping`` in its
thread and stop at ``bye``.
"""

from __future__ import annotations

import threading
import time

import pytest

from slackrtm.emulator import Emulator, Limits
from tests.readme.test_readme import block_with, exported_environment, run

from .conftest import ALICE, BOT, GENERAL


def test_the_posting_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        exported_environment(emu, monkeypatch)
        printed = run(block_with('text="Deploy finished",'))
        assert printed == f"{GENERAL} section\n"
        page, _ = emu.workspace.history.page(GENERAL, 0, None, 10)
        [kept] = page
        assert kept["text"] == "Deploy finished: v2" and kept["blocks"][0]["type"] == "section"
        assert kept["reactions"] == [{"name": "white_check_mark", "users": [BOT], "count": 1}]
        run(block_with('name="wave")'))
        assert emu.workspace.history.count(GENERAL) == 2


@pytest.mark.parametrize(
    "marker",
    [
        "    def reply(event: events.Message) -> None:",
        "    async def reply(event: events.Message) -> None:",
    ],
    ids=["sync", "async"],
)
def test_the_replying_bot_answers_in_the_thread(
    marker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        exported_environment(emu, monkeypatch)
        errors: list[BaseException] = []

        def bot() -> None:
            try:
                run(block_with(marker))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        runner = threading.Thread(target=bot)
        runner.start()
        deadline = time.monotonic() + 10
        while emu.counters.connections_open == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        asked = emu.post_message(GENERAL, "ping", user=ALICE)
        while emu.workspace.history.count(GENERAL) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        emu.post_message(GENERAL, "bye", user=ALICE)
        runner.join(10)
        assert not runner.is_alive() and errors == []
        page, _ = emu.workspace.history.page(GENERAL, 0, None, 10)
        replies = [m for m in page if m.get("user") == BOT]
        assert [(m["text"], m["thread_ts"]) for m in replies] == [("pong", asked)]
