"""`slackrtm emulator`, `demo`, `make demo`, the console script, and the session commands
(`listen`, `send`), each run as a subprocess."""

from __future__ import annotations

import json
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slackrtm.cli import ExitCode
from slackrtm.emulator import Emulator

from .conftest import ROOT, TIMEOUT, Cli, clean_environment
from .test_cli import assert_one_line_error

WORKSPACE = {
    "teams": [{"id": "T1", "name": "Acme", "domain": "acme", "enterprise_id": None}],
    "users": [{"id": "U1", "name": "acmebot", "team_id": "T1", "is_bot": True}],
    "channels": [{"id": "C1", "name": "general", "team_id": "T1", "members": ["U1"]}],
    "tokens": [{"token": "xoxb-acme", "user_id": "U1", "state": "active"}],
}


def read_exports(proc: subprocess.Popen[str]) -> dict[str, str]:
    """The ``export NAME=VALUE`` lines the emulator prints once it listens."""
    assert proc.stdout is not None
    exports: dict[str, str] = {}
    deadline = time.monotonic() + TIMEOUT
    while len(exports) < 2 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("export "):
            name, _, value = line[len("export ") :].strip().partition("=")
            exports[name] = shlex.split(value)[0]
    return exports


@pytest.mark.parametrize(
    "command", [["-m", "slackrtm", "emulator"], ["-m", "slackrtm.emulator"]], ids=["cli", "module"]
)
def test_the_emulator_prints_the_exports_that_the_command_then_uses(
    command: list[str], tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace.json"
    workspace.write_text(json.dumps(WORKSPACE), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, *command, "--port", "0", "--workspace", str(workspace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=clean_environment(PYTHONUNBUFFERED="1"),
        cwd=ROOT,
    )
    try:
        exports = read_exports(proc)
        assert set(exports) == {"SLACK_API_URL", "SLACK_BOT_TOKEN"}
        assert exports["SLACK_BOT_TOKEN"] == "xoxb-acme"
        done = subprocess.run(
            [sys.executable, "-m", "slackrtm", "connect", "--json"],
            env=clean_environment(**exports),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["team"]["name"] == "Acme"
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=TIMEOUT)
    assert code == 0  # Ctrl-C stops it cleanly


def test_the_emulator_refuses_a_missing_workspace_file(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = cli("emulator", "--workspace", str(missing))
    assert_one_line_error(
        result,
        ExitCode.USAGE,
        f"emulator: cannot read the workspace file {missing}: no such file or directory",
    )


def test_the_emulator_refuses_a_workspace_file_that_is_not_json(cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert_one_line_error(
        cli("emulator", "--workspace", str(broken)), ExitCode.USAGE, "emulator: ", str(broken)
    )


def test_the_emulator_says_when_its_port_is_taken(cli: Cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("emulator", "--port", str(port))
    assert_one_line_error(
        result,
        ExitCode.USAGE,
        f"emulator: cannot listen on 127.0.0.1:{port}: address already in use",
    )


def test_demo_runs_and_exits_0(cli: Cli) -> None:
    result = cli("demo", env=clean_environment())  # no token, no base URL: it brings its own
    assert result.code == 0, result
    assert "rtm.connect with Client (sync" in result.stdout
    assert "rtm.connect with AsyncClient (async" in result.stdout
    assert result.stdout.count("emubot (U0EMUBOT1) on Emulator (T0EMU0001)") == 2
    assert "users  3: alice, bob, emubot" in result.stdout  # client.workspace()
    assert "chans  2: #general, #random" in result.stdout
    assert "/websocket/" not in result.stdout  # socket URLs stay redacted
    assert "\x1b[" not in result.stdout
    assert "Traceback" not in result.stderr
    for kind in ("presence_change", "message", "goodbye"):
        assert kind in result.stdout


def test_make_demo() -> None:
    stamp = ROOT / ".venv" / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        pytest.skip("`make demo` would build .venv first; .ci/run runs it on a fresh clone")
    done = subprocess.run(
        ["make", "--no-print-directory", "demo"],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "rtm.connect with AsyncClient" in done.stdout


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "slackrtm"
    if not script.exists():
        pytest.skip("slackrtm is not installed into this interpreter's environment")
    done = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("slackrtm ")


# -- listen and send -----------------------------------------------------------------------------


def test_listen_json_lines_parse_back_and_ctrl_c_exits_cleanly(cli: Cli, emu: Emulator) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "slackrtm", "listen", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**cli.environment(), "PYTHONUNBUFFERED": "1"},
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        assert "listening as emubot" in proc.stderr.readline()
        emu.send_event(
            {"type": "message", "channel": "C0EMU0001", "user": "U0EMU0001", "text": "hi there",
             "ts": "1.000001"},
            user_id="U0EMUBOT1",
        )  # fmt: skip
        seen = []
        for line in proc.stdout:
            seen.append(json.loads(line))  # every line is one JSON object
            if seen[-1].get("type") == "message":
                break
        assert seen[-1]["text"] == "hi there" and seen[-1]["channel"] == "C0EMU0001"
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=TIMEOUT)
    assert code == 0
    assert "Traceback" not in proc.stderr.read()


def test_send_prints_the_ack(cli: Cli) -> None:
    result = cli("send", "--channel", "C0EMU0001", "--text", "hello", "--json")
    assert result.code == 0, result
    ack = json.loads(result.stdout)
    assert ack["text"] == "hello" and ack["ts"]
