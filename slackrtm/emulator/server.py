"""The `Emulator`: an aiohttp.web server for the schema's Web API methods and the RTM WebSocket.

What lives here: the server's lifecycle (on the caller's loop, or on a thread of its own), the
``/api/`` handler that applies faults and answers as Slack documents, the socket endpoint, the
``/_emulator/`` control routes, and the thread-safe Python API tests drive. Request reading rules
live in `_webapi`, the workspace methods' answers in `_methods`, socket behaviour in `_rtm`; this
module wires them to aiohttp.

Never logged: tokens and socket URLs. aiohttp's access log is off; the emulator writes one line
per request of its own on the ``slackrtm.emulator`` logger.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import json
import logging
import math
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import attrs
from aiohttp import BodyPartReader, web

from slackrtm._generated import METHODS, RTM_CONNECT, ErrorCode
from slackrtm._spec import MethodSpec

from . import _methods, _webapi
from ._control import CONTROL_PREFIX, add_control_routes
from ._rtm import EXPIRED_FRAME, SLACKBOT_ID, Hub, Stats
from ._webapi import CallError
from .faults import Faults, WebFault
from .records import Counters, Limits, RecordedRequest, TokenSource
from .workspace import EmulatedWorkspace, Presence

__all__ = ["SLACKBOT_ID", "Emulator"]

log = logging.getLogger("slackrtm.emulator")

T = TypeVar("T")

API_PREFIX = "/api/"
SOCKET_PREFIX = "/websocket/"

_TOKEN_ERRORS: Mapping[str, ErrorCode] = {
    "inactive": ErrorCode.ACCOUNT_INACTIVE,
    "revoked": ErrorCode.TOKEN_REVOKED,
    "no_permission": ErrorCode.NO_PERMISSION,
    "org_login_required": ErrorCode.ORG_LOGIN_REQUIRED,
    "team_added_to_org": ErrorCode.TEAM_ADDED_TO_ORG,
}
_RATELIMITED = ErrorCode.RATELIMITED.value
_UNKNOWN_METHOD = ErrorCode.UNKNOWN_METHOD.value
_REDACTED = "<redacted>"


@attrs.frozen
class _Answer:
    status: int
    payload: dict[str, Any] | None = None
    body: bytes | None = None
    content_type: str | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def outcome(self) -> str:
        if self.payload is None:
            return "raw"
        return "ok" if self.payload.get("ok") else str(self.payload.get("error"))


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
        self.ssl_context = ssl_context
        self.workspace = workspace if workspace is not None else EmulatedWorkspace.default()
        self.limits = limits if limits is not None else Limits()
        self.faults = Faults()
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._stats = Stats()
        self._hub = Hub(self.workspace, lambda: self.limits, self._stats)
        self._requests: list[RecordedRequest] = []
        self._requests_lock = threading.Lock()
        self._windows: dict[str, collections.deque[float]] = {}
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._started = False

    def __repr__(self) -> str:
        where = self.url if self._port is not None else "not started"
        return f"<Emulator {where}>"

    # -- addresses ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on.

        Raises:
            RuntimeError: It is not started.
        """
        if self._port is None:
            raise RuntimeError("the emulator is not started")
        return self._port

    @property
    def url(self) -> str:
        """The server's root URL, ``http://127.0.0.1:<port>/``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{host}:{self.port}/"

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
        self._stopping = asyncio.Event()
        app = web.Application(middlewares=[self._log_middleware])
        app.router.add_route("GET", API_PREFIX + "{method}", self._api)
        app.router.add_route("POST", API_PREFIX + "{method}", self._api)
        app.router.add_get(SOCKET_PREFIX + "{ticket}", self._socket)
        add_control_routes(app, self)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        self._runner = runner
        try:
            site = web.TCPSite(
                runner, self.host, self._requested_port, ssl_context=self.ssl_context
            )
            await site.start()
        except BaseException:
            await runner.cleanup()
            self._runner = None
            raise
        self._port = int(runner.addresses[0][1])
        log.info("listening on %s", self.url)

    async def stop(self) -> None:
        """Close every socket and stop listening (`__aexit__` does this)."""
        if self._stopping is not None:
            self._stopping.set()
        await self._hub.close_all(timeout=1.0)
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
        ready = concurrent.futures.Future[None]()
        self._thread = threading.Thread(
            target=self._thread_main, args=(ready,), name="slackrtm-emulator", daemon=True
        )
        self._thread.start()
        try:
            ready.result()
        except BaseException:
            self._thread.join()
            raise
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
        try:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result()
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()

    def _thread_main(self, ready: concurrent.futures.Future[None]) -> None:
        loop = asyncio.new_event_loop()
        try:
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                ready.set_exception(exc)
                return
            ready.set_result(None)
            loop.run_forever()
        finally:
            leftovers = asyncio.all_tasks(loop)
            for task in leftovers:
                task.cancel()
            if leftovers:
                loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    def _call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the server's loop and return its result (directly when already there)."""
        loop = self._loop
        if (
            loop is None
            or self._loop_thread == threading.get_ident()
            or loop.is_closed()
            or not loop.is_running()
        ):
            return fn()
        result = concurrent.futures.Future[T]()

        def run() -> None:
            try:
                result.set_result(fn())
            except BaseException as exc:
                result.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return result.result()

    # -- reading back -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """The Web API calls received since the start or the last `reset`, in order."""
        with self._requests_lock:
            return list(self._requests)

    @property
    def counters(self) -> Counters:
        """A snapshot of the counters."""

        def snapshot() -> Counters:
            return Counters(
                connections_open=len(self._hub.connections), **attrs.asdict(self._stats)
            )

        return self._call(snapshot)

    def reset(self) -> None:
        """Clear faults, recorded requests, counters, rate-limit windows, stalls and delays.

        Open sockets and issued socket URLs stay.
        """

        def run() -> None:
            self.faults.clear()
            with self._requests_lock:
                self._requests.clear()
            for field in attrs.fields(Stats):
                setattr(self._stats, field.name, 0)
            self._windows.clear()
            self._hub.stall_pings = False
            self._hub.reply_delay = 0.0
            self._hub.expire_next = 0

        self._call(run)

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

    # -- HTTP: logging ------------------------------------------------------------------------

    @web.middleware
    async def _log_middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        path = request.path
        if path.startswith((SOCKET_PREFIX, API_PREFIX)):
            return await handler(request)  # these log themselves, with what matters
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            log.info("%s %s -> %d", request.method, path, exc.status)
            raise
        log.info("%s %s -> %d", request.method, path, response.status)
        return response

    # -- HTTP: the Web API --------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method_name = request.match_info["method"]
        query = {k: v for k, v in request.query.items()}
        plan: _webapi.BodyPlan | None = None
        body: dict[str, str] = {}
        early: CallError | None = None
        names = list(request.query.keys())
        spec = METHODS.get(method_name)
        try:
            if request.method == "POST":
                plan = _webapi.plan_body(
                    request.headers.get("Content-Type"),
                    _has_body(request),
                    spec.content_types if spec is not None else RTM_CONNECT.content_types,
                )
                pairs = await _read_body(request, plan)
                names += [name for name, _ in pairs]
                body = dict(pairs)
        except CallError as exc:
            early = exc
        token, source = _webapi.pick_token(request.headers.get("Authorization"), body, query)
        args = {**query, **body}
        args.pop("token", None)
        self._record(request, args, source)

        if spec is None:
            answer = _Answer(200, _webapi.error_body(_UNKNOWN_METHOD))
            return self._respond(request, method_name, answer, source)

        fault = self.faults.pop(method_name)
        if fault is not None:
            self._stats.web_faults += 1
            if fault.delay:
                await self._sleep(fault.delay)
            if fault.drop:
                log.info("%s %s -> dropped (fault)", request.method, method_name)
                return await _drop(request)
            faulty = _fault_answer(fault)
            if faulty is not None:
                return self._respond(request, method_name, _decorate(faulty, fault), source)

        warnings = plan.warnings if plan is not None else ()
        try:
            if early is not None:
                raise early
            _webapi.check_arg_names(names, self.limits.max_arg_name_length)
            answer = self._answer(request, spec, token, args, warnings)
        except CallError as exc:
            answer = _Answer(200, _webapi.error_body(exc.code, exc.warnings or warnings))
        if fault is not None:
            answer = _decorate(answer, fault)
        return self._respond(request, method_name, answer, source)

    def _record(
        self, request: web.Request, args: dict[str, str], source: TokenSource | None
    ) -> None:
        token_in_url = "token" in request.query
        headers = {}
        for key, value in request.headers.items():
            if key.lower() == "authorization":
                scheme, _, rest = value.partition(" ")
                value = f"{scheme} {_REDACTED}" if rest else _REDACTED
            headers[key] = value
        peername = request.transport.get_extra_info("peername") if request.transport else None
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            content_type=request.headers.get("Content-Type"),
            args=args,
            token_source=source,
            token_in_url=token_in_url,
            headers=headers,
            peer=f"{peername[0]}:{peername[1]}" if peername else None,
        )
        with self._requests_lock:
            self._requests.append(record)
        self._stats.requests += 1
        if token_in_url:
            self._stats.token_in_url += 1

    def _answer(
        self,
        request: web.Request,
        spec: MethodSpec[Any, Any],
        token: str | None,
        args: Mapping[str, str],
        warnings: tuple[str, ...],
    ) -> _Answer:
        if token is None:
            raise CallError(ErrorCode.NOT_AUTHED.value, warnings)
        record = self.workspace.tokens.get(token)
        if record is None or record.user_id not in self.workspace.users:
            raise CallError(ErrorCode.INVALID_AUTH.value, warnings)
        if record.state != "active":
            raise CallError(_TOKEN_ERRORS[record.state].value, warnings)
        user = self.workspace.users[record.user_id]
        caller = _methods.Caller(user, self.workspace.teams[user.team_id])
        values = _methods.read_args(spec, args)
        if spec is not RTM_CONNECT:
            # `web_rate_limit` is rtm.connect's Tier 1; the listing methods are not limited
            # (inject a 429 with `faults.web(..., method=...)` to test a client's waiting).
            answer = _methods.ANSWERS.get(spec.name)
            try:
                payload = (
                    answer(caller, values, self.workspace)
                    if answer is not None
                    else _methods.synthesize(spec.response_type)
                )
            except CallError as exc:
                raise CallError(exc.code, exc.warnings or warnings) from None
            return _Answer(200, _webapi.with_warnings(payload, warnings))
        retry_after = self._rate_limit(token)
        if retry_after is not None:
            self._stats.rate_limited += 1
            return _Answer(
                429,
                _webapi.error_body(_RATELIMITED, warnings),
                headers={"Retry-After": str(retry_after)},
            )
        team = caller.team
        ticket = self._hub.issue_ticket(
            user.id,
            batch_presence_aware=bool(values["batch_presence_aware"]),
            presence_sub=bool(values["presence_sub"]),
        )
        team_json: dict[str, Any] = {"domain": team.domain, "id": team.id, "name": team.name}
        if team.enterprise_id is not None:
            team_json["enterprise_id"] = team.enterprise_id
        payload = {
            "ok": True,
            "self": {"id": user.id, "name": user.name},
            "team": team_json,
            "url": f"{'wss' if self.ssl_context else 'ws'}://"
            f"{self._socket_host(request)}{SOCKET_PREFIX}{ticket}",
        }
        return _Answer(200, _webapi.with_warnings(payload, warnings))

    def _socket_host(self, request: web.Request) -> str:
        if self.host in ("", "0.0.0.0", "::"):
            return request.host
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def _rate_limit(self, token: str) -> int | None:
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

    async def _sleep(self, seconds: float) -> None:
        stopping = self._stopping
        assert stopping is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopping.wait(), seconds)

    def _respond(
        self,
        request: web.Request,
        method_name: str,
        answer: _Answer,
        source: TokenSource | None,
    ) -> web.Response:
        log.info(
            "%s %s -> %d %s (token: %s)",
            request.method,
            method_name,
            answer.status,
            answer.outcome,
            source or "none",
        )
        if answer.payload is not None:
            return web.Response(
                status=answer.status,
                text=json.dumps(answer.payload),
                content_type="application/json",
                charset="utf-8",
                headers=answer.headers,
            )
        response = web.Response(status=answer.status, body=answer.body, headers=answer.headers)
        response.content_type = answer.content_type or "application/octet-stream"
        return response

    # -- the socket ---------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        limits = self.limits
        # aiohttp refuses a message of max_msg_size bytes or more; Slack allows up to the limit.
        ws = web.WebSocketResponse(
            autoping=False, compress=False, max_msg_size=limits.max_frame_bytes + 1, timeout=2.0
        )
        await ws.prepare(request)
        ticket = self._hub.take_ticket(request.match_info["ticket"])
        if ticket is None:
            log.info("GET %s<ticket> -> 101, socket URL expired or unknown", SOCKET_PREFIX)
            await ws.send_str(EXPIRED_FRAME)
            self._stats.frames_out += 1
            await ws.close(code=1008, message=b"socket URL expired")
            return ws
        log.info("GET %s<ticket> -> 101 %s", SOCKET_PREFIX, ticket.user_id)
        await self._hub.serve(request, ws, ticket)
        return ws


