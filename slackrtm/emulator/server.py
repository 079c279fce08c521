"""The `Emulator`: a local Slack for the schema's Web API methods and the RTM WebSocket.

What lives here: the public class and its lifecycle (on the caller's loop, or on a thread of its
own through `_thread`), its addresses, and the thread-safe Python API tests drive: each method
moves onto the server's loop and acts on the shared `ServerState` (`_state`). The aiohttp
application, the ``/api/`` handler and the socket endpoint are `_http`'s; the ``/_emulator/``
control routes, which call this class's methods, are `_control`'s.

Never logged: tokens and socket URLs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from . import _changes
from ._control import CONTROL_PREFIX
from ._happenings import pin, react, share_file
from ._http import API_PREFIX, listen
from ._rtm import SLACKBOT_ID, Hub
from ._state import ServerState, bracketed
from ._thread import call_on, start_thread, stop_thread
from .faults import Faults
from .records import Counters, Limits, RecordedRequest
from .socket_mode import SocketMode
from .workspace import EmulatedWorkspace, Presence

__all__ = ["SLACKBOT_ID", "Emulator"]

log = logging.getLogger("slackrtm.emulator")

T = TypeVar("T")


class Emulator:
    """A local Slack for ``rtm.connect`` and the RTM WebSocket, with fault injection.

    Run it on a thread of its own for sync code (``with Emulator() as emu:``) or on the running
    loop (``async with Emulator() as emu:``). Every method may be called from any thread; from
    another thread than the server's, a call returns once the server has acted on it.

    Example:
        >>> with Emulator() as emu:
        ...     emu.base_url.endswith("/api/")
        True

    Args:
        workspace: What the emulator serves; `EmulatedWorkspace.default` when None.
        host: The address to listen on (loopback by default).
        port: The port; 0 picks a free one.
        limits: Limits to enforce; Slack's by default.
        ssl_context: A server TLS context: serve ``https://`` and ``wss://`` (for testing a
            client's certificate checks); plain HTTP by default.
    """

    def __init__(
        self,
        workspace: EmulatedWorkspace | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: Limits | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """Prepare an emulator; it listens once started."""
        self._state = ServerState(workspace, limits, host=host, ssl_context=ssl_context)
        self._hub: Hub = self._state.hub
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._thread: threading.Thread | None = None
        self._started = False
        self._socket_mode = SocketMode(self._state.socket_mode, self._call)

    def __repr__(self) -> str:
        where = self.url if self._state.port is not None else "not started"
        return f"<Emulator {where}>"

    # -- what it serves ---------------------------------------------------------------------------

    @property
    def workspace(self) -> EmulatedWorkspace:
        """What the emulator serves; change it while it runs (`EmulatedWorkspace.add_token`...)."""
        return self._state.workspace

    @property
    def limits(self) -> Limits:
        """The limits it enforces; assign new ones while it runs (they apply from the next use)."""
        return self._state.limits

    @limits.setter
    def limits(self, limits: Limits) -> None:
        self._state.limits = limits

    @property
    def faults(self) -> Faults:
        """The queue of injected Web API faults (`Faults.web`)."""
        return self._state.faults

    @property
    def host(self) -> str:
        """The address it listens on."""
        return self._state.host

    @property
    def ssl_context(self) -> ssl.SSLContext | None:
        """The server TLS context, or None for plain HTTP."""
        return self._state.ssl_context

    # -- addresses ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on.

        Raises:
            RuntimeError: It is not started.
        """
        if self._state.port is None:
            raise RuntimeError("the emulator is not started")
        return self._state.port

    @property
    def url(self) -> str:
        """The server's root URL, ``http://127.0.0.1:<port>/``."""
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{bracketed(self.host)}:{self.port}/"

    @property
    def base_url(self) -> str:
        """The Web API base URL, ``http://127.0.0.1:<port>/api/``, for any Slack client."""
        return self.url + API_PREFIX.lstrip("/")

    @property
    def control_url(self) -> str:
        """The root of the HTTP control routes, ``http://127.0.0.1:<port>/_emulator/``."""
        return self.url + CONTROL_PREFIX.lstrip("/")

    @property
    def bot_token(self) -> str:
        """The workspace's first active bot token (``xoxb-``)."""
        return self.workspace.bot_token

    @property
    def user_token(self) -> str:
        """The workspace's first active user token (``xoxp-``)."""
        return self.workspace.user_token

    @property
    def app_token(self) -> str:
        """The workspace's first active app-level token (``xapp-``), for Socket Mode."""
        return self.workspace.first_token("xapp-")

    @property
    def socket_mode(self) -> SocketMode:
        """Socket Mode, driven by tests: push envelopes, ``disconnect``, faults, the acks."""
        return self._socket_mode

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening on the running loop (`__aenter__` does this).

        Raises:
            RuntimeError: It was started before.
            OSError: The address cannot be bound.
        """
        if self._started:
            raise RuntimeError("an Emulator can be started once")
        self._started = True
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._state.stopping = asyncio.Event()
        self._runner = await listen(self._state, self, self._requested_port)
        log.info("listening on %s", self.url)

    async def stop(self) -> None:
        """Close every socket and stop listening (`__aexit__` does this)."""
        if self._state.stopping is not None:
            self._state.stopping.set()
        await self._hub.close_all(timeout=1.0)
        await self._state.socket_mode.close_all(timeout=1.0)
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
            log.info("stopped")

    async def __aenter__(self) -> Emulator:
        """Start on the running loop."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop."""
        await self.stop()

    def __enter__(self) -> Emulator:
        """Start on a background thread with a loop of its own; return once it listens."""
        if self._started:
            raise RuntimeError("an Emulator can be started once")
        self._thread = start_thread(self.start, name="slackrtm-emulator")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server and its thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._thread = None
        stop_thread(loop, thread, self.stop)

    def _call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the server's loop and return its result (directly when already there)."""
        return call_on(self._loop, self._loop_thread, fn)

    # -- reading back -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """The Web API calls received since the start or the last `reset`, in order."""
        return self._state.requests()

    @property
    def counters(self) -> Counters:
        """A snapshot of the counters."""
        return self._call(self._state.counters)

    def reset(self) -> None:
        """Clear faults, recorded requests, counters, rate-limit windows, stalls and delays.

        Open sockets and issued socket URLs stay.
        """
        self._call(self._state.reset)

    # -- the RTM side, driven by tests ---------------------------------------------------------

    def send_goodbye(self, user_id: str | None = None, *, close: bool = False) -> int:
        """Send ``{"type": "goodbye"}`` to every socket (or one user's).

        Args:
            user_id: Only this user's sockets.
            close: Also close them (code 1001) after the goodbye.

        Returns:
            How many sockets it went to.
        """

        def run() -> int:
            targets = self._hub.targets(user_id)
            for conn in targets:
                conn.send_json({"type": "goodbye"})
                if close:
                    conn.close(1001, b"goodbye")
            return len(targets)

        return self._call(run)

    def start_team_migration(self, user_id: str | None = None) -> int:
        """Send ``team_migration_started`` and close the sockets, as Slack does.

        Returns:
            How many sockets it went to.
        """

        def run() -> int:
            targets = self._hub.targets(user_id)
            for conn in targets:
                conn.send_json({"type": "team_migration_started"})
                conn.close(1001, b"team migration")
            return len(targets)

        return self._call(run)

    def drop_connections(self, user_id: str | None = None) -> int:
        """Abort the TCP connection of every socket (or one user's): no close frame.

        Returns:
            How many sockets were dropped.
        """

        def run() -> int:
            targets = self._hub.targets(user_id)
            for conn in targets:
                conn.abort()
            return len(targets)

        return self._call(run)

    def close_connections(self, code: int = 1000, user_id: str | None = None) -> int:
        """Close every socket (or one user's) with a close handshake and `code`.

        Returns:
            How many sockets were closed.
        """

        def run() -> int:
            targets = self._hub.targets(user_id)
            for conn in targets:
                conn.close(code)
            return len(targets)

        return self._call(run)

    def stall_pings(self, stalled: bool = True) -> None:
        """Stop (or resume) answering pings: RTM ``ping`` frames and WebSocket PINGs alike."""

        def run() -> None:
            self._hub.stall_pings = stalled

        self._call(run)

    def expire_socket_urls(self, n: int = 1) -> None:
        """Treat the next `n` socket URLs presented as expired, however fresh they are.

        Each such connection gets the ``error`` event of code 1 (socket URL expired) and a
        close, as a URL used after its 30 s would.

        Raises:
            ValueError: `n` is negative.
        """
        if n < 0:
            raise ValueError("n must be >= 0")

        def run() -> None:
            self._hub.expire_next = n

        self._call(run)

    def set_rtm_delay(self, seconds: float) -> None:
        """Wait `seconds` before handling each client frame (delays pongs and acks); 0 to stop.

        Raises:
            ValueError: `seconds` is negative.
        """
        if seconds < 0:
            raise ValueError("seconds must be >= 0")

        def run() -> None:
            self._hub.reply_delay = seconds

        self._call(run)

    def post_message(self, channel: str, text: str, *, user: str = SLACKBOT_ID) -> str:
        """Post a message into `channel` as `user`, as if from another client.

        It is kept in the channel's history (``conversations.history`` reads it back) and sent
        to the sockets of the channel's members that are open; with none open (during an
        outage) it is only kept.

        Returns:
            The message's ``ts``.

        Raises:
            KeyError: The channel is unknown.
        """
        return self._call(lambda: self._hub.post_message(channel, text, user))

    def set_posting_limit(self, per_second: float | None, channel: str | None = None) -> None:
        """Enforce Slack's posting limit in `channel` (every one when None); None turns it off.

        Off by default. Past `per_second` messages a second, chat.postMessage answers HTTP 429
        with Retry-After (whole seconds) and posts nothing. Not a positive number: ValueError.
        """
        self._call(lambda: self._state.posting.set_rate(per_second, channel))

    def outage(self, seconds: float) -> int:
        """An outage of `seconds`: every socket drops now, new ones are refused until it ends.

        Meanwhile sockets are refused (HTTP 503) and ``rtm.connect`` answers 503
        ``service_unavailable``. Messages posted meanwhile (`post_message`, `broadcast`) are
        kept in history. `reset` ends it.

        Returns:
            How many sockets were dropped.

        Raises:
            ValueError: `seconds` is negative.
        """
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        return self._call(lambda: self._hub.begin_outage(seconds))

    def send_raw(self, data: str | bytes, user_id: str | None = None) -> int:
        """Send a text frame as is (for instance one that is not JSON); bytes go as a binary frame.

        Returns:
            How many sockets it went to.
        """

        def run() -> int:
            targets = self._hub.targets(user_id)
            for conn in targets:
                conn.send(data)
            return len(targets)

        return self._call(run)

    def send_event(self, event: Mapping[str, Any], user_id: str | None = None) -> int:
        """Send any event, serialised as JSON, to every socket (or one user's).

        Returns:
            How many sockets it went to.
        """
        frame = json.dumps(event, separators=(",", ":"))
        return self.send_raw(frame, user_id)

    def broadcast(
        self,
        n: int,
        channel: str | None = None,
        *,
        text: str = "hello",
        user: str = SLACKBOT_ID,
        team: str | None = None,
    ) -> int:
        """Push `n` synthetic ``message`` events as fast as the sockets take them.

        Each event is ``{"type": "message", "channel", "user", "text", "ts", "team"}`` with a
        distinct, increasing ``ts``. It goes to every socket whose user is in `channel`, or to
        every socket (with the workspace's first channel) when `channel` is None. Returns at once;
        the frames follow whatever is already queued on each socket.

        Args:
            n: How many events.
            channel: The channel ID.
            text: The message text.
            user: The sender's user ID.
            team: The team ID in the events (the channel's team by default).

        Returns:
            How many sockets the events go to.

        Raises:
            ValueError: `n` is negative.
            KeyError: The channel is unknown.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        return self._call(
            lambda: self._hub.broadcast(n, channel, text=text, user_id=user, team_id=team)
        )

    def set_presence(self, user_id: str, presence: Presence, *, manual: bool = True) -> int:
        """Change a user's presence and send the events that follow.

        Connections subscribed to the user (or, on a connection made with ``presence_sub=false``,
        all of its team's) get ``presence_change``: ``user`` on a normal connection, ``users`` on
        one made with ``batch_presence_aware``. When `manual`, the user's own connections also
        get ``manual_presence_change``.

        Returns:
            How many frames were queued.

        Raises:
            KeyError: The user is unknown.
            ValueError: The presence is not ``active`` or ``away``.
        """
        return self._call(lambda: self._hub.set_presence(user_id, presence, manual=manual))

    # -- what members do in a channel: the events that follow (`_happenings`) ------------------

    def react(
        self, user_id: str, channel: str, ts: str, reaction: str, *, removed: bool = False
    ) -> int:
        """A member adds (or, ``removed``, takes back) an emoji reaction to the message ``ts``.

        The channel's members get ``reaction_added`` (``reaction_removed``), its ``item`` the
        message by channel and ts.

        Returns:
            How many sockets the event went to.

        Raises:
            KeyError: The user or the channel is unknown.
            ValueError: The user is not in the channel; an empty ``reaction`` or ``ts``.
        """
        return self._call(lambda: react(self._hub, user_id, channel, ts, reaction, removed=removed))

    def pin(self, user_id: str, channel: str, ts: str, *, removed: bool = False) -> int:
        """A member pins (or, ``removed``, unpins) the message ``ts`` in the channel.

        The channel's members get ``pin_added`` (``pin_removed``), its ``item`` the message.

        Returns:
            How many sockets the event went to.

        Raises:
            KeyError: The user or the channel is unknown.
            ValueError: The user is not in the channel; an empty ``ts``.
        """
        return self._call(lambda: pin(self._hub, user_id, channel, ts, removed=removed))

    def share_file(self, user_id: str, channel: str, file_id: str = "F0EMU0001") -> int:
        """A member shares a file in the channel: its members get ``file_shared``.

        Returns:
            How many sockets the event went to.

        Raises:
            KeyError: The user or the channel is unknown.
            ValueError: The user is not in the channel; an empty ``file_id``.
        """
        return self._call(lambda: share_file(self._hub, user_id, channel, file_id))

    # -- the workspace, changed as Slack changes it ----------------------------------------------

    # Each returns how many frames were queued: the events go to every socket of the team
    # (`_changes` says which, and why every socket). Unknown IDs raise KeyError.

    def add_user(self, user_id: str, *, name: str, team_id: str | None = None) -> int:
        """Add a user (to `team_id`, the first team by default) and send ``team_join``."""
        team = team_id if team_id is not None else next(iter(self.workspace.teams))
        return self._call(lambda: _changes.add_user(self._hub, user_id, name=name, team_id=team))

    def rename_user(self, user_id: str, name: str) -> int:
        """Give a user a new user name and send ``user_change``."""
        return self._call(lambda: _changes.rename_user(self._hub, user_id, name=name))

    def add_channel(self, channel_id: str, *, name: str, creator: str) -> int:
        """Add a channel with its creator in it and send ``channel_created``.

        Raises:
            ValueError: The channel exists already.
        """
        return self._call(
            lambda: _changes.add_channel(self._hub, channel_id, name=name, creator=creator)
        )

    def rename_channel(self, channel: str, name: str) -> int:
        """Rename the channel (`conversations.list` then says so) and send ``channel_rename``.

        Everyone on the channel's team gets the event, members or not.

        Returns:
            How many sockets the event went to.

        Raises:
            KeyError: The channel is unknown.
            ValueError: An empty name, or one another channel of the team has.
        """
        return self._call(lambda: _changes.rename_channel(self._hub, channel, name))

    def archive_channel(self, user_id: str, channel: str, *, unarchive: bool = False) -> int:
        """A member archives (or unarchives) the channel; everyone on its team is told.

        The event is ``channel_archive`` (``channel_unarchive``); `conversations.list` marks the
        channel ``is_archived`` (and leaves it out with ``exclude_archived``).

        Returns:
            How many sockets the event went to.

        Raises:
            KeyError: The user or the channel is unknown.
            ValueError: The channel is already in that state.
        """
        return self._call(
            lambda: _changes.archive_channel(self._hub, user_id, channel, unarchive=unarchive)
        )

    def join_channel(self, channel_id: str, user_id: str) -> int:
        """Put a user in a channel: ``channel_joined`` to them, ``member_joined_channel`` to all.

        Raises:
            ValueError: The user is in the channel already.
        """
        return self._call(lambda: _changes.join_channel(self._hub, channel_id, user_id))

    def leave_channel(self, channel_id: str, user_id: str) -> int:
        """Take a user out of a channel: ``channel_left`` to them, ``member_left_channel`` to all.

        Raises:
            ValueError: The user is not in the channel.
        """
        return self._call(lambda: _changes.leave_channel(self._hub, channel_id, user_id))

    def rename_team(self, name: str, *, team_id: str | None = None) -> int:
        """Rename a team (the first by default) and send ``team_rename``."""
        team = team_id if team_id is not None else next(iter(self.workspace.teams))
        return self._call(lambda: _changes.rename_team(self._hub, team, name=name))
