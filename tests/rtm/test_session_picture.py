"""The live picture (``client.rtm(workspace=True)``), in both forms, against the emulator.

The proof of the issue: after 200 random changes of the emulator's workspace, some of them made
while the session's socket is down, ``rtm.workspace`` equals a fresh ``workspace()`` snapshot.
Beside it: a handler of ``team_join`` finds the new user, the `WorkspaceChanged` notices come
right after their event, the lookups, ``fetch_user`` and the errors of a session without it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from slackrtm import events
from slackrtm.emulator import Emulator, Limits
from slackrtm.errors import UserNotFound
from slackrtm.rtm import Connected, WorkspaceChanged
from slackrtm.rtm._picture import SNAPSHOT_TYPES

from .conftest import ALICE, BOB, BOT, GENERAL, RANDOM, Rtm

CHANGES = 200
DOWN_EVERY = 20
"""One change in this many starts an outage: the socket dropped and the reconnect held back."""


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """An emulator of each test's own: the tests change its workspace."""
    with Emulator(limits=Limits(web_rate_limit=None)) as server:
        yield server


def snapshot(rtm: Rtm) -> Any:
    """A fresh ``workspace()`` of the session's client, listing what the picture lists."""
    if rtm.kind == "sync":
        return rtm.client.workspace(types=SNAPSHOT_TYPES)
    return rtm.run(rtm.client.workspace(types=SNAPSHOT_TYPES))


def settle(rtm: Rtm, emu: Emulator, mark: int) -> list[Any]:
    """Read until a marker event sent now comes: every event before it has been applied."""
    emu.send_event({"type": "picture_marker", "n": mark}, user_id=BOT)
    _, seen = rtm.wait_for(
        lambda e: isinstance(e, events.UnknownEvent) and e.type == "picture_marker"
    )
    return seen


def test_a_user_added_is_in_the_picture_before_its_event_is_seen(rtm: Rtm, emu: Emulator) -> None:
    rtm.open(workspace=True)
    assert rtm.session.workspace == snapshot(rtm)
    rtm.wait_for(lambda e: isinstance(e, Connected))
    emu.add_user("U0NEW0001", name="dave")
    rtm.wait_for(lambda e: isinstance(e, events.TeamJoin))
    # What a handler of team_join reads, before anything after the event is taken.
    assert rtm.session.workspace.user("U0NEW0001").name == "dave"
    assert rtm.session.workspace.user_named("@dave").id == "U0NEW0001"
    notice = rtm.next_event()
    assert notice == WorkspaceChanged("user_added", "U0NEW0001", None, notice.after)
    assert notice.after is rtm.session.workspace.user("U0NEW0001")


def test_renames_archives_and_joins_come_as_notices_with_before_and_after(
    rtm: Rtm, emu: Emulator
) -> None:
    rtm.open(workspace=True)
    rtm.wait_for(lambda e: isinstance(e, Connected))
    emu.rename_channel(RANDOM, "chat")
    rtm.wait_for(lambda e: isinstance(e, events.ChannelRename))
    notice = rtm.next_event()
    assert (notice.kind, notice.id) == ("conversation_changed", RANDOM)
    assert (notice.before.name, notice.after.name) == ("random", "chat")
    ws = rtm.session.workspace
    assert ws.conversation_named("#chat").id == RANDOM
    with pytest.raises(KeyError):
        ws.conversation_named("random")
    emu.archive_channel(ALICE, RANDOM)
    rtm.wait_for(lambda e: isinstance(e, events.ChannelArchive))
    assert ws.conversation(RANDOM).is_archived is True
    emu.join_channel(RANDOM, BOB)
    rtm.wait_for(lambda e: isinstance(e, events.MemberJoinedChannel))
    counted = rtm.next_event()
    joined = rtm.next_event()
    assert (counted.before.num_members, counted.after.num_members) == (2, 3)
    assert joined == WorkspaceChanged("member_joined", RANDOM, None, BOB)
    # The session's own leave: no longer a member, and its members no longer known.
    emu.leave_channel(GENERAL, BOT)
    rtm.wait_for(lambda e: isinstance(e, events.ChannelLeft))
    assert ws.is_member(GENERAL) is False
    assert ws.members(GENERAL) is None
    emu.rename_team("Renamed")
    rtm.wait_for(lambda e: isinstance(e, events.TeamRename))
    assert ws.team.name == "Renamed"
    settle(rtm, emu, 0)
    assert ws == snapshot(rtm)


def test_members_and_presence_are_known_from_the_events(rtm: Rtm, emu: Emulator) -> None:
    rtm.open(workspace=True, presence_sub=False)
    rtm.wait_for(lambda e: isinstance(e, Connected))
    ws = rtm.session.workspace
    assert ws.members(RANDOM) is None  # conversations.list does not say
    emu.add_channel("C0NEW0001", name="fresh", creator=ALICE)
    emu.join_channel("C0NEW0001", BOT)
    rtm.wait_for(lambda e: isinstance(e, events.ChannelJoined))
    assert ws.members("C0NEW0001") == {ALICE, BOT}
    assert ws.is_member("C0NEW0001")
    emu.join_channel("C0NEW0001", BOB)
    emu.leave_channel("C0NEW0001", ALICE)
    emu.set_presence(BOB, "away", manual=False)
    settle(rtm, emu, 1)
    assert ws.members("C0NEW0001") == {BOT, BOB}
    assert ws.conversation("C0NEW0001").num_members == 2
    assert ws.presence(BOB) == "away"
    assert ws.presence(ALICE) is None
    assert ws == snapshot(rtm)


