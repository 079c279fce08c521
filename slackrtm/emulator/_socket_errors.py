"""The error codes the emulated RTM socket sends, with their messages.

What lives here: `RtmError`, `RTM_ERROR_MESSAGES` and the frame of an expired socket URL. The
socket's handlers (`_rtm.py`) send them as an error ack (``{"ok": false, "reply_to": ...}``)
when the client's frame has an ``id``, else as an ``error`` event.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping

__all__ = ["EXPIRED_FRAME", "RTM_ERROR_MESSAGES", "RtmError"]

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class RtmError(enum.IntEnum):
    """The error codes the emulator's socket uses in ``error`` objects.

    Slack documents code 1 only; the others are the emulator's own, stable, and listed in the
    README with their messages (`RTM_ERROR_MESSAGES`).
    """

    SOCKET_URL_EXPIRED = 1
    MESSAGE_TEXT_MISSING = 2
    CHANNEL_MISSING = 3
    CHANNEL_NOT_FOUND = 4
    NOT_IN_CHANNEL = 5
    MESSAGE_TOO_LONG = 6
    RATE_LIMITED = 7


RTM_ERROR_MESSAGES: Mapping[RtmError, str] = {
    RtmError.SOCKET_URL_EXPIRED: "Socket URL has expired",
    RtmError.MESSAGE_TEXT_MISSING: "message text is missing",
    RtmError.CHANNEL_MISSING: "channel is missing",
    RtmError.CHANNEL_NOT_FOUND: "channel not found",
    RtmError.NOT_IN_CHANNEL: "not in channel",
    RtmError.MESSAGE_TOO_LONG: "msg too long",
    RtmError.RATE_LIMITED: "message rate limit exceeded",
}

EXPIRED_FRAME = _dumps(
    {
        "type": "error",
        "error": {
            "code": int(RtmError.SOCKET_URL_EXPIRED),
            "msg": RTM_ERROR_MESSAGES[RtmError.SOCKET_URL_EXPIRED],
        },
    }
)
