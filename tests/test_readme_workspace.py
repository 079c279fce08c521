"""The README's workspace picture runs, in both forms, against an emulator with several pages."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from slackrtm.emulator import Emulator, Workspace

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
PLACEHOLDER = 'token="xoxb-..."'


def _block(text: str) -> str:
    found: list[str] = [block for block in BLOCKS if text in block]
    assert len(found) == 1, f"expected one README block with {text!r}"
    return found[0]


@pytest.mark.parametrize("marker", ["ws = client.workspace()", "ws = await client.workspace("])
def test_the_workspace_picture_runs(marker: str) -> None:
    with Emulator(Workspace.default(users=450, channels=5)) as emu:
        code = _block(marker).replace(
            PLACEHOLDER, f"token={emu.bot_token!r}, base_url={emu.base_url!r}"
        )
        assert code != _block(marker)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
        pages = [r for r in emu.requests if r.path == "/api/users.list"]
    printed = out.getvalue()
    assert len(pages) == 3  # 453 users, 200 a page
    if "await" in marker:
        names = ["alice", "bob", "emubot", *(f"user{n:04d}" for n in range(1, 451))]
        assert printed == f"Emulator {names}\n"
    else:
        assert printed == "Emulator 453 7\nalice\ngeneral\n"
