"""What a member's action in the emulated workspace causes: the events Slack would send for it.

What lives here: one function per action a test may cause (a reaction added or removed, a
message pinned or unpinned, a file shared, a channel renamed, archived or unarchived), each
checking its arguments against the workspace, changing it where the action does (a rename, an
archive), and handing the event to the connections that would see it: a channel's members for
what happens in it, everyone on the channel's team for what happens to it. The events have the
shapes of the schema's event files (`schema/rtm/events/`), which the emulator's tests hold them
to.

Called on the server's loop (the `Emulator` moves each call there); nothing here does I/O but
through `Hub`.
"""

from __future__ import annotations

from typing import Any

from ._rtm import Hub
from .workspace import Channel

__all__ = ["archive_channel", "pin", "react", "rename_channel", "share_file"]


def _channel(hub: Hub, channel_id: str, user_id: str | None, *, member: bool) -> Channel:
    """The channel, with the acting user checked.

    Raises:
        KeyError: The channel or the user is unknown.
        ValueError: ``member`` and the user is not in the channel.
    """
    ws = hub.workspace
    channel = ws.channels.get(channel_id)
    if channel is None:
        raise KeyError(f"unknown channel {channel_id!r}")
    if user_id is not None and user_id not in ws.users:
        raise KeyError(f"unknown user {user_id!r}")
    if member and user_id not in channel.members:
        raise ValueError(f"{user_id} is not in {channel_id}")
    return channel


def _team_members(hub: Hub, channel: Channel) -> list[str]:
    return [u.id for u in hub.workspace.users.values() if u.team_id == channel.team_id]


def _send(hub: Hub, event: dict[str, Any], members: list[str] | set[str]) -> int:
    """Deliver ``event`` to the connections of ``members``; how many it went to."""
    wanted = set(members)
    reached = sum(1 for c in hub.connections.values() if c.user_id in wanted)
    hub.deliver(event, wanted)
    return reached


def react(
    hub: Hub, user_id: str, channel_id: str, ts: str, reaction: str, *, removed: bool = False
) -> int:
    """``reaction_added`` (or ``reaction_removed``) on the message ``ts``, to the channel's members.

    Raises:
        KeyError: The channel or the user is unknown.
        ValueError: The user is not in the channel, or ``reaction`` or ``ts`` is empty.
    """
    channel = _channel(hub, channel_id, user_id, member=True)
    if not reaction or not ts:
        raise ValueError("reaction and ts must not be empty")
    event = {
        "type": "reaction_removed" if removed else "reaction_added",
        "user": user_id,
        "reaction": reaction,
        "item": {"type": "message", "channel": channel.id, "ts": ts},
        "event_ts": hub.clock.next(),
    }
    return _send(hub, event, channel.members)


def pin(hub: Hub, user_id: str, channel_id: str, ts: str, *, removed: bool = False) -> int:
    """``pin_added`` (or ``pin_removed``) of the message ``ts``, to the channel's members.

    Raises:
        KeyError: The channel or the user is unknown.
        ValueError: The user is not in the channel, or ``ts`` is empty.
    """
    channel = _channel(hub, channel_id, user_id, member=True)
    if not ts:
        raise ValueError("ts must not be empty")
    event_ts = hub.clock.next()
    event: dict[str, Any] = {
        "type": "pin_removed" if removed else "pin_added",
        "user": user_id,
        "channel_id": channel.id,
        "item": {
            "type": "message",
            "channel": channel.id,
            "created": int(float(event_ts)),
            "created_by": user_id,
            "message": {"type": "message", "ts": ts},
        },
        "event_ts": event_ts,
    }
    if removed:
        event["has_pins"] = False
    return _send(hub, event, channel.members)


def share_file(hub: Hub, user_id: str, channel_id: str, file_id: str) -> int:
    """``file_shared`` of ``file_id`` in the channel, to its members.

    Raises:
        KeyError: The channel or the user is unknown.
        ValueError: The user is not in the channel, or ``file_id`` is empty.
    """
    channel = _channel(hub, channel_id, user_id, member=True)
    if not file_id:
        raise ValueError("file_id must not be empty")
    event = {
        "type": "file_shared",
        "file_id": file_id,
        "user_id": user_id,
        "file": {"id": file_id},
        "channel_id": channel.id,
        "event_ts": hub.clock.next(),
    }
    return _send(hub, event, channel.members)


def rename_channel(hub: Hub, channel_id: str, name: str) -> int:
    """Rename the channel and send ``channel_rename`` to everyone on its team.

    Raises:
        KeyError: The channel is unknown.
        ValueError: The name is empty or taken by another channel of the team.
    """
    channel = _channel(hub, channel_id, None, member=False)
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
    event = {
        "type": "channel_rename",
        "channel": {"id": channel.id, "name": name, "is_channel": True},
        "event_ts": hub.clock.next(),
    }
    return _send(hub, event, _team_members(hub, channel))


def archive_channel(hub: Hub, user_id: str, channel_id: str, *, unarchive: bool = False) -> int:
    """Archive (or unarchive) the channel and tell everyone on its team.

    Raises:
        KeyError: The channel or the user is unknown.
        ValueError: The channel is already in that state.
    """
    channel = _channel(hub, channel_id, user_id, member=False)
    if channel.is_archived != unarchive:
        raise ValueError(
            f"{channel_id} is {'already archived' if unarchive is False else 'not archived'}"
        )
    channel.is_archived = not unarchive
    event = {
        "type": "channel_unarchive" if unarchive else "channel_archive",
        "channel": channel.id,
        "user": user_id,
        "event_ts": hub.clock.next(),
    }
    return _send(hub, event, _team_members(hub, channel))
