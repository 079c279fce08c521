"""A Slack of the tests' own for Socket Mode: ``apps.connections.open`` and scripted sockets.

`tests/rtm/hostile_ws.py`'s server, taught ``apps.connections.open`` (a socket URL on the same
port): each socket opened runs a script of the test (a function of the `Peer` and the socket's
number, from 1), so a test says exactly what Slack sends on every connection and reads what the
session writes (acks). The frames are Slack's documented shapes (api.slack.com/apis/socket-mode:
``hello``, ``disconnect``, the three envelope types).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from typing import Any

from tests.rtm.hostile_ws import HostileSlack, Peer, _read_request

APP_TOKEN = "xapp-1-A0TEST-secret"
BOT_TOKEN = "xoxb-socket-mode-secret"


def hello(peer: Peer, connections: int = 1) -> None:
    peer.send_text(
        json.dumps(
            {
                "type": "hello",
                "num_connections": connections,
                "debug_info": {"host": "applink-test", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A0TEST"},
            }
        )
    )


def disconnect(peer: Peer, reason: str) -> None:
    peer.send_text(
        json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink"}})
    )


def message_envelope(envelope_id: str, event_id: str, text: str, retry: int = 0) -> str:
    """An ``events_api`` envelope carrying a ``message`` event."""
    event = {
        "type": "message",
        "channel": "C0EMU0001",
        "user": "U0EMU0001",
        "text": text,
        "ts": "1700000000.000100",
        "event_ts": "1700000000.000100",
        "channel_type": "channel",
    }
    return json.dumps(
        {
            "envelope_id": envelope_id,
            "payload": {
                "token": "verification",
                "team_id": "T0EMU",
                "api_app_id": "A0TEST",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": 1700000000,
            },
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": retry,
            "retry_reason": "timeout" if retry else "",
        }
    )


def slash_envelope(envelope_id: str) -> str:
    return json.dumps(
        {
            "envelope_id": envelope_id,
            "payload": {
                "token": "verification",
                "team_id": "T0EMU",
                "team_domain": "emulated",
                "channel_id": "C0EMU0001",
                "channel_name": "general",
                "user_id": "U0EMU0001",
                "user_name": "alice",
                "command": "/deploy",
                "text": "now",
                "api_app_id": "A0TEST",
                "response_url": "https://hooks.slack.com/commands/T0EMU/1/x",
                "trigger_id": "1.2.3",
            },
            "type": "slash_commands",
            "accepts_response_payload": True,
        }
    )


def interactive_envelope(envelope_id: str) -> str:
    return json.dumps(
        {
            "envelope_id": envelope_id,
            "payload": {
                "type": "block_actions",
                "user": {"id": "U0EMU0001", "username": "alice", "team_id": "T0EMU"},
                "api_app_id": "A0TEST",
                "token": "verification",
                "trigger_id": "1.2.4",
                "team": {"id": "T0EMU", "domain": "emulated"},
                "actions": [{"action_id": "ok", "block_id": "b", "type": "button"}],
            },
            "type": "interactive",
            "accepts_response_payload": False,
        }
    )


def acks(peer: Peer, until: int, seconds: float = 10.0) -> list[dict[str, Any]]:
    """The session's acks on this socket, read until `until` came (or the socket closed)."""
    got: list[dict[str, Any]] = []
    peer.conn.settimeout(seconds)
    for opcode, data in peer.frames():
        if opcode == 0x8:
            break
        if opcode == 0x1:
            got.append(json.loads(data))
            if len(got) >= until:
                break
    return got


class SocketModeSlack(HostileSlack):
    """`HostileSlack` that answers ``apps.connections.open`` too (and counts the calls)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.opens: list[bytes] = []
        """The body of each ``apps.connections.open`` request."""
        self.answer = threading.Event()
        super().__init__(*args, **kwargs)

    def __enter__(self) -> SocketModeSlack:
        return self

    def _one(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            # Short: a client's idle keep-alive connection must not hold the server's exit.
            conn.settimeout(1.0)
            while not self.stop.is_set():
                head, body = _read_request(conn)
                if not head:
                    return
                if b"apps.connections.open" in head.split(b"\r\n", 1)[0]:
                    self.opens.append(body)
                    self._answer_open(conn)
                    continue
                self._socket(conn, head)
                return

    def _answer_open(self, conn: socket.socket) -> None:
        url = f"ws://127.0.0.1:{self.port}/link/?ticket=secret-{len(self.opens)}&app_id=A0TEST"
        body = json.dumps({"ok": True, "url": url}).encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
        conn.sendall(head.encode() + b"\r\n\r\n" + body)
