"""The emulated Slack workspace: teams, users, tokens, channels and presence.

What lives here: plain data (`Team`, `User`, `Channel`, `Token`) and the `EmulatedWorkspace` that
holds them, with its defaults and its JSON file format. Nothing here touches a socket or an event
loop: the server reads a workspace, and the emulator's own methods send the events a change
implies. (The SDK's own `slackrtm.Workspace`, what ``client.workspace()`` returns, is another
thing: a snapshot read from Slack.)

Mutators take a lock so a test thread may change the workspace while the server thread reads it;
readers rely on single dict operations being atomic.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Literal, get_args

import attrs

from ._history import History

__all__ = [
    "Channel",
    "EmulatedWorkspace",
    "Presence",
    "Team",
    "Token",
    "TokenState",
    "User",
]

TokenState = Literal[
    "active",
    "inactive",
    "revoked",
    "no_permission",
    "org_login_required",
    "team_added_to_org",
]
"""What `rtm.connect` answers for a token: ``active`` succeeds, the others fail (see the README)."""

Presence = Literal["active", "away"]

TOKEN_STATES: frozenset[str] = frozenset(get_args(TokenState))
PRESENCES: frozenset[str] = frozenset(get_args(Presence))


def _check_token_state(_inst: object, _attr: attrs.Attribute[Any], value: object) -> None:
    if value not in TOKEN_STATES:
        raise ValueError(f"token state must be one of {sorted(TOKEN_STATES)}, got {value!r}")


def _check_presence(_inst: object, _attr: attrs.Attribute[Any], value: object) -> None:
    if value not in PRESENCES:
        raise ValueError(f"presence must be one of {sorted(PRESENCES)}, got {value!r}")


def _to_set(values: Iterable[str]) -> set[str]:
    return set(values)


def _secret_repr(value: object) -> str:
    return "'<redacted>'" if value else repr(value)


@attrs.frozen(kw_only=True)
class Team:
    """A workspace (Slack calls it a team).

    Attributes:
        id: The team ID, e.g. ``T0EMU0001``.
        name: The display name.
        domain: The subdomain.
        enterprise_id: The Enterprise Grid organization's ID, or None for a standalone team.
    """

    id: str
    name: str
    domain: str
    enterprise_id: str | None = None


@attrs.define(kw_only=True)
class User:
    """A member of a team: a person or a bot.

    Attributes:
        id: The user ID, e.g. ``U0EMU0001``.
        name: The user name.
        team_id: The team the user belongs to.
        is_bot: Whether the user is a bot.
        presence: ``active`` or ``away``; change it with `Emulator.set_presence` to send events.
    """

    id: str
    name: str
    team_id: str
    is_bot: bool = False
    presence: Presence = attrs.field(default="active", validator=_check_presence)


@attrs.define(kw_only=True)
class Channel:
    """A channel and its members.

    Attributes:
        id: The channel ID, e.g. ``C0EMU0001``.
        name: The channel name, without ``#``.
        team_id: The team the channel belongs to.
        members: The IDs of the users in the channel.
        is_archived: Whether it is archived (`Emulator.archive_channel` sends the events).
    """

    id: str
    name: str
    team_id: str
    members: set[str] = attrs.field(factory=set, converter=_to_set)
    is_archived: bool = False


@attrs.frozen(kw_only=True)
class Token:
    """An API token the emulator knows, and what `rtm.connect` answers for it.

    Attributes:
        token: The token string. Never logged; its repr is redacted.
        user_id: The user the token acts as.
        state: ``active`` (accepted), ``inactive`` (account_inactive), ``revoked``
            (token_revoked), ``no_permission``, ``org_login_required`` or ``team_added_to_org``.
    """

    token: str = attrs.field(repr=_secret_repr)
    user_id: str
    state: TokenState = attrs.field(default="active", validator=_check_token_state)


def _require(data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise ValueError(f"{where}: {key!r} must be a {kind.__name__}, got {value!r}")
    return value


class EmulatedWorkspace:
    """Teams, users, channels, tokens and presence, as the emulator serves them.

    ``EmulatedWorkspace()`` is empty; `EmulatedWorkspace.default()` (what `Emulator` uses when
    given none) has two teams, one of them on Enterprise Grid, a bot and people with tokens, and
    two channels.

    Example:
        >>> ws = EmulatedWorkspace()
        >>> _ = ws.add_team("T1", name="Acme", domain="acme")
        >>> _ = ws.add_user("U1", name="bot", team_id="T1", is_bot=True)
        >>> _ = ws.add_token("xoxb-1", user_id="U1")
        >>> _ = ws.add_channel("C1", name="general", team_id="T1", members=["U1"])
    """

    def __init__(self) -> None:
        """Make an empty workspace."""
        self._lock = threading.RLock()
        self.teams: dict[str, Team] = {}
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.tokens: dict[str, Token] = {}
        self.history = History()
        """Every message posted into a channel, for ``conversations.history``."""

    def __repr__(self) -> str:
        return (
            f"EmulatedWorkspace(teams={len(self.teams)}, users={len(self.users)}, "
            f"channels={len(self.channels)}, tokens={len(self.tokens)})"
        )

    # -- building -----------------------------------------------------------------------------

    def add_team(
        self, team_id: str, *, name: str, domain: str, enterprise_id: str | None = None
    ) -> Team:
        """Add (or replace) a team.

        Args:
            team_id: The team ID.
            name: The display name.
            domain: The subdomain.
            enterprise_id: The Enterprise Grid organization's ID, for a team on Grid.

        Returns:
            The team.
        """
        team = Team(id=team_id, name=name, domain=domain, enterprise_id=enterprise_id)
        with self._lock:
            self.teams[team_id] = team
        return team

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        team_id: str,
        is_bot: bool = False,
        presence: Presence = "active",
    ) -> User:
        """Add (or replace) a user.

        Args:
            user_id: The user ID.
            name: The user name.
            team_id: An existing team's ID.
            is_bot: Whether the user is a bot.
            presence: The initial presence.

        Returns:
            The user.

        Raises:
            ValueError: The team is unknown, or the presence is not ``active`` or ``away``.
        """
        with self._lock:
            if team_id not in self.teams:
                raise ValueError(f"user {user_id!r}: unknown team {team_id!r}")
            user = User(id=user_id, name=name, team_id=team_id, is_bot=is_bot, presence=presence)
            self.users[user_id] = user
        return user

    def add_channel(
        self, channel_id: str, *, name: str, team_id: str, members: Iterable[str] = ()
    ) -> Channel:
        """Add (or replace) a channel.

        Args:
            channel_id: The channel ID.
            name: The channel name.
            team_id: An existing team's ID.
            members: IDs of existing users.

        Returns:
            The channel.

        Raises:
            ValueError: The team or a member is unknown.
        """
        with self._lock:
            if team_id not in self.teams:
                raise ValueError(f"channel {channel_id!r}: unknown team {team_id!r}")
            channel = Channel(id=channel_id, name=name, team_id=team_id, members=_to_set(members))
            unknown = sorted(channel.members - self.users.keys())
            if unknown:
                raise ValueError(f"channel {channel_id!r}: unknown members {unknown}")
            self.channels[channel_id] = channel
        return channel

    def add_token(self, token: str, *, user_id: str, state: TokenState = "active") -> Token:
        """Add (or replace) a token.

        Args:
            token: The token string, e.g. ``xoxb-...`` for a bot or ``xoxp-...`` for a person;
                an app-level ``xapp-1-<app ID>-...`` token is Socket Mode's, for the app whose
                bot is `user_id`.
            user_id: An existing user's ID.
            state: What `rtm.connect` answers: ``active`` succeeds; ``inactive`` gives
                account_inactive, ``revoked`` token_revoked, and ``no_permission``,
                ``org_login_required``, ``team_added_to_org`` the error of that name.

        Returns:
            The token record.

        Raises:
            ValueError: The user or the state is unknown.
        """
        with self._lock:
            if user_id not in self.users:
                raise ValueError(f"token: unknown user {user_id!r}")
            record = Token(token=token, user_id=user_id, state=state)
            self.tokens[token] = record
        return record

    def join(self, channel_id: str, user_id: str) -> None:
        """Make a user a member of a channel.

        Raises:
            KeyError: The channel or the user is unknown.
        """
        with self._lock:
            if user_id not in self.users:
                raise KeyError(user_id)
            self.channels[channel_id].members.add(user_id)

    def leave(self, channel_id: str, user_id: str) -> None:
        """Remove a user from a channel (no error if not a member).

        Raises:
            KeyError: The channel is unknown.
        """
        with self._lock:
            self.channels[channel_id].members.discard(user_id)

    # -- reading ------------------------------------------------------------------------------

    def team_of(self, user_id: str) -> Team:
        """The team a user belongs to.

        Raises:
            KeyError: The user is unknown.
        """
        return self.teams[self.users[user_id].team_id]

    def first_token(self, prefix: str) -> str:
        """The first active token starting with `prefix` (such as ``xoxb-``).

        Raises:
            LookupError: There is none.
        """
        for record in list(self.tokens.values()):
            if record.state == "active" and record.token.startswith(prefix):
                return record.token
        raise LookupError(f"the workspace has no active {prefix}... token")

    @property
    def bot_token(self) -> str:
        """The first active bot (``xoxb-``) token."""
        return self.first_token("xoxb-")

    @property
    def user_token(self) -> str:
        """The first active user (``xoxp-``) token."""
        return self.first_token("xoxp-")

    # -- files --------------------------------------------------------------------------------

    def seed(self, users: int = 0, channels: int = 0, *, team_id: str | None = None) -> None:
        """Add `users` made-up people and `channels` channels to a team, for paging tests.

        People are ``U0SEED0001`` ``user0001`` and up; channels ``C0SEED0001`` ``channel-0001``
        and up, each with the team's first member in it. Listings page through them in ID order.

        Args:
            users: How many users to add.
            channels: How many channels to add.
            team_id: The team; the workspace's first team by default.

        Raises:
            ValueError: A count is negative, or there is no such team.
        """
        if users < 0 or channels < 0:
            raise ValueError("users and channels must be >= 0")
        with self._lock:
            team = team_id if team_id is not None else next(iter(self.teams), None)
            if team is None or team not in self.teams:
                raise ValueError(f"seed: unknown team {team!r}")
            for n in range(1, users + 1):
                self.add_user(f"U0SEED{n:04d}", name=f"user{n:04d}", team_id=team)
            first = sorted(u.id for u in self.users.values() if u.team_id == team)[:1]
            for n in range(1, channels + 1):
                self.add_channel(
                    f"C0SEED{n:04d}", name=f"channel-{n:04d}", team_id=team, members=first
                )

    @classmethod
    def default(cls, *, users: int = 0, channels: int = 0) -> EmulatedWorkspace:
        """The workspace an `Emulator` serves when given none; `seed` adds to its first team.

        Team ``T0EMU0001`` (``emulator``) has the bot ``U0EMUBOT1`` (token
        ``xoxb-emulator-bot-token``) and the people ``U0EMU0001`` alice (token
        ``xoxp-emulator-user-token``) and ``U0EMU0002`` bob (``xoxp-emulator-bob-token``), in
        channels ``C0EMU0001`` (general: all three) and ``C0EMU0002`` (random: the bot and
        alice). Team ``T0EMUGRID`` is on Enterprise Grid ``E0EMU0001``, with carol
        ``U0EMUGRID`` (token ``xoxp-emulator-grid-token``) in channel ``C0EMUGRID``. The app
        ``A0EMUAPP1``, whose bot is ``U0EMUBOT1``, has the app-level token
        ``xapp-1-A0EMUAPP1-1-emulator-app-token`` (Socket Mode).

        Args:
            users: Made-up users to add to team ``T0EMU0001`` (see `seed`).
            channels: Made-up channels to add to it.
        """
        ws = cls.from_dict(_DEFAULT)
        ws.seed(users, channels)
        return ws

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EmulatedWorkspace:
        """Build a workspace from the JSON file format (see `from_file`).

        Raises:
            ValueError: The data is malformed or refers to something it does not define.
        """
        if not isinstance(data, Mapping):
            raise ValueError("workspace: the top level must be an object")
        unknown_keys = sorted(set(data) - {"teams", "users", "channels", "tokens"})
        if unknown_keys:
            raise ValueError(f"workspace: unknown keys {unknown_keys}")
        ws = cls()
        for i, item in enumerate(_items(data, "teams")):
            where = f"teams[{i}]"
            enterprise_id = item.get("enterprise_id")
            if enterprise_id is not None and not isinstance(enterprise_id, str):
                raise ValueError(f"{where}: 'enterprise_id' must be a str or null")
            ws.add_team(
                _require(item, "id", str, where),
                name=_require(item, "name", str, where),
                domain=_require(item, "domain", str, where),
                enterprise_id=enterprise_id,
            )
        for i, item in enumerate(_items(data, "users")):
            where = f"users[{i}]"
            ws.add_user(
                _require(item, "id", str, where),
                name=_require(item, "name", str, where),
                team_id=_require(item, "team_id", str, where),
                is_bot=bool(_require(item, "is_bot", bool, where)) if "is_bot" in item else False,
                presence=item.get("presence", "active"),
            )
        for i, item in enumerate(_items(data, "channels")):
            where = f"channels[{i}]"
            members = item.get("members", [])
            if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                raise ValueError(f"{where}: 'members' must be a list of user IDs")
            ws.add_channel(
                _require(item, "id", str, where),
                name=_require(item, "name", str, where),
                team_id=_require(item, "team_id", str, where),
                members=members,
            )
        for i, item in enumerate(_items(data, "tokens")):
            where = f"tokens[{i}]"
            ws.add_token(
                _require(item, "token", str, where),
                user_id=_require(item, "user_id", str, where),
                state=item.get("state", "active"),
            )
        return ws

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> EmulatedWorkspace:
        """Read a workspace from a JSON file.

        The file holds an object with four lists, each optional::

            {"teams":    [{"id": "T1", "name": "Acme", "domain": "acme", "enterprise_id": null}],
             "users":    [{"id": "U1", "name": "bot", "team_id": "T1", "is_bot": true,
                           "presence": "active"}],
             "channels": [{"id": "C1", "name": "general", "team_id": "T1", "members": ["U1"]}],
             "tokens":   [{"token": "xoxb-1", "user_id": "U1", "state": "active"}]}

        Args:
            path: The file.

        Returns:
            The workspace.

        Raises:
            OSError: The file cannot be read.
            ValueError: It is not valid JSON or not a valid workspace.
        """
        with open(path, encoding="utf-8") as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as exc:
                raise ValueError(f"workspace file {os.fspath(path)!r}: {exc}") from None
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The workspace in the JSON file format (tokens included: they are the emulator's)."""
        with self._lock:
            return {
                "teams": [attrs.asdict(t) for t in self.teams.values()],
                "users": [attrs.asdict(u) for u in self.users.values()],
                "channels": [
                    {"id": c.id, "name": c.name, "team_id": c.team_id, "members": sorted(c.members)}
                    for c in self.channels.values()
                ],
                "tokens": [attrs.asdict(t) for t in self.tokens.values()],
            }


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise ValueError(f"workspace: {key!r} must be a list of objects")
    return items


