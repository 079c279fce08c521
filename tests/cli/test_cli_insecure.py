"""``--allow-insecure``: the command line reaches an emulator on a host that is not loopback.

The emulator listens on one of this machine's own addresses that is not loopback (as one on
another machine of a test network would), so its base URL is ``http://`` and its socket URLs
``ws://`` on that host. Without the flag each command that opens a client is refused with the
library's words and the flag named; with it, ``connect``, ``send`` and both ``listen`` sessions
work over real sockets. A relay of the test's own on loopback (a base URL the client takes)
answers ``rtm.connect`` with the emulator's ``ws://`` URL on that host: the socket URL's refusal,
and its acceptance with the flag. Skipped, with the reason, on a machine with no such address.
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import urllib3

from slackrtm.cli import ExitCode
from slackrtm.emulator import Emulator, Limits

from .conftest import ROOT, TIMEOUT, Cli, Result, clean_environment

FLAG = "--allow-insecure"
REFUSED_BASE = (
    "SLACK_API_URL is http:// on a host that is not loopback: the token would travel in clear "
    "text; use https://, or pass allow_insecure=True (on the command line: --allow-insecure)"
)


def _candidates() -> Iterator[str]:
    with contextlib.suppress(OSError):
        yield socket.gethostbyname(socket.gethostname())
    with contextlib.suppress(OSError):
        yield from socket.gethostbyname_ex(socket.gethostname())[2]
    # The address this machine would send from (a UDP "connect" sends nothing).
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("198.51.100.1", 9))
        yield probe.getsockname()[0]


def _own_address() -> str | None:
    """One of this machine's IPv4 addresses that is not loopback and can be listened on."""
    for address in _candidates():
        if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0":
            continue
        with contextlib.suppress(OSError), socket.socket() as trial:
            trial.bind((address, 0))
            return address
    return None


ADDRESS = _own_address()
pytestmark = pytest.mark.skipif(
    ADDRESS is None, reason="this machine has no IPv4 address but loopback to listen on"
)


@pytest.fixture(scope="module")
def remote_emulator() -> Iterator[Emulator]:
    assert ADDRESS is not None
    with Emulator(host=ADDRESS, limits=Limits(web_rate_limit=None)) as emu:
        yield emu


@pytest.fixture
def remote(remote_emulator: Emulator) -> Emulator:
    remote_emulator.reset()
    assert remote_emulator.base_url.startswith(f"http://{ADDRESS}:")
    return remote_emulator


def _environment(emu: Emulator, base_url: str | None = None) -> dict[str, str]:
    return clean_environment(
        SLACK_API_URL=base_url or emu.base_url,
        SLACK_BOT_TOKEN=emu.bot_token,
        SLACK_APP_TOKEN=emu.app_token,
        PYTHONUNBUFFERED="1",
    )


def _one_error_line(result: Result, code: ExitCode) -> str:
    assert result.code == code, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("slackrtm: error: "), result.stderr
    return lines[0].removeprefix("slackrtm: error: ")


