"""The emulator's start and stop: threads and loops, ports, shutdown with work in flight.

Also its logging, its CLI and its pytest plugin.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import aiohttp
import pytest
import urllib3

from slackrtm.emulator import EmulatedWorkspace, Emulator

from .emulator_suite import BOT_TOKEN, TIMEOUT, call, closed, open_rtm, payload, recv


def emulator_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "slackrtm-emulator"}


def test_sync_form_runs_on_a_thread(http: urllib3.PoolManager) -> None:
    before = emulator_threads()  # other suites may keep an emulator running
    emu = Emulator()
    assert repr(emu) == "<Emulator not started>"
    with pytest.raises(RuntimeError, match="not started"):
        _ = emu.port
    with emu:
        assert emu.base_url == f"http://127.0.0.1:{emu.port}/api/"
        assert emu.control_url == f"http://127.0.0.1:{emu.port}/_emulator/"
        assert emu.bot_token.startswith("xoxb-")
        assert emu.user_token.startswith("xoxp-")
        assert len(emulator_threads() - before) == 1
        assert payload(call(http, emu, token=emu.bot_token))["ok"] is True
        with pytest.raises(RuntimeError, match="once"):
            emu.__enter__()
    assert emulator_threads() == before
    with pytest.raises(urllib3.exceptions.NewConnectionError):
        call(http, emu, token=emu.bot_token)


async def test_async_form_runs_on_the_running_loop() -> None:
    async with Emulator() as emu, aiohttp.ClientSession() as session:
        assert threading.active_count() >= 1
        async with session.get(
            emu.base_url + "rtm.connect", headers={"Authorization": f"Bearer {BOT_TOKEN}"}
        ) as resp:
            assert (await resp.json())["ok"] is True
        with pytest.raises(RuntimeError, match="once"):
            await emu.start()


def test_ephemeral_ports_and_two_at_once() -> None:
    with Emulator() as first, Emulator() as second:
        assert first.port != second.port
        assert first.port > 0


def test_explicit_port_and_busy_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Emulator(port=port) as emu:
        assert emu.port == port
        with pytest.raises(OSError, match="address"), Emulator(port=port):
            pass


async def test_stop_closes_open_sockets() -> None:
    emu = Emulator()
    async with aiohttp.ClientSession() as session:
        await emu.start()
        ws = await open_rtm(session, emu)
        await emu.stop()
        kind, data = await closed(ws)
        assert (kind, data) == (aiohttp.WSMsgType.CLOSE, aiohttp.WSCloseCode.GOING_AWAY)


def test_stop_with_a_request_in_flight(http: urllib3.PoolManager) -> None:
    outcome: list[object] = []
    with Emulator() as emu:
        emu.faults.web(delay=30)

        def slow_call() -> None:
            try:
                outcome.append(call(http, emu, token=BOT_TOKEN).status)
            except urllib3.exceptions.HTTPError as exc:
                outcome.append(exc)

        caller = threading.Thread(target=slow_call)
        caller.start()
        while not emu.requests:
            time.sleep(0.01)
        start = time.monotonic()
    assert time.monotonic() - start < 3  # the delay ends with the server
    caller.join(TIMEOUT)
    assert len(outcome) == 1


def test_stop_while_a_client_reads_a_burst() -> None:
    async def client(emu: Emulator) -> None:
        async with aiohttp.ClientSession() as session:
            ws = await open_rtm(session, emu)
            emu.broadcast(1_000_000)
            await recv(ws)
            await asyncio.to_thread(emu.__exit__, None, None, None)
            await closed(ws)

    emu = Emulator().__enter__()
    asyncio.run(client(emu))


def test_controls_from_many_threads() -> None:
    async def client(emu: Emulator) -> list[str]:
        async with aiohttp.ClientSession() as session:
            ws = await open_rtm(session, emu)

            def spam(tag: int) -> None:
                for i in range(50):
                    emu.send_raw(f"{tag}:{i}")

            threads = [threading.Thread(target=spam, args=(t,)) for t in range(4)]
            for t in threads:
                t.start()
            frames = [(await ws.receive(timeout=TIMEOUT)).data for _ in range(200)]
            for t in threads:
                t.join()
            await ws.close()
            return frames

    with Emulator() as emu:
        frames = asyncio.run(client(emu))
    for tag in range(4):  # each thread's frames in its own order
        mine = [f for f in frames if f.startswith(f"{tag}:")]
        assert mine == [f"{tag}:{i}" for i in range(50)]


def test_log_lines_never_show_a_token_or_socket_url(
    http: urllib3.PoolManager, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="slackrtm.emulator")
    with Emulator() as emu:
        url = payload(call(http, emu, "GET", fields={"token": BOT_TOKEN}))["url"]
        call(http, emu, "POST", fields={"token": BOT_TOKEN})
        call(http, emu, token="xoxb-secret-unknown")

        async def visit() -> None:
            async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
                await recv(ws)

        asyncio.run(visit())
        http.request("GET", emu.control_url + "counters")
    lines = [r.getMessage() for r in caplog.records if r.name == "slackrtm.emulator"]
    api_lines = [line for line in lines if "rtm.connect" in line]
    assert len(api_lines) == 3  # one per call
    assert "GET rtm.connect -> 200 ok (token: query)" in api_lines
    assert any("invalid_auth" in line for line in api_lines)
    assert any("/websocket/<ticket> -> 101" in line for line in lines)
    assert any("/_emulator/counters -> 200" in line for line in lines)
    ticket = url.rsplit("/", 1)[1]
    text = "\n".join(lines) + caplog.text
    for secret in (BOT_TOKEN, "xoxb-secret-unknown", ticket):
        assert secret not in text


def test_custom_workspace_and_repr() -> None:
    ws = EmulatedWorkspace()
    ws.add_team("T1", name="Acme", domain="acme")
    ws.add_user("U1", name="bot", team_id="T1", is_bot=True)
    ws.add_token("xoxb-acme", user_id="U1")
    with Emulator(ws) as emu:
        assert emu.bot_token == "xoxb-acme"
        assert repr(emu) == f"<Emulator http://127.0.0.1:{emu.port}/>"
        with pytest.raises(LookupError):
            _ = emu.user_token


# -- the command line -----------------------------------------------------------------------------


def start_cli(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "slackrtm.emulator", "--host", "127.0.0.1", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    info: dict[str, str] = {}
    first = proc.stdout.readline()
    assert first.startswith("slackrtm emulator listening on http://127.0.0.1:"), first
    while "user_token" not in info:
        key, _, value = proc.stdout.readline().strip().partition("=")
        info[key] = value
    return proc, info


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_cli_prints_then_stops_cleanly(http: urllib3.PoolManager, signum: int) -> None:
    proc, info = start_cli()
    try:
        assert info["base_url"].endswith("/api/")
        assert info["bot_token"] == BOT_TOKEN
        response = http.request(
            "GET",
            info["base_url"] + "rtm.connect",
            headers={"Authorization": f"Bearer {info['bot_token']}"},
        )
        assert payload(response)["ok"] is True
    finally:
        proc.send_signal(signum)
        _out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert BOT_TOKEN not in err  # logs never show a token
    assert "GET rtm.connect -> 200 ok" in err


def test_cli_workspace_file(tmp_path: Path, http: urllib3.PoolManager) -> None:
    path = tmp_path / "ws.json"
    path.write_text(
        json.dumps(
            {
                "teams": [{"id": "T1", "name": "Acme", "domain": "acme"}],
                "users": [
                    {"id": "U1", "name": "bot", "team_id": "T1", "is_bot": True},
                    {"id": "U2", "name": "eve", "team_id": "T1"},
                ],
                "tokens": [
                    {"token": "xoxb-acme", "user_id": "U1"},
                    {"token": "xoxp-acme", "user_id": "U2"},
                ],
            }
        ),
        encoding="utf-8",
    )
    proc, info = start_cli("--workspace", str(path), "--log-level", "WARNING")
    try:
        assert (info["bot_token"], info["user_token"]) == ("xoxb-acme", "xoxp-acme")
        response = http.request(
            "GET", info["base_url"] + "rtm.connect", headers={"Authorization": "Bearer xoxp-acme"}
        )
        assert payload(response)["team"]["domain"] == "acme"
    finally:
        proc.terminate()
        proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0


def test_cli_bad_workspace_file(tmp_path: Path) -> None:
    path = tmp_path / "ws.json"
    path.write_text("{}}", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "slackrtm.emulator", "--workspace", str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 2,
        check=False,
    )
    assert result.returncode == 2
    assert "error:" in result.stderr


# -- the pytest plugin ----------------------------------------------------------------------------


def test_pytest_plugin_fixtures(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n",
        encoding="utf-8",
    )
    (tmp_path / "test_bot.py").write_text(
        textwrap.dedent(
            """
            import json, urllib.request

            def test_sync(emulator):
                req = urllib.request.Request(
                    emulator.base_url + "rtm.connect",
                    headers={"Authorization": "Bearer " + emulator.bot_token},
                )
                with urllib.request.urlopen(req) as resp:
                    assert json.load(resp)["ok"] is True

            async def test_async(async_emulator):
                import aiohttp
                async with aiohttp.ClientSession() as session:
                    async with session.get(
                        async_emulator.base_url + "rtm.connect",
                        params={"token": async_emulator.bot_token},
                    ) as resp:
                        assert (await resp.json())["ok"] is True
            """
        ),
        encoding="utf-8",
    )
    # Installed with the package's pytest11 entry point, the plugin loads by itself; otherwise it
    # is named on the command line, as a user's conftest would name it.
    registered = any(
        ep.value == "slackrtm.emulator.pytest_plugin"
        for ep in importlib.metadata.entry_points(group="pytest11")
    )
    load = [] if registered else ["-p", "slackrtm.emulator.pytest_plugin"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            *load,
            "-p",
            "no:cacheprovider",
            "-W",
            "error::pytest.PytestUnraisableExceptionWarning",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