_DEFAULT: Mapping[str, Any] = {
    "teams": [
        {"id": "T0EMU0001", "name": "Emulator", "domain": "emulator"},
        {
            "id": "T0EMUGRID",
            "name": "Emulator Grid",
            "domain": "emulator-grid",
            "enterprise_id": "E0EMU0001",
        },
    ],
    "users": [
        {"id": "U0EMUBOT1", "name": "emubot", "team_id": "T0EMU0001", "is_bot": True},
        {"id": "U0EMU0001", "name": "alice", "team_id": "T0EMU0001"},
        {"id": "U0EMU0002", "name": "bob", "team_id": "T0EMU0001"},
        {"id": "U0EMUGRID", "name": "carol", "team_id": "T0EMUGRID"},
    ],
    "channels": [
        {
            "id": "C0EMU0001",
            "name": "general",
            "team_id": "T0EMU0001",
            "members": ["U0EMUBOT1", "U0EMU0001", "U0EMU0002"],
        },
        {
            "id": "C0EMU0002",
            "name": "random",
            "team_id": "T0EMU0001",
            "members": ["U0EMUBOT1", "U0EMU0001"],
        },
        {
            "id": "C0EMUGRID",
            "name": "grid-general",
            "team_id": "T0EMUGRID",
            "members": ["U0EMUGRID"],
        },
    ],
    "tokens": [
        {"token": "xoxb-emulator-bot-token", "user_id": "U0EMUBOT1"},
        {"token": "xoxp-emulator-user-token", "user_id": "U0EMU0001"},
        {"token": "xoxp-emulator-bob-token", "user_id": "U0EMU0002"},
        {"token": "xoxp-emulator-grid-token", "user_id": "U0EMUGRID"},
        {"token": "xapp-1-A0EMUAPP1-1-emulator-app-token", "user_id": "U0EMUBOT1"},
    ],
}
