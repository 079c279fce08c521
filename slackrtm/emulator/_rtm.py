"""The emulated RTM side: socket tickets, open connections, and what each client frame causes.

What lives here: `Hub` (tickets, connections, message routing, presence, injected RTM faults),
`Connection` (one socket: an outbox drained in order by one writer task) and `TsClock`. Every
method runs on the server's event loop; `Emulator` moves calls from other threads onto it. The
WebSocket itself (handshake, framing) is aiohttp's: this module only queues text frames.

Frames out are JSON text built here; a synthetic burst (`Emulator.broadcast`) is pre-serialised
around its ``ts`` so that each frame costs one string join.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from aiohttp import WSCloseCode, web

from ._socket_errors import RTM_ERROR_MESSAGES, RtmError
from .records import Limits
from .workspace import EmulatedWorkspace, Presence

__all__ = ["SLACKBOT_ID", "Connection", "Hub", "Stats", "Ticket", "TsClock"]

log = logging.getLogger("slackrtm.emulator")

SLACKBOT_ID = "USLACKBOT"
"""The sender of `Emulator.broadcast` events unless another user is named."""

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


_FLAT = (str, int, float, bool, type(None))
_BURST_YIELD = 1024  # frames between yields to the loop during a burst


@attrs.define
class Stats:
    """The emulator's live counters (mutated on the loop; `Counters` is the public snapshot)."""

    requests: int = 0
    token_in_url: int = 0
    web_faults: int = 0
    rate_limited: int = 0
    tickets_issued: int = 0
    tickets_rejected: int = 0
    connections_total: int = 0
    frames_in: int = 0
    frames_out: int = 0


