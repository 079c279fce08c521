"""What members do in the emulated workspace reaches both sessions as typed events.

Each test runs twice (``rtm`` is parametrized: sync, async), against the emulator over real
sockets on loopback: a reaction added and removed, a pin, a file shared, a channel renamed,
archived and unarchived, each caused through the emulator's Python API (its control routes call
the same methods: tests/emulator/test_emulator_happenings.py for reactions, pins and files,
test_emulator_changes.py for renames and archives).
"""

from __future__ import annotations

from typing import Any

import pytest

from slackrtm import events
from slackrtm.emulator import Emulator
from slackrtm.rtm import Lifecycle

from .conftest import ALICE, BOT, GENERAL, RANDOM, Rtm, connected

TS = "1700000000.000100"


def _next(rtm: Rtm) -> Any:
    event, _ = rtm.wait_for(lambda e: not isinstance(e, Lifecycle))
    return event


def test_reactions_arrive_typed_with_their_item(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    assert emu.react(ALICE, GENERAL, TS, "tada") == 1
    added = _next(rtm)
    assert isinstance(added, events.ReactionAdded)
    assert (added.user, added.reaction) == (ALICE, "tada")
    assert added.item == events.ReactionItemMessage(type="message", channel=GENERAL, ts=TS)
    assert added.event_ts is not None and added.extra == {}
    emu.react(ALICE, GENERAL, TS, "tada", removed=True)
    removed = _next(rtm)
    assert isinstance(removed, events.ReactionRemoved) and removed.item == added.item


def test_a_pin_and_a_file_share_arrive_typed(rtm: Rtm, emu: Emulator) -> None:
    connected(rtm)
    emu.pin(ALICE, GENERAL, TS)
    pinned = _next(rtm)
    assert isinstance(pinned, events.PinAdded) and pinned.channel_id == GENERAL
    assert isinstance(pinned.item, events.SavedMessage) and pinned.item.created_by == ALICE
    assert isinstance(pinned.item.message, events.Message) and pinned.item.message.ts == TS
    emu.pin(ALICE, GENERAL, TS, removed=True)
    unpinned = _next(rtm)
    assert isinstance(unpinned, events.PinRemoved) and unpinned.has_pins is False
    emu.share_file(ALICE, GENERAL, "F0TEST001")
    shared = _next(rtm)
    assert isinstance(shared, events.FileShared)
    assert (shared.file_id, shared.user_id, shared.channel_id) == ("F0TEST001", ALICE, GENERAL)
    assert shared.file == events.EventFile(id="F0TEST001")


def test_a_channel_renamed_and_archived_arrives_typed_and_the_workspace_changes(
    rtm: Rtm, emu: Emulator
) -> None:
    session = connected(rtm)
    try:
        emu.rename_channel(RANDOM, "off-topic")
        renamed = _next(rtm)
        assert isinstance(renamed, events.ChannelRename)
        assert (renamed.channel.id, renamed.channel.name) == (RANDOM, "off-topic")
        assert emu.workspace.channels[RANDOM].name == "off-topic"
        emu.archive_channel(ALICE, RANDOM)
        archived = _next(rtm)
        assert isinstance(archived, events.ChannelArchive)
        assert (archived.channel, archived.user) == (RANDOM, ALICE)
        assert emu.workspace.channels[RANDOM].is_archived
        emu.archive_channel(ALICE, RANDOM, unarchive=True)
        assert isinstance(_next(rtm), events.ChannelUnarchive)
    finally:
        channel = emu.workspace.channels[RANDOM]
        channel.name, channel.is_archived = "random", False
    assert session.state == "connected"


def test_what_cannot_happen_is_refused(emu: Emulator) -> None:
    with pytest.raises(KeyError):
        emu.react(ALICE, "C0NOPE", TS, "tada")
    with pytest.raises(ValueError, match="not in"):
        emu.react("U0EMU0002", RANDOM, TS, "tada")  # bob is not in random
    with pytest.raises(ValueError, match="taken"):
        emu.rename_channel(RANDOM, "general")
    with pytest.raises(ValueError, match="not archived"):
        emu.archive_channel(BOT, RANDOM, unarchive=True)
