"""Changes to the emulated workspace, made the way Slack makes them: the state, then the events.

What lives here: one function per change of what the workspace holds (a user added or renamed; a
channel added, renamed, archived or unarchived, joined or left; the team renamed). Each checks
its arguments, changes `Hub.workspace`, and queues on every open socket of the team (RTM, and
Socket Mode's apps through `Hub.mirror`) the events Slack sends for it, in the shapes of the
schema's event files (`schema/rtm/events/`). `Emulator`'s methods of the same names run them on
the server's loop; the control routes call those. What a member does that changes nothing the
workspace holds (a reaction, a pin, a file shared) is `_happenings`'.

Where Slack tells only a channel's members of a join or a leave, the emulator tells every
socket of the team: a simplification that keeps the counts of every session's live picture
complete. A rename, an archive and an unarchive go to the whole team, as Slack sends them. The
user who joins gets ``channel_joined`` (the channel, with its members) before
``member_joined_channel``; the one who leaves gets ``channel_left`` before
``member_left_channel``, as Slack sends them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._methods import CREATED, Caller, channel_json, user_json

if TYPE_CHECKING:
    from ._rtm import Connection, Hub
    from .workspace import Channel

__all__ = [
    "add_channel",
    "add_user",
    "archive_channel",
    "join_channel",
    "leave_channel",
    "rename_channel",
    "rename_team",
    "rename_user",
]

Frame = Mapping[str, Any]


def _to_team(hub: Hub, team_id: str, event: Frame | Callable[[Connection], Frame]) -> int:
    """Queue `event` (or the event made for each socket) on the team's sockets; how many."""
    sent = 0
    for conn in list(hub.connections.values()):
        if conn.team_id == team_id:
            conn.send_json(event(conn) if callable(event) else event)
            sent += 1
    if hub.mirror is not None:  # Socket Mode's apps of the team get it too
        hub.mirror(event, lambda c: c.team_id == team_id)
    return sent


def _caller(hub: Hub, conn: Connection) -> Caller:
    ws = hub.workspace
    return Caller(user=ws.users[conn.user_id], team=ws.teams[conn.team_id])


def _known_channel(hub: Hub, channel_id: str) -> Channel:
    channel = hub.workspace.channels.get(channel_id)
    if channel is None:
        raise KeyError(f"unknown channel {channel_id!r}")
    return channel


def add_user(hub: Hub, user_id: str, *, name: str, team_id: str) -> int:
    """A new member: ``team_join`` with the user as ``users.info`` shows it."""
    user = hub.workspace.add_user(user_id, name=name, team_id=team_id)
    return _to_team(hub, team_id, {"type": "team_join", "user": user_json(user)})


def rename_user(hub: Hub, user_id: str, *, name: str) -> int:
    """A member's new user name: ``user_change`` with the whole user."""
    user = hub.workspace.users[user_id]
    user.name = name
    return _to_team(hub, user.team_id, {"type": "user_change", "user": user_json(user)})


def add_channel(hub: Hub, channel_id: str, *, name: str, creator: str) -> int:
    """A new channel, its creator in it: ``channel_created`` (as each socket's user sees it)."""
    ws = hub.workspace
    team_id = ws.users[creator].team_id
    if channel_id in ws.channels:
        raise ValueError(f"channel {channel_id!r} exists already")
    channel = ws.add_channel(channel_id, name=name, team_id=team_id, members=[creator])
    return _to_team(
        hub,
        team_id,
        lambda conn: {
            "type": "channel_created",
            "channel": channel_json(channel, _caller(hub, conn)),
        },
    )


