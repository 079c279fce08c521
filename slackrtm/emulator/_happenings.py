"""What a member does in a channel that changes nothing the workspace holds, and its events.

What lives here: one function per action a test may cause (a reaction added or removed, a
message pinned or unpinned, a file shared), each checking its arguments against the workspace
(the user in the channel) and handing the event Slack would send to the channel's members'
connections (`Hub.deliver`, which Socket Mode's apps see too). The events have the shapes of the
schema's event files (`schema/rtm/events/`), which the emulator's tests hold them to. What
changes the workspace itself (a channel renamed or archived, a user added) is `_changes`'.

Called on the server's loop (the `Emulator` moves each call there); nothing here does I/O but
through `Hub`.
"""

from __future__ import annotations

from typing import Any

from ._rtm import Hub
from .workspace import Channel

__all__ = ["pin", "react", "share_file"]


def _channel(hub: Hub, channel_id: str, user_id: str) -> Channel:
    """The channel, the acting user one of its members.

    Raises:
        KeyError: The channel or the user is unknown.
        ValueError: The user is not in the channel.
    """
    ws = hub.workspace
    channel = ws.channels.get(channel_id)
    if channel is None:
        raise KeyError(f"unknown channel {channel_id!r}")
    if user_id not in ws.users:
        raise KeyError(f"unknown user {user_id!r}")
    if user_id not in channel.members:
        raise ValueError(f"{user_id} is not in {channel_id}")
    return channel


def _send(hub: Hub, event: dict[str, Any], members: set[str]) -> int:
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
    channel = _channel(hub, channel_id, user_id)
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
    channel = _channel(hub, channel_id, user_id)
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
    channel = _channel(hub, channel_id, user_id)
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
