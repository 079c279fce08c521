"""The README's workspace picture runs, in both forms, against an emulator with several pages.

Each block runs as the README shows it, with only the environment the emulator's printed
``export`` lines give: no token or URL is swapped into the code.
"""

from __future__ import annotations

import io
import sys
import threading
import time

import pytest

from slackrtm.emulator import EmulatedWorkspace, Emulator

from .test_readme import block_with, exported_environment, run


@pytest.mark.parametrize("marker", ["ws = client.workspace()", "ws = await client.workspace("])
def test_the_workspace_picture_runs_unchanged(marker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(EmulatedWorkspace.default(users=450, channels=5)) as emu:
        exported_environment(emu, monkeypatch)
        printed = run(block_with(marker))
        pages = [r for r in emu.requests if r.path == "/api/users.list"]
    assert len(pages) == 3  # 453 users, 200 a page
    if "await" in marker:
        names = ["alice", "bob", "emubot", *(f"user{n:04d}" for n in range(1, 451))]
        assert printed == f"Emulator {names}\n"
    else:
        assert printed == "Emulator 453 7\nalice\ngeneral\n"


def test_the_live_picture_runs_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator() as emu:
        exported_environment(emu, monkeypatch)

        def change() -> None:
            # Once connect has returned with the picture: the block's first line is printed
            # (stdout is the block's buffer meanwhile). A change made while the snapshot's pages
            # are being read could land in them, and then no rename would be seen (events held
            # during the snapshot are tested in tests/rtm).
            deadline = time.monotonic() + 30
            while not (isinstance(sys.stdout, io.StringIO) and sys.stdout.getvalue()):
                assert time.monotonic() < deadline
                time.sleep(0.02)
            emu.add_user("U0NEW0001", name="dave")
            emu.rename_channel("C0EMU0002", "chat")

        changer = threading.Thread(target=change)
        changer.start()
        printed = run(block_with("client.rtm(workspace=True) as rtm:  # connect"))
        changer.join()
    assert printed == "3 users; True\nwelcome dave\n#random is now #chat\n"
