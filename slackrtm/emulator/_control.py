"""The HTTP control routes under ``/_emulator/``: the emulator's Python API, over HTTP.

What lives here: one small function per route, each reading a JSON object and calling the
`Emulator` method of the same purpose (so both ways behave alike); `ROUTES`, the table from
(verb, path) to route function; and the one aiohttp handler that dispatches through it. Nothing
here changes emulator state by itself.

A route function takes the emulator (as `ControlTarget`, the part of `Emulator`'s surface the
routes use, so that this module never imports the server) and the request's JSON object, and
returns the answer's fields; ``"ok": true`` is added by the handler. A wrong argument raises
`BadControl` (or the `Emulator` method's own ValueError, TypeError or LookupError): a 400.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import attrs
from aiohttp import web

from ._rtm import SLACKBOT_ID
from .faults import Faults
from .records import Counters, RecordedRequest
from .socket_mode import SOCKET_MODE_ROUTES, SocketMode
from .workspace import EmulatedWorkspace, Presence

__all__ = ["CONTROL_PREFIX", "ROUTES", "BadControl", "ControlTarget", "add_control_routes"]

CONTROL_PREFIX = "/_emulator/"

Answer = dict[str, Any]


class ControlTarget(Protocol):
    """What the control routes call: the `Emulator`'s public surface, no more."""

    @property
    def base_url(self) -> str: ...
    @property
    def faults(self) -> Faults: ...
    @property
    def requests(self) -> list[RecordedRequest]: ...
    @property
    def counters(self) -> Counters: ...
    @property
    def workspace(self) -> EmulatedWorkspace: ...
    @property
    def socket_mode(self) -> SocketMode: ...
    def reset(self) -> None: ...
    def set_presence(self, user_id: str, presence: Presence, *, manual: bool = True) -> int: ...
    def send_goodbye(self, user_id: str | None = None, *, close: bool = False) -> int: ...
    def start_team_migration(self, user_id: str | None = None) -> int: ...
    def drop_connections(self, user_id: str | None = None) -> int: ...
    def close_connections(self, code: int = 1000, user_id: str | None = None) -> int: ...
    def stall_pings(self, stalled: bool = True) -> None: ...
    def expire_socket_urls(self, n: int = 1) -> None: ...
    def set_rtm_delay(self, seconds: float) -> None: ...
    def send_raw(self, data: str | bytes, user_id: str | None = None) -> int: ...
    def post_message(self, channel: str, text: str, *, user: str = SLACKBOT_ID) -> str: ...
    def outage(self, seconds: float) -> int: ...
    def send_event(self, event: Mapping[str, Any], user_id: str | None = None) -> int: ...
    def react(
        self, user_id: str, channel: str, ts: str, reaction: str, *, removed: bool = False
    ) -> int: ...
    def pin(self, user_id: str, channel: str, ts: str, *, removed: bool = False) -> int: ...
    def share_file(self, user_id: str, channel: str, file_id: str = ...) -> int: ...
    def rename_channel(self, channel: str, name: str) -> int: ...
    def archive_channel(self, user_id: str, channel: str, *, unarchive: bool = False) -> int: ...
    def add_user(self, user_id: str, *, name: str, team_id: str | None = None) -> int: ...
    def rename_user(self, user_id: str, name: str) -> int: ...
    def add_channel(self, channel_id: str, *, name: str, creator: str) -> int: ...
    def join_channel(self, channel_id: str, user_id: str) -> int: ...
    def leave_channel(self, channel_id: str, user_id: str) -> int: ...
    def rename_team(self, name: str, *, team_id: str | None = None) -> int: ...
    def broadcast(
        self,
        n: int,
        channel: str | None = None,
        *,
        text: str = "hello",
        user: str = SLACKBOT_ID,
        team: str | None = None,
    ) -> int: ...


Route = Callable[[ControlTarget, Mapping[str, Any]], Answer]


class BadControl(Exception):
    """A control request's argument is missing or of the wrong JSON type."""


