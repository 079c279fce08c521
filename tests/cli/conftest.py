"""The `slackrtm` command as a user runs it: a subprocess talking to the emulator on loopback.

The emulator runs on a thread of this process for the whole package; each test starts from a
reset one. `Cli` runs ``python -m slackrtm`` with a clean environment (no SLACK_* or NO_COLOR
from the developer's shell) pointed at that emulator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs
import pytest

from slackrtm.emulator import Emulator, Limits

ROOT = Path(__file__).parents[2]
TIMEOUT = 60.0
"""Seconds a command may take before the test fails (generous: the machine is shared)."""


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without the variables the command reads, plus `extra`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SLACK_") and name not in {"NO_COLOR", "PYTHONWARNINGS"}
    }
    env.update(extra)
    return env


@attrs.frozen
class Result:
    """What a finished command left behind."""

    code: int
    stdout: str
    stderr: str


class Cli:
    """Runs ``python -m slackrtm ARGS`` against one emulator."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def environment(self) -> dict[str, str]:
        return clean_environment(
            SLACK_API_URL=self.emu.base_url, SLACK_BOT_TOKEN=self.emu.bot_token
        )

    def __call__(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        done = subprocess.run(
            [sys.executable, "-m", "slackrtm", *args],
            env=dict(env) if env is not None else self.environment(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=ROOT,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="package")
def cli_emulator() -> Iterator[Emulator]:
    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        yield emu


@pytest.fixture
def emu(cli_emulator: Emulator) -> Emulator:
    cli_emulator.reset()
    return cli_emulator


@pytest.fixture
def cli(emu: Emulator) -> Cli:
    return Cli(emu)
