"""The command line as a user runs it: each command in a subprocess.

Covered: `slackrtm emulator`, `demo`, `make demo`, the console script, and the session commands
(`listen`, `send`).
"""

from __future__ import annotations

import json
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
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


DEMO_BOUND = 30.0
"""Seconds of wall time the demo may take here: it needs about one, on a loaded machine more."""


def _demo_lines(stdout: str) -> dict[str, list[str]]:
    """What each participant's indented lines say, in order: ``{"alice": [...], ...}``."""
    said: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        found = re.fullmatch(r"  (\w+) +(.*)", line)
        if found:
            said.setdefault(found[1], []).append(found[2])
    return said


def _in_order(lines: list[str], *patterns: str) -> list[re.Match[str]]:
    """Each pattern matches a whole line, after the one before it matched."""
    found: list[re.Match[str]] = []
    rest = iter(lines)
    for pattern in patterns:
        match = next((m for m in map(re.compile(pattern).fullmatch, rest) if m), None)
        assert match is not None, f"no line {pattern!r} in order in {lines}"
        found.append(match)
    return found


def test_demo_shows_every_step_and_exits_0_in_time(cli: Cli) -> None:
    started = time.monotonic()
    result = cli("demo", env=clean_environment())  # no token, no base URL: it brings its own
    took = time.monotonic() - started
    assert result.code == 0, result
    assert took < DEMO_BOUND
    assert result.stderr == ""
    out = result.stdout
    assert "/websocket/" not in out  # socket URLs stay redacted
    assert "\x1b[" not in out  # not a terminal: no colour
    assert re.search(r"^done in \d+\.\d\d s$", out, flags=re.M)
    steps = [line[2:] for line in out.splitlines() if line.startswith("▸ ")]
    assert steps[1].startswith("rtm.connect with Client (sync")
    assert steps[2].startswith("rtm.connect with AsyncClient (async")
    assert steps[3].startswith("the workspace picture")
    said = _demo_lines(out)
    # rtm.connect with both clients, and the workspace picture.
    socket_line = (
        r"emubot \(U0EMUBOT1\) on Emulator \(T0EMU0001\); socket ws://127\.0\.0\.1:\d+/<redacted>"
    )
    for form in ("sync", "async"):
        assert len(said[form]) == 1 and re.fullmatch(socket_line, said[form][0]), said[form]
    assert said["users"] == ["3: alice, bob, emubot"] and said["chans"] == ["2: #general, #random"]
    alice, bob = said["alice"], said["bob"]
    # Two sessions, as two users, each connected before anything else.
    for lines in (alice, bob):
        assert lines[:2] == ["hello", "Connected cause=start connects=1"]
    # alice's message: her ack, then bob gets it, with the ack's ts.
    (ack,) = _in_order(alice, r'MessageAck reply_to=\d+ ts=(\S+) "hi bob"')
    delivery = r'message channel=C0EMU0001 team=T0EMU0001 ts=(\S+) user=U0EMU0001 "hi bob"'
    (got,) = _in_order(bob, delivery)
    assert ack[1] == got[1]
    # Presence: alice follows bob, bob goes away, alice is told.
    _in_order(alice, "MessageAck .*", r'presence_change presence=away users=\["U0EMU0002"\]')
    # Slack's goodbye, bob's session reconnecting by itself, then bob's message and its ack.
    *_, back_ack = _in_order(
        bob,
        "goodbye",
        "Disconnected cause=goodbye",
        r"Reconnecting cause=goodbye attempt=1 delay=\S+",
        "hello",
        "Connected cause=goodbye connects=2",
        r'MessageAck reply_to=\d+ ts=(\S+) "back, alice"',
    )
    (back,) = _in_order(
        alice, r'message channel=C0EMU0001 team=T0EMU0001 ts=(\S+) user=U0EMU0002 "back, alice"'
    )
    assert back_ack[1] == back[1]


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


