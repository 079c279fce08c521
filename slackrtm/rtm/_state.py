"""The session's states and the table of moves between them, in one place.

`State`, and `MOVES`: from each state, the states it may go to next. The model is h11's
``_state.py``.

The engine (`_protocol.py`) changes its state only through its one checked move, which refuses
any move not in `MOVES` with a `RuntimeError` naming both states. What makes a move happen
(a ``hello``, a lost socket, a deadline) is the engine's; this module holds only the rule.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["MOVES", "State"]


class State(str, enum.Enum):
    """Where the session is.

    ``idle`` (not started), ``connecting`` (rtm.connect and the handshake under way), ``open``
    (socket open, waiting for ``hello``), ``connected``, ``waiting`` (backing off before the
    next attempt), ``closed`` (for good; `RtmProtocol.error` says why when it was not the user).

    A `str` whose value is the name the sessions' ``state`` has always shown, so that
    ``rtm.state == "connected"`` holds and ``str()`` and f-strings show ``connected``.
    """

    IDLE = "idle"
    CONNECTING = "connecting"
    OPEN = "open"
    CONNECTED = "connected"
    WAITING = "waiting"
    CLOSED = "closed"

    def __str__(self) -> str:
        # The plain string, on every Python version (3.12 changed what Enum's own gives).
        return str.__str__(self)


MOVES: Mapping[State, frozenset[State]] = MappingProxyType(
    {
        # begin_connect; close
        State.IDLE: frozenset({State.CONNECTING, State.CLOSED}),
        # socket_opened; connect_failed (a wait, or the end); close
        State.CONNECTING: frozenset({State.OPEN, State.WAITING, State.CLOSED}),
        # hello; a failed attempt (lost, a frame too large, no hello, goodbye: a wait, or the
        # end); close
        State.OPEN: frozenset({State.CONNECTED, State.WAITING, State.CLOSED}),
        # any disconnect (a wait, or the end when reconnecting is off or gives up); close
        State.CONNECTED: frozenset({State.WAITING, State.CLOSED}),
        # begin_connect once the wait is over; close
        State.WAITING: frozenset({State.CONNECTING, State.CLOSED}),
        # for good
        State.CLOSED: frozenset(),
    }
)
"""The allowed moves: from each state, the states it may go to next."""
