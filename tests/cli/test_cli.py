"""`slackrtm connect`, `--help`, errors and exit codes, colour: end to end, as a subprocess."""

from __future__ import annotations

import argparse
import builtins
import json
import os
import pty
import re
import socket
import subprocess
import sys

import pytest
from websockets.sync.client import connect as ws_connect

import slackrtm
import slackrtm.errors
from slackrtm._generated import RTM_CONNECT
from slackrtm.cli import ExitCode, build_parser
from slackrtm.emulator import Emulator

from .conftest import ROOT, TIMEOUT, Cli, Result, clean_environment

COMMANDS = ["connect", "listen", "send", "emulator", "demo"]
RTM_CONNECT_PRESENCE_SUB = next(
    arg.description for arg in RTM_CONNECT.arguments if arg.wire == "presence_sub"
)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


EXCEPTION_NAMES = {
    name
    for module in (slackrtm, slackrtm.errors, builtins)
    for name, value in vars(module).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}
"""Class names an error line never shows: it says what happened, not which class said it."""
INTERNALS = ("_HTTPConnection", "Errno", "urllib3", "aiohttp", " object at 0x")
"""What a library's own exception text would bring along."""
ONE_FORMAT = re.compile(r"slackrtm: error: [^\s:][^:]*: \S")
"""``slackrtm: error: <where>: <what>``: the method, ``RTM``, the command or the flag first."""


def assert_error_line(line: str) -> None:
    """The one shape every error line has."""
    assert ONE_FORMAT.match(line), line
    assert not set(re.findall(r"\b[A-Z]\w+\b", line)) & EXCEPTION_NAMES, line
    assert not [bit for bit in INTERNALS if bit in line], line


def assert_one_line_error(result: Result, code: ExitCode, *needles: str) -> str:
    assert result.code == code, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert_error_line(lines[0])
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


# -- help ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_at_every_level(cli: Cli, command: str | None) -> None:
    args = [command, "--help"] if command else ["--help"]
    result = cli(*args)
    assert result.code == 0, result
    usage = f"usage: slackrtm {command}" if command else "usage: slackrtm"
    assert result.stdout.startswith(usage)
    if command is None:
        for name in COMMANDS:
            assert name in result.stdout
    if command in {"connect", "listen", "send"}:
        assert "--token" in result.stdout and "--base-url" in result.stdout
        assert "SLACK_API_URL" in result.stdout
    if command == "emulator":
        assert "--workspace" in result.stdout and "--port" in result.stdout
        assert "Web API methods" in result.stdout  # not "for rtm.connect" only
    assert "missing feature" not in result.stdout and "not have yet" not in result.stdout


def test_the_no_presence_sub_help_says_what_the_flag_does() -> None:
    # The schema describes presence_sub=1 (Slack's default); the flag sends 0.
    connect = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    ).choices["connect"]
    (flag,) = [a for a in connect._actions if "--no-presence-sub" in a.option_strings]
    text = " ".join((flag.help or "").split())
    assert text.startswith("send presence_sub=0: every presence change of the team")
    assert f"presence_sub=1, Slack's default: {RTM_CONNECT_PRESENCE_SUB.rstrip('.')}" in text


def test_no_command_prints_help_and_exits_2(cli: Cli) -> None:
    result = cli()
    assert result.code == ExitCode.USAGE
    assert "usage: slackrtm" in result.stderr and result.stdout == ""


# -- connect ------------------------------------------------------------------------------------


def test_connect_prints_self_and_team_with_the_url_redacted(cli: Cli, emu: Emulator) -> None:
    result = cli("connect")
    assert result.code == 0, result
    rows = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert rows["self"] == "U0EMUBOT1 emubot"
    assert rows["team"] == "T0EMU0001 Emulator (emulator)"
    assert rows["url"].startswith(f"ws://127.0.0.1:{emu.port}/<redacted>")
    assert "/websocket/" not in result.stdout
    assert "\x1b[" not in result.stdout + result.stderr  # not a terminal: no colour
    assert [r.path for r in emu.requests] == ["/api/rtm.connect"]
    assert emu.requests[0].args == {}  # no flag: nothing sent, Slack's defaults apply


def test_connect_json_is_the_wire_shape_with_the_url_redacted(cli: Cli, emu: Emulator) -> None:
    result = cli("connect", "--json", "--batch-presence-aware", "--no-presence-sub")
    assert result.code == 0, result
    body = json.loads(result.stdout)
    assert body["ok"] is True
    assert body["self"] == {"id": "U0EMUBOT1", "name": "emubot"}
    assert body["team"] == {"id": "T0EMU0001", "name": "Emulator", "domain": "emulator"}
    assert body["url"] == f"ws://127.0.0.1:{emu.port}/<redacted>"
    assert emu.requests[0].args == {"batch_presence_aware": "1", "presence_sub": "0"}


