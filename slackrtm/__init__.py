"""slackrtm: a typed client for Slack's Real Time Messaging API.

``Client`` (urllib3) and ``AsyncClient`` (aiohttp) call the Web API method ``rtm.connect``
with the same names, arguments, results and errors. aiohttp is imported only when
``AsyncClient`` is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from ._exceptions import (
    RateLimited,
    SlackApiError,
    SlackApiWarning,
    SlackConnectionError,
    SlackError,
    SlackFrameError,
    SlackHttpError,
    SlackResponse,
    SlackResponseError,
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
from ._wire import RetryPolicy
from ._workspace import Workspace
from .client import Client

if TYPE_CHECKING:
    from .aio import AsyncClient

__all__ = [
    "AsyncClient",
    "Client",
    "Conversation",
    "ErrorCode",
    "RateLimited",
    "RetryPolicy",
    "RtmConnectArgs",
    "RtmConnectResponse",
    "RtmConnectSelf",
    "RtmConnectTeam",
    "SlackApiError",
    "SlackApiWarning",
    "SlackConnectionError",
    "SlackError",
    "SlackFrameError",
    "SlackHttpError",
    "SlackResponse",
    "SlackResponseError",
    "SlackTimeoutError",
    "Team",
    "User",
    "WarningCode",
    "Workspace",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # AsyncClient, and with it aiohttp, loads on first use: sync users never pay for it.
    if name == "AsyncClient":
        from .aio import AsyncClient

        return AsyncClient
    raise AttributeError(f"module 'slackrtm' has no attribute {name!r}")
