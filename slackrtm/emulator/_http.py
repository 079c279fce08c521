"""The emulator's aiohttp application: its routes, the ``/api/`` handler and the socket endpoint.

What lives here: `listen` (build the application, bind, and note the port), the logging
middleware, the Web API handler (read a call, record it, apply a fault, answer as Slack
documents) and the socket endpoint (take the ticket, hand the socket to the `Hub`). The control
routes are `_control`'s, added here; the request reading rules live in `_webapi`, the workspace
methods' answers in `_methods`, socket behaviour in `_rtm`, the state all of them share in
`_state`. Nothing here starts a thread or a loop (that is `Emulator`'s) or keeps state of its own.

Never logged: tokens and socket URLs. aiohttp's access log is off; the emulator writes one line
per request of its own on the ``slackrtm.emulator`` logger.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs
from aiohttp import BodyPartReader, web

from slackrtm._generated import APPS_CONNECTIONS_OPEN, METHODS, RTM_CONNECT, ErrorCode
from slackrtm._spec import MethodSpec
from slackrtm._web.limits import APP_TOKEN_PREFIX

from ._control import ControlTarget, add_control_routes
from ._methods import ANSWERS, Caller, read_args, synthesize
from ._socket_errors import EXPIRED_FRAME
from ._socket_mode import LINK_PREFIX
from ._state import ServerState
from ._webapi import (
    BodyPlan,
    CallError,
    check_arg_names,
    error_body,
    parse_form,
    pick_token,
    plan_body,
    with_warnings,
)
from .faults import WebFault
from .records import RecordedRequest, TokenSource

__all__ = ["API_PREFIX", "SOCKET_PREFIX", "listen"]

log = logging.getLogger("slackrtm.emulator")

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


async def listen(state: ServerState, control: ControlTarget, port: int) -> web.AppRunner:
    """Serve the emulator's routes on `state.host` and `port`; note the port bound in `state`.

    Args:
        state: What the handlers serve and change.
        control: What the ``/_emulator/`` routes call (the `Emulator`).
        port: The port to bind; 0 picks a free one.

    Returns:
        The running application's runner; its `cleanup()` stops it.

    Raises:
        OSError: The address cannot be bound.
    """
    handlers = _Handlers(state)
    app = web.Application(middlewares=[_log_middleware])
    app.router.add_route("GET", API_PREFIX + "{method}", handlers.api)
    app.router.add_route("POST", API_PREFIX + "{method}", handlers.api)
    app.router.add_get(SOCKET_PREFIX + "{ticket}", handlers.socket)
    app.router.add_get(LINK_PREFIX, state.socket_mode.serve)
    add_control_routes(app, control)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, state.host, port, ssl_context=state.ssl_context)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    state.port = int(runner.addresses[0][1])
    return runner


@web.middleware
async def _log_middleware(
    request: web.Request,
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    path = request.path
    if path.startswith((SOCKET_PREFIX, API_PREFIX, LINK_PREFIX)):
        return await handler(request)  # these log themselves, with what matters
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        log.info("%s %s -> %d", request.method, path, exc.status)
        raise
    log.info("%s %s -> %d", request.method, path, response.status)
    return response


# -- a Web API call, as read and as answered -------------------------------------------------------


@attrs.frozen
class _Call:
    """A Web API call as read: its arguments, its token, and what reading it found.

    `early` is an error found while reading the body; it is answered after the faults (a fault
    answers a call whatever its form) and before the token is looked at.
    """

    args: dict[str, str]
    names: list[str]
    token: str | None
    source: TokenSource | None
    warnings: tuple[str, ...]
    early: CallError | None


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


async def _read_call(request: web.Request, spec: MethodSpec[Any, Any] | None) -> _Call:
    """Read the query, the body (by its Content-Type) and the token of a Web API call."""
    query = {k: v for k, v in request.query.items()}
    plan: BodyPlan | None = None
    body: dict[str, str] = {}
    early: CallError | None = None
    names = list(request.query.keys())
    try:
        if request.method == "POST":
            plan = plan_body(
                request.headers.get("Content-Type"),
                _has_body(request),
                spec.content_types if spec is not None else RTM_CONNECT.content_types,
            )
            pairs = await _read_body(request, plan)
            names += [name for name, _ in pairs]
            body = dict(pairs)
    except CallError as exc:
        early = exc
    token, source = pick_token(request.headers.get("Authorization"), body, query)
    args = {**query, **body}
    args.pop("token", None)
    warnings = plan.warnings if plan is not None else ()
    return _Call(args, names, token, source, warnings, early)


def _recorded(request: web.Request, call: _Call) -> RecordedRequest:
    """The call as `Emulator.requests` shows it: the Authorization value redacted."""
    headers = {}
    for key, value in request.headers.items():
        if key.lower() == "authorization":
            scheme, _, rest = value.partition(" ")
            value = f"{scheme} {_REDACTED}" if rest else _REDACTED
        headers[key] = value
    peername = request.transport.get_extra_info("peername") if request.transport else None
    return RecordedRequest(
        method=request.method,
        path=request.path,
        content_type=request.headers.get("Content-Type"),
        args=call.args,
        token_source=call.source,
        token_in_url="token" in request.query,
        headers=headers,
        peer=f"{peername[0]}:{peername[1]}" if peername else None,
        at=time.monotonic(),
    )


# -- the handlers ----------------------------------------------------------------------------------


class _Handlers:
    """The ``/api/`` and socket handlers of one emulator, over its `ServerState`."""

    def __init__(self, state: ServerState) -> None:
        self._state = state

    async def api(self, request: web.Request) -> web.StreamResponse:
        """A Web API call: record it, apply the next fault for it, else answer it."""
        state = self._state
        method_name = request.match_info["method"]
        spec = METHODS.get(method_name)
        call = await _read_call(request, spec)
        state.record(_recorded(request, call))
        if spec is None:
            answer = _Answer(200, error_body(_UNKNOWN_METHOD))
            return _respond(request, method_name, answer, call.source)
        fault = state.faults.pop(method_name)
        if fault is not None:
            state.stats.web_faults += 1
            if fault.delay:
                await state.sleep(fault.delay)
            if fault.drop:
                log.info("%s %s -> dropped (fault)", request.method, method_name)
                return await _drop(request)
            faulty = _fault_answer(fault)
            if faulty is not None:
                return _respond(request, method_name, _decorate(faulty, fault), call.source)
        answer = self._answer(request, spec, call)
        if fault is not None:
            answer = _decorate(answer, fault)
        return _respond(request, method_name, answer, call.source)

    def _answer(self, request: web.Request, spec: MethodSpec[Any, Any], call: _Call) -> _Answer:
        """The normal answer to a call: its form checked, its token, then the method's own."""
        try:
            if call.early is not None:
                raise call.early
            check_arg_names(call.names, self._state.limits.max_arg_name_length)
            caller = self._caller(call.token, call.warnings)
            assert call.token is not None  # `_caller` took it
            if ("app" in spec.token_kinds) != call.token.startswith(APP_TOKEN_PREFIX):
                raise CallError(ErrorCode.NOT_ALLOWED_TOKEN_TYPE.value, call.warnings)
            values = read_args(spec, call.args)
            if spec is RTM_CONNECT:
                return self._connect(request, caller, values, call.token, call.warnings)
            if spec is APPS_CONNECTIONS_OPEN:
                return self._open_link(request, caller, call)
            return _Answer(200, with_warnings(self._method(spec, caller, values), call.warnings))
        except CallError as exc:
            return _Answer(200, error_body(exc.code, exc.warnings or call.warnings))

    def _caller(self, token: str | None, warnings: tuple[str, ...]) -> Caller:
        """Who `token` is, or the error Slack gives for a missing, unknown or unusable token."""
        workspace = self._state.workspace
        if token is None:
            raise CallError(ErrorCode.NOT_AUTHED.value, warnings)
        record = workspace.tokens.get(token)
        if record is None or record.user_id not in workspace.users:
            raise CallError(ErrorCode.INVALID_AUTH.value, warnings)
        if record.state != "active":
            raise CallError(_TOKEN_ERRORS[record.state].value, warnings)
        user = workspace.users[record.user_id]
        return Caller(user, workspace.teams[user.team_id])

    def _method(
        self, spec: MethodSpec[Any, Any], caller: Caller, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A method other than rtm.connect: its answer from `_methods`, or one made up."""
        # `web_rate_limit` is rtm.connect's Tier 1; the listing methods are not limited
        # (inject a 429 with `faults.web(..., method=...)` to test a client's waiting).
        answer = ANSWERS.get(spec.name)
        if answer is None:
            return synthesize(spec.response_type)
        return answer(caller, values, self._state.workspace)

    def _connect(
        self,
        request: web.Request,
        caller: Caller,
        values: Mapping[str, Any],
        token: str,
        warnings: tuple[str, ...],
    ) -> _Answer:
        """rtm.connect: the Tier 1 rate limit, then a single-use socket URL."""
        state = self._state
        if state.hub.in_outage:
            return _Answer(503, error_body(ErrorCode.SERVICE_UNAVAILABLE.value, warnings))
        retry_after = state.rate_limit(token)
        if retry_after is not None:
            state.stats.rate_limited += 1
            return _Answer(
                429, error_body(_RATELIMITED, warnings), headers={"Retry-After": str(retry_after)}
            )
        user, team = caller.user, caller.team
        ticket = state.hub.issue_ticket(
            user.id,
            batch_presence_aware=bool(values["batch_presence_aware"]),
            presence_sub=bool(values["presence_sub"]),
        )
        team_json: dict[str, Any] = {"domain": team.domain, "id": team.id, "name": team.name}
        if team.enterprise_id is not None:
            team_json["enterprise_id"] = team.enterprise_id
        scheme = "wss" if state.ssl_context else "ws"
        payload = {
            "ok": True,
            "self": {"id": user.id, "name": user.name},
            "team": team_json,
            "url": f"{scheme}://{state.socket_host(request.host)}{SOCKET_PREFIX}{ticket}",
        }
        return _Answer(200, with_warnings(payload, warnings))

    def _open_link(self, request: web.Request, caller: Caller, call: _Call) -> _Answer:
        """apps.connections.open: a single-use Socket Mode URL for the token's app."""
        state = self._state
        if state.hub.in_outage:
            return _Answer(503, error_body(ErrorCode.SERVICE_UNAVAILABLE.value, call.warnings))
        assert call.token is not None
        debug = call.args.get("debug_reconnects", "").lower() in ("1", "true")
        ticket, app_id = state.socket_mode.issue_ticket(
            call.token, caller.user.id, debug_reconnects=debug
        )
        scheme = "wss" if state.ssl_context else "ws"
        host = state.socket_host(request.host)
        url = f"{scheme}://{host}{LINK_PREFIX}?ticket={ticket}&app_id={app_id}"
        return _Answer(200, with_warnings({"ok": True, "url": url}, call.warnings))

    async def socket(self, request: web.Request) -> web.StreamResponse:
        """The RTM socket: a ticket taken once, then the `Hub` serves it until it closes."""
        state = self._state
        if state.hub.in_outage:
            log.info("GET %s<ticket> -> 503, an outage", SOCKET_PREFIX)
            raise web.HTTPServiceUnavailable(text="outage")
        # aiohttp refuses a message of max_msg_size bytes or more; Slack allows up to the limit.
        ws = web.WebSocketResponse(
            autoping=False,
            compress=False,
            max_msg_size=state.limits.max_frame_bytes + 1,
            timeout=2.0,
        )
        await ws.prepare(request)
        ticket = state.hub.take_ticket(request.match_info["ticket"])
        if ticket is None:
            log.info("GET %s<ticket> -> 101, socket URL expired or unknown", SOCKET_PREFIX)
            await ws.send_str(EXPIRED_FRAME)
            state.stats.frames_out += 1
            await ws.close(code=1008, message=b"socket URL expired")
            return ws
        log.info("GET %s<ticket> -> 101 %s", SOCKET_PREFIX, ticket.user_id)
        await state.hub.serve(request, ws, ticket)
        return ws


# -- answers: faults, the response, a dropped connection -------------------------------------------


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
        return _Answer(fault.status or 200, error_body(fault.error), headers=headers)
    if fault.status is not None and not 200 <= fault.status < 300:
        code = _RATELIMITED if fault.status == 429 else ErrorCode.FATAL_ERROR.value
        return _Answer(fault.status, error_body(code), headers=headers)
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
            payload = with_warnings(payload, [*existing, *fault.warnings])
    return attrs.evolve(answer, status=status, payload=payload, headers=headers)


def _respond(
    request: web.Request, method_name: str, answer: _Answer, source: TokenSource | None
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


async def _drop(request: web.Request) -> web.StreamResponse:
    transport = request.transport
    if transport is not None:
        transport.abort()
    # aiohttp writes nothing to an aborted transport; this response never leaves.
    return web.Response(status=500)


# -- reading a body --------------------------------------------------------------------------------


def _has_body(request: web.Request) -> bool:
    if request.content_length is not None:
        return request.content_length > 0
    return request.body_exists


async def _read_body(request: web.Request, plan: BodyPlan) -> list[tuple[str, str]]:
    if plan.kind == "form":
        return parse_form(await request.read(), plan.charset)
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
