"""The README's command-line transcript is what the command prints, line for line.

Each ``$ slackrtm ...`` line of the ``console`` block in "Command line" runs against the
emulator (the README's port 43517 stands for the emulator's); the lines after it are its
output, and ``$ echo $?`` is the exit status of the command before.
"""

from __future__ import annotations

import re
import shlex

from slackrtm.emulator import Emulator

from .conftest import ROOT, Cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
TRANSCRIPT = re.findall(r"```console\n(.*?)```", SECTION, flags=re.DOTALL)
README_PORT = "43517"


def test_the_command_line_transcript_is_what_the_command_prints(cli: Cli, emu: Emulator) -> None:
    assert len(TRANSCRIPT) == 1
    commands: list[tuple[str, list[str]]] = []
    for line in TRANSCRIPT[0].splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line.replace(README_PORT, str(emu.port)))
    assert len(commands) >= 3
    status = None
    for command, expected in commands:
        if command == "echo $?":
            assert expected == [str(status)]
            continue
        argv = shlex.split(command)
        assert argv[0] == "slackrtm"
        result = cli(*argv[1:])
        status = result.code
        assert (result.stdout + result.stderr).splitlines() == expected, command
