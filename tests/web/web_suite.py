"""Shared helpers of the Web API core's tests: a resolved config, answers, a request, bodies.

The core is tested on its own here (no sockets); `tests/clients` runs the same rules through
both transports against a server.
"""

from __future__ import annotations

from typing import Any

from slackrtm._exceptions import SlackConnectionError
from slackrtm._generated import RTM_CONNECT, RtmConnectArgs
from slackrtm._web.body import Answer
from slackrtm._web.config import Config, make_config
from slackrtm._web.failures import Failure
from slackrtm._web.finish import finish
from slackrtm._web.report import stack_caller
from slackrtm._web.request import build_request

__all__ = [
    "FAILURE",
    "REQUEST",
    "SUCCESS_BODY",
    "WARNED",
    "answer",
    "api_error",
    "config",
    "finished",
]


def config(**overrides: Any) -> Config:
    """`make_config` with a test token and an https base URL, unless overridden."""
    options: dict[str, Any] = {
        "token": "xoxb-secret",
        "base_url": "https://slack.example/api",
        "timeout": 5.0,
        "retry": None,
        "proxy": None,
        "user_agent": None,
        "logger": None,
        "transport": "test/1",
    }
    options.update(overrides)
    return make_config(**options)


def answer(status: int, **headers: str) -> Answer:
    return Answer(status=status, headers=headers, body=b"{}")


FAILURE = Failure(SlackConnectionError("refused"))

REQUEST = build_request(RTM_CONNECT, RtmConnectArgs(), config())

SUCCESS_BODY = (
    b'{"ok": true, "self": {"id": "U1", "name": "bot"},'
    b' "team": {"id": "T1", "name": "Team", "domain": "team"}, "url": "wss://h/ws"'
)
"""A successful ``rtm.connect`` body without its closing brace (tests add fields)."""

WARNED = SUCCESS_BODY + b', "warning": "superfluous_charset"}'


def finished(body: bytes, status: int = 200) -> Any:
    """`finish` of an ``rtm.connect`` answer, as the sync client calls it."""
    return finish(
        RTM_CONNECT, Answer(status=status, headers={}, body=body), config(), caller=stack_caller
    )


def api_error(body: bytes, status: int = 200) -> BaseException:
    """The error `finish` raises for an ``rtm.connect`` answer."""
    try:
        finished(body, status)
    except Exception as exc:
        return exc
    raise AssertionError("no error")
