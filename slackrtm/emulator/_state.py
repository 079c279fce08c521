"""The emulator's state: what the HTTP side (`_http`) and the Python API (`Emulator`) share.

What lives here: `ServerState`, one per emulator: the workspace, limits and fault queue it serves,
where it listens, the RTM `Hub`, the recorded requests, the counters and the Web API rate-limit
windows, with the few rules that read or clear them together (a request recorded, a snapshot of
the counters, a reset, a rate-limit verdict). No aiohttp application, no route, no thread: the
HTTP side reads and changes this state on the server's loop, `Emulator` moves its callers there.

This module imports neither the server nor the HTTP side, so both can import it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
import ssl
import threading
import time

import attrs

from ._rtm import Hub, Stats
from ._socket_mode import SocketModeHub
from .faults import Faults
from .records import Counters, Limits, RecordedRequest
from .workspace import EmulatedWorkspace

__all__ = ["ServerState", "bracketed"]


def bracketed(host: str) -> str:
    """`host` as it goes in a URL: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host


class ServerState:
    """What one emulator serves and has seen.

    Attributes:
        workspace: What the emulator serves.
        limits: The limits it enforces; read at each use, so it may be replaced while it runs.
        faults: The queue of injected Web API faults.
        host: The address it listens on.
        ssl_context: The server TLS context, or None for plain HTTP.
        port: The port it listens on; None until it listens.
        stats: The counters the RTM side and the Web API handler bump.
        hub: The RTM side: tickets, sockets, routing.
        socket_mode: The Socket Mode side: app tickets, sockets, envelopes, acks.
        stopping: Set when the server stops, so that waits end with it; None until it starts.
    """

    def __init__(
        self,
        workspace: EmulatedWorkspace | None,
        limits: Limits | None,
        *,
        host: str,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        """Hold `workspace` (the default one when None) and `limits` (Slack's when None)."""
        self.workspace = workspace if workspace is not None else EmulatedWorkspace.default()
        self.limits = limits if limits is not None else Limits()
        self.faults = Faults()
        self.host = host
        self.ssl_context = ssl_context
        self.port: int | None = None
        self.stats = Stats()
        self.hub = Hub(self.workspace, lambda: self.limits, self.stats)
        self.socket_mode = SocketModeHub(self.hub, self.workspace)
        self.stopping: asyncio.Event | None = None
        # Appended on the loop, read from any thread (`Emulator.requests`): hence the lock.
        self._requests: list[RecordedRequest] = []
        self._requests_lock = threading.Lock()
        self._windows: dict[str, collections.deque[float]] = {}

    # -- the recorded Web API calls --------------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        """Note a Web API call as it arrived, and count it (and a token in its URL)."""
        with self._requests_lock:
            self._requests.append(request)
        self.stats.requests += 1
        if request.token_in_url:
            self.stats.token_in_url += 1

    def requests(self) -> list[RecordedRequest]:
        """The recorded calls, in order (a copy; safe from any thread)."""
        with self._requests_lock:
            return list(self._requests)

    # -- counters and reset (on the server's loop) --------------------------------------------

    def counters(self) -> Counters:
        """A snapshot of the counters, with the sockets open now."""
        return Counters(connections_open=len(self.hub.connections), **attrs.asdict(self.stats))

    def reset(self) -> None:
        """Clear faults, recorded calls, counters, rate-limit windows, stalls, delays, outages.

        Open sockets and issued socket URLs stay.
        """
        self.faults.clear()
        with self._requests_lock:
            self._requests.clear()
        for field in attrs.fields(Stats):
            setattr(self.stats, field.name, 0)
        self._windows.clear()
        self.hub.stall_pings = False
        self.hub.reply_delay = 0.0
        self.hub.expire_next = 0
        self.hub.outage_until = 0.0
        self.socket_mode.reset()

    # -- the Web API's rules that need the state ---------------------------------------------------

    def rate_limit(self, token: str) -> int | None:
        """Count an ``rtm.connect`` call of `token` in its window.

        Returns:
            None when the call is within `Limits.web_rate_limit` (it is counted); else the
            seconds until the window has room (at least 1), for ``Retry-After``.
        """
        limit = self.limits.web_rate_limit
        if limit is None:
            return None
        window = self.limits.web_rate_window
        now = time.monotonic()
        calls = self._windows.setdefault(token, collections.deque())
        while calls and calls[0] <= now - window:
            calls.popleft()
        if len(calls) >= limit:
            return max(1, math.ceil(calls[0] + window - now))
        calls.append(now)
        return None

    def socket_host(self, request_host: str) -> str:
        """The ``host:port`` of socket URLs: the one the client used when listening on any."""
        if self.host in ("", "0.0.0.0", "::"):
            return request_host
        return f"{bracketed(self.host)}:{self.port}"

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds`, or less if the server stops meanwhile."""
        stopping = self.stopping
        assert stopping is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopping.wait(), seconds)
