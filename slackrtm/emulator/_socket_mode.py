"""The emulated Socket Mode side: tickets, an app's connections, envelopes, acks and retries.

What lives here: `SocketModeHub`, one per emulator, on the server's loop. ``apps.connections.open``
with an app-level token issues a single-use ticket (`issue_ticket`); the socket at `LINK_PREFIX`
takes it, says ``hello`` (with ``num_connections``) and then carries envelopes. An envelope goes
to one of the app's connections, the newest open one, and waits for its ack `ack_seconds`;
unacked, it is sent again with ``retry_attempt`` 1, 2, 3 and ``retry_reason`` ``timeout``
(Slack's `MAX_RETRIES`), perhaps on another connection, then dropped. Every ack is recorded
(`AckRecord`). At most `MAX_CONNECTIONS` connections per app: one more gets ``disconnect``
``too_many_websockets``. ``disconnect`` is sent on demand with any reason (``warning`` and
``refresh_requested`` close the socket `disconnect_grace` seconds later, ``link_disabled`` at
once); a ``debug_reconnects`` connection lives `debug_life` seconds, ``refresh_requested`` first.
Every event the RTM side delivers (`Hub.deliver`, `Hub.broadcast`, the workspace's changes)
reaches an app whose bot user would get it over RTM, as an ``events_api`` envelope, through
`Hub.mirror`. Faults as for RTM: drops, stalled pings, a close without a code, no ``hello``,
slow answers. The frames' shapes and Slack's numbers come from `slackrtm.envelopes`.

Each connection's writing is `_rtm.Connection`'s (an outbox drained in order); nothing here
starts a thread. Never logged: tokens and socket URLs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import logging
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from aiohttp import WSCloseCode, WSMsgType, web

from slackrtm._generated.envelopes import ACK_SECONDS, MAX_CONNECTIONS, MAX_RETRIES

from ._rtm import Connection, Hub, Ticket
from .workspace import EmulatedWorkspace

__all__ = ["LINK_PREFIX", "AckRecord", "SocketModeHub", "app_id_of"]

log = logging.getLogger("slackrtm.emulator")

LINK_PREFIX = "/link/"
"""Where Socket Mode sockets connect, as Slack's ``wss://wss-primary.slack.com/link/``."""

HOST = "emulator-applink"
"""The ``debug_info.host`` the emulated socket gives."""

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def app_id_of(token: str) -> str:
    """The app of an app-level token: ``A...`` in Slack's shape ``xapp-1-A0123-...``.

    A token of another shape gets a made-up ID of its own, always the same.
    """
    parts = token.split("-")
    if len(parts) > 2 and parts[2][:1] == "A" and parts[2].isalnum():
        return parts[2]
    return "A" + hashlib.sha256(token.encode()).hexdigest()[:10].upper()


@attrs.frozen
class AckRecord:
    """An ack the app sent, as the emulator read it.

    Attributes:
        envelope_id: The envelope it names.
        payload: Its ``payload``, as sent (None without one).
        connection: The number of the connection it came on.
        retry_attempt: The delivery it answered (0 for the first); None when the envelope was
            not waiting for an ack (acked before, dropped, or unknown).
        envelope_type: The envelope's ``type``; None when unknown.
        at: When it arrived (``time.monotonic()``).
    """

    envelope_id: str
    payload: Any
    connection: int
    retry_attempt: int | None
    envelope_type: str | None
    at: float


@attrs.frozen
class _AppTicket:
    app_id: str
    user_id: str
    team_id: str
    expires: float
    debug_reconnects: bool


class _Envelope:
    """One envelope to deliver: its frame's fields, its attempt, its ack timer."""

    __slots__ = ("accepts", "app_id", "attempt", "envelope_id", "kind", "payload", "timer")

    def __init__(self, app_id: str, kind: str, payload: Mapping[str, Any], accepts: bool) -> None:
        self.app_id = app_id
        self.kind = kind
        self.payload = payload
        self.accepts = accepts
        self.envelope_id = str(uuid.uuid4())  # as Slack writes them
        self.attempt = 0
        self.timer: asyncio.TimerHandle | None = None

    def frame(self) -> str:
        out: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "payload": self.payload,
            "type": self.kind,
            "accepts_response_payload": self.accepts,
        }
        if self.attempt:
            out["retry_attempt"] = self.attempt
            out["retry_reason"] = "timeout"
        return _dumps(out)


