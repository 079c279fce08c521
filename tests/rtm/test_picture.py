"""The live picture's core (`rtm/_picture.py`) driven by hand: no socket, no Slack.

What the sessions' tests cannot time on purpose: events that arrive while a snapshot is being
taken are held and applied after it (and applying one the snapshot already shows changes
nothing), a reconnect during a snapshot asks for another, a failed snapshot releases what it
held, and an object the model cannot read is skipped with a WARNING while its event still goes.
"""

from __future__ import annotations

import logging

import pytest

from slackrtm import events
from slackrtm._generated.models import Conversation, Team, User
from slackrtm._workspace import Workspace, build_workspace
from slackrtm.errors import SlackError
from slackrtm.rtm import Connected, Disconnected, WorkspaceChanged
from slackrtm.rtm._picture import Picture

ME = "U0ME"


def workspace(users: tuple[str, ...] = ("ann",), num_members: int = 2) -> Workspace:
    return build_workspace(
        Team(id="T1", name="Team", domain="team"),
        [User(id=f"U{i}", name=name) for i, name in enumerate(users)],
        [Conversation(id="C1", name="general", is_member=True, num_members=num_members)],
    )


def frame(text: str) -> events.Event:
    decoded = events.decode(text)
    assert isinstance(decoded, events.Event)
    return decoded


JOIN = frame('{"type": "team_join", "user": {"id": "U9", "name": "zed"}}')
RENAME = frame('{"type": "channel_rename", "channel": {"id": "C1", "name": "main"}}')
MEMBER = frame('{"type": "member_joined_channel", "user": "U0", "channel": "C1"}')


def started(picture: Picture) -> list[object]:
    out = picture.take([Connected("start")])
    assert picture.snapshot_due
    picture.snapshot_started()
    return out


def test_events_during_the_snapshot_are_held_then_applied_in_order() -> None:
    picture = Picture()
    assert started(picture) == []
    assert picture.take([JOIN, RENAME]) == []  # held: the snapshot is not in yet
    ws = workspace()
    out = picture.snapshot_taken(ws, ME)
    assert [type(e).__name__ for e in out] == [
        "Connected",
        "TeamJoin",
        "WorkspaceChanged",
        "ChannelRename",
        "WorkspaceChanged",
    ]
    assert picture.workspace is ws
    assert ws.user_named("zed").id == "U9"
    assert ws.conversation_named("main").id == "C1"


def test_a_change_the_snapshot_shows_already_changes_nothing() -> None:
    picture = Picture()
    started(picture)
    picture.take([JOIN, RENAME])
    ws = workspace(users=("ann",))
    ws._users["U9"] = User(id="U9", name="zed")
    picture.snapshot_taken(ws, ME)
    again = picture.take([RENAME, JOIN])
    assert again == [RENAME, JOIN]  # the events, and no notice: nothing changed


def test_a_reconnect_during_the_snapshot_asks_for_another() -> None:
    picture = Picture()
    started(picture)
    picture.take([JOIN, Disconnected("connection dropped"), Connected("reconnect", 2), RENAME])
    out = picture.snapshot_taken(workspace(), ME)
    assert [type(e).__name__ for e in out] == [
        "Connected",
        "TeamJoin",
        "WorkspaceChanged",
        "Disconnected",
    ]
    assert picture.snapshot_due  # the second Connected and the rename wait for it
    picture.snapshot_started()
    out = picture.snapshot_taken(workspace(), ME)
    assert out[0] == Connected("reconnect", 2)
    assert [type(e).__name__ for e in out[1:]] == ["ChannelRename", "WorkspaceChanged"]


def test_a_failed_snapshot_releases_what_it_held_and_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    picture = Picture()
    started(picture)
    picture.take([JOIN])
    error = SlackError("down")
    with caplog.at_level(logging.WARNING, "slackrtm"):
        out = picture.snapshot_failed(error)
    assert out == [Connected("start"), JOIN]  # no picture to apply it to
    assert picture.error is error
    assert "snapshot failed" in caplog.text


def test_member_counts_move_once_where_the_members_are_known() -> None:
    picture = Picture()
    started(picture)
    ws = workspace(num_members=2)
    picture.snapshot_taken(ws, ME)
    out = picture.take([MEMBER])
    counted = out[1]
    assert isinstance(counted, WorkspaceChanged)
    assert counted.after.num_members == 3
    assert out[2] == WorkspaceChanged("member_joined", "C1", None, "U0")
    joined = frame(
        '{"type": "channel_joined", "channel": {"id": "C1", "name": "general", '
        '"num_members": 3, "members": ["U0", "U0ME", "U5"]}}'
    )
    picture.take([joined])
    assert ws.members("C1") == frozenset({"U0", ME, "U5"})
    assert picture.take([MEMBER]) == [MEMBER]  # known already: no count moved twice
    assert ws.conversation("C1").num_members == 3


def test_an_object_the_model_cannot_read_is_skipped_and_its_event_still_goes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    picture = Picture()
    started(picture)
    picture.snapshot_taken(workspace(), ME)
    odd = frame('{"type": "team_join", "user": {"id": "U7", "name": "x", "tz_offset": "x"}}')
    with caplog.at_level(logging.WARNING, "slackrtm"):
        assert picture.take([odd]) == [odd]
    assert "skipped a TeamJoin" in caplog.text


def test_presence_in_both_shapes_and_the_manual_one() -> None:
    picture = Picture()
    started(picture)
    ws = workspace()
    picture.snapshot_taken(ws, ME)
    one = frame('{"type": "presence_change", "user": "U0", "presence": "away"}')
    batch = frame('{"type": "presence_change", "users": ["U0", "U5"], "presence": "active"}')
    manual = frame('{"type": "manual_presence_change", "presence": "away"}')
    picture.take([one, batch, manual])
    assert ws.presence("U0") == "active"
    assert ws.presence("U5") == "active"
    assert ws.presence(ME) == "away"


def test_held_events_are_bounded_and_an_overtaken_snapshot_is_taken_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    picture = Picture(max_held=3)
    started(picture)
    with caplog.at_level(logging.WARNING, "slackrtm"):
        out = picture.take([JOIN, RENAME, MEMBER])  # the Connected and these: 4 > 3
    assert out == [Connected("start"), JOIN, RENAME, MEMBER]  # released, in order, unapplied
    assert "released" in caplog.text
    assert picture.take([RENAME]) == []  # held again
    first = workspace()
    assert picture.snapshot_taken(first, ME) == []
    assert picture.snapshot_due  # the released events may be missing from it: another
    picture.snapshot_started()
    second = workspace()
    out = picture.snapshot_taken(second, ME)
    assert picture.workspace is second
    assert [type(e).__name__ for e in out] == ["ChannelRename", "WorkspaceChanged"]
    assert not picture.snapshot_due
