"""`Workspace`: one typed snapshot of a workspace, and ``workspace()`` on both clients.

What lives here: the snapshot (team, users and conversations by ID, with lookups by name), its
sans-I/O builder, and the two thin mixins that fetch the pages for it: `SyncWorkspace` for
`Client` and `AsyncWorkspace` for `AsyncClient`, which differ only in ``await``. The pages are
read as the generated ``iter_<method>`` iterators read them (`slackrtm._paging` between two
pages), so where the items and the cursor live is read from the method table, never typed
here; but a page's items are taken whole, not one by one through an iterator: ten thousand
resumptions of an (async) generator cost more than the pages' own bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ._generated.api import AsyncMethods, SyncMethods, _table

if TYPE_CHECKING:
    from ._generated.models import Conversation, Team, User
    from ._spec import MethodSpec

__all__ = ["AsyncWorkspace", "SyncWorkspace", "Workspace", "build_workspace"]

DEFAULT_PAGE_SIZE = 200
"""Items asked for per page: what Slack advises for users.list."""


class Workspace:
    """What a workspace holds when the snapshot is taken: its team, users and conversations.

    The RTM session says what changes; this says what already is. Build one with
    ``client.workspace()`` or ``await aclient.workspace()``; ``client.rtm(workspace=True)``
    keeps one current (``rtm.workspace``, see the README's "The live picture").

    Two workspaces are equal when their teams, users and conversations are: what a snapshot
    holds. Members and presence, which only a live picture learns, are not compared.

    Attributes:
        team: The workspace itself (from ``team.info``).
        users: Every user (``users.list``), by ID.
        conversations: Every conversation listed (``conversations.list``), by ID.
    """

    __slots__ = (
        "_conversation_names",
        "_conversations",
        "_members",
        "_presence",
        "_user_names",
        "_users",
        "conversations",
        "team",
        "users",
    )

    def __init__(
        self,
        team: Team,
        users: Mapping[str, User],
        conversations: Mapping[str, Conversation],
    ) -> None:
        """Keep read-only copies of the mappings and index them by name."""
        self.team = team
        # The live picture (`slackrtm.rtm._picture`) replaces single entries of these dicts in
        # place: the public mappings are read-only views of them, never copies per change.
        self._users = dict(users)
        self._conversations = dict(conversations)
        self.users: Mapping[str, User] = MappingProxyType(self._users)
        self.conversations: Mapping[str, Conversation] = MappingProxyType(self._conversations)
        self._user_names = {u.name: u.id for u in self._users.values() if u.name}
        self._conversation_names = {c.name: c.id for c in self._conversations.values() if c.name}
        self._members: dict[str, set[str]] = {}
        self._presence: dict[str, str] = {}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Workspace):
            return NotImplemented
        return (
            self.team == other.team
            and self._users == other._users
            and self._conversations == other._conversations
        )

    __hash__ = None  # type: ignore[assignment]  # equal by value, and a live one changes

    def __repr__(self) -> str:
        return (
            f"Workspace(team={self.team.id!r}, users={len(self.users)}, "
            f"conversations={len(self.conversations)})"
        )

    def user(self, user_id: str) -> User:
        """The user with this ID.

        Raises:
            KeyError: No such user.
        """
        return self.users[user_id]

    def conversation(self, conversation_id: str) -> Conversation:
        """The conversation with this ID.

        Raises:
            KeyError: No such conversation.
        """
        return self.conversations[conversation_id]

    def user_named(self, name: str) -> User:
        """The user with this user name (the handle, with or without a leading ``@``).

        Raises:
            KeyError: No such user.
        """
        return self._users[self._user_names[name.removeprefix("@")]]

    def conversation_named(self, name: str) -> Conversation:
        """The channel with this name (with or without a leading ``#``).

        Raises:
            KeyError: No such conversation (a direct message has no name).
        """
        return self._conversations[self._conversation_names[name.removeprefix("#")]]

    def members(self, conversation_id: str) -> frozenset[str] | None:
        """The IDs of a conversation's members, where they are known; else None.

        A snapshot knows none. A live picture knows those of the conversations the session
        joined while it ran (``channel_joined``, ``group_joined`` carry them) and keeps them
        current with ``member_joined_channel`` and ``member_left_channel``.
        """
        members = self._members.get(conversation_id)
        return frozenset(members) if members is not None else None

    def presence(self, user_id: str) -> str | None:
        """A user's last known presence (``active`` or ``away``); None until one is seen.

        A live picture learns it from ``presence_change`` (and ``manual_presence_change`` for
        the connecting user); a snapshot knows none.
        """
        return self._presence.get(user_id)

    def is_member(self, conversation_id: str) -> bool:
        """Whether the connecting user is in this conversation (its ``is_member``).

        Raises:
            KeyError: No such conversation.
        """
        return bool(self._conversations[conversation_id].is_member)


def build_workspace(
    team: Team, users: Iterable[User], conversations: Iterable[Conversation]
) -> Workspace:
    """The snapshot from what the three methods answered. An ID seen twice keeps its last item."""
    return Workspace(
        team,
        {user.id: user for user in users},
        {conversation.id: conversation for conversation in conversations},
    )


def _check(page_size: int) -> None:
    if type(page_size) is not int or page_size < 1:
        raise ValueError(f"page_size must be an integer >= 1, got {page_size!r}")


def _listings(
    types: str | None, page_size: int
) -> tuple[tuple[MethodSpec[Any, Any], object], tuple[MethodSpec[Any, Any], object]]:
    """The two listings a snapshot reads, each as its method and its first page's arguments.

    The arguments are what ``iter_users_list(limit=...)`` and ``iter_conversations_list(limit=...,
    types=...)`` would send.
    """
    table = _table()
    users, conversations = table["users.list"], table["conversations.list"]
    return (
        (users, users.args_type(limit=page_size)),
        (conversations, conversations.args_type(limit=page_size, types=types)),
    )


class SyncWorkspace(SyncMethods):
    """``workspace()`` for `Client`."""

    __slots__ = ()

    def workspace(
        self, *, types: str | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Workspace:
        """A snapshot of the workspace: its team, users and conversations.

        It calls ``team.info``, then reads every page of ``users.list`` and ``conversations.list``.

        Args:
            types: The conversation kinds to list, as ``conversations.list`` takes them (such as
                ``public_channel,private_channel``); Slack's default (public channels) if None.
            page_size: Items asked for per page.

        Returns:
            The `Workspace`.

        Raises:
            ValueError: `page_size` is not a positive integer.
            SlackError: As the three methods do.
        """
        _check(page_size)
        team = self.team_info().team
        (users_list, users_args), (conversations_list, conversations_args) = _listings(
            types, page_size
        )
        users = self._every_item(users_list, users_args)
        conversations = self._every_item(conversations_list, conversations_args)
        return build_workspace(team, users, conversations)

    def _every_item(self, method: MethodSpec[Any, Any], args: object | None) -> list[Any]:
        """Every item of a listing, page after page, as ``iter_<method>`` gives them."""
        from ._paging import next_page_args, page_items  # loaded at the first snapshot

        items: list[Any] = []
        while args is not None:
            page = self._call(method, args)
            items += page_items(method, page)
            args = next_page_args(method, args, page)
        return items


class AsyncWorkspace(AsyncMethods):
    """``workspace()`` for `AsyncClient`: `SyncWorkspace.workspace` with ``await``."""

    __slots__ = ()

    async def workspace(
        self, *, types: str | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Workspace:
        """A snapshot of the workspace: `SyncWorkspace.workspace` with ``await``.

        Args:
            types: The conversation kinds to list; Slack's default (public channels) if None.
            page_size: Items asked for per page.

        Returns:
            The `Workspace`.

        Raises:
            ValueError: `page_size` is not a positive integer.
            SlackError: As the three methods do.
        """
        _check(page_size)
        team = (await self.team_info()).team
        (users_list, users_args), (conversations_list, conversations_args) = _listings(
            types, page_size
        )
        users = await self._every_item(users_list, users_args)
        conversations = await self._every_item(conversations_list, conversations_args)
        return build_workspace(team, users, conversations)

    async def _every_item(self, method: MethodSpec[Any, Any], args: object | None) -> list[Any]:
        """Every item of a listing, page after page, as ``iter_<method>`` gives them."""
        from ._paging import next_page_args, page_items  # loaded at the first snapshot

        items: list[Any] = []
        while args is not None:
            page = await self._call(method, args)
            items += page_items(method, page)
            args = next_page_args(method, args, page)
        return items