def test_connect_json_keeps_fields_the_schema_does_not_know(cli: Cli, emu: Emulator) -> None:
    emu.faults.web(n=1, extra_fields={"brand_new": {"nested": [1, "two"]}})
    result = cli("connect", "--json")
    assert result.code == 0, result
    assert json.loads(result.stdout)["brand_new"] == {"nested": [1, "two"]}


def test_connect_show_url_prints_a_socket_url_that_works(cli: Cli) -> None:
    result = cli("connect", "--json", "--show-url")
    assert result.code == 0, result
    url = json.loads(result.stdout)["url"]
    assert "/websocket/" in url
    with ws_connect(url, open_timeout=TIMEOUT) as ws:
        assert json.loads(ws.recv(timeout=TIMEOUT)) == {"type": "hello"}


def test_connect_shows_slack_warnings(cli: Cli, emu: Emulator) -> None:
    emu.faults.web(n=2, warnings=["superfluous_charset", "some_new_warning"])
    plain = cli("connect")
    assert plain.code == 0, plain
    assert "warn   superfluous_charset" in plain.stdout
    assert "warn   some_new_warning" in plain.stdout
    # A log line has the command's own shape: ``slackrtm: warning: ...``.
    assert "slackrtm: warning: rtm.connect: Slack warning superfluous_charset" in plain.stderr
    assert "SlackApiWarning" not in plain.stderr  # one log line each, no Python warning dump
    assert json.loads(cli("connect", "--json").stdout)["warnings"] == [
        "superfluous_charset",
        "some_new_warning",
    ]


# -- expected failures: one line, a documented exit code, no traceback --------------------------


def test_a_bad_token_prints_the_code_and_its_description(cli: Cli) -> None:
    env = {**cli.environment(), "SLACK_BOT_TOKEN": "xoxb-not-a-known-token"}
    line = assert_one_line_error(cli("connect", env=env), ExitCode.API_ERROR, "invalid_auth")
    assert line.endswith(RTM_CONNECT.errors["invalid_auth"])
    assert "xoxb-not-a-known-token" not in line


def test_a_revoked_token_from_the_flag(cli: Cli, emu: Emulator) -> None:
    emu.workspace.add_token("xoxb-revoked-one", user_id="U0EMUBOT1", state="revoked")
    result = cli("connect", "--token", "xoxb-revoked-one")
    assert_one_line_error(result, ExitCode.API_ERROR, "token_revoked")


def test_an_undocumented_error_code_says_so(cli: Cli, emu: Emulator) -> None:
    emu.faults.web(n=1, error="some_new_code")
    assert_one_line_error(
        cli("connect"), ExitCode.API_ERROR, "some_new_code: undocumented error code"
    )


def test_the_fields_beside_the_code_are_shown(cli: Cli, emu: Emulator) -> None:
    emu.faults.web(
        n=1, error="missing_scope", extra_fields={"needed": "client", "provided": "bot,chat:write"}
    )
    line = assert_one_line_error(cli("connect"), ExitCode.API_ERROR, "missing_scope")
    assert line.endswith("(needed: client; provided: bot,chat:write)")


def test_no_token(cli: Cli, emu: Emulator) -> None:
    env = clean_environment(SLACK_API_URL=emu.base_url)
    result = cli("connect", env=env)
    assert_one_line_error(result, ExitCode.USAGE, "no Slack token", "--token", "SLACK_BOT_TOKEN")
    assert emu.requests == []


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["connect", "--bogus"], "unrecognized arguments: --bogus"),
        (["bogus"], "invalid choice: 'bogus'"),
        (["connect", "--timeout", "0"], "--timeout"),
        (["connect", "--base-url", "ftp://example.invalid/"], "base_url"),
        (["send", "--channel", "C1"], "--text"),
    ],
)
def test_bad_usage(cli: Cli, emu: Emulator, args: list[str], needle: str) -> None:
    assert_one_line_error(cli(*args), ExitCode.USAGE, needle)
    assert emu.requests == []


REFUSED = "connection refused"
SESSION_COMMANDS = {
    "connect": ["connect"],
    "listen": ["listen"],
    "send": ["send", "--channel", "C0EMU0001", "--text", "hi"],
}


@pytest.mark.parametrize("command", SESSION_COMMANDS)
def test_an_unreachable_base_url(cli: Cli, command: str) -> None:
    # The host, the port and why: no library's words (urllib3's "_HTTPConnection(host=...)").
    port = closed_port()
    base = f"http://127.0.0.1:{port}/api/"
    result = cli(*SESSION_COMMANDS[command], "--base-url", base, "--retries", "0")
    line = assert_one_line_error(result, ExitCode.CONNECTION)
    assert line == f"slackrtm: error: rtm.connect: no answer from 127.0.0.1:{port}: {REFUSED}"


@pytest.mark.parametrize("command", ["listen", "send"])
def test_a_session_that_cannot_start_is_one_line(cli: Cli, command: str) -> None:
    # The session logs its end at WARNING; the command prints that error once, as its line.
    env = {**cli.environment(), "SLACK_BOT_TOKEN": "xoxb-not-a-known-token"}
    result = cli(*SESSION_COMMANDS[command], env=env)
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        f"slackrtm: error: rtm.connect: invalid_auth: {RTM_CONNECT.errors['invalid_auth']}"
    ]
    assert result.code == ExitCode.API_ERROR and "Traceback" not in result.stderr


