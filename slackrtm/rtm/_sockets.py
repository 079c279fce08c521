"""Which open sockets a driver keeps, by the core's links: `Sockets`, shared by both drivers.

A driver holds the socket of the core's current link and, during a Socket Mode handover, the
one the core drains (`RtmProtocol.draining`). `follow` is the one rule: a socket whose link the
core no longer names is handed back to be closed; the current one that the core now drains is
kept apart, open. RTM never drains, so there is only ever the current socket. No I/O here: the
driver closes what it is handed, in its own form.
"""

from __future__ import annotations

from typing import Generic, TypeVar

__all__ = ["Sockets"]

_Socket = TypeVar("_Socket")


class Sockets(Generic[_Socket]):
    """The current socket and its link, and the draining one (either may be None)."""

    __slots__ = ("current", "link", "old", "old_link")

    def __init__(self) -> None:
        """None held."""
        self.current: _Socket | None = None
        self.link: int | None = None
        self.old: _Socket | None = None
        self.old_link: int | None = None

    def opened(self, socket: _Socket, link: int, draining: int | None) -> list[_Socket]:
        """The socket of the core's current `link` is open; the sockets to close (`follow`).

        The one held before is followed first: kept apart if the core drains it.
        """
        stale = self.follow(link, draining)
        self.current, self.link = socket, link
        return stale

    def follows(self, link: int | None, draining: int | None) -> bool:
        """Whether the sockets held are those the core names (nothing to `follow`)."""
        return self.link == link and self.old_link == draining

    def follow(self, link: int | None, draining: int | None) -> list[_Socket]:
        """Keep the sockets of the core's `link` and `draining`; the others, to close."""
        stale: list[_Socket] = []
        if self.link != link:
            if self.current is not None and self.link is not None and self.link == draining:
                if self.old is not None:
                    stale.append(self.old)
                self.old, self.old_link = self.current, self.link
            elif self.current is not None:
                stale.append(self.current)
            self.current, self.link = None, None
        if self.old_link != draining:
            if self.old is not None:
                stale.append(self.old)
            self.old, self.old_link = None, None
        return stale

    def for_link(self, link: int | None) -> _Socket | None:
        """The socket held for `link`; None for none."""
        if link is None:
            return None
        if link == self.link:
            return self.current
        return self.old if link == self.old_link else None

    def take_all(self) -> list[_Socket]:
        """Every socket held, none kept (the session's end)."""
        held = [s for s in (self.old, self.current) if s is not None]
        self.current, self.link, self.old, self.old_link = None, None, None, None
        return held
