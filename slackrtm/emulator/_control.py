"""The HTTP control routes under ``/_emulator/``: the emulator's Python API, over HTTP.

What lives here: one small function per route, each reading a JSON object and calling the
`Emulator` method of the same purpose (so both ways behave alike), and the dispatcher. Nothing
here changes emulator state by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs
from aiohttp import web

from ._rtm import SLACKBOT_ID

if TYPE_CHECKING:
    from .server import Emulator

__all__ = ["CONTROL_PREFIX", "add_control_routes"]

CONTROL_PREFIX = "/_emulator/"


# -- the control routes ------------------------------------------------------------------------


class _BadControl(Exception):
    pass


def _get(
    data: Mapping[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    default: Any = None,
    *,
    required: bool = False,
) -> Any:
    value = data.get(key, default)
    if value is None:
        if required:
            raise _BadControl(f"{key!r} is required")
        return default
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
        raise _BadControl(f"{key!r} has the wrong type")
    return value


def add_control_routes(app: web.Application, emu: Emulator) -> None:
    """Add the ``/_emulator/`` routes, each a thin call of the emulator's Python API."""
    _add(app, emu)


def _add(app: web.Application, emu: Emulator) -> None:
    routes: dict[tuple[str, str], Callable[[Mapping[str, Any]], Any]] = {}

    def route(verb: Literal["GET", "POST"], path: str) -> Callable[[Callable[..., Any]], Any]:
        def register(fn: Callable[[Mapping[str, Any]], Any]) -> Any:
            routes[(verb, path)] = fn
            return fn

        return register

    @route("GET", "")
    def _index(_: Mapping[str, Any]) -> Any:
        return {
            "base_url": emu.base_url,
            "routes": sorted(f"{verb} {CONTROL_PREFIX}{path}" for verb, path in routes),
        }

    @route("POST", "faults/web")
    def _fault(data: Mapping[str, Any]) -> Any:
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

    @route("GET", "faults")
    def _faults(_: Mapping[str, Any]) -> Any:
        return {"faults": [{**f.to_json(), "remaining": n} for f, n in emu.faults.pending()]}

    @route("POST", "reset")
    def _reset(_: Mapping[str, Any]) -> Any:
        emu.reset()
        return {}

    @route("GET", "requests")
    def _requests(_: Mapping[str, Any]) -> Any:
        return {"requests": [attrs.asdict(r) for r in emu.requests]}

    @route("GET", "counters")
    def _counters(_: Mapping[str, Any]) -> Any:
        return {"counters": attrs.asdict(emu.counters)}

    @route("GET", "workspace")
    def _workspace(_: Mapping[str, Any]) -> Any:
        return {"workspace": emu.workspace.to_dict()}

    @route("POST", "tokens")
    def _token(data: Mapping[str, Any]) -> Any:
        emu.workspace.add_token(
            _get(data, "token", str, required=True),
            user_id=_get(data, "user_id", str, required=True),
            state=_get(data, "state", str, "active"),
        )
        return {}

    @route("POST", "presence")
    def _presence(data: Mapping[str, Any]) -> Any:
        frames = emu.set_presence(
            _get(data, "user_id", str, required=True),
            _get(data, "presence", str, required=True),
            manual=_get(data, "manual", bool, True),
        )
        return {"frames": frames}

    @route("POST", "rtm/goodbye")
    def _goodbye(data: Mapping[str, Any]) -> Any:
        n = emu.send_goodbye(_get(data, "user_id", str), close=_get(data, "close", bool, False))
        return {"connections": n}

    @route("POST", "rtm/migration")
    def _migration(data: Mapping[str, Any]) -> Any:
        return {"connections": emu.start_team_migration(_get(data, "user_id", str))}

    @route("POST", "rtm/drop")
    def _drop_route(data: Mapping[str, Any]) -> Any:
        return {"connections": emu.drop_connections(_get(data, "user_id", str))}

    @route("POST", "rtm/close")
    def _close(data: Mapping[str, Any]) -> Any:
        n = emu.close_connections(_get(data, "code", int, 1000), _get(data, "user_id", str))
        return {"connections": n}

    @route("POST", "rtm/stall")
    def _stall(data: Mapping[str, Any]) -> Any:
        emu.stall_pings(_get(data, "stalled", bool, True))
        return {}

    @route("POST", "rtm/delay")
    def _delay(data: Mapping[str, Any]) -> Any:
        emu.set_rtm_delay(float(_get(data, "seconds", (int, float), 0.0)))
        return {}

    @route("POST", "rtm/raw")
    def _raw(data: Mapping[str, Any]) -> Any:
        return {
            "connections": emu.send_raw(
                _get(data, "data", str, required=True), _get(data, "user_id", str)
            )
        }

    @route("POST", "rtm/event")
    def _event(data: Mapping[str, Any]) -> Any:
        n = emu.send_event(_get(data, "event", dict, required=True), _get(data, "user_id", str))
        return {"connections": n}

    @route("POST", "rtm/broadcast")
    def _broadcast(data: Mapping[str, Any]) -> Any:
        n = emu.broadcast(
            _get(data, "n", int, required=True),
            _get(data, "channel", str),
            text=_get(data, "text", str, "hello"),
            user=_get(data, "user", str, SLACKBOT_ID),
            team=_get(data, "team", str),
        )
        return {"connections": n}

    async def handle(request: web.Request) -> web.Response:
        fn = routes.get((request.method, request.match_info["path"]))
        if fn is None:
            raise web.HTTPNotFound(text='{"ok": false, "error": "no such control route"}')
        data: Any = {}
        if request.method == "POST" and request.body_exists:
            try:
                data = await request.json()
            except ValueError:
                data = None
            if not isinstance(data, dict):
                return web.json_response({"ok": False, "error": "send a JSON object"}, status=400)
        try:
            result = fn(data)
        except (_BadControl, ValueError, TypeError, KeyError, LookupError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": True, **result})

    app.router.add_route("*", CONTROL_PREFIX + "{path:.*}", handle)
