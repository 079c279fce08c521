"""The emulator's Socket Mode, driven by tests: `SocketMode` (``emu.socket_mode``) and its routes.

What lives here: the thread-safe Python API over `_socket_mode.SocketModeHub` (each method moves
onto the server's loop, as `Emulator`'s do), and `SOCKET_MODE_ROUTES`, the same over HTTP under
``/_emulator/socket_mode/`` (added to the control table by `_control`). An app is named by its
ID; by default it is the app of the workspace's first app-level token (``xapp-``).

Never logged: tokens and socket URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

import attrs

from ._socket_mode import AckRecord, SocketModeHub, app_id_of

__all__ = ["SOCKET_MODE_ROUTES", "AckRecord", "SocketMode"]

T = TypeVar("T")

_REASONS = ("warning", "refresh_requested", "link_disabled", "too_many_websockets")


class SocketMode:
    """Socket Mode as the emulator serves it: push envelopes, say ``disconnect``, inject faults.

    Reached as ``emu.socket_mode``. Envelopes go to the app's newest open connection (or to
    each of them with ``everywhere=True``); with none open, they wait for the next one.
    """

    def __init__(self, hub: SocketModeHub, call: Callable[[Callable[[], Any]], Any]) -> None:
        """Act on `hub` through `call`, which runs a function on the server's loop."""
        self._hub = hub
        self._call = call

    def _run(self, fn: Callable[[], T]) -> T:
        result: T = self._call(fn)
        return result

    def _app(self, app_id: str | None) -> str:
        if app_id is not None:
            return app_id
        return app_id_of(self._hub.workspace.first_token("xapp-"))

    # -- envelopes ----------------------------------------------------------------------------

    def push_event(
        self, event: Mapping[str, Any], *, app_id: str | None = None, everywhere: bool = False
    ) -> str:
        """Deliver any event as an ``events_api`` envelope (an ``event_callback``, a new event_id).

        Returns:
            The envelope's ID.
        """
        app = self._app(app_id)

        def run() -> str:
            team = self._team(app)
            payload = self._hub.event_callback(app, dict(event), team)
            return self._hub.envelope(app, "events_api", payload, everywhere=everywhere)

        return self._run(run)

    def push_slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = "U0EMU0001",
        channel_id: str = "C0EMU0001",
        app_id: str | None = None,
        everywhere: bool = False,
    ) -> str:
        """Deliver a ``slash_commands`` envelope (it accepts a response payload).

        Returns:
            The envelope's ID.
        """
        app = self._app(app_id)

        def run() -> str:
            ws = self._hub.workspace
            user = ws.users[user_id]
            team = ws.teams[user.team_id]
            channel = ws.channels.get(channel_id)
            payload = {
                "token": "emulator-verification-token",
                "team_id": team.id,
                "team_domain": team.domain,
                "channel_id": channel_id,
                "channel_name": channel.name if channel is not None else "directmessage",
                "user_id": user.id,
                "user_name": user.name,
                "command": command,
                "text": text,
                "api_app_id": app,
                "is_enterprise_install": "false",
                "response_url": f"https://hooks.slack.invalid/commands/{team.id}/1/emulator",
                "trigger_id": "1.2.emulator",
            }
            return self._hub.envelope(
                app, "slash_commands", payload, accepts_response_payload=True, everywhere=everywhere
            )

        return self._run(run)

    def push_interaction(
        self,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        app_id: str | None = None,
        everywhere: bool = False,
    ) -> str:
        """Deliver an ``interactive`` envelope; `payload` needs its ``type`` (``block_actions``...).

        ``accepts_response_payload`` is true by default for the kinds Slack lets the ack answer
        (``block_actions``, ``view_submission``, ``block_suggestion``), false for the others.

        Returns:
            The envelope's ID.

        Raises:
            ValueError: The payload has no string ``type``.
        """
        if not isinstance(payload.get("type"), str):
            raise ValueError("an interaction needs its 'type', such as 'block_actions'")
        app = self._app(app_id)
        accepts = accepts_response_payload
        if accepts is None:
            accepts = payload["type"] in ("block_actions", "view_submission", "block_suggestion")
        return self._run(
            lambda: self._hub.envelope(
                app,
                "interactive",
                {"api_app_id": app, **payload},
                accepts_response_payload=accepts,
                everywhere=everywhere,
            )
        )

    def _team(self, app_id: str) -> str:
        for conn in self._hub.app_connections(app_id):
            return conn.conn.team_id
        return next(iter(self._hub.workspace.teams))

    # -- reading back -------------------------------------------------------------------------

    @property
    def acks(self) -> list[AckRecord]:
        """Every ack received since the start or the last `reset`, in order."""
        return self._run(lambda: list(self._hub.acks))

    @property
    def dropped(self) -> list[str]:
        """The envelopes given up after their last retry, in order."""
        return self._run(lambda: list(self._hub.dropped))

    @property
    def pending(self) -> list[str]:
        """The envelopes waiting for an ack (or for a connection), oldest first."""
        return self._run(lambda: list(self._hub.pending))

    def connections(self, app_id: str | None = None) -> int:
        """How many Socket Mode sockets are open (of one app, or all)."""
        return self._run(lambda: len(self._hub.app_connections(app_id)))

    # -- disconnects and faults ----------------------------------------------------------------

    def disconnect(self, reason: str, app_id: str | None = None) -> int:
        """Send ``disconnect`` with `reason` (any string) on the app's sockets, or on all.

        ``warning`` and ``refresh_requested`` close each socket `set_timing`'s
        ``disconnect_grace`` later; ``link_disabled`` and ``too_many_websockets`` at once.

        Returns:
            How many sockets it went to.
        """
        return self._run(lambda: self._hub.disconnect(reason, app_id))

    def drop_connections(self, app_id: str | None = None) -> int:
        """Abort the TCP connection of the sockets (the app's, or all): no close frame."""
        return self._run(lambda: self._hub.drop(app_id))

    def close_connections(self, code: int | None = 1000, app_id: str | None = None) -> int:
        """Close the sockets with `code`; None sends a close frame without a code."""
        return self._run(lambda: self._hub.close(code, app_id))

    def stall_pings(self, stalled: bool = True) -> None:
        """Stop (or resume) answering WebSocket PINGs."""
        self._run(lambda: setattr(self._hub, "stall_pings", stalled))

    def skip_hello(self, n: int = 1) -> None:
        """The next `n` sockets get no ``hello`` (envelopes still come).

        Raises:
            ValueError: `n` is negative.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        self._run(lambda: setattr(self._hub, "no_hello", n))

    def set_delay(self, seconds: float) -> None:
        """Wait `seconds` before reading each frame the app sends (slow acks); 0 to stop.

        Raises:
            ValueError: `seconds` is negative.
        """
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        self._run(lambda: setattr(self._hub, "reply_delay", seconds))

    def set_timing(
        self,
        *,
        ack_seconds: float | None = None,
        disconnect_grace: float | None = None,
        debug_life: float | None = None,
    ) -> None:
        """Change the clocks (None leaves one as it is).

        Args:
            ack_seconds: How long an envelope waits for its ack (Slack: 3 s).
            disconnect_grace: From ``disconnect`` ``warning`` or ``refresh_requested`` to the
                close (10 s).
            debug_life: How long a ``debug_reconnects`` socket lives before its
                ``refresh_requested`` (360 s).

        Raises:
            ValueError: A value not above 0.
        """
        values = {
            "ack_seconds": ack_seconds,
            "disconnect_grace": disconnect_grace,
            "debug_life": debug_life,
        }
        for name, value in values.items():
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be above 0")

        def run() -> None:
            for name, value in values.items():
                if value is not None:
                    setattr(self._hub, name, float(value))

        self._run(run)


# -- the same over HTTP ----------------------------------------------------------------------------


class _Target(Protocol):
    @property
    def socket_mode(self) -> SocketMode: ...


def _value(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = data.get(key, default)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if value is not default and (
        not isinstance(value, kinds) or (type(value) is bool and bool not in kinds)
    ):
        raise ValueError(f"{key!r} has the wrong type")
    return value


def _where(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "app_id": _value(data, "app_id", str, None),
        "everywhere": _value(data, "everywhere", bool, False),
    }


def _accepts(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"accepts_response_payload": _value(data, "accepts_response_payload", bool, None)}


def _event(emu: _Target, data: Mapping[str, Any]) -> dict[str, Any]:
    event = _value(data, "event", dict, None)
    if event is None:
        raise ValueError("'event' is required")
    return {"envelope_id": emu.socket_mode.push_event(event, **_where(data))}


def _command(emu: _Target, data: Mapping[str, Any]) -> dict[str, Any]:
    command = _value(data, "command", str, None)
    if command is None:
        raise ValueError("'command' is required")
    envelope_id = emu.socket_mode.push_slash_command(
        command,
        _value(data, "text", str, ""),
        user_id=_value(data, "user_id", str, "U0EMU0001"),
        channel_id=_value(data, "channel_id", str, "C0EMU0001"),
        **_where(data),
    )
    return {"envelope_id": envelope_id}


def _interaction(emu: _Target, data: Mapping[str, Any]) -> dict[str, Any]:
    payload = _value(data, "payload", dict, None)
    if payload is None:
        raise ValueError("'payload' is required")
    envelope_id = emu.socket_mode.push_interaction(payload, **_accepts(data), **_where(data))
    return {"envelope_id": envelope_id}


def _disconnect(emu: _Target, data: Mapping[str, Any]) -> dict[str, Any]:
    reason = _value(data, "reason", str, None)
    if reason is None:
        raise ValueError(f"'reason' is required: one of {', '.join(_REASONS)}, or another")
    return {"connections": emu.socket_mode.disconnect(reason, _value(data, "app_id", str, None))}


def _drop(emu: _Target, data: Mapping[str, Any]) -> dict[str, Any]:
    return {"connections": emu.socket_mode.drop_connections(_value(data, "app_id", str, None))}


def _close(emu: _Target, data: Mapping[str, Any]) -> dict[str, Any]:
    code = data.get("code", 1000)  # null: a close frame without a code
    if code is not None and type(code) is not int:
        raise ValueError("'code' has the wrong type")
    return {
        "connections": emu.socket_mode.close_connections(code, _value(data, "app_id", str, None))
    }


def _faults(emu: _Target, data: Mapping[str, Any]) -> dict[str, Any]:
    if "stall_pings" in data:
        emu.socket_mode.stall_pings(_value(data, "stall_pings", bool, True))
    if "skip_hello" in data:
        emu.socket_mode.skip_hello(_value(data, "skip_hello", int, 1))
    if "delay" in data:
        emu.socket_mode.set_delay(float(_value(data, "delay", (int, float), 0.0)))
    return {}


def _timing(emu: _Target, data: Mapping[str, Any]) -> dict[str, Any]:
    emu.socket_mode.set_timing(
        **{
            name: _value(data, name, (int, float), None)
            for name in ("ack_seconds", "disconnect_grace", "debug_life")
        }
    )
    return {}


def _records(emu: _Target, _: Mapping[str, Any]) -> dict[str, Any]:
    sm = emu.socket_mode
    return {
        "acks": [attrs.asdict(a) for a in sm.acks],
        "dropped": sm.dropped,
        "pending": sm.pending,
        "connections": sm.connections(),
    }


SOCKET_MODE_ROUTES: Mapping[tuple[str, str], Callable[[Any, Mapping[str, Any]], dict[str, Any]]]
SOCKET_MODE_ROUTES = {
    ("GET", "socket_mode"): _records,
    ("POST", "socket_mode/event"): _event,
    ("POST", "socket_mode/command"): _command,
    ("POST", "socket_mode/interaction"): _interaction,
    ("POST", "socket_mode/disconnect"): _disconnect,
    ("POST", "socket_mode/drop"): _drop,
    ("POST", "socket_mode/close"): _close,
    ("POST", "socket_mode/faults"): _faults,
    ("POST", "socket_mode/timing"): _timing,
}
"""The Socket Mode control routes: (verb, path under ``/_emulator/``) -> what answers it."""
