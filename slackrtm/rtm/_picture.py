"""The live picture's sans-I/O core: a `Workspace` snapshot plus the events, kept current.

``client.rtm(workspace=True)`` makes a session keep ``rtm.workspace`` current. The drivers
(`sync.py`, `aio.py`) hand this core every event and notice on its way to the user, and run
the snapshot it asks for; everything that decides is here:

    driver, where events move to the user        driver, when `snapshot_due` is set
      deliver(picture.take(core_events))            ws = client.workspace(types=TYPES)
                                                    deliver(picture.snapshot_taken(ws, me))
                                                    (or picture.snapshot_failed(error))

Rules:

- **A snapshot after every ``hello``.** `Connected` (the first and every reconnect) sets
  `snapshot_due`. Slack does not send again the events missed while the socket was down, so
  no catch-up from the stream alone can be correct: every connection takes a fresh snapshot.
- **Held, then applied.** From that `Connected` until the snapshot is in, every event and
  notice (the `Connected` included) is held; they are then applied in arrival order and
  delivered. A change the snapshot already shows is applied again harmlessly (renames,
  archives, joins replace values), except the member count (``num_members``) of a conversation
  whose members are not known, which a join or leave that raced the snapshot may move once more.
- **Bounded while held.** At most `max_held` events wait for a snapshot. One more releases
  them unapplied (a WARNING says so; they still reach the user, in order) and marks the
  snapshot as overtaken: when it comes, another is asked for at once, holding again, until one
  is taken with nothing released meanwhile. A server that floods the socket during every
  snapshot gets its events through and a stale picture, never unbounded memory.
- **Applied before seen.** `take` applies an event before it returns it, so a handler of
  ``team_join`` finds the new user; the `WorkspaceChanged` notices it caused come right after it.
- **No copy per event.** A change replaces one entry of the workspace's dicts (the models are
  frozen attrs classes); the mappings the user reads are views of those dicts.
- **Unknown ids.** A user the picture does not hold (from another workspace, say) is fetched
  once by the driver (``users.info``) and kept apart (`remember`): the picture itself stays
  equal to a snapshot.

Nothing here waits, reads a socket or calls Slack; a test drives it with plain events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from .. import events as ev
from .._convert import structure
from .._exceptions import SlackError
from .._generated.models import Conversation, User
from .._generated.readers import read_conversation, read_user
from .._workspace import Workspace
from ._options import Connected

__all__ = ["SNAPSHOT_TYPES", "Picture", "WorkspaceChanged"]

SNAPSHOT_TYPES = "public_channel,private_channel"
"""The conversations a live picture lists: channels and private channels (the groups)."""

log = logging.getLogger("slackrtm")


@attrs.frozen
class WorkspaceChanged:
    """A change of the live picture, delivered right after the event that caused it.

    Attributes:
        kind: What changed: ``user_added``, ``user_changed``, ``conversation_added``,
            ``conversation_changed``, ``conversation_deleted``, ``member_joined``,
            ``member_left``, ``presence_changed`` or ``team_changed``.
        id: The user's, the conversation's or the team's ID.
        before: The value before (a `User`, `Conversation`, `Team`, a presence string, or, for
            ``member_left``, the member's ID); None for something new.
        after: The value after (for ``member_joined``, the member's ID); None when removed.
    """

    kind: str
    id: str
    before: Any
    after: Any


def _wire(value: Any) -> Any:
    """An attrs model or event object back into its JSON shape (wire names, extra kept)."""
    if not attrs.has(type(value)):
        return value
    out = {k: _wire(v) for k, v in getattr(value, "extra", {}).items()}
    for field in attrs.fields(type(value)):
        wire = field.metadata.get("wire")
        item = getattr(value, field.name)
        if wire is not None and item is not None:
            out[wire] = [_wire(i) for i in item] if isinstance(item, tuple) else _wire(item)
    return out


def _user(data: dict[str, Any]) -> User:
    """The user from its JSON: the fast reader, or `structure`'s typed error where it refuses."""
    user = read_user(data)
    return user if user is not None else structure(data, User)


def _conversation(data: dict[str, Any]) -> Conversation:
    """The conversation from its JSON, as `_user`."""
    found = read_conversation(data)
    return found if found is not None else _conversation(data)


class Picture:
    """The live workspace of one session (see the module's rules)."""

    def __init__(self, max_held: int = 10_000) -> None:
        """Start empty: the first `Connected` asks for the first snapshot."""
        self.max_held = max_held
        self._overtaken = False
        """Whether held events were released unapplied since the snapshot started."""
        self.workspace: Workspace | None = None
        self.snapshot_due = False
        """Whether the driver should take a snapshot now (it calls `snapshot_started`)."""
        self.error: BaseException | None = None
        """Why the last snapshot failed, until one succeeds."""
        self.snapshots = 0
        self._held: list[object] | None = None
        self._self_id: str | None = None
        self._foreign: dict[str, User] = {}
        self._apply: dict[type, Callable[[Workspace, Any], list[WorkspaceChanged]]] = {
            cls: getattr(self, name) for cls, name in _APPLIERS.items()
        }

    # -- what the drivers call ----------------------------------------------------------------

    def take(self, found: Iterable[object]) -> list[object]:
        """The events and notices to deliver now, each change applied before its event.

        Held instead while a snapshot is due or being taken.
        """
        out: list[object] = []
        for event in found:
            held = self._held
            if held is not None:
                held.append(event)
                if len(held) > self.max_held:
                    log.warning("RTM: %d events held for the live picture; released", len(held))
                    out.extend(held)
                    held.clear()
                    self._overtaken = True
            elif isinstance(event, Connected):
                self._held = [event]
                self.snapshot_due = True
            else:
                out.append(event)
                out.extend(self.apply(event))
        return out

    def snapshot_started(self) -> None:
        """The driver is taking the snapshot asked for."""
        self.snapshot_due = False
        self._overtaken = False

    def snapshot_taken(self, workspace: Workspace, self_id: str | None) -> list[object]:
        """Install a fresh snapshot; the held events, applied, to deliver now."""
        self.workspace, self._self_id, self.error = workspace, self_id, None
        self.snapshots += 1
        if self._overtaken:  # events went by unapplied: only a later snapshot shows them
            self.snapshot_due = True
            return []
        return self._release()

    def snapshot_failed(self, error: BaseException) -> list[object]:
        """Keep the last picture (if any); the held events, applied to it, to deliver now."""
        self.error = error
        log.warning("RTM: the live picture's snapshot failed (%s); kept the last one", error)
        return self._release()

    def _release(self) -> list[object]:
        """Stop holding; what was held, to deliver now (applied, after its `Connected`)."""
        held, self._held = self._held or [], None
        start = 1 if held and isinstance(held[0], Connected) else 0
        return [*held[:start], *self.take(held[start:])]

    def known_user(self, user_id: str) -> User | None:
        """A user from the picture or from an earlier fetch; None if neither has it."""
        ws = self.workspace
        found = ws.users.get(user_id) if ws is not None else None
        return found if found is not None else self._foreign.get(user_id)

    def remember(self, user: User) -> User:
        """Keep a user fetched with ``users.info`` (outside the picture, which stays a snapshot)."""
        self._foreign[user.id] = user
        return user

    def apply(self, event: object) -> list[WorkspaceChanged]:
        """Apply one event to the picture; the notices of what it changed."""
        ws = self.workspace
        handler = self._apply.get(type(event))
        if ws is None or handler is None:
            return []
        try:
            return handler(ws, event)
        except SlackError as error:  # an object the model cannot read: the event still goes
            log.warning("RTM: the live picture skipped a %s: %s", type(event).__name__, error)
            return []

    # -- users and the team ---------------------------------------------------------------------

    def _user(self, ws: Workspace, event: Any) -> list[WorkspaceChanged]:
        before = ws._users.get(event.user.id)
        data = _wire(before) if before is not None else {}
        data.update(_wire(event.user))
        after = _user(data)
        if after == before:
            return []
        ws._users[after.id] = after
        if before is not None and before.name and ws._user_names.get(before.name) == after.id:
            del ws._user_names[before.name]
        if after.name:
            ws._user_names[after.name] = after.id
        kind = "user_added" if before is None else "user_changed"
        return [WorkspaceChanged(kind, after.id, before, after)]

    def _team(self, ws: Workspace, event: Any) -> list[WorkspaceChanged]:
        before = ws.team
        if isinstance(event, ev.TeamRename):
            after = attrs.evolve(before, name=event.name)
        else:
            after = attrs.evolve(before, domain=event.domain)
        if after == before:
            return []
        ws.team = after
        return [WorkspaceChanged("team_changed", after.id, before, after)]

    def _presence(self, ws: Workspace, event: Any) -> list[WorkspaceChanged]:
        if isinstance(event, ev.PresenceChange):
            ids: Iterable[str] = event.users
        else:
            ids = (self._self_id,) if self._self_id else ()
        out = []
        for user_id in ids:
            before = ws._presence.get(user_id)
            if before != event.presence:
                ws._presence[user_id] = event.presence
                out.append(WorkspaceChanged("presence_changed", user_id, before, event.presence))
        return out

    # -- conversations --------------------------------------------------------------------------

    def _put(
        self, ws: Workspace, before: Conversation | None, after: Conversation
    ) -> list[WorkspaceChanged]:
        """Replace one conversation (and its name in the index)."""
        if after == before:
            return []
        ws._conversations[after.id] = after
        names = ws._conversation_names
        if before is not None and before.name and names.get(before.name) == after.id:
            del names[before.name]
        if after.name:
            names[after.name] = after.id
        kind = "conversation_added" if before is None else "conversation_changed"
        return [WorkspaceChanged(kind, after.id, before, after)]

    def _whole(self, ws: Workspace, event: Any) -> list[WorkspaceChanged]:
        """channel_created, channel_joined, group_joined: the object, over what was known."""
        channel = _wire(event.channel)
        members = channel.pop("members", None)
        before = ws._conversations.get(channel["id"])
        data = _wire(before) if before is not None else {}
        data.update(channel)
        joined = not isinstance(event, ev.ChannelCreated)
        if joined:
            data["is_member"] = True
            if isinstance(members, list):
                ws._members[channel["id"]] = {m for m in members if isinstance(m, str)}
        return self._put(ws, before, _conversation(data))

    def _im(self, ws: Workspace, event: Any) -> list[WorkspaceChanged]:
        channel = event.channel
        if channel is None or channel.id is None:
            return []
        data = _wire(channel)
        data.setdefault("is_im", True)
        before = ws._conversations.get(channel.id)
        return self._put(ws, before, _conversation(data))

    def _field(self, ws: Workspace, event: Any) -> list[WorkspaceChanged]:
        """Renames, archives, unarchives and the connecting user's own leaving."""
        channel = event.channel
        channel_id = channel if isinstance(channel, str) else channel.id
        before = ws._conversations.get(channel_id)
        if before is None:
            return []
        if isinstance(event, (ev.ChannelRename, ev.GroupRename)):
            after = attrs.evolve(before, name=event.channel.name)
        elif isinstance(event, (ev.ChannelArchive, ev.GroupArchive)):
            after = attrs.evolve(before, is_archived=True)
        elif isinstance(event, (ev.ChannelUnarchive, ev.GroupUnarchive)):
            after = attrs.evolve(before, is_archived=False)
        else:  # channel_left, group_left: Slack tells a non-member no more about its members
            ws._members.pop(channel_id, None)
            after = attrs.evolve(before, is_member=False)
        return self._put(ws, before, after)

    def _deleted(self, ws: Workspace, event: Any) -> list[WorkspaceChanged]:
        before = ws._conversations.pop(event.channel, None)
        ws._members.pop(event.channel, None)
        if before is None:
            return []
        if before.name and ws._conversation_names.get(before.name) == before.id:
            del ws._conversation_names[before.name]
        return [WorkspaceChanged("conversation_deleted", before.id, before, None)]

    def _member(self, ws: Workspace, event: Any) -> list[WorkspaceChanged]:
        """member_joined_channel, member_left_channel: the member set and the count."""
        before = ws._conversations.get(event.channel)
        if before is None:
            return []
        joined = isinstance(event, ev.MemberJoinedChannel)
        members = ws._members.get(event.channel)
        if members is not None and (event.user in members) == joined:
            return []  # known already (an event the snapshot or channel_joined showed)
        if members is not None:
            (members.add if joined else members.discard)(event.user)
        changes: dict[str, Any] = {}
        if before.num_members is not None:
            changes["num_members"] = max(before.num_members + (1 if joined else -1), 0)
        if event.user == self._self_id:
            changes["is_member"] = joined
        out = self._put(ws, before, attrs.evolve(before, **changes))
        if joined:
            out.append(WorkspaceChanged("member_joined", event.channel, None, event.user))
        else:
            out.append(WorkspaceChanged("member_left", event.channel, event.user, None))
        return out


_APPLIERS: dict[type, str] = {
    ev.TeamJoin: "_user",
    ev.UserChange: "_user",
    ev.TeamRename: "_team",
    ev.TeamDomainChange: "_team",
    ev.PresenceChange: "_presence",
    ev.ManualPresenceChange: "_presence",
    ev.ChannelCreated: "_whole",
    ev.ChannelJoined: "_whole",
    ev.GroupJoined: "_whole",
    ev.ImCreated: "_im",
    ev.ChannelRename: "_field",
    ev.GroupRename: "_field",
    ev.ChannelArchive: "_field",
    ev.GroupArchive: "_field",
    ev.ChannelUnarchive: "_field",
    ev.GroupUnarchive: "_field",
    ev.ChannelLeft: "_field",
    ev.GroupLeft: "_field",
    ev.ChannelDeleted: "_deleted",
    ev.MemberJoinedChannel: "_member",
    ev.MemberLeftChannel: "_member",
}
"""The events the picture follows, and the method that applies each (README: the table)."""