def test_listen_reconnects_after_a_goodbye_and_its_json_lines_say_so(
    cli: Cli, emu: Emulator
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "slackrtm", "listen", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**cli.environment(), "PYTHONUNBUFFERED": "1"},
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    seen: list[dict[str, object]] = []

    def until(wanted: dict[str, object]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(json.loads(line))  # every line is one JSON object
            if wanted.items() <= seen[-1].items():
                return
        raise AssertionError(f"listen ended before {wanted}: {seen}")

    try:
        assert "listening as emubot" in proc.stderr.readline()
        until({"kind": "Connected", "connects": 1})
        # Slack says goodbye, through the emulator's control API as any tool would.
        request = urllib.request.Request(
            f"{emu.url}_emulator/rtm/goodbye",
            data=json.dumps({"user_id": "U0EMUBOT1"}).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            assert json.loads(answer.read())["connections"] == 1
        until({"kind": "Connected", "connects": 2})
        # The new socket delivers.
        emu.send_event(
            {"type": "message", "channel": "C0EMU0001", "user": "U0EMU0001", "text": "still there?",
             "ts": "2.000001"},
            user_id="U0EMUBOT1",
        )  # fmt: skip
        until({"type": "message"})
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=TIMEOUT)
    kinds = [line.get("type") or line.get("kind") for line in seen]
    assert kinds == [
        "hello", "Connected", "goodbye", "Disconnected", "Reconnecting", "hello", "Connected",
        "message",
    ]  # fmt: skip
    assert seen[1] == {"kind": "Connected", "cause": "start", "connects": 1}
    assert seen[3] == {"kind": "Disconnected", "cause": "goodbye"}
    assert seen[4]["cause"] == "goodbye" and seen[4]["attempt"] == 1
    assert isinstance(seen[4]["delay"], float) and 0 <= seen[4]["delay"] <= 30
    assert seen[6] == {"kind": "Connected", "cause": "goodbye", "connects": 2}
    assert seen[7]["text"] == "still there?" and seen[7]["user"] == "U0EMU0001"
    assert code == 0
    rest = proc.stderr.read().splitlines()
    assert rest == [f"closed after {len(seen)} events"]


def _listen(cli: Cli, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "slackrtm", "listen", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**cli.environment(), "PYTHONUNBUFFERED": "1"},
        cwd=ROOT,
    )


def test_listen_stats_prints_the_sessions_health_among_json_lines(cli: Cli, emu: Emulator) -> None:
    proc = _listen(cli, "--json", "--stats", "0.2")
    assert proc.stdout is not None and proc.stderr is not None
    try:
        assert "listening as emubot" in proc.stderr.readline()
        stats = []
        for line in proc.stdout:
            item = json.loads(line)
            if item.get("kind") == "RtmStats":
                stats.append(item)
                if len(stats) == 2:
                    break
        assert [s["connects"] for s in stats] == [1, 1]
        assert stats[0]["state"] == "connected" and stats[0]["events_in"] >= 1
        assert stats[1]["uptime"] > stats[0]["uptime"]
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=TIMEOUT)
    assert code == 0
    assert "Traceback" not in proc.stderr.read()


def test_listen_stats_is_a_readable_line_on_stderr(cli: Cli) -> None:
    proc = _listen(cli, "--stats", "0.2")
    assert proc.stderr is not None
    try:
        assert "listening as emubot" in proc.stderr.readline()
        line = proc.stderr.readline()
        assert line.startswith("stats: connected, up "), line
        assert "1 connects, 0 disconnects" in line and "0 sends" in line
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=TIMEOUT)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "soon"])
def test_listen_refuses_stats_that_are_not_a_positive_number_of_seconds(
    cli: Cli, value: str
) -> None:
    result = cli("listen", "--stats", value)
    assert result.code == ExitCode.USAGE, result
    assert "--stats" in result.stderr and "positive number of seconds" in result.stderr
