"""The RTM session as the command line uses it, until `client.rtm()` lands (issue 7).

What lives here: the slice of the session contract that ``listen``, ``send`` and ``demo`` call
(`SyncSession`), and `open_session`, which opens one or says in one line that this build has
none. Once the session is on main, `open_session` becomes ``return client.rtm(**options)``, the
Protocol goes, and nothing else in the command line changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol, cast

from .. import events
from .._generated import RtmConnectSelf, RtmConnectTeam
from ..client import Client
from ._errors import CliError, ExitCode

__all__ = ["SyncSession", "open_session", "session_available"]


class SyncSession(Protocol):
    """What the command line needs of ``client.rtm()`` (the contract of issue 7)."""

    self_: RtmConnectSelf
    team: RtmConnectTeam

    def send_message(
        self, channel: str, text: str, *, thread_ts: str | None = None
    ) -> events.MessageAck:
        """Send a message and wait for its ack."""

    def subscribe_presence(self, user_ids: Iterable[str]) -> None:
        """Follow these users' presence (re-sent after each reconnect)."""

    def next_event(self, timeout: float | None = None) -> object:
        """The next event or lifecycle notice; TimeoutError when none came in time."""

    def __iter__(self) -> Iterator[object]:
        """Typed events and lifecycle notices, in arrival order, across reconnects."""


def session_available(client: Client) -> bool:
    """Whether this build has the RTM session."""
    return callable(getattr(client, "rtm", None))


def open_session(client: Client, **options: Any) -> AbstractContextManager[SyncSession]:
    """``client.rtm(**options)``: a session to use in a ``with`` block.

    Raises:
        CliError: This build has no RTM session yet.
    """
    factory = getattr(client, "rtm", None)
    if not callable(factory):
        raise CliError(
            ExitCode.FAILURE, "this build of slackrtm has no RTM session yet (client.rtm())"
        )
    return cast("AbstractContextManager[SyncSession]", factory(**options))
