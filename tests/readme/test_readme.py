"""The README's examples run: its quickstarts and error handling, against the emulator.

A reader runs them after pasting the lines ``python -m slackrtm.emulator`` prints; so do these
tests (`exported_environment`), with each block as the README shows it, not edited.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from slackrtm import Client
from slackrtm._web.limits import TOKEN_ENVIRONMENT
from slackrtm.emulator import Emulator
from slackrtm.emulator.__main__ import _exports

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def block_with(text: str) -> str:
    found: list[str] = [block for block in BLOCKS if text in block]
    assert len(found) == 1, f"expected one README block with {text!r}"
    return found[0]


def run(code: str, namespace: dict[str, object] | None = None) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), dict(namespace or {}))
    return out.getvalue()


def exported_environment(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Set what the emulator tells a reader to export, read from the lines it prints.

    Every other variable the clients read for a token is removed, so that the examples can
    only have their token from these lines.
    """
    exports: dict[str, str] = {}
    for line in _exports(emu):
        if line.startswith("export "):
            name, _, value = line[len("export ") :].partition("=")
            exports[name] = shlex.split(value)[0]
    for name in TOKEN_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    for name, value in exports.items():
        monkeypatch.setenv(name, value)
    return exports


# Markers of the two quickstarts (the RTM session's examples open clients too; they are run by
# tests/rtm/test_readme_session.py).
@pytest.mark.parametrize(
    "marker", ["client.rtm_connect(batch_presence_aware=True", "await client.rtm_connect()"]
)
def test_quickstart_runs_unchanged_with_the_emulators_exports(
    marker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Emulator() as emu:
        exports = exported_environment(emu, monkeypatch)
        assert exports == {"SLACK_API_URL": emu.base_url, "SLACK_BOT_TOKEN": emu.bot_token}
        printed = run(block_with(marker))
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