class TsClock:
    """Message timestamps: ``"<seconds>.<microseconds>"``, strictly increasing."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        """Start from the wall clock."""
        self._clock = clock
        self._last = 0

    def reserve(self, n: int = 1) -> int:
        """Reserve `n` consecutive timestamps; returns the first, in microseconds."""
        first = max(self._last + 1, int(self._clock() * 1_000_000))
        self._last = first + n - 1
        return first

    def next(self) -> str:
        """One new timestamp."""
        return format_ts(self.reserve())


def format_ts(us: int) -> str:
    """Microseconds since the epoch as a Slack ``ts`` string."""
    return f"{us // 1_000_000}.{us % 1_000_000:06d}"


@attrs.frozen
class Ticket:
    """What a socket URL stands for: who connects, with which options, until when."""

    user_id: str
    team_id: str
    batch_presence_aware: bool
    presence_sub: bool
    expires: float


@attrs.frozen
class _Burst:
    prefix: str
    suffix: str
    first_us: int
    n: int


@attrs.frozen
class _Close:
    code: int
    message: bytes = b""


_Item = str | bytes | _Burst | _Close

Mirror = Callable[[Any, Callable[["Connection"], bool]], None]
"""What else gets an event: the event (or its maker, per connection), and a test of whom for."""


class _Bucket:
    """A token bucket: `rate` per second sustained, `burst` at once."""

    __slots__ = ("burst", "last", "rate", "tokens")

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(max(burst, 1))
        self.tokens = self.burst
        self.last = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Connection:
    """One open RTM socket: its user, options, presence subscription and outbox."""

    def __init__(
        self,
        hub: Hub,
        ws: web.WebSocketResponse,
        request: web.Request,
        ticket: Ticket,
        number: int,
    ) -> None:
        """Wrap an accepted socket; `start` begins writing."""
        self.hub = hub
        self.ws = ws
        self.request = request
        self.number = number
        self.user_id = ticket.user_id
        self.team_id = ticket.team_id
        self.batch_presence_aware = ticket.batch_presence_aware
        self.presence_sub = ticket.presence_sub
        self.subscriptions: frozenset[str] = frozenset()
        self.closing = False
        self._handshaking = False
        self._halted = False
        self.bucket = _Bucket(hub.limits.message_rate, hub.limits.message_burst)
        self._outbox: collections.deque[_Item] = collections.deque()
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<Connection #{self.number} user={self.user_id}>"

    def start(self) -> None:
        """Start the writer task."""
        self._writer = asyncio.get_running_loop().create_task(self._write_loop())

    async def finish(self) -> None:
        """Stop writing: let a close handshake in progress end, cancel anything else."""
        writer = self._writer
        if writer is None or writer.done():
            return
        if not self._handshaking:
            writer.cancel()
        await asyncio.wait([writer])

    # -- queueing (synchronous, loop thread) --------------------------------------------------

    def send(self, frame: str | bytes) -> None:
        """Queue a text frame (a binary one for bytes)."""
        if not self.closing:
            self._outbox.append(frame)
            self._wake.set()

    def send_json(self, payload: Mapping[str, Any]) -> None:
        """Queue a JSON frame."""
        self.send(_dumps(payload))

    def send_burst(self, burst: _Burst) -> None:
        """Queue a pre-serialised burst of message events."""
        if not self.closing:
            self._outbox.append(burst)
            self._wake.set()

    def close(self, code: int = WSCloseCode.OK, message: bytes = b"", *, now: bool = False) -> None:
        """Queue a close handshake; nothing more is queued after it.

        Args:
            code: The close code.
            message: The close reason.
            now: Drop what is still queued (a burst in progress stops) and close next.
        """
        if now:
            self._outbox.clear()
            self._halted = True
        if not self.closing or now:
            self._outbox.append(_Close(code, message))
            self._wake.set()
            self.closing = True

    def abort(self) -> None:
        """Drop the TCP connection now, without a close frame."""
        self.closing = True
        self._halted = True
        self._outbox.clear()
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    # -- writing ------------------------------------------------------------------------------

    async def _write_loop(self) -> None:
        ws = self.ws
        outbox = self._outbox
        stats = self.hub.stats
        try:
            while True:
                while not outbox:
                    self._wake.clear()
                    await self._wake.wait()
                item = outbox.popleft()
                if type(item) is str:
                    await ws.send_str(item)
                    stats.frames_out += 1
                elif type(item) is bytes:
                    await ws.send_bytes(item)
                    stats.frames_out += 1
                elif type(item) is _Burst:
                    await self._write_burst(item)
                elif type(item) is _Close:
                    self._handshaking = True
                    await ws.close(code=item.code, message=item.message)
                    return
        except (ConnectionError, RuntimeError):
            # The peer went away (aiohttp raises ConnectionResetError subclasses, or
            # RuntimeError once the socket is closed): nothing left to write to.
            return

    async def _write_burst(self, burst: _Burst) -> None:
        send = self.ws.send_str
        stats = self.hub.stats
        prefix, suffix = burst.prefix, burst.suffix
        us = burst.first_us
        end = us + burst.n
        while us < end and not self._halted:
            stop = min(end, us + _BURST_YIELD)
            for ts in range(us, stop):
                await send(f"{prefix}{ts // 1_000_000}.{ts % 1_000_000:06d}{suffix}")
            stats.frames_out += stop - us
            us = stop
            # Let the reader, the Web API and other sockets run between chunks.
            await asyncio.sleep(0)


class Hub:
    """Tickets, connections and routing for the RTM side of one emulator."""

    def __init__(
        self, workspace: EmulatedWorkspace, limits: Callable[[], Limits], stats: Stats
    ) -> None:
        """Serve `workspace`; `limits` is read at each use so the emulator may change it."""
        self.workspace = workspace
        self._limits = limits
        self.stats = stats
        self.connections: dict[int, Connection] = {}
        self.tickets: dict[str, Ticket] = {}
        self.clock = TsClock()
        self.stall_pings = False
        self.reply_delay = 0.0
        self.expire_next = 0
        self.outage_until = 0.0
        """Until when (monotonic) an outage refuses sockets and ``rtm.connect``."""
        self.mirror: Mirror | None = None
        """Also gets every event delivered, while Socket Mode has sockets: the event, and whom
        it is for (a test of a connection)."""
        self._numbers = 0

    @property
    def limits(self) -> Limits:
        """The limits in force."""
        return self._limits()

    # -- tickets ------------------------------------------------------------------------------

    def issue_ticket(self, user_id: str, *, batch_presence_aware: bool, presence_sub: bool) -> str:
        """Reserve a single-use socket URL ticket for a user."""
        now = time.monotonic()
        # Tickets are kept in issue order, so the expired ones are at the front: stop at the
        # first live one instead of scanning them all (thousands in a benchmark's 30 s).
        while self.tickets:
            oldest = next(iter(self.tickets))
            if self.tickets[oldest].expires > now:
                break
            del self.tickets[oldest]
        ticket = secrets.token_urlsafe(24)
        self.tickets[ticket] = Ticket(
            user_id=user_id,
            team_id=self.workspace.users[user_id].team_id,
            batch_presence_aware=batch_presence_aware,
            presence_sub=presence_sub,
            expires=now + self.limits.ticket_ttl,
        )
        self.stats.tickets_issued += 1
        return ticket

    def take_ticket(self, ticket: str) -> Ticket | None:
        """Use a ticket up: the ticket if it is known and fresh, else None."""
        found = self.tickets.pop(ticket, None)
        if found is not None and self.expire_next > 0:
            self.expire_next -= 1
            found = None
        if found is None or found.expires <= time.monotonic():
            self.stats.tickets_rejected += 1
            return None
        return found

    # -- the socket ---------------------------------------------------------------------------

    async def serve(self, request: web.Request, ws: web.WebSocketResponse, ticket: Ticket) -> None:
        """Run one accepted socket: ``hello``, then client frames until it closes."""
        self._numbers += 1
        conn = Connection(self, ws, request, ticket, self._numbers)
        self.connections[conn.number] = conn
        self.stats.connections_total += 1
        conn.start()
        conn.send_json({"type": "hello"})
        stats = self.stats
        try:
            async for msg in ws:
                if msg.type is web.WSMsgType.TEXT:
                    stats.frames_in += 1
                    if self.reply_delay > 0:
                        await asyncio.sleep(self.reply_delay)
                    if not conn.closing:
                        self._on_text(conn, msg.data)
                elif msg.type is web.WSMsgType.BINARY:
                    stats.frames_in += 1
                elif msg.type is web.WSMsgType.PING:
                    if not self.stall_pings:
                        with contextlib.suppress(ConnectionError, RuntimeError):
                            await ws.pong(msg.data)
                elif msg.type is web.WSMsgType.ERROR:
                    log.info("rtm #%d %s: closed: %s", conn.number, conn.user_id, msg.data)
                    break
        finally:
            del self.connections[conn.number]
            await conn.finish()
            log.debug("rtm #%d %s: gone", conn.number, conn.user_id)

    def _on_text(self, conn: Connection, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            log.debug("rtm #%d: ignored a frame that is not JSON", conn.number)
            return
        if not isinstance(frame, dict):
            return
        kind = frame.get("type")
        if kind == "ping":
            if not self.stall_pings:
                pong = {"type": "pong", "reply_to": frame.get("id")}
                for key, value in frame.items():
                    if key not in pong and key != "id" and isinstance(value, _FLAT):
                        pong[key] = value
                conn.send_json(pong)
        elif kind == "message":
            self._on_message(conn, frame)
        elif kind == "typing":
            self._on_typing(conn, frame)
        elif kind == "presence_sub":
            conn.subscriptions = frozenset(_ids(frame.get("ids")))
        elif kind == "presence_query":
            users = [u for u in _ids(frame.get("ids")) if u in self.workspace.users]
            self._presence_to(conn, users)

    def _on_typing(self, conn: Connection, frame: Mapping[str, Any]) -> None:
        channel = self.workspace.channels.get(str(frame.get("channel")))
        if channel is None:
            self._fail(conn, frame, RtmError.CHANNEL_NOT_FOUND)
        elif conn.user_id not in channel.members:
            self._fail(conn, frame, RtmError.NOT_IN_CHANNEL)
        else:
            event = {"type": "user_typing", "channel": channel.id, "user": conn.user_id}
            self.deliver(event, channel.members, skip=conn)

    def _on_message(self, conn: Connection, frame: Mapping[str, Any]) -> None:
        limits = self.limits
        if not conn.bucket.take():
            log.info("rtm #%d %s: message rate limit exceeded", conn.number, conn.user_id)
            self._fail(conn, frame, RtmError.RATE_LIMITED)
            if limits.disconnect_on_rate_limit:
                conn.close(WSCloseCode.POLICY_VIOLATION, b"rate limited")
            return
        channel_id = frame.get("channel")
        text = frame.get("text")
        if not isinstance(channel_id, str) or not channel_id:
            self._fail(conn, frame, RtmError.CHANNEL_MISSING)
            return
        if not isinstance(text, str) or not text:
            self._fail(conn, frame, RtmError.MESSAGE_TEXT_MISSING)
            return
        channel = self.workspace.channels.get(channel_id)
        if channel is None:
            self._fail(conn, frame, RtmError.CHANNEL_NOT_FOUND)
            return
        if conn.user_id not in channel.members:
            self._fail(conn, frame, RtmError.NOT_IN_CHANNEL)
            return
        if len(text) > limits.max_text_length:
            self._fail(conn, frame, RtmError.MESSAGE_TOO_LONG)
            return
        us = self.clock.reserve()
        ts = format_ts(us)
        if "id" in frame:
            conn.send_json({"ok": True, "reply_to": frame["id"], "ts": ts, "text": text})
        event = {
            "type": "message",
            "channel": channel.id,
            "user": conn.user_id,
            "text": text,
            "ts": ts,
            "team": conn.team_id,
        }
        if isinstance(frame.get("thread_ts"), str):  # a reply; broadcast, it shows in the channel
            event["thread_ts"] = frame["thread_ts"]
            if frame.get("reply_broadcast") is True:
                event["subtype"] = "thread_broadcast"
        self.workspace.history.add(channel.id, us, event)
        self.deliver(event, channel.members, skip=conn)

    def post_message(self, channel_id: str, text: str, user_id: str) -> str:
        """Post a message as `user_id`: kept in history, sent to the members' sockets; its ts."""
        channel = self.workspace.channels[channel_id]
        us = self.clock.reserve()
        event = {
            "type": "message",
            "channel": channel.id,
            "user": user_id,
            "text": text,
            "ts": format_ts(us),
            "team": channel.team_id,
        }
        self.workspace.history.add(channel.id, us, event)
        self.deliver(event, channel.members)
        return str(event["ts"])

    @property
    def in_outage(self) -> bool:
        """Whether an outage refuses sockets and ``rtm.connect`` now."""
        return time.monotonic() < self.outage_until

    def begin_outage(self, seconds: float) -> int:
        """Drop every socket and refuse new ones for `seconds`; returns the sockets dropped."""
        self.outage_until = time.monotonic() + seconds
        conns = list(self.connections.values())
        for conn in conns:
            conn.abort()
        return len(conns)

    @staticmethod
    def _fail(conn: Connection, frame: Mapping[str, Any], code: RtmError) -> None:
        error = {"code": int(code), "msg": RTM_ERROR_MESSAGES[code]}
        if "id" in frame:
            conn.send_json({"ok": False, "reply_to": frame["id"], "error": error})
        else:
            conn.send_json({"type": "error", "error": error})

    def deliver(
        self, event: Mapping[str, Any], members: Iterable[str], skip: Connection | None = None
    ) -> None:
        """Queue ``event`` to every open connection of ``members`` (but ``skip``)."""
        wanted = set(members)
        frame = _dumps(event)
        for conn in list(self.connections.values()):
            if conn is not skip and conn.user_id in wanted:
                conn.send(frame)
        if self.mirror is not None:
            self.mirror(event, lambda c: c.user_id in wanted)

    # -- presence -----------------------------------------------------------------------------

    def _presence_to(self, conn: Connection, user_ids: list[str]) -> None:
        users = self.workspace.users
        if conn.batch_presence_aware:
            by_presence: dict[str, list[str]] = {}
            for uid in user_ids:
                by_presence.setdefault(users[uid].presence, []).append(uid)
            for presence, ids in by_presence.items():
                conn.send_json({"type": "presence_change", "users": ids, "presence": presence})
        else:
            for uid in user_ids:
                conn.send_json(
                    {"type": "presence_change", "user": uid, "presence": users[uid].presence}
                )

    def set_presence(self, user_id: str, presence: Presence, *, manual: bool = True) -> int:
        """Change a user's presence and send the events it implies; returns frames queued."""
        user = self.workspace.users[user_id]
        if presence not in ("active", "away"):
            raise ValueError(f"presence must be 'active' or 'away', got {presence!r}")
        user.presence = presence
        sent = 0
        for conn in list(self.connections.values()):
            if manual and conn.user_id == user_id:
                conn.send_json({"type": "manual_presence_change", "presence": presence})
                sent += 1
            if user_id in conn.subscriptions if conn.presence_sub else conn.team_id == user.team_id:
                self._presence_to(conn, [user_id])
                sent += 1
        return sent

    # -- injected faults and synthetic traffic ------------------------------------------------

    def targets(self, user_id: str | None) -> list[Connection]:
        """The open connections, or those of one user."""
        return [c for c in self.connections.values() if user_id is None or c.user_id == user_id]

    def broadcast(
        self, n: int, channel_id: str | None, *, text: str, user_id: str, team_id: str | None
    ) -> int:
        """Queue `n` synthetic message events to every connection in the channel (or all)."""
        channels = self.workspace.channels
        everyone = channel_id is None or channel_id not in channels
        if channel_id is None:
            targets = list(self.connections.values())
            channel_id = next(iter(channels), "C0000000000")
        else:
            members = channels[channel_id].members
            targets = [c for c in self.connections.values() if c.user_id in members]
        if team_id is None:
            channel = channels.get(channel_id)
            team_id = channel.team_id if channel is not None else ""
        prefix = _dumps({"type": "message", "channel": channel_id, "user": user_id, "text": text})
        prefix = prefix[:-1] + ',"ts":"'
        suffix = '","team":' + _dumps(team_id) + "}"
        if n > 0:
            first = self.clock.reserve(n)
            burst = _Burst(prefix, suffix, first, n)
            if channel_id in channels:
                fields = {"user": user_id, "text": text, "team": team_id}
                self.workspace.history.add(channel_id, first, fields, count=n)
            for conn in targets:
                conn.send_burst(burst)
            if self.mirror is not None:
                event = {"type": "message", "channel": channel_id, "user": user_id, "text": text}
                among = None if everyone else channels[channel_id].members
                for us in range(first, first + n):
                    self.mirror(
                        {**event, "ts": format_ts(us), "team": team_id},
                        lambda c: among is None or c.user_id in among,
                    )
        return len(targets)

    async def close_all(self, timeout: float) -> None:
        """Close every socket (1001, going away); abort those that do not finish in time."""
        conns = list(self.connections.values())
        for conn in conns:
            conn.close(WSCloseCode.GOING_AWAY, b"server shutdown", now=True)
        tasks = [c._writer for c in conns if c._writer is not None and not c._writer.done()]
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=timeout)
            for conn in conns:
                if conn._writer in pending:
                    conn.abort()


def _ids(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]