class _AppConnection:
    """One open Socket Mode socket: its app, its writer, its timers."""

    def __init__(self, conn: Connection, app_id: str, debug_reconnects: bool) -> None:
        self.conn = conn
        self.app_id = app_id
        self.debug_reconnects = debug_reconnects
        self.timers: list[asyncio.TimerHandle] = []

    @property
    def number(self) -> int:
        return self.conn.number

    def later(self, seconds: float, fn: Callable[[], None]) -> None:
        self.timers.append(asyncio.get_running_loop().call_later(seconds, fn))

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()


class SocketModeHub:
    """The Socket Mode side of one emulator: tickets, connections, envelopes and acks.

    Attributes:
        ack_seconds: How long an envelope waits for its ack before it is sent again.
        disconnect_grace: Seconds between ``disconnect`` ``warning`` (or ``refresh_requested``)
            and the close.
        debug_life: How long a ``debug_reconnects`` connection lives.
        acks: Every ack received, in order.
        dropped: The envelope IDs given up after their last retry, in order.
    """

    def __init__(self, hub: Hub, workspace: EmulatedWorkspace) -> None:
        """Serve the apps of `workspace`, with `hub`'s limits and counters; mirror its events."""
        self.hub = hub
        self.workspace = workspace
        self.tickets: dict[str, _AppTicket] = {}
        self.connections: dict[int, _AppConnection] = {}
        self.pending: dict[str, _Envelope] = {}
        self.acks: list[AckRecord] = []
        self.dropped: list[str] = []
        self.ack_seconds: float = float(ACK_SECONDS)
        self.disconnect_grace = 10.0
        self.debug_life = 360.0
        self.no_hello = 0
        self.reply_delay = 0.0
        self.stall_pings = False
        self._numbers = itertools.count(1_000_001)  # apart from the RTM side's numbers
        self._event_ids = itertools.count(1)

    def reset(self) -> None:
        """Back to the defaults; forget the records and the envelopes not acked yet.

        Open sockets and issued tickets stay.
        """
        for envelope in self.pending.values():
            if envelope.timer is not None:
                envelope.timer.cancel()
        self.pending.clear()
        self.acks.clear()
        self.dropped.clear()
        self.ack_seconds = float(ACK_SECONDS)
        self.disconnect_grace = 10.0
        self.debug_life = 360.0
        self.no_hello = 0
        self.reply_delay = 0.0
        self.stall_pings = False

    # -- tickets ------------------------------------------------------------------------------

    def issue_ticket(self, token: str, user_id: str, *, debug_reconnects: bool) -> tuple[str, str]:
        """A single-use ticket for the app of `token` (acting as `user_id`); and its app ID."""
        now = time.monotonic()
        self.tickets = {k: t for k, t in self.tickets.items() if t.expires > now}
        ticket = secrets.token_urlsafe(24)
        app_id = app_id_of(token)
        self.tickets[ticket] = _AppTicket(
            app_id=app_id,
            user_id=user_id,
            team_id=self.workspace.users[user_id].team_id,
            expires=now + self.hub.limits.ticket_ttl,
            debug_reconnects=debug_reconnects,
        )
        self.hub.stats.tickets_issued += 1
        return ticket, app_id

    def take_ticket(self, ticket: str) -> _AppTicket | None:
        """Use a ticket up: it if it is known and fresh, else None."""
        found = self.tickets.pop(ticket, None)
        if found is None or found.expires <= time.monotonic():
            self.hub.stats.tickets_rejected += 1
            return None
        return found

    def app_connections(self, app_id: str | None = None) -> list[_AppConnection]:
        """The open connections (not closing), of one app or all, oldest first."""
        return [
            c
            for c in self.connections.values()
            if not c.conn.closing and (app_id is None or c.app_id == app_id)
        ]

    # -- the socket ---------------------------------------------------------------------------

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """One Socket Mode socket: the ticket, ``hello``, then acks until it closes."""
        hub = self.hub
        if hub.in_outage:
            raise web.HTTPServiceUnavailable(text="outage")
        ws = web.WebSocketResponse(autoping=False, compress=False, timeout=2.0)
        await ws.prepare(request)
        ticket = self.take_ticket(request.query.get("ticket", ""))
        if ticket is None:
            log.info("GET %s<ticket> -> 101, unknown or expired ticket", LINK_PREFIX)
            await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"invalid ticket")
            return ws
        debug = ticket.debug_reconnects or request.query.get("debug_reconnects") == "true"
        rtm_ticket = Ticket(ticket.user_id, ticket.team_id, False, False, ticket.expires)
        conn = _AppConnection(
            Connection(hub, ws, request, rtm_ticket, next(self._numbers)), ticket.app_id, debug
        )
        conn.conn.start()
        if len(self.app_connections(ticket.app_id)) >= MAX_CONNECTIONS:
            log.info("socket mode %s: too many connections", ticket.app_id)
            self._disconnect(conn, "too_many_websockets")
            try:
                await self._read(conn, ws)  # until the close handshake ends
            finally:
                await conn.conn.finish()
            return ws
        self.connections[conn.number] = conn
        hub.mirror = self.mirror  # the RTM side's events reach the apps while any is connected
        hub.stats.connections_total += 1
        log.info("GET %s<ticket> -> 101 app %s #%d", LINK_PREFIX, conn.app_id, conn.number)
        try:
            self._opened(conn)
            await self._read(conn, ws)
        finally:
            del self.connections[conn.number]
            if not self.connections:
                hub.mirror = None
            conn.cancel_timers()
            await conn.conn.finish()
        return ws

    def _opened(self, conn: _AppConnection) -> None:
        if self.no_hello > 0:
            self.no_hello -= 1
        else:
            life = int(self.debug_life if conn.debug_reconnects else 18060)
            conn.conn.send_json(
                {
                    "type": "hello",
                    "num_connections": len(self.app_connections(conn.app_id)),
                    "debug_info": {
                        "host": HOST,
                        "build_number": 1,
                        "approximate_connection_time": life,
                    },
                    "connection_info": {"app_id": conn.app_id},
                }
            )
        if conn.debug_reconnects:
            conn.later(self.debug_life, lambda: self._disconnect(conn, "refresh_requested"))
        # Envelopes that found no connection open wait for this one.
        for envelope in list(self.pending.values()):
            if envelope.app_id == conn.app_id and envelope.timer is None:
                self._send(envelope)

    async def _read(self, conn: _AppConnection, ws: web.WebSocketResponse) -> None:
        stats = self.hub.stats
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                stats.frames_in += 1
                if self.reply_delay > 0:
                    await asyncio.sleep(self.reply_delay)
                self._on_text(conn, msg.data)
            elif msg.type is WSMsgType.PING:
                if not self.stall_pings:
                    with contextlib.suppress(ConnectionError, RuntimeError):
                        await ws.pong(msg.data)
            elif msg.type is WSMsgType.ERROR:
                break
            else:
                stats.frames_in += 1

    def _on_text(self, conn: _AppConnection, data: str) -> None:
        """An ack, or anything else (read and ignored, as Slack does)."""
        try:
            frame = json.loads(data)
        except ValueError:
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("envelope_id"), str):
            return
        envelope = self.pending.pop(frame["envelope_id"], None)
        if envelope is not None and envelope.timer is not None:
            envelope.timer.cancel()
        self.acks.append(
            AckRecord(
                envelope_id=frame["envelope_id"],
                payload=frame.get("payload"),
                connection=conn.number,
                retry_attempt=None if envelope is None else envelope.attempt,
                envelope_type=None if envelope is None else envelope.kind,
                at=time.monotonic(),
            )
        )

    # -- envelopes ----------------------------------------------------------------------------

    def envelope(
        self,
        app_id: str,
        kind: str,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool = False,
        everywhere: bool = False,
    ) -> str:
        """Deliver an envelope to the app: to its newest connection, or `everywhere` at once.

        Returns:
            The envelope's ID.
        """
        envelope = _Envelope(app_id, kind, payload, accepts_response_payload)
        self.pending[envelope.envelope_id] = envelope
        if everywhere:
            frame = envelope.frame()
            for conn in self.app_connections(app_id):
                conn.conn.send(frame)
            self._wait_for_ack(envelope)
        else:
            self._send(envelope)
        return envelope.envelope_id

    def event_callback(self, app_id: str, event: Mapping[str, Any], team_id: str) -> dict[str, Any]:
        """An Events API delivery of `event` to the app, with a fresh ``event_id``."""
        number = next(self._event_ids)
        now = int(time.time())
        return {
            "token": "emulator-verification-token",
            "team_id": team_id,
            "api_app_id": app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": f"Ev0EMU{number:08d}",
            "event_time": now,
            "authorizations": [self._authorization(app_id, team_id)],
            "is_ext_shared_channel": False,
            "event_context": f"4-{event.get('type', 'event')}-{team_id}-{number}",
        }

    def _authorization(self, app_id: str, team_id: str) -> dict[str, Any]:
        bot = self._bot_of(app_id)
        team = self.workspace.teams.get(team_id)
        return {
            "enterprise_id": team.enterprise_id if team is not None else None,
            "team_id": team_id,
            "user_id": bot or "",
            "is_bot": True,
            "is_enterprise_install": False,
        }

    def _bot_of(self, app_id: str) -> str | None:
        for conn in self.connections.values():
            if conn.app_id == app_id:
                return conn.conn.user_id
        return None

    def _send(self, envelope: _Envelope) -> None:
        """Write the envelope on the app's newest connection, then wait for its ack."""
        open_now = self.app_connections(envelope.app_id)
        if not open_now:
            envelope.timer = None  # sent when a connection of the app opens
            return
        open_now[-1].conn.send(envelope.frame())
        self._wait_for_ack(envelope)

    def _wait_for_ack(self, envelope: _Envelope) -> None:
        loop = asyncio.get_running_loop()
        envelope.timer = loop.call_later(self.ack_seconds, self._expired, envelope.envelope_id)

    def _expired(self, envelope_id: str) -> None:
        envelope = self.pending.get(envelope_id)
        if envelope is None:
            return
        if envelope.attempt >= MAX_RETRIES:
            del self.pending[envelope_id]
            self.dropped.append(envelope_id)
            log.info(
                "socket mode %s: envelope given up after %d retries", envelope.app_id, MAX_RETRIES
            )
            return
        envelope.attempt += 1
        self._send(envelope)

    # -- what the RTM side delivers, mirrored --------------------------------------------------

    def mirror(
        self,
        event: Mapping[str, Any] | Callable[[Connection], Mapping[str, Any]],
        wanted: Callable[[Connection], bool],
    ) -> None:
        """An RTM event, to every app whose bot user the RTM side would send it to."""
        seen: set[str] = set()
        for conn in reversed(list(self.connections.values())):
            if conn.app_id in seen or conn.conn.closing or not wanted(conn.conn):
                continue
            seen.add(conn.app_id)
            body = event(conn.conn) if callable(event) else event
            payload = self.event_callback(conn.app_id, body, conn.conn.team_id)
            self.envelope(conn.app_id, "events_api", payload)

    # -- disconnects and faults ----------------------------------------------------------------

    def disconnect(self, reason: str, app_id: str | None = None) -> int:
        """Send ``disconnect`` with `reason` on the app's connections (or all); how many."""
        targets = self.app_connections(app_id)
        for conn in targets:
            self._disconnect(conn, reason)
        return len(targets)

    def _disconnect(self, conn: _AppConnection, reason: str) -> None:
        conn.conn.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}})
        if reason in ("warning", "refresh_requested"):
            conn.later(self.disconnect_grace, lambda: conn.conn.close(WSCloseCode.GOING_AWAY))
        elif reason in ("link_disabled", "too_many_websockets"):
            conn.conn.close(WSCloseCode.POLICY_VIOLATION, reason.encode())

    def drop(self, app_id: str | None = None) -> int:
        """Abort the TCP connection of the app's sockets (or all): no close frame."""
        targets = self.app_connections(app_id)
        for conn in targets:
            conn.conn.abort()
        return len(targets)

    async def close_all(self, timeout: float) -> None:
        """Close every socket (1001, going away); abort those that do not close in time."""
        conns = list(self.connections.values())
        for conn in conns:
            conn.conn.close(WSCloseCode.GOING_AWAY, b"server shutdown", now=True)
        deadline = time.monotonic() + timeout
        while self.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        for conn in list(self.connections.values()):
            conn.conn.abort()

    def close(self, code: int | None = 1000, app_id: str | None = None) -> int:
        """Close the app's sockets (or all) with `code`; None sends a close frame without one."""
        targets = self.app_connections(app_id)
        for conn in targets:
            if code is None:
                asyncio.get_running_loop().create_task(_close_without_code(conn.conn))
            else:
                conn.conn.close(code)
        return len(targets)


async def _close_without_code(conn: Connection) -> None:
    """A close frame with no status code (RFC 6455's 1005 at the peer), then the TCP close."""
    conn.closing = True
    writer = conn.ws._writer  # aiohttp's own close always writes a code
    with contextlib.suppress(ConnectionError, RuntimeError, AttributeError):
        if writer is not None:
            await writer.send_frame(b"", WSMsgType.CLOSE)
    await asyncio.sleep(0.05)
    transport = conn.request.transport
    if transport is not None:
        transport.close()