def test_an_unknown_user_is_fetched_once_and_kept(rtm: Rtm, emu: Emulator) -> None:
    rtm.open(workspace=True)
    emu.reset()
    carol = rtm.call("fetch_user", "U0EMUGRID")  # another team's: not in the picture
    assert carol.name == "carol"
    assert rtm.call("fetch_user", "U0EMUGRID") is carol
    assert rtm.call("fetch_user", ALICE) is rtm.session.workspace.user(ALICE)
    calls = [r.path for r in emu.requests]
    assert calls == ["/api/users.info"]
    assert "U0EMUGRID" not in rtm.session.workspace.users  # the picture stays a snapshot
    with pytest.raises(UserNotFound):
        rtm.call("fetch_user", "U0NOBODY")


def test_a_session_without_the_picture_says_how_to_get_one(rtm: Rtm) -> None:
    rtm.open()
    with pytest.raises(RuntimeError, match=r"workspace=True") as raised:
        _ = rtm.session.workspace
    with pytest.raises(RuntimeError, match=r"workspace=True") as fetched:
        rtm.call("fetch_user", ALICE)
    assert str(raised.value) == str(fetched.value)


def test_a_failed_first_snapshot_fails_connect(rtm: Rtm, emu: Emulator) -> None:
    emu.faults.web(n=1, error="ratelimited", method="team.info")
    with pytest.raises(Exception, match="ratelimited") as raised:
        rtm.open(workspace=True)
    assert type(raised.value).__name__ == "Ratelimited"


def _change(rng: random.Random, emu: Emulator, n: int) -> None:
    """One random change of the kinds the picture follows, made the way Slack makes it."""
    ws = emu.workspace
    users = sorted(u for u, user in ws.users.items() if user.team_id == "T0EMU0001")
    channels = sorted(c for c, ch in ws.channels.items() if ch.team_id == "T0EMU0001")
    kind = rng.choice(["user", "rename_user", "channel", "rename", "archive", "member", "team"])
    if kind == "user":
        emu.add_user(f"U0RND{n:04d}", name=f"rnd{n}")
    elif kind == "rename_user":
        emu.rename_user(rng.choice(users), f"renamed{n}")
    elif kind == "channel":
        emu.add_channel(f"C0RND{n:04d}", name=f"chan{n}", creator=rng.choice(users))
    elif kind == "rename":
        emu.rename_channel(rng.choice(channels), f"chan-renamed{n}")
    elif kind == "archive":
        channel = rng.choice(channels)
        archived = ws.channels[channel].is_archived
        emu.archive_channel(users[0], channel, unarchive=archived)
    elif kind == "member":
        channel, user = rng.choice(channels), rng.choice(users)
        if user in ws.channels[channel].members:
            emu.leave_channel(channel, user)
        else:
            emu.join_channel(channel, user)
    else:
        emu.rename_team(f"Team {n}")


def test_after_200_random_changes_some_while_down_the_picture_equals_a_snapshot(
    rtm: Rtm, emu: Emulator
) -> None:
    rng = random.Random(20)
    rtm.open(workspace=True)
    rtm.wait_for(lambda e: isinstance(e, Connected))
    reconnects = mismatches = notices = 0
    down = False
    for n in range(1, CHANGES + 1):
        if n % DOWN_EVERY == DOWN_EVERY // 2:
            # An outage: the socket dropped, its reconnect held back by a slow rtm.connect,
            # and the next few changes made meanwhile (Slack never sends their events again).
            emu.faults.web(n=1, delay=0.5, method="rtm.connect")
            emu.drop_connections(BOT)
            down = True
        _change(rng, emu, n)
        if down and n % DOWN_EVERY == DOWN_EVERY // 2 + 3:
            _, seen = rtm.wait_for(lambda e: isinstance(e, Connected) and e.cause != "start")
            notices += sum(isinstance(e, WorkspaceChanged) for e in seen)
            reconnects += 1
            down = False
        if n % 10 == 0 and not down:
            seen = settle(rtm, emu, n)
            notices += sum(isinstance(e, WorkspaceChanged) for e in seen)
            mismatches += rtm.session.workspace != snapshot(rtm)
    seen = settle(rtm, emu, CHANGES + 1)
    notices += sum(isinstance(e, WorkspaceChanged) for e in seen)
    mismatches += rtm.session.workspace != snapshot(rtm)
    print(
        f"\n{rtm.kind}: {CHANGES} changes, {notices} notices, {reconnects} reconnects, "
        f"{mismatches} mismatches"
    )
    assert reconnects == CHANGES // DOWN_EVERY
    assert mismatches == 0
    assert rtm.session.workspace == snapshot(rtm)
