"""A local Slack for tests, demos and benchmarks: the schema's Web API methods and the RTM socket.

What lives here: the public names only. Start with `Emulator`::

    from slackrtm.emulator import Emulator

    with Emulator() as emu:
        emu.base_url      # "http://127.0.0.1:<port>/api/": point any Slack client here
        emu.bot_token     # a token the default workspace accepts

Importing this package is cheap; aiohttp loads with `Emulator`. The SDK's sync client never
imports it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._rtm import RTM_ERROR_MESSAGES, SLACKBOT_ID, RtmError
    from .faults import Faults, WebFault
    from .records import Counters, Limits, RecordedRequest, TokenSource
    from .server import Emulator
    from .workspace import Channel, EmulatedWorkspace, Presence, Team, Token, TokenState, User

# Names load on first use, so that the pytest plugin (registered for every pytest run of a
# project that installs slackrtm) costs nothing, aiohttp included, until a fixture is used.
_HOMES = {
    "RTM_ERROR_MESSAGES": "._rtm",
    "SLACKBOT_ID": "._rtm",
    "RtmError": "._rtm",
    "Faults": ".faults",
    "WebFault": ".faults",
    "Counters": ".records",
    "Limits": ".records",
    "RecordedRequest": ".records",
    "TokenSource": ".records",
    "Emulator": ".server",
    "Channel": ".workspace",
    "EmulatedWorkspace": ".workspace",
    "Presence": ".workspace",
    "Team": ".workspace",
    "Token": ".workspace",
    "TokenState": ".workspace",
    "User": ".workspace",
}

__all__ = [
    "RTM_ERROR_MESSAGES",
    "SLACKBOT_ID",
    "Channel",
    "Counters",
    "EmulatedWorkspace",
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
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
