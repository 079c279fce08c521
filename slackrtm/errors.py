"""Every exception and warning the SDK raises, in one public module.

``slackrtm.errors.InvalidAuth`` and its siblings are generated, one per documented error code,
all subclasses of `SlackApiError`; ``ERROR_CLASSES`` maps each wire code to its class.
"""

from slackrtm._exceptions import (
    AckPayloadRefused,
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
    SlackResponse,
    SlackResponseError,
    SlackRtmError,
    SlackTimeoutError,
    SlackTokenTypeError,
    SocketModeLinkDisabled,
)
from slackrtm._generated.codes import (
    ERROR_DESCRIPTIONS,
    WARNING_DESCRIPTIONS,
    ErrorCode,
    WarningCode,
)
from slackrtm._generated.errors import *  # noqa: F403 - one class per documented code
from slackrtm._generated.errors import __all__ as _generated_errors

__all__ = [
    "ERROR_DESCRIPTIONS",
    "WARNING_DESCRIPTIONS",
    "AckPayloadRefused",
    "ClientClosed",
    "ErrorCode",
    "RateLimited",
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
    "SlackTokenTypeError",
    "SocketModeLinkDisabled",
    "WarningCode",
]
__all__ += _generated_errors
