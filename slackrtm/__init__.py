"""slackrtm: a typed client for Slack's Real Time Messaging API.

``Client`` (urllib3) and ``AsyncClient`` (aiohttp) call the Web API method ``rtm.connect``
with the same names, arguments, results and errors. Every public name is imported on first use
(see `_MODULES`): aiohttp only with ``AsyncClient``, attrs and the models only with a first call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_names
from ._version import __version__

if TYPE_CHECKING:
    from ._exceptions import AckPayloadRefused as AckPayloadRefused

    # For mypy and IDEs, which cannot read `_MODULES`: ``X as X`` marks an explicit re-export.
    from ._exceptions import ClientClosed as ClientClosed
    from ._exceptions import RateLimited as RateLimited
    from ._exceptions import RtmConnectionLost as RtmConnectionLost
    from ._exceptions import RtmErrorAck as RtmErrorAck
    from ._exceptions import RtmFrameTooLarge as RtmFrameTooLarge
    from ._exceptions import RtmSendTimeout as RtmSendTimeout
    from ._exceptions import RtmSessionClosed as RtmSessionClosed
    from ._exceptions import SlackApiError as SlackApiError
    from ._exceptions import SlackApiWarning as SlackApiWarning
    from ._exceptions import SlackConnectionError as SlackConnectionError
    from ._exceptions import SlackError as SlackError
    from ._exceptions import SlackFrameError as SlackFrameError
    from ._exceptions import SlackHttpError as SlackHttpError
    from ._exceptions import SlackResponseError as SlackResponseError
    from ._exceptions import SlackRtmError as SlackRtmError
    from ._exceptions import SlackTimeoutError as SlackTimeoutError
    from ._exceptions import SlackTokenTypeError as SlackTokenTypeError
    from ._exceptions import SocketModeLinkDisabled as SocketModeLinkDisabled
    from ._generated import Conversation as Conversation
    from ._generated import ErrorCode as ErrorCode
    from ._generated import RtmConnectArgs as RtmConnectArgs
    from ._generated import RtmConnectResponse as RtmConnectResponse
    from ._generated import RtmConnectSelf as RtmConnectSelf
    from ._generated import RtmConnectTeam as RtmConnectTeam
    from ._generated import Team as Team
    from ._generated import User as User
    from ._generated import WarningCode as WarningCode
    from ._response import SlackResponse as SlackResponse
    from ._web.policy import RetryPolicy as RetryPolicy
    from ._workspace import Workspace as Workspace
    from .aio import AsyncClient as AsyncClient
    from .sync import Client as Client

_MODULES = {
    "AckPayloadRefused": "._exceptions",
    "AsyncClient": ".aio",
    "Client": ".sync",
    "ClientClosed": "._exceptions",
    "Conversation": "._generated",
    "ErrorCode": "._generated",
    "RateLimited": "._exceptions",
    "RetryPolicy": "._web.policy",
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
    "SlackTokenTypeError": "._exceptions",
    "SocketModeLinkDisabled": "._exceptions",
    "Team": "._generated",
    "User": "._generated",
    "WarningCode": "._generated",
    "Workspace": "._workspace",
}
"""Where each public name lives, and the list of them (``__all__`` is made from it). `import
slackrtm` loads none of them: each is imported when first used, so a program pays only for what
it touches (building a `Client` loads neither attrs, nor cattrs, nor the generated models;
`AsyncClient` alone loads aiohttp). The imports under TYPE_CHECKING say the same for mypy and
IDEs, which cannot read a table; `tests/clients/test_package.py` holds the two in step."""

__all__ = [*_MODULES, "__version__"]
__getattr__, __dir__ = lazy_names(__name__, _MODULES)