def test_with_debug_the_sessions_own_log_line_shows_too(cli: Cli) -> None:
    env = {**cli.environment(), "SLACK_BOT_TOKEN": "xoxb-not-a-known-token"}
    result = cli("listen", "--debug", env=env)
    assert result.code == ExitCode.API_ERROR
    assert "RTM: session ended by InvalidAuth" in result.stderr
    assert "Traceback (most recent call last)" in result.stderr


def test_an_http_error_after_retries(cli: Cli, emu: Emulator) -> None:
    emu.faults.web(n=1, status=502, body=b"<html>Bad gateway</html>", content_type="text/html")
    result = cli("connect", "--retries", "0")
    assert_one_line_error(result, ExitCode.SLACK_ERROR, "rtm.connect: ", "HTTP 502")


def test_rate_limited_after_retries(cli: Cli, emu: Emulator) -> None:
    emu.faults.web(n=1, status=429, retry_after=7)
    result = cli("connect", "--retries", "0")
    assert_one_line_error(result, ExitCode.SLACK_ERROR, "rtm.connect: rate limited", "7 s")


# -- send's values: checked by the SDK, refused as a usage error -----------------------------------


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--channel", "C0EMU0001", "--text", ""], "send: text must not be empty"),
        (["--channel", "", "--text", "hi"], "send: channel must not be empty"),
        (["--channel", "C0EMU0001", "--text", "hi", "--thread-ts", ""], "send: thread_ts"),
        (["--channel", "C0EMU0001", "--text", "x" * 17_000], "RTM: frame of"),
    ],
    ids=["empty-text", "empty-channel", "empty-thread-ts", "over-16-kB"],
)
def test_a_value_the_sdk_refuses_is_a_usage_error(
    cli: Cli, emu: Emulator, flags: list[str], needle: str
) -> None:
    assert_one_line_error(cli("send", *flags), ExitCode.USAGE, needle)
    assert emu.counters.frames_in == 0  # nothing was sent


def test_listen_refuses_an_empty_presence_user(cli: Cli) -> None:
    result = cli("listen", "--presence", "")
    assert_one_line_error(result, ExitCode.USAGE, "listen: each user ID must not be empty")


def test_an_error_ack_is_slack_saying_no(cli: Cli) -> None:
    result = cli("send", "--channel", "CNOPE", "--text", "hello")
    line = assert_one_line_error(result, ExitCode.API_ERROR, "RTM: ", "channel not found")
    assert line.startswith("slackrtm: error: RTM: error ack")


def test_debug_shows_the_traceback_and_wire_logs_with_the_token_redacted(cli: Cli) -> None:
    secret = "xoxb-1234-do-not-show-me"
    result = cli("connect", "--debug", "--token", secret)
    assert result.code == ExitCode.API_ERROR
    assert "Traceback (most recent call last)" in result.stderr
    assert "InvalidAuth" in result.stderr
    assert "DEBUG slackrtm: rtm.connect attempt 1: HTTP 200" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("slackrtm: error: rtm.connect: invalid_auth")
    assert "do-not-show-me" not in result.stderr + result.stdout


def test_debug_before_the_command_works_too(cli: Cli) -> None:
    result = cli("--debug", "connect", "--show-url")
    assert result.code == 0, result
    assert "DEBUG" in result.stderr
    assert "emulator-bot-token" not in result.stderr


# -- the environment: SLACK_API_URL ---------------------------------------------------------------


def test_the_base_url_flag_wins_over_the_environment(cli: Cli, emu: Emulator) -> None:
    env = {**cli.environment(), "SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/"}
    failed = cli("connect", "--retries", "0", env=env)  # the environment is read...
    assert_one_line_error(failed, ExitCode.CONNECTION, "refused")
    result = cli("connect", "--base-url", emu.base_url, env=env)  # ...unless the flag is given
    assert result.code == 0, result
    assert len(emu.requests) == 1


def test_a_bad_slack_api_url_is_named(cli: Cli) -> None:
    env = {**cli.environment(), "SLACK_API_URL": "slack.com/api"}
    assert_one_line_error(cli("connect", env=env), ExitCode.USAGE, "SLACK_API_URL")


# -- colour ---------------------------------------------------------------------------------------


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "slackrtm", *args],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=env,
            cwd=ROOT,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # the other side closed (EIO on Linux)
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(timeout=TIMEOUT) == 0
    finally:
        os.close(leader)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_unless_no_color(cli: Cli) -> None:
    coloured = run_on_a_terminal(["connect"], cli.environment())
    assert "\x1b[" in coloured and "U0EMUBOT1" in coloured
    plain = run_on_a_terminal(["connect"], {**cli.environment(), "NO_COLOR": "1"})
    assert "\x1b[" not in plain and "U0EMUBOT1" in plain
