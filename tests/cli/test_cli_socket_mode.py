"""``slackrtm listen --socket-mode``: a Socket Mode session from the command line.

The command runs as a user runs it (a subprocess) against the emulator's Socket Mode socket: it
prints each envelope and acks it as it comes, with the app-level token from ``SLACK_APP_TOKEN``
never shown.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from slackrtm.cli import ExitCode
from slackrtm.emulator import Emulator

from .conftest import ROOT, TIMEOUT, Cli, clean_environment


def _environment(emu: Emulator, **extra: str) -> dict[str, str]:
    return clean_environment(
        SLACK_API_URL=emu.base_url,
        SLACK_APP_TOKEN=emu.app_token,
        PYTHONUNBUFFERED="1",
        **extra,
    )


def _listen(emu: Emulator, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "slackrtm", "listen", "--socket-mode", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(emu),
        cwd=ROOT,
    )


def _until_connected(emu: Emulator, proc: subprocess.Popen[str]) -> None:
    assert proc.stderr is not None
    assert "listening on Socket Mode" in proc.stderr.readline()
    deadline = time.monotonic() + TIMEOUT
    while emu.socket_mode.connections() == 0:  # pushed before the socket opens, they would wait
        assert time.monotonic() < deadline, "no Socket Mode connection"
        time.sleep(0.02)


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=TIMEOUT)
    assert proc.stderr is not None
    return code, proc.stderr.read()


def test_listen_socket_mode_prints_each_envelope_as_json_and_acks_it(emu: Emulator) -> None:
    proc = _listen(emu, "--json")
    assert proc.stdout is not None
    envelopes: list[dict[str, Any]] = []
    try:
        _until_connected(emu, proc)
        pushed = [
            emu.socket_mode.push_event(
                {"type": "message", "channel": "C0EMU0001", "user": "U0EMU0001", "text": "hi",
                 "ts": "1.000001"}
            ),
            emu.socket_mode.push_slash_command("/deploy", "now"),
            emu.socket_mode.push_interaction({"type": "shortcut", "callback_id": "go"}),
        ]  # fmt: skip
        for line in proc.stdout:
            item = json.loads(line)  # every line is one JSON object
            if "envelope_id" in item:
                envelopes.append(item)
                if len(envelopes) == 3:
                    break
    finally:
        code, rest = _stop(proc)
    assert code == 0
    assert [e["envelope_id"] for e in envelopes] == pushed
    assert [e["type"] for e in envelopes] == ["events_api", "slash_commands", "interactive"]
    assert envelopes[0]["payload"]["event"]["text"] == "hi"
    assert envelopes[1]["payload"]["command"] == "/deploy"
    # The verification token Slack puts in a slash command's payload is a secret too.
    assert envelopes[1]["payload"]["token"] != "emulator-verification-token"
    # Each printed envelope was acked, once, without a payload.
    acked = [record.envelope_id for record in emu.socket_mode.acks]
    assert sorted(acked) == sorted(pushed)
    assert emu.socket_mode.pending == []
    assert emu.app_token not in rest


def test_listen_socket_mode_text_is_one_line_per_envelope(emu: Emulator) -> None:
    proc = _listen(emu)
    assert proc.stdout is not None
    try:
        _until_connected(emu, proc)
        envelope_id = emu.socket_mode.push_slash_command("/deploy", "now")
        for line in proc.stdout:
            if envelope_id in line:
                break
    finally:
        code, _ = _stop(proc)
    assert code == 0
    assert line.startswith("slash_commands ") and "/deploy" in line
    assert "emulator-verification-token" not in line


def test_listen_socket_mode_without_an_app_token_is_a_usage_error(cli: Cli) -> None:
    result = cli("listen", "--socket-mode")
    assert result.code == ExitCode.USAGE, result
    assert result.stderr.strip().splitlines() == [
        "slackrtm: error: --socket-mode needs an app-level token (xapp-...): set SLACK_APP_TOKEN"
    ]


@pytest.mark.parametrize(
    ("flag", "args"),
    [
        ("--presence", ["--presence", "U0EMU0001"]),
        ("--batch-presence-aware", ["--batch-presence-aware"]),
        ("--no-presence-sub", ["--no-presence-sub"]),
    ],
)
def test_listen_socket_mode_refuses_the_rtm_only_flags(
    cli: Cli, emu: Emulator, flag: str, args: list[str]
) -> None:
    env = {**cli.environment(), "SLACK_APP_TOKEN": emu.app_token}
    result = cli("listen", "--socket-mode", *args, env=env)
    assert result.code == ExitCode.USAGE, result
    assert result.stderr.strip().splitlines() == [
        f"slackrtm: error: {flag} is for RTM sessions, not --socket-mode"
    ]
