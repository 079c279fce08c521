"""slackrtm: a typed client for Slack's Real Time Messaging API.

``Client`` (urllib3) and ``AsyncClient`` (aiohttp) call the Web API method ``rtm.connect``
with the same names, arguments, results and errors. Every public name is imported on first use
(see `_MODULES`): aiohttp only with ``AsyncClient``, attrs and the models only with a first call.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._exceptions import (
        ClientClosed,
        RateLimited,
        RtmConnectionLost,
        RtmErrorAck,
        RtmFrameTooLarge,
        RtmSendTimeout,
        RtmSessionClosed,
        SlackApiError,
        SlackApiWarning,
        SlackConnectionError,
        SlackError,
        SlackFrameError,
        SlackHttpError,
        SlackResponseError,
        SlackRtmError,
        SlackTimeoutError,
    )
    from ._generated import (
        Conversation,
        ErrorCode,
        RtmConnectArgs,
        RtmConnectResponse,
        RtmConnectSelf,
        RtmConnectTeam,
        Team,
        User,
        WarningCode,
    )
    from ._response import SlackResponse
    from ._retry import RetryPolicy
    from ._workspace import Workspace
    from .aio import AsyncClient
    from .sync import Client

__all__ = [
    "AsyncClient",
    "Client",
    "ClientClosed",
    "Conversation",
    "ErrorCode",
    "RateLimited",
    "RetryPolicy",
    "RtmConnectArgs",
    "RtmConnectResponse",
    "RtmConnectSelf",
    "RtmConnectTeam",
    "RtmConnectionLost",
    "RtmErrorAck",
    "RtmFrameTooLarge",
    "RtmSendTimeout",
    "RtmSessionClosed",
    "SlackApiError",
    "SlackApiWarning",
    "SlackConnectionError",
    "SlackError",
    "SlackFrameError",
    "SlackHttpError",
    "SlackResponse",
    "SlackResponseError",
    "SlackRtmError",
    "SlackTimeoutError",
    "Team",
    "User",
    "WarningCode",
    "Workspace",
    "__version__",
]


_MODULES = {
    "AsyncClient": ".aio",
    "Client": ".sync",
    "ClientClosed": "._exceptions",
    "Conversation": "._generated",
    "ErrorCode": "._generated",
    "RateLimited": "._exceptions",
    "RetryPolicy": "._retry",
    "RtmConnectArgs": "._generated",
    "RtmConnectResponse": "._generated",
    "RtmConnectSelf": "._generated",
    "RtmConnectTeam": "._generated",
    "RtmConnectionLost": "._exceptions",
    "RtmErrorAck": "._exceptions",
    "RtmFrameTooLarge": "._exceptions",
    "RtmSendTimeout": "._exceptions",
    "RtmSessionClosed": "._exceptions",
    "SlackApiError": "._exceptions",
    "SlackApiWarning": "._exceptions",
    "SlackConnectionError": "._exceptions",
    "SlackError": "._exceptions",
    "SlackFrameError": "._exceptions",
    "SlackHttpError": "._exceptions",
    "SlackResponse": "._response",
    "SlackResponseError": "._exceptions",
    "SlackRtmError": "._exceptions",
    "SlackTimeoutError": "._exceptions",
    "Team": "._generated",
    "User": "._generated",
    "WarningCode": "._generated",
    "Workspace": "._workspace",
}
"""Where each public name lives. `import slackrtm` loads none of them: each is imported when
first used, so a program pays only for what it touches (building a `Client` loads neither
attrs, nor cattrs, nor the generated models; `AsyncClient` alone loads aiohttp)."""


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'slackrtm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
