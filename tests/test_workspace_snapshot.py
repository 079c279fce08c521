"""`build_workspace` and `Workspace` on their own: no I/O, the same for both clients."""

from __future__ import annotations

import pytest

from slackrtm import Conversation, Team, User, Workspace
from slackrtm._workspace import build_workspace


def test_an_id_seen_twice_keeps_its_last_item_and_names_index_what_has_one() -> None:
    ws = build_workspace(
        Team(id="T1"),
        [User(id="U1", name="old"), User(id="U1", name="new"), User(id="U2")],
        [Conversation(id="D1", is_im=True), Conversation(id="C1", name="general")],
    )
    assert isinstance(ws, Workspace)
    assert ws.user("U1").name == "new"
    assert ws.user_named("new").id == "U1"
    with pytest.raises(KeyError):
        ws.user_named("old")
    assert len(ws.users) == 2  # U2 has no name: found by ID only
    assert ws.conversation("D1").is_im is True
    assert ws.conversation_named("general").id == "C1"
    assert repr(ws) == "Workspace(team='T1', users=2, conversations=2)"