COMMANDS = {
    "connect": ["connect"],
    "listen": ["listen", "--count", "1"],
    "listen --socket-mode": ["listen", "--socket-mode", "--count", "1"],
    "send": ["send", "--channel", "C0EMU0001", "--text", "hi"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_without_the_flag_an_http_base_url_off_loopback_is_refused_naming_it(
    remote: Emulator, command: str
) -> None:
    argv = COMMANDS[command]
    result = Cli(remote)(*argv, env=_environment(remote))
    assert _one_error_line(result, ExitCode.USAGE) == f"{argv[0]}: {REFUSED_BASE}"
    assert remote.requests == []  # refused before any I/O: the token went nowhere


def test_a_base_url_flag_is_refused_in_the_same_words(remote: Emulator) -> None:
    result = Cli(remote)("connect", "--base-url", remote.base_url, env=_environment(remote))
    refused = REFUSED_BASE.replace("SLACK_API_URL", "base_url")
    assert _one_error_line(result, ExitCode.USAGE) == f"connect: {refused}"


def test_with_the_flag_connect_and_send_reach_it(remote: Emulator) -> None:
    cli = Cli(remote)
    before = remote.workspace.history.count("C0EMU0001")
    connected = cli("connect", FLAG, env=_environment(remote))
    assert connected.code == ExitCode.OK, connected
    assert f"ws://{ADDRESS}:{remote.port}/<redacted>" in connected.stdout
    sent = cli(*COMMANDS["send"], FLAG, "--json", env=_environment(remote))
    assert sent.code == ExitCode.OK, sent
    assert '"kind":"MessageAck"' in sent.stdout and '"text":"hi"' in sent.stdout
    assert remote.workspace.history.count("C0EMU0001") == before + 1


def _listen(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "slackrtm", "listen", "--json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _finish(proc: subprocess.Popen[str]) -> Result:
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
    return Result(proc.returncode, stdout, stderr)


def _listened(proc: subprocess.Popen[str], wanted: str) -> Result:
    """Read the listener's lines until one holds `wanted`, then stop it as Ctrl-C does."""
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if wanted in line:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        result = _finish(proc)
    return Result(result.code, "".join(seen) + result.stdout, result.stderr)


def _until(ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not ready():
        assert time.monotonic() < deadline, f"no {what}"
        time.sleep(0.02)


def test_with_the_flag_listen_prints_an_event_over_ws_off_loopback(remote: Emulator) -> None:
    proc = _listen(_environment(remote), FLAG)
    _until(lambda: remote.counters.connections_open == 1, "RTM connection")
    remote.post_message("C0EMU0001", "over the test network")
    result = _listened(proc, "over the test network")
    assert result.code == ExitCode.OK, result
    assert '"text":"over the test network"' in result.stdout


def test_with_the_flag_listen_socket_mode_prints_an_envelope(remote: Emulator) -> None:
    proc = _listen(_environment(remote), "--socket-mode", FLAG)
    _until(lambda: remote.socket_mode.connections() == 1, "Socket Mode connection")
    envelope_id = remote.socket_mode.push_slash_command("/deploy", "now")
    result = _listened(proc, envelope_id)
    assert result.code == ExitCode.OK, result
    assert envelope_id in result.stdout
    assert [ack.envelope_id for ack in remote.socket_mode.acks] == [envelope_id]


class _Relay(http.server.BaseHTTPRequestHandler):
    """Passes each Web API call on to the emulator; its answers (socket URLs too) come back."""

    target = ""
    pool = urllib3.PoolManager(retries=False, timeout=TIMEOUT)

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        kept = {"authorization", "content-type"}
        headers = {k: v for k, v in self.headers.items() if k.lower() in kept}
        answer = self.pool.request(
            self.command, self.target + self.path, body=body, headers=headers
        )
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(answer.data)))
        self.end_headers()
        self.wfile.write(answer.data)

    def log_message(self, format: str, *args: object) -> None:  # quiet: no request lines
        pass


@pytest.fixture
def relay(remote: Emulator) -> Iterator[str]:
    """A loopback base URL whose socket URLs are ``ws://`` on the emulator's host (both kinds)."""
    handler = type("Relay", (_Relay,), {"target": remote.url.rstrip("/")})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


def test_a_ws_socket_url_off_loopback_is_refused_naming_the_flag(
    remote: Emulator, relay: str
) -> None:
    result = Cli(remote)("connect", env=_environment(remote, relay))
    assert _one_error_line(result, ExitCode.SLACK_ERROR) == (
        "rtm.connect: invalid response at url: ws:// (unencrypted) on a host that is not "
        "loopback, and allow_insecure is off (on the command line: --allow-insecure)"
    )
    for socket_mode in ([], ["--socket-mode"]):
        listened = _finish(_listen(_environment(remote, relay), "--count", "1", *socket_mode))
        assert listened.code == ExitCode.SLACK_ERROR, listened
        assert listened.stderr.rstrip().endswith("(on the command line: --allow-insecure)")
    assert remote.counters.connections_total == 0  # the socket was never opened
    assert remote.socket_mode.connections() == 0


def test_with_the_flag_listen_takes_the_ws_socket_url_off_loopback(
    remote: Emulator, relay: str
) -> None:
    proc = _listen(_environment(remote, relay), FLAG)
    _until(lambda: remote.counters.connections_open == 1, "RTM connection")
    remote.post_message("C0EMU0001", "through the relay")
    result = _listened(proc, "through the relay")
    assert result.code == ExitCode.OK, result
    assert '"text":"through the relay"' in result.stdout


def test_with_the_flag_listen_socket_mode_takes_the_ws_socket_url_off_loopback(
    remote: Emulator, relay: str
) -> None:
    proc = _listen(_environment(remote, relay), "--socket-mode", FLAG)
    _until(lambda: remote.socket_mode.connections() == 1, "Socket Mode connection")
    envelope_id = remote.socket_mode.push_slash_command("/deploy", "relayed")
    result = _listened(proc, envelope_id)
    assert result.code == ExitCode.OK, result
    assert [ack.envelope_id for ack in remote.socket_mode.acks] == [envelope_id]
