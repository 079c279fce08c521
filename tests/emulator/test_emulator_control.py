"""The control routes' table (`_control.ROUTES`): what it holds, and its functions on their own.

The routes over HTTP are tested in test_emulator_faults.py and test_emulator_socket.py; here the
table itself: module-level functions, listed by the index route as they are, a verb the table
does not hold is a 404, and a route function called without a server does what its route says.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import urllib3

from slackrtm.emulator import Emulator
from slackrtm.emulator._control import CONTROL_PREFIX, ROUTES, BadControl

from .emulator_suite import payload


def test_every_route_is_a_small_module_level_function() -> None:
    for (verb, path), fn in ROUTES.items():
        assert verb in ("GET", "POST"), path
        assert fn.__qualname__ == fn.__name__, f"{path}: a closure, not a module-level function"
        lines, _ = inspect.getsourcelines(fn)
        assert len(lines) <= 20, f"{verb} {path}: {len(lines)} lines"


def test_the_index_lists_the_table(emulator: Emulator, http: urllib3.PoolManager) -> None:
    index = payload(http.request("GET", emulator.control_url))
    assert index["routes"] == sorted(f"{verb} {CONTROL_PREFIX}{path}" for verb, path in ROUTES)


@pytest.mark.parametrize(("verb", "path"), [("GET", "reset"), ("POST", "counters"), ("PUT", "")])
def test_a_verb_the_table_does_not_hold_is_not_found(
    emulator: Emulator, http: urllib3.PoolManager, verb: str, path: str
) -> None:
    assert (verb, path) not in ROUTES
    response = http.request(verb, emulator.control_url + path)
    assert response.status == 404
    assert payload(response) == {"ok": False, "error": "no such control route"}


class _Recorder:
    """Stands in for the emulator: notes each call of the RTM controls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> int:
            self.calls.append((name, args, kwargs))
            return 3

        return record


@pytest.mark.parametrize(
    ("path", "data", "call", "answer"),
    [
        ("rtm/goodbye", {}, ("send_goodbye", (None,), {"close": False}), {"connections": 3}),
        ("rtm/close", {"code": 4000}, ("close_connections", (4000, None), {}), {"connections": 3}),
        ("rtm/stall", {}, ("stall_pings", (True,), {}), {}),
        ("rtm/delay", {"seconds": 1}, ("set_rtm_delay", (1.0,), {}), {}),
        (
            "rtm/broadcast",
            {"n": 2},
            ("broadcast", (2, None), {"text": "hello", "user": "USLACKBOT", "team": None}),
            {"connections": 3},
        ),
    ],
)
def test_a_route_function_calls_the_emulator_method_of_its_purpose(
    path: str, data: dict[str, Any], call: tuple[Any, ...], answer: dict[str, Any]
) -> None:
    target = _Recorder()
    assert ROUTES[("POST", path)](target, data) == answer
    assert target.calls == [call]


def test_a_route_function_refuses_a_missing_or_mistyped_argument() -> None:
    target = _Recorder()
    with pytest.raises(BadControl, match="'n' is required"):
        ROUTES[("POST", "rtm/broadcast")](target, {})
    with pytest.raises(BadControl, match="'seconds' has the wrong type"):
        ROUTES[("POST", "rtm/delay")](target, {"seconds": "1"})
    with pytest.raises(BadControl, match="'seconds' has the wrong type"):
        ROUTES[("POST", "rtm/delay")](target, {"seconds": True})
    with pytest.raises(BadControl, match="'n' has the wrong type"):
        ROUTES[("POST", "rtm/broadcast")](target, {"n": True})
    assert target.calls == []


@pytest.mark.parametrize("body", [{"seconds": True}, {"seconds": "1"}])
def test_json_true_is_no_number_over_http(
    emulator: Emulator, http: urllib3.PoolManager, body: dict[str, Any]
) -> None:
    response = http.request("POST", emulator.control_url + "rtm/delay", json=body)
    assert response.status == 400
    assert payload(response) == {"ok": False, "error": "'seconds' has the wrong type"}
