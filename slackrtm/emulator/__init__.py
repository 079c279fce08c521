"""A local Slack for tests, demos and benchmarks: ``rtm.connect`` and the RTM WebSocket.

What lives here: the public names only. Start with `Emulator`::

    from slackrtm.emulator import Emulator

    with Emulator() as emu:
        emu.base_url      # "http://127.0.0.1:<port>/api/": point any Slack client here
        emu.bot_token     # a token the default workspace accepts

Importing this package imports aiohttp; the SDK's sync client never does.
"""

from ._rtm import RTM_ERROR_MESSAGES, SLACKBOT_ID, RtmError
from .faults import Faults, WebFault
from .records import Counters, Limits, RecordedRequest, TokenSource
from .server import Emulator
from .workspace import Channel, Presence, Team, Token, TokenState, User, Workspace

__all__ = [
    "RTM_ERROR_MESSAGES",
    "SLACKBOT_ID",
    "Channel",
    "Counters",
    "Emulator",
    "Faults",
    "Limits",
    "Presence",
    "RecordedRequest",
    "RtmError",
    "Team",
    "Token",
    "TokenSource",
    "TokenState",
    "User",
    "WebFault",
    "Workspace",
]
