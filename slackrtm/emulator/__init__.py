"""A local Slack for tests, demos and benchmarks: the Web API, the RTM and Socket Mode sockets.

What lives here: the public names only. Start with `Emulator`::

    from slackrtm.emulator import Emulator

    with Emulator() as emu:
        emu.base_url      # "http://127.0.0.1:<port>/api/": point any Slack client here
        emu.bot_token     # a token the default workspace accepts
        emu.app_token     # its app-level token, for Socket Mode (emu.socket_mode)

Importing this package is cheap; aiohttp loads with `Emulator`. The SDK's sync client never
imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    # For mypy and IDEs, which cannot read `_HOMES`: ``X as X`` marks an explicit re-export.
    from ._rtm import SLACKBOT_ID as SLACKBOT_ID
    from ._socket_errors import RTM_ERROR_MESSAGES as RTM_ERROR_MESSAGES
    from ._socket_errors import RtmError as RtmError
    from .faults import Faults as Faults
    from .faults import WebFault as WebFault
    from .records import Counters as Counters
    from .records import Limits as Limits
    from .records import RecordedRequest as RecordedRequest
    from .records import TokenSource as TokenSource
    from .server import Emulator as Emulator
    from .socket_mode import AckRecord as AckRecord
    from .socket_mode import SocketMode as SocketMode
    from .workspace import Channel as Channel
    from .workspace import EmulatedWorkspace as EmulatedWorkspace
    from .workspace import Presence as Presence
    from .workspace import Team as Team
    from .workspace import Token as Token
    from .workspace import TokenState as TokenState
    from .workspace import User as User

# Names load on first use, so that the pytest plugin (registered for every pytest run of a
# project that installs slackrtm) costs nothing, aiohttp included, until a fixture is used.
_HOMES = {
    "RTM_ERROR_MESSAGES": "._socket_errors",
    "SLACKBOT_ID": "._rtm",
    "RtmError": "._socket_errors",
    "Faults": ".faults",
    "WebFault": ".faults",
    "Counters": ".records",
    "Limits": ".records",
    "RecordedRequest": ".records",
    "TokenSource": ".records",
    "Emulator": ".server",
    "AckRecord": ".socket_mode",
    "SocketMode": ".socket_mode",
    "Channel": ".workspace",
    "EmulatedWorkspace": ".workspace",
    "Presence": ".workspace",
    "Team": ".workspace",
    "Token": ".workspace",
    "TokenState": ".workspace",
    "User": ".workspace",
}

__all__ = sorted(_HOMES)
__getattr__, __dir__ = lazy_names(__name__, _HOMES)
