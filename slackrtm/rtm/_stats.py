"""The session's health in numbers: the books the engine keeps, and the `RtmStats` it reports.

`StatsBook` is written by the engine (`_protocol.py`) as things happen (a ``hello``, a lost
connection, a pong, a batch of inbound frames) and by the outbox (`_sends.py`) as sends
complete; `RtmStats` is the snapshot `RtmProtocol.stats` makes of them for a user
(``rtm.stats``). Reading never blocks and costs a few attribute reads: the books are plain
numbers, updated once per batch of frames on the inbound path, never per event.

No clock of its own (every call takes ``now``) and no decision: nothing here changes what the
session does.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping

import attrs

__all__ = ["MAX_CAUSES", "RtmStats", "StatsBook"]

MAX_CAUSES = 32
"""Distinct disconnect causes counted by name; later new ones count under ``"other"``. Causes
are words chosen by the session, but some carry a number (a close code), so the table is
bounded for a session that lives for months."""


@attrs.frozen(kw_only=True)
class RtmStats:
    """A snapshot of one session's health (``rtm.stats``); durations in seconds.

    Attributes:
        state: The session's state when it was taken (``connected``, ``waiting``, ...).
        uptime: Since the session started (its first connection attempt); 0 before.
        connected_for: Since the current connection's ``hello``; None when not connected.
        last_frame_age: Since the newest frame from Slack on the current socket (any frame:
            an event, an ack, a pong); None when no socket is open.
        ping_rtt: The round trip of the last ping answered by its pong; None before any.
            Pings go out only after ``ping_interval`` without a frame, so a busy session
            may never measure one.
        connects: Connections that reached ``hello``.
        disconnects: Connections that ended after their ``hello``.
        disconnect_causes: How many times each cause ended a connection (``"goodbye"``,
            ``"connection dropped"``, ...), in the order first seen.
        failed_attempts: Connection attempts that failed before their ``hello``.
        events_in: Frames read from Slack: events, acks, pongs (lifecycle notices are not
            counted).
        sends: Sends the user made (``send_message``, ``typing``, ``send``, ...).
        acked: Sends completed by Slack's ack.
        written: Sends without an ack (``typing``), complete once written.
        failed: Sends that failed: refused by Slack, timed out, lost with their socket, or
            ended with the session.
        replayed: Messages delivered by replay after a reconnect (0 without replay).
        duplicates: Socket Mode: envelopes dropped as copies of one delivered (0 for RTM).
        handovers: Socket Mode: connections replaced without a gap (0 for RTM).
    """

    state: str
    uptime: float
    connected_for: float | None
    last_frame_age: float | None
    ping_rtt: float | None
    connects: int
    disconnects: int
    disconnect_causes: Mapping[str, int]
    failed_attempts: int
    events_in: int
    sends: int
    acked: int
    written: int
    failed: int
    replayed: int = 0
    duplicates: int = 0
    handovers: int = 0


class StatsBook:
    """The running counts behind `RtmStats` (written by the engine and the outbox only)."""

    __slots__ = (
        "acked",
        "causes",
        "connected_at",
        "events_in",
        "failed",
        "failed_attempts",
        "ping_rtt",
        "replayed",
        "sends",
        "started_at",
        "written",
    )

    def __init__(self) -> None:
        """Nothing counted yet."""
        self.started_at: float | None = None
        self.connected_at: float | None = None
        self.ping_rtt: float | None = None
        self.causes: collections.Counter[str] = collections.Counter()
        self.failed_attempts = 0
        self.events_in = 0
        self.sends = 0
        self.acked = 0
        self.written = 0
        self.failed = 0
        self.replayed = 0

    def started(self, now: float) -> None:
        """A connection attempt began; the first one starts the session's clock."""
        if self.started_at is None:
            self.started_at = now

    def connected(self, now: float) -> None:
        """Slack said ``hello``."""
        self.connected_at = now

    def disconnected(self, cause: str) -> None:
        """The connection that said ``hello`` ended, for `cause`."""
        self.connected_at = None
        causes = self.causes
        if cause not in causes and len(causes) >= MAX_CAUSES:
            cause = "other"
        causes[cause] += 1

    def pong(self, sent_at: float | None, now: float) -> None:
        """The awaited ping's pong came at `now`; `sent_at` is when the ping went out."""
        if sent_at is not None:
            self.ping_rtt = now - sent_at

    def completed(self, acked: bool, error: BaseException | None) -> None:
        """A user's send completed: by its ack, once written, or with `error`."""
        if error is not None:
            self.failed += 1
        elif acked:
            self.acked += 1
        else:
            self.written += 1

    def snapshot(
        self, now: float, state: str, connects: int, last_frame_at: float | None
    ) -> RtmStats:
        """The books as an `RtmStats` at `now`, with what the engine knows of the rest.

        Args:
            now: The time.
            state: The session's state.
            connects: Connections that reached ``hello``.
            last_frame_at: When the newest frame came on the open socket; None without one.
        """
        started, since = self.started_at, self.connected_at
        return RtmStats(
            state=state,
            uptime=0.0 if started is None else max(0.0, now - started),
            connected_for=None if since is None else max(0.0, now - since),
            last_frame_age=None if last_frame_at is None else max(0.0, now - last_frame_at),
            ping_rtt=self.ping_rtt,
            connects=connects,
            disconnects=sum(self.causes.values()),
            disconnect_causes=dict(self.causes),
            failed_attempts=self.failed_attempts,
            events_in=self.events_in,
            sends=self.sends,
            acked=self.acked,
            written=self.written,
            failed=self.failed,
            replayed=self.replayed,
        )
