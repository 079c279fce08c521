"""The README's RTM session examples run, sync and async, against the emulator.

Also: the README's options table names every `RtmOptions` field.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import attrs
import pytest

from slackrtm.emulator import Emulator, Limits
from slackrtm.rtm import RtmOptions
from tests.readme.test_readme import BLOCKS, exported_environment, run

from .conftest import ALICE, GENERAL, rtm_threads


def example(kind: str) -> str:
    """The README's one session example of this kind."""
    found: list[str] = [
        block
        for block in BLOCKS
        if "for event in rtm:" in block and ("async for" in block) == (kind == "async")
    ]
    assert len(found) == 1, kind
    return found[0]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_the_session_examples_run_unchanged_with_the_emulators_exports(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = example(kind)
    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        exported_environment(emu, monkeypatch)
        bye = {"type": "message", "channel": GENERAL, "user": ALICE, "text": "bye", "ts": "1.0"}

        def say_bye() -> None:
            # Once the example's socket is open and its message is posted, someone says bye.
            while emu.counters.frames_in < 1:
                threading.Event().wait(0.01)
            emu.send_event(bye)

        sayer = threading.Thread(target=say_bye)
        sayer.start()
        printed = run(code)
        sayer.join()
    assert "posted at" in printed
    # The example found its channel by name: no ID is spelled out in it.
    posted = [r for r in emu.requests if r.path.endswith("conversations.list")]
    assert posted, "the example looked the channel up"
    assert f"bye from {ALICE}" in printed
    if kind == "sync":
        assert "connected as emubot to Emulator" in printed
    assert rtm_threads() == []


def test_the_options_table_names_every_rtm_option() -> None:
    readme = Path(__file__).parents[2].joinpath("README.md").read_text(encoding="utf-8")
    section = readme.split("## The RTM session", 1)[1].split("\n## ", 1)[0]
    table = section.split("| option | default | why |", 1)[1].split("\n\n", 1)[0]
    named = {
        name
        for row in table.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`(\w+)`", row.split("|")[1])
    }
    assert named == {field.name for field in attrs.fields(RtmOptions)}
