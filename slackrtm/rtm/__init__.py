"""The RTM session: a sans-I/O core (`_protocol`), one public surface, and two drivers on them.

`RtmSession` (``sync.py``, over the websockets library's sync client, with a reader thread) and
`AsyncRtmSession` (``aio.py``, over aiohttp's ``ws_connect`` on the `AsyncClient`'s session)
are both a `_surface.SessionSurface`: the same names, arguments, docs, events and errors. Get
one from ``client.rtm()``; it takes what it needs from the client's ``_socket_opener()``, and
nothing here imports a client. This package is imported only when a session is made:
``import slackrtm`` does not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names
from ._options import (
    DEFAULT_RECONNECT,
    Connected,
    Disconnected,
    Lifecycle,
    Reconnecting,
    RtmOptions,
)
from ._replay import ReplayOptions, ReplaySkipped
from ._stats import RtmStats

if TYPE_CHECKING:
    from ._picture import WorkspaceChanged as WorkspaceChanged
    from ._sm_aio import AsyncSocketModeSession as AsyncSocketModeSession
    from ._sm_sync import SocketModeSession as SocketModeSession
    from .aio import AsyncRtmSession as AsyncRtmSession
    from .sync import RtmSession as RtmSession

# Each driver loads its own I/O library (websockets, aiohttp) only when it is used.
_LAZY = {
    "AsyncRtmSession": ".aio",
    "AsyncSocketModeSession": "._sm_aio",
    "RtmSession": ".sync",
    "SocketModeSession": "._sm_sync",
    "WorkspaceChanged": "._picture",
}

__all__ = [
    "DEFAULT_RECONNECT",
    "Connected",
    "Disconnected",
    "Lifecycle",
    "Reconnecting",
    "ReplayOptions",
    "ReplaySkipped",
    "RtmOptions",
    "RtmStats",
    *_LAZY,
]
__getattr__, __dir__ = lazy_names(__name__, _LAZY)
