"""The README's examples run: its quickstarts and error handling, against the emulator."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from slackrtm import Client
from slackrtm.emulator import Emulator

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
PLACEHOLDER = 'token="xoxb-..."'


def block_with(text: str) -> str:
    found: list[str] = [block for block in BLOCKS if text in block]
    assert len(found) == 1, f"expected one README block with {text!r}"
    return found[0]


def run(code: str, namespace: dict[str, object] | None = None) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), dict(namespace or {}))
    return out.getvalue()


# Markers of the two quickstarts (the RTM session's examples open clients too; they are run by
# tests/rtm/test_readme_session.py).
@pytest.mark.parametrize(
    "marker", ["client.rtm_connect(batch_presence_aware=True", "await client.rtm_connect()"]
)
def test_quickstart_runs_unchanged_with_the_emulators_exports(
    marker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator() as emu:
        # What `python -m slackrtm.emulator` tells a reader to export.
        monkeypatch.setenv("SLACK_API_URL", emu.base_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", emu.bot_token)
        monkeypatch.delenv("SLACK_TOKEN", raising=False)
        code = block_with(marker).replace(
            PLACEHOLDER, f"token={emu.bot_token!r}, base_url={emu.base_url!r}"
        )
        printed = run(code)
        team = emu.workspace.team_of(emu.workspace.tokens[emu.bot_token].user_id)
        calls = len(emu.requests)
    assert team.name in printed
    assert calls == 1


def test_error_handling_example_runs() -> None:
    with Emulator() as emu, Client(token=emu.bot_token, base_url=emu.base_url) as client:
        emu.faults.web(n=1, error="invalid_auth")
        printed = run(block_with("except (InvalidAuth, TokenRevoked)"), {"client": client})
        emu.faults.web(n=1, error="some_new_code")
        other = run(block_with("except (InvalidAuth, TokenRevoked)"), {"client": client})
    assert printed.startswith("fix the token: The token could not be validated")
    assert other.startswith("some_new_code 200")


def test_events_example_runs() -> None:
    run(block_with('events.decode(\'{"type": "presence_change"'))