def _fault_answer(fault: WebFault) -> _Answer | None:
    headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
    if fault.body is not None:
        return _Answer(
            fault.status or 200,
            body=fault.body,
            content_type=fault.content_type or "application/octet-stream",
            headers=headers,
        )
    if fault.error is not None:
        return _Answer(fault.status or 200, _webapi.error_body(fault.error), headers=headers)
    if fault.status is not None and not 200 <= fault.status < 300:
        code = _RATELIMITED if fault.status == 429 else ErrorCode.FATAL_ERROR.value
        return _Answer(fault.status, _webapi.error_body(code), headers=headers)
    return None


def _decorate(answer: _Answer, fault: WebFault) -> _Answer:
    headers = dict(answer.headers)
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    status = answer.status
    if fault.status is not None and 200 <= fault.status < 300 and fault.error is None:
        status = fault.status
    payload = answer.payload
    if payload is not None:
        payload = dict(payload)
        payload.update(fault.extra_fields)
        if fault.warnings:
            existing = payload.get("response_metadata", {}).get("warnings", [])
            payload = _webapi.with_warnings(payload, [*existing, *fault.warnings])
    return attrs.evolve(answer, status=status, payload=payload, headers=headers)


def _has_body(request: web.Request) -> bool:
    if request.content_length is not None:
        return request.content_length > 0
    return request.body_exists


async def _read_body(request: web.Request, plan: _webapi.BodyPlan) -> list[tuple[str, str]]:
    if plan.kind == "form":
        return _webapi.parse_form(await request.read(), plan.charset)
    if plan.kind == "multipart":
        return await _read_multipart(request, plan.charset)
    return []


async def _read_multipart(request: web.Request, charset: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    try:
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader) or part.name is None:
                raise ValueError("a nested or unnamed part")
            raw = await part.read(decode=True)
            pairs.append((part.name, raw.decode(part.get_charset(charset))))
    except (ValueError, LookupError, AssertionError, UnicodeDecodeError) as exc:
        log.debug("unreadable multipart body: %s", exc)
        raise CallError(ErrorCode.INVALID_FORM_DATA.value) from None
    if not pairs and not request.content_length:
        raise CallError(ErrorCode.INVALID_FORM_DATA.value)
    return pairs


async def _drop(request: web.Request) -> web.StreamResponse:
    transport = request.transport
    if transport is not None:
        transport.abort()
    # aiohttp writes nothing to an aborted transport; this response never leaves.
    return web.Response(status=500)
