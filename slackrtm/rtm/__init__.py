"""The RTM session: one sans-I/O protocol core (`_protocol`) and two drivers on it.

`RtmSession` (``sync.py``, over the websockets library's sync client, with a reader thread) and
`AsyncRtmSession` (``aio.py``, over aiohttp's ``ws_connect`` on the `AsyncClient`'s session)
have the same names, arguments, events and errors. Get one from ``client.rtm()``. This package
is imported only when a session is made: ``import slackrtm`` does not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._options import (
    DEFAULT_RECONNECT,
    Connected,
    Disconnected,
    Lifecycle,
    Reconnecting,
    RtmOptions,
)

if TYPE_CHECKING:
    from .aio import AsyncRtmSession
    from .sync import RtmSession

__all__ = [
    "DEFAULT_RECONNECT",
    "AsyncRtmSession",
    "Connected",
    "Disconnected",
    "Lifecycle",
    "Reconnecting",
    "RtmOptions",
    "RtmSession",
]


def __getattr__(name: str) -> Any:
    # Each driver loads its own I/O library only when it is used.
    if name == "RtmSession":
        from .sync import RtmSession

        return RtmSession
    if name == "AsyncRtmSession":
        from .aio import AsyncRtmSession

        return AsyncRtmSession
    raise AttributeError(f"module 'slackrtm.rtm' has no attribute {name!r}")