def _get(
    data: Mapping[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    default: Any = None,
    *,
    required: bool = False,
) -> Any:
    """`data[key]` checked against `kind` (JSON ``true`` is no number); `default` when absent."""
    value = data.get(key, default)
    if value is None:
        if required:
            raise BadControl(f"{key!r} is required")
        return default
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (type(value) is bool and bool not in kinds):
        raise BadControl(f"{key!r} has the wrong type")
    return value


# -- reading back --------------------------------------------------------------------------------


def _index(emu: ControlTarget, _: Mapping[str, Any]) -> Answer:
    routes = sorted(f"{verb} {CONTROL_PREFIX}{path}" for verb, path in ROUTES)
    return {"base_url": emu.base_url, "routes": routes}


def _faults(emu: ControlTarget, _: Mapping[str, Any]) -> Answer:
    return {"faults": [{**f.to_json(), "remaining": n} for f, n in emu.faults.pending()]}


def _requests(emu: ControlTarget, _: Mapping[str, Any]) -> Answer:
    return {"requests": [attrs.asdict(r) for r in emu.requests]}


def _counters(emu: ControlTarget, _: Mapping[str, Any]) -> Answer:
    return {"counters": attrs.asdict(emu.counters)}


def _workspace(emu: ControlTarget, _: Mapping[str, Any]) -> Answer:
    return {"workspace": emu.workspace.to_dict()}


# -- the Web API side ------------------------------------------------------------------------------


def _fault_web(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    body = _get(data, "body", str)
    fault = emu.faults.web(
        _get(data, "n", int, 1),
        status=_get(data, "status", int),
        retry_after=_get(data, "retry_after", int),
        error=_get(data, "error", str),
        body=body.encode() if body is not None else None,
        content_type=_get(data, "content_type", str),
        warnings=_get(data, "warnings", list, []),
        extra_fields=_get(data, "extra_fields", dict, {}),
        delay=float(_get(data, "delay", (int, float), 0.0)),
        drop=_get(data, "drop", bool, False),
        method=_get(data, "method", str),
    )
    return {"fault": fault.to_json()}


def _reset(emu: ControlTarget, _: Mapping[str, Any]) -> Answer:
    emu.reset()
    return {}


def _token(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    emu.workspace.add_token(
        _get(data, "token", str, required=True),
        user_id=_get(data, "user_id", str, required=True),
        state=_get(data, "state", str, "active"),
    )
    return {}


# -- the RTM side ----------------------------------------------------------------------------------


def _presence(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    frames = emu.set_presence(
        _get(data, "user_id", str, required=True),
        _get(data, "presence", str, required=True),
        manual=_get(data, "manual", bool, True),
    )
    return {"frames": frames}


def _goodbye(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.send_goodbye(_get(data, "user_id", str), close=_get(data, "close", bool, False))
    return {"connections": n}


def _migration(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    return {"connections": emu.start_team_migration(_get(data, "user_id", str))}


def _drop(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    return {"connections": emu.drop_connections(_get(data, "user_id", str))}


def _close(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.close_connections(_get(data, "code", int, 1000), _get(data, "user_id", str))
    return {"connections": n}


def _stall(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    emu.stall_pings(_get(data, "stalled", bool, True))
    return {}


def _expire(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    emu.expire_socket_urls(_get(data, "n", int, 1))
    return {}


def _delay(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    emu.set_rtm_delay(float(_get(data, "seconds", (int, float), 0.0)))
    return {}


def _raw(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.send_raw(_get(data, "data", str, required=True), _get(data, "user_id", str))
    return {"connections": n}


def _event(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.send_event(_get(data, "event", dict, required=True), _get(data, "user_id", str))
    return {"connections": n}


def _broadcast(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.broadcast(
        _get(data, "n", int, required=True),
        _get(data, "channel", str),
        text=_get(data, "text", str, "hello"),
        user=_get(data, "user", str, SLACKBOT_ID),
        team=_get(data, "team", str),
    )
    return {"connections": n}


def _post(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    ts = emu.post_message(
        _get(data, "channel", str, required=True),
        _get(data, "text", str, required=True),
        user=_get(data, "user", str, SLACKBOT_ID),
    )
    return {"ts": ts}


def _outage(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    return {"connections": emu.outage(_get(data, "seconds", (int, float), required=True))}


def _reaction(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.react(
        _get(data, "user_id", str, required=True),
        _get(data, "channel", str, required=True),
        _get(data, "ts", str, required=True),
        _get(data, "reaction", str, required=True),
        removed=_get(data, "removed", bool, False),
    )
    return {"connections": n}


def _pin(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.pin(
        _get(data, "user_id", str, required=True),
        _get(data, "channel", str, required=True),
        _get(data, "ts", str, required=True),
        removed=_get(data, "removed", bool, False),
    )
    return {"connections": n}


def _file_share(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.share_file(
        _get(data, "user_id", str, required=True),
        _get(data, "channel", str, required=True),
        _get(data, "file_id", str, "F0EMU0001"),
    )
    return {"connections": n}


def _channel_rename(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.rename_channel(
        _get(data, "channel", str, required=True), _get(data, "name", str, required=True)
    )
    return {"connections": n}


def _channel_archive(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.archive_channel(
        _get(data, "user_id", str, required=True),
        _get(data, "channel", str, required=True),
        unarchive=_get(data, "unarchive", bool, False),
    )
    return {"connections": n}


def _add_user(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.add_user(
        _get(data, "id", str, required=True),
        name=_get(data, "name", str, required=True),
        team_id=_get(data, "team_id", str),
    )
    return {"frames": n}


def _rename_user(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.rename_user(
        _get(data, "id", str, required=True), _get(data, "name", str, required=True)
    )
    return {"frames": n}


def _add_channel(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.add_channel(
        _get(data, "id", str, required=True),
        name=_get(data, "name", str, required=True),
        creator=_get(data, "creator", str, required=True),
    )
    return {"frames": n}


def _join_channel(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    channel, user = _get(data, "id", str, required=True), _get(data, "user", str, required=True)
    return {"frames": emu.join_channel(channel, user)}


def _leave_channel(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    channel, user = _get(data, "id", str, required=True), _get(data, "user", str, required=True)
    return {"frames": emu.leave_channel(channel, user)}


def _rename_team(emu: ControlTarget, data: Mapping[str, Any]) -> Answer:
    n = emu.rename_team(_get(data, "name", str, required=True), team_id=_get(data, "team_id", str))
    return {"frames": n}


ROUTES: Mapping[tuple[str, str], Route] = {
    ("GET", ""): _index,
    ("POST", "faults/web"): _fault_web,
    ("GET", "faults"): _faults,
    ("POST", "reset"): _reset,
    ("GET", "requests"): _requests,
    ("GET", "counters"): _counters,
    ("GET", "workspace"): _workspace,
    ("POST", "tokens"): _token,
    ("POST", "presence"): _presence,
    ("POST", "rtm/goodbye"): _goodbye,
    ("POST", "rtm/migration"): _migration,
    ("POST", "rtm/drop"): _drop,
    ("POST", "rtm/close"): _close,
    ("POST", "rtm/stall"): _stall,
    ("POST", "rtm/expire"): _expire,
    ("POST", "rtm/delay"): _delay,
    ("POST", "rtm/raw"): _raw,
    ("POST", "rtm/event"): _event,
    ("POST", "rtm/broadcast"): _broadcast,
    ("POST", "messages"): _post,
    ("POST", "rtm/outage"): _outage,
    ("POST", "reaction"): _reaction,
    ("POST", "pin"): _pin,
    ("POST", "file_share"): _file_share,
    ("POST", "channel/rename"): _channel_rename,
    ("POST", "channel/archive"): _channel_archive,
    ("POST", "workspace/users"): _add_user,
    ("POST", "workspace/users/rename"): _rename_user,
    ("POST", "workspace/channels"): _add_channel,
    ("POST", "workspace/channels/join"): _join_channel,
    ("POST", "workspace/channels/leave"): _leave_channel,
    ("POST", "workspace/team/rename"): _rename_team,
    **SOCKET_MODE_ROUTES,  # socket_mode/...: emu.socket_mode over HTTP
}
"""Every control route: (verb, path under `CONTROL_PREFIX`) -> the function that answers it."""


# -- dispatch --------------------------------------------------------------------------------------


async def _read_object(request: web.Request) -> Any:
    """The request's JSON object: ``{}`` for a GET or an empty POST; None when not an object."""
    if request.method != "POST" or not request.body_exists:
        return {}
    try:
        data = await request.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def _dispatch(emu: ControlTarget, request: web.Request) -> web.Response:
    """Answer one control request through `ROUTES`.

    Args:
        emu: The emulator the routes act on.
        request: A request under `CONTROL_PREFIX`.

    Returns:
        ``{"ok": true, ...}``, or a 400 ``{"ok": false, "error": ...}`` for a body that is not a
        JSON object or an argument the route refuses.

    Raises:
        web.HTTPNotFound: No route has this verb and path.
    """
    route = ROUTES.get((request.method, request.match_info["path"]))
    if route is None:
        raise web.HTTPNotFound(text='{"ok": false, "error": "no such control route"}')
    data = await _read_object(request)
    if data is None:
        return web.json_response({"ok": False, "error": "send a JSON object"}, status=400)
    try:
        result = route(emu, data)
    except (BadControl, ValueError, TypeError, KeyError, LookupError) as exc:
        return web.json_response({"ok": False, "error": str(exc)}, status=400)
    return web.json_response({"ok": True, **result})


def add_control_routes(app: web.Application, emu: ControlTarget) -> None:
    """Add the ``/_emulator/`` routes to `app`, each a thin call of `emu`'s Python API.

    Args:
        app: The emulator's aiohttp application.
        emu: The emulator the routes act on.
    """

    async def control(request: web.Request) -> web.Response:
        return await _dispatch(emu, request)

    app.router.add_route("*", CONTROL_PREFIX + "{path:.*}", control)
