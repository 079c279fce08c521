"""chat.postMessage, chat.update, chat.delete and reactions.add: typed answers and typed errors.

Each test runs with `Client` and with `AsyncClient` (``twin``), against the emulator over real
sockets on loopback, and checks what the emulator kept (its history, as conversations.history
reads it back, and the form fields it received).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import slackrtm.errors as errors
from slackrtm import ChatMessage
from slackrtm._generated import (
    ChatDeleteResponse,
    ChatPostMessageResponse,
    ChatUpdateResponse,
    ReactionsAddResponse,
)
from slackrtm.emulator import Emulator
from slackrtm.emulator._history import History

from .conftest import ALICE, ALICE_TOKEN, BOB_TOKEN, BOT, GENERAL, RANDOM, Twin

BLOCKS: list[Any] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Déploiement* fini ✅"}},
    {"type": "divider"},
    {"type": "context", "elements": [{"type": "plain_text", "text": "1 < 2 & 3", "emoji": True}]},
]
ATTACHMENTS: list[Any] = [{"fallback": "plain", "color": "#36a64f", "fields": [], "ts": 1.5}]
METADATA = {"event_type": "task_created", "event_payload": {"id": "11223", "done": False}}


# ---------------------------------------------------------------------------- chat.postMessage


def test_a_post_answers_typed_and_is_kept_in_history(twin: Twin, emu: Emulator) -> None:
    posted = twin.post("hello there")
    assert type(posted) is ChatPostMessageResponse
    assert (posted.ok, posted.channel) == (True, GENERAL)
    assert type(posted.message) is ChatMessage
    message = posted.message
    assert (message.ts, message.text, message.user, message.type) == (
        posted.ts,
        "hello there",
        BOT,
        "message",
    )
    assert message.bot_id == "B0EMUBOT1" and message.subtype is None
    [kept] = twin.history()
    assert (kept.ts, kept.text, kept.user) == (posted.ts, "hello there", BOT)
    [request] = emu.requests[:1]
    assert request.content_type == "application/x-www-form-urlencoded"


def test_a_channel_name_is_read_as_its_channel(twin: Twin) -> None:
    assert twin.post("by name", channel="#random").channel == RANDOM


def test_blocks_attachments_and_metadata_round_trip(twin: Twin, emu: Emulator) -> None:
    posted = twin.post("fallback", blocks=BLOCKS, attachments=tuple(ATTACHMENTS), metadata=METADATA)
    # The form body carries each as one field of compact JSON (the body is never JSON).
    [request] = [r for r in emu.requests if r.path == "/api/chat.postMessage"]
    assert request.content_type == "application/x-www-form-urlencoded"
    assert json.loads(request.args["blocks"]) == BLOCKS
    assert request.args["blocks"] == json.dumps(BLOCKS, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(request.args["attachments"]) == ATTACHMENTS
    assert json.loads(request.args["metadata"]) == METADATA
    # What the emulator stored is what was passed, and the answer gives it back untouched.
    [kept] = twin.history()
    assert (kept.extra["blocks"], kept.extra["attachments"]) == (BLOCKS, ATTACHMENTS)
    assert kept.extra["metadata"] == METADATA
    assert posted.message.extra["blocks"] == BLOCKS
    assert posted.message.extra["attachments"] == ATTACHMENTS


def test_blocks_alone_need_no_text(twin: Twin) -> None:
    posted = twin.call("chat_post_message", channel=GENERAL, blocks=BLOCKS)
    assert posted.message.text == "" and posted.message.extra["blocks"] == BLOCKS


def test_a_bot_posting_under_a_name_and_icon(twin: Twin) -> None:
    message = twin.post("beep", username="Deploy Bot", icon_emoji=":rocket:").message
    assert (message.username, message.subtype) == ("Deploy Bot", "bot_message")
    assert message.extra["icons"] == {"emoji": ":rocket:"}


def test_a_threaded_reply_and_a_broadcast(twin: Twin) -> None:
    parent = twin.post("parent", client_options={"token": ALICE_TOKEN})
    reply = twin.post("in the thread", thread_ts=parent.ts).message
    assert (reply.thread_ts, reply.parent_user_id, reply.subtype) == (parent.ts, ALICE, None)
    loud = twin.post("for everyone", thread_ts=parent.ts, reply_broadcast=True).message
    assert (loud.thread_ts, loud.subtype) == (parent.ts, "thread_broadcast")
    assert loud.extra["root"]["ts"] == parent.ts and loud.extra["root"]["text"] == "parent"
    newest = twin.history()
    assert [m.text for m in newest] == ["for everyone", "in the thread", "parent"]
    assert [m.thread_ts for m in newest] == [parent.ts, parent.ts, None]
    assert newest[0].subtype == "thread_broadcast"


POST_ERRORS: list[tuple[str, dict[str, Any], type[errors.SlackApiError]]] = [
    ("unknown channel", {"channel": "C0NOPE"}, errors.ChannelNotFound),
    ("not a member", {"channel": RANDOM, "token": BOB_TOKEN}, errors.NotInChannel),
    ("archived", {"channel": RANDOM, "archive": True}, errors.IsArchived),
    ("no text", {"text": None}, errors.NoText),
    ("empty text", {"text": ""}, errors.NoText),
    ("too long", {"text": "x" * 4001}, errors.MsgTooLong),
    ("blocks not objects", {"blocks": [1, 2]}, errors.InvalidBlocksFormat),
    ("101 attachments", {"attachments": [{"text": "a"}] * 101}, errors.TooManyAttachments),
    ("markdown and text", {"markdown_text": "**b**"}, errors.MarkdownTextConflict),
]


@pytest.mark.parametrize(("case", "change", "error"), POST_ERRORS, ids=[c[0] for c in POST_ERRORS])
def test_a_refused_post_raises_its_typed_error_and_posts_nothing(
    twin: Twin,
    emu: Emulator,
    case: str,
    change: dict[str, Any],
    error: type[errors.SlackApiError],
) -> None:
    args: dict[str, Any] = {"channel": GENERAL, "text": "hi", **change}
    options = {"token": args.pop("token")} if "token" in args else None
    if args.pop("archive", False):
        emu.workspace.channels[args["channel"]].is_archived = True
    with pytest.raises(error) as info:
        twin.call("chat_post_message", client_options=options, **args)
    assert type(info.value) is error and info.value.method == "chat.postMessage"
    assert emu.workspace.history.count(GENERAL) == emu.workspace.history.count(RANDOM) == 0


@pytest.mark.parametrize(
    ("value", "kind", "words"),
    [
        ('[{"type": "divider"}]', TypeError, "'blocks' must be a list or tuple of JSON values"),
        ([{"type": "divider", "when": {1, 2}}], TypeError, "'blocks' cannot be sent as JSON"),
        ([{"ratio": float("nan")}], ValueError, "'blocks' cannot be sent as JSON"),
    ],
)
def test_blocks_json_cannot_carry_are_refused_before_any_io(
    twin: Twin, emu: Emulator, value: Any, kind: type[Exception], words: str
) -> None:
    with pytest.raises(kind, match=words):
        twin.call("chat_post_message", channel=GENERAL, blocks=value)
    with pytest.raises(TypeError, match="'metadata' must be a mapping"):
        twin.call("chat_post_message", channel=GENERAL, text="x", metadata=["event_type"])
    assert emu.requests == []


# ---------------------------------------------------------------------------- update, delete


def test_an_update_answers_typed_and_changes_the_kept_message(twin: Twin) -> None:
    posted = twin.post("first words", blocks=BLOCKS)
    changed = twin.call("chat_update", channel=GENERAL, ts=posted.ts, text="second words")
    assert type(changed) is ChatUpdateResponse
    assert (changed.channel, changed.ts, changed.text) == (GENERAL, posted.ts, "second words")
    assert changed.message is not None and changed.message.text == "second words"
    assert changed.message.extra["blocks"] == BLOCKS  # left out: the old blocks stay
    assert changed.message.extra["edited"]["user"] == BOT
    [kept] = twin.history()
    assert (kept.ts, kept.text) == (posted.ts, "second words")
    cleared = twin.call("chat_update", channel=GENERAL, ts=posted.ts, text="plain", blocks=[])
    assert cleared.message is not None and "blocks" not in cleared.message.extra


def test_a_delete_answers_typed_and_removes_the_message(twin: Twin) -> None:
    first, second = twin.post("one"), twin.post("two")
    deleted = twin.call("chat_delete", channel=GENERAL, ts=first.ts)
    assert type(deleted) is ChatDeleteResponse
    assert (deleted.ok, deleted.channel, deleted.ts) == (True, GENERAL, first.ts)
    assert [m.ts for m in twin.history()] == [second.ts]
    with pytest.raises(errors.MessageNotFound):
        twin.call("chat_delete", channel=GENERAL, ts=first.ts)


@pytest.mark.parametrize("method", ["chat_update", "chat_delete"])
def test_a_change_to_a_message_that_is_not_there_or_not_ours_is_refused(
    twin: Twin, emu: Emulator, method: str
) -> None:
    theirs = emu.post_message(GENERAL, "alice's", user=ALICE)
    refused = errors.CantUpdateMessage if method == "chat_update" else errors.CantDeleteMessage
    extra: dict[str, Any] = {"text": "mine now"} if method == "chat_update" else {}
    with pytest.raises(refused):
        twin.call(method, channel=GENERAL, ts=theirs, **extra)
    with pytest.raises(errors.MessageNotFound):
        twin.call(method, channel=GENERAL, ts="1600000000.000001", **extra)
    with pytest.raises(errors.MessageNotFound):
        twin.call(method, channel=GENERAL, ts="yesterday", **extra)
    with pytest.raises(errors.ChannelNotFound):
        twin.call(method, channel="C0NOPE", ts=theirs, **extra)
    assert [m.text for m in twin.history()] == ["alice's"]


def test_an_update_needs_content_and_an_open_channel(twin: Twin, emu: Emulator) -> None:
    posted = twin.post("x")
    with pytest.raises(errors.NoText):
        twin.call("chat_update", channel=GENERAL, ts=posted.ts)
    with pytest.raises(errors.MsgTooLong):
        twin.call("chat_update", channel=GENERAL, ts=posted.ts, text="y" * 4001)
    emu.workspace.channels[GENERAL].is_archived = True
    with pytest.raises(errors.IsInactive):
        twin.call("chat_update", channel=GENERAL, ts=posted.ts, text="z")


# ---------------------------------------------------------------------------- reactions.add


def test_a_reaction_answers_typed_once_and_is_kept(twin: Twin) -> None:
    posted = twin.post("react to me")
    added = twin.call("reactions_add", channel=GENERAL, timestamp=posted.ts, name="thumbsup")
    assert type(added) is ReactionsAddResponse and added.ok is True
    with pytest.raises(errors.AlreadyReacted):
        twin.call("reactions_add", channel=GENERAL, timestamp=posted.ts, name="thumbsup")
    twin.call(
        "reactions_add",
        channel=GENERAL,
        timestamp=posted.ts,
        name="tada",
        client_options={"token": ALICE_TOKEN},
    )
    [kept] = twin.history()
    assert kept.extra["reactions"] == [
        {"name": "thumbsup", "users": [BOT], "count": 1},
        {"name": "tada", "users": [ALICE], "count": 1},
    ]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"name": "not an emoji!"}, errors.InvalidName),
        ({"timestamp": "1600000000.000001"}, errors.MessageNotFound),
        ({"timestamp": "soon"}, errors.BadTimestamp),
        ({"channel": "C0NOPE"}, errors.ChannelNotFound),
        ({"channel": "", "timestamp": ""}, errors.NoItemSpecified),
    ],
    ids=["invalid_name", "message_not_found", "bad_timestamp", "channel_not_found", "no_item"],
)
def test_a_refused_reaction_raises_its_typed_error(
    twin: Twin, args: dict[str, Any], error: type[Exception]
) -> None:
    posted = twin.post("react to me")
    call = {"channel": GENERAL, "timestamp": posted.ts, "name": "thumbsup", **args}
    with pytest.raises(error):
        twin.call("reactions_add", **call)
    [kept] = twin.history()
    assert "reactions" not in kept.extra


# ---------------------------------------------------------------------------- the history kept


def test_a_message_of_a_burst_is_changed_and_removed_alone() -> None:
    history = History()
    history.add(GENERAL, 100, {"user": ALICE, "text": "burst"}, count=5)
    assert history.replace(GENERAL, 102, {"user": ALICE, "text": "changed", "ts": "x"})
    assert history.replace(GENERAL, 104, None)
    assert not history.replace(GENERAL, 104, None) and not history.replace(RANDOM, 100, None)
    page, more = history.page(GENERAL, 0, None, 10)
    assert [(m["_us"], m["text"]) for m in page] == [
        (103, "burst"),
        (102, "changed"),
        (101, "burst"),
        (100, "burst"),
    ]
    assert more is None and history.get(GENERAL, 102) == {"user": ALICE, "text": "changed"}
    assert history.get(GENERAL, 104) is None and history.count(GENERAL) == 4