def rename_channel(hub: Hub, channel_id: str, name: str) -> int:
    """The channel's new name: ``channel_rename``, the channel as Slack's event carries it.

    Slack documents ``id``, ``name`` and ``created``; its logged payloads (java-slack-sdk's
    ``ChannelRenamePayload.json``) add ``name_normalized``, ``is_channel`` and ``is_mpim``.

    Raises:
        KeyError: The channel is unknown.
        ValueError: The name is empty or taken by another channel of the team.
    """
    channel = _known_channel(hub, channel_id)
    if not name:
        raise ValueError("name must not be empty")
    taken = [
        c.id
        for c in hub.workspace.channels.values()
        if c.team_id == channel.team_id and c.name == name and c.id != channel.id
    ]
    if taken:
        raise ValueError(f"name {name!r} is taken by {taken[0]}")
    channel.name = name
    renamed = {
        "id": channel.id,
        "name": name,
        "name_normalized": name,
        "created": CREATED,
        "is_channel": True,
        "is_mpim": False,
    }
    event = {"type": "channel_rename", "channel": renamed, "event_ts": hub.clock.next()}
    return _to_team(hub, channel.team_id, event)


def archive_channel(hub: Hub, user_id: str, channel_id: str, *, unarchive: bool = False) -> int:
    """A member archives (or unarchives) it: ``channel_archive`` (``channel_unarchive``).

    Raises:
        KeyError: The channel or the user is unknown.
        ValueError: The channel is already in that state.
    """
    channel = _known_channel(hub, channel_id)
    if user_id not in hub.workspace.users:
        raise KeyError(f"unknown user {user_id!r}")
    if channel.is_archived != unarchive:
        raise ValueError(f"{channel_id} is {'not archived' if unarchive else 'already archived'}")
    channel.is_archived = not unarchive
    event = {
        "type": "channel_unarchive" if unarchive else "channel_archive",
        "channel": channel.id,
        "user": user_id,
        "event_ts": hub.clock.next(),
    }
    return _to_team(hub, channel.team_id, event)


def join_channel(hub: Hub, channel_id: str, user_id: str) -> int:
    """A member joins: ``channel_joined`` to them, then ``member_joined_channel`` to all.

    Raises:
        ValueError: They are in it already (Slack's ``already_in_channel``).
    """
    ws = hub.workspace
    channel = ws.channels[channel_id]
    if user_id in channel.members:
        raise ValueError(f"{user_id!r} is in {channel_id!r} already")
    ws.join(channel_id, user_id)
    members = channel.members
    sent = 0
    for conn in list(hub.connections.values()):
        if conn.user_id == user_id:
            whole = {
                **channel_json(channel, _caller(hub, conn)),
                "members": sorted(channel.members),
            }
            conn.send_json({"type": "channel_joined", "channel": whole})
            sent += 1
    if hub.mirror is not None:
        hub.mirror(
            lambda c: {
                "type": "channel_joined",
                "channel": {**channel_json(channel, _caller(hub, c)), "members": sorted(members)},
            },
            lambda c: c.user_id == user_id,
        )
    joined = {"user": user_id, "channel": channel_id, "channel_type": "C", "team": channel.team_id}
    return sent + _to_team(hub, channel.team_id, {"type": "member_joined_channel", **joined})


def leave_channel(hub: Hub, channel_id: str, user_id: str) -> int:
    """A member leaves: ``channel_left`` to them, then ``member_left_channel`` to all.

    Raises:
        ValueError: They are not in it (Slack's ``not_in_channel``).
    """
    ws = hub.workspace
    channel = ws.channels[channel_id]
    if user_id not in channel.members:
        raise ValueError(f"{user_id!r} is not in {channel_id!r}")
    ws.leave(channel_id, user_id)
    sent = 0
    for conn in list(hub.connections.values()):
        if conn.user_id == user_id:
            conn.send_json({"type": "channel_left", "channel": channel_id, "actor_id": user_id})
            sent += 1
    if hub.mirror is not None:
        left_event = {"type": "channel_left", "channel": channel_id, "actor_id": user_id}
        hub.mirror(left_event, lambda c: c.user_id == user_id)
    left = {"user": user_id, "channel": channel_id, "channel_type": "C", "team": channel.team_id}
    return sent + _to_team(hub, channel.team_id, {"type": "member_left_channel", **left})


def rename_team(hub: Hub, team_id: str, *, name: str) -> int:
    """The team's new name: ``team_rename``."""
    ws = hub.workspace
    ws.teams[team_id] = attrs.evolve(ws.teams[team_id], name=name)
    return _to_team(hub, team_id, {"type": "team_rename", "name": name})
