"""Replying: what the posting methods do reaches open RTM sessions as typed events.

Each test runs with the sync and the async session (``rtm``), against the emulator over real
sockets: a post comes back as an `events.Message` in its channel (to the bot's own session and
to the members'), a change as ``message_changed``, a deletion as ``message_deleted``, a reaction as
`events.ReactionAdded`; and a bot written once replies in a thread to what it reads.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import pytest

from slackrtm import AsyncClient, Client, OutcomeUnknown, RetryPolicy, SlackConnectionError, events
from slackrtm.emulator import Emulator
from slackrtm.rtm import Connected, Lifecycle

from ..rtm.conftest import Rtm
from .conftest import ALICE, ALICE_TOKEN, BOT, GENERAL, RANDOM


def _open(rtm: Rtm, token: str | None = None) -> None:
    rtm.open(token=token)
    rtm.wait_for(lambda e: isinstance(e, Connected))


def _client_call(rtm: Rtm, method_name: str, /, **args: Any) -> Any:
    """A Web API call on the session's own client (sync or async, as the session is)."""
    method = getattr(rtm.client, method_name)
    if rtm.kind == "sync":
        return method(**args)
    return rtm.run(method(**args))


def _next(rtm: Rtm) -> Any:
    event, _ = rtm.wait_for(lambda e: not isinstance(e, Lifecycle))
    return event


def test_a_post_comes_back_to_the_open_session_as_a_message(rtm: Rtm, emu: Emulator) -> None:
    _open(rtm)
    posted = _client_call(
        rtm, "chat_post_message", channel=GENERAL, text="hi all", blocks=[{"type": "divider"}]
    )
    event = _next(rtm)
    assert type(event) is events.Message
    assert (event.channel, event.ts, event.text, event.user) == (GENERAL, posted.ts, "hi all", BOT)
    assert event.bot_id == "B0EMUBOT1" and event.extra["blocks"] == [{"type": "divider"}]
    # A post in a channel the session's user is not in never reaches it.
    emu.leave_channel(RANDOM, BOT)
    try:
        other = Client(token=ALICE_TOKEN, base_url=emu.base_url)
        with other:
            other.chat_post_message(channel=RANDOM, text="not for the bot")
            late = other.chat_post_message(channel=GENERAL, text="for everyone")
        event = rtm.wait_for(lambda e: isinstance(e, events.Message) and e.user == ALICE)[0]
        assert (event.ts, event.channel) == (late.ts, GENERAL)
    finally:
        emu.join_channel(RANDOM, BOT)


def test_a_change_a_deletion_and_a_reaction_arrive_typed(rtm: Rtm) -> None:
    _open(rtm)
    posted = _client_call(rtm, "chat_post_message", channel=GENERAL, text="draft")
    assert _next(rtm).ts == posted.ts
    _client_call(rtm, "chat_update", channel=GENERAL, ts=posted.ts, text="final")
    changed = _next(rtm)
    assert type(changed) is events.Message and changed.subtype == "message_changed"
    assert changed.message is not None and changed.previous_message is not None
    assert (changed.message.ts, changed.message.text) == (posted.ts, "final")
    assert changed.previous_message.text == "draft" and changed.hidden is True
    _client_call(rtm, "reactions_add", channel=GENERAL, timestamp=posted.ts, name="eyes")
    reacted = _next(rtm)
    assert isinstance(reacted, events.ReactionAdded)
    assert isinstance(reacted.item, events.ReactionItemMessage)
    assert (reacted.user, reacted.reaction, reacted.item.ts) == (BOT, "eyes", posted.ts)
    _client_call(rtm, "chat_delete", channel=GENERAL, ts=posted.ts)
    deleted = _next(rtm)
    assert type(deleted) is events.Message and deleted.subtype == "message_deleted"
    assert deleted.deleted_ts == posted.ts and deleted.channel == GENERAL


def test_a_bot_replies_in_a_thread_to_what_it_reads(rtm: Rtm, emu: Emulator) -> None:
    """The README's replying bot: read a message, answer it in its thread with chat_postMessage."""
    watcher = Rtm(rtm.kind, emu)
    try:
        _open(rtm)
        _open(watcher, token=ALICE_TOKEN)
        asked = watcher.send_message(GENERAL, "ping?")
        heard = rtm.wait_for(lambda e: isinstance(e, events.Message) and e.user == ALICE)[0]
        reply = _client_call(
            rtm,
            "chat_post_message",
            channel=heard.channel,
            text=f"<@{heard.user}> pong",
            thread_ts=heard.ts,
            reply_broadcast=True,
        )
        seen = watcher.wait_for(lambda e: isinstance(e, events.Message) and e.user == BOT)[0]
        assert (seen.ts, seen.thread_ts, seen.subtype) == (reply.ts, asked.ts, "thread_broadcast")
        assert seen.text == "<@U0EMU0001> pong" and seen.parent_user_id == ALICE
        assert seen.root is not None and seen.root.text == "ping?"
    finally:
        watcher.finish()


# ---------------------------------------------------------------------------- nothing sent


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_refused_connection_is_retried_even_for_a_post(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing can have been posted when the connection was refused: the policy retries."""
    caplog.set_level(logging.DEBUG, logger="slackrtm")
    options: dict[str, Any] = {
        "token": "xoxb-1",
        "base_url": f"http://127.0.0.1:{_closed_port()}/api/",
        "retry": RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.01),
    }

    async def post_async() -> None:
        async with AsyncClient(**options) as client:
            await client.chat_post_message(channel=GENERAL, text="x")

    def post() -> None:
        if kind == "sync":
            with Client(**options) as client:
                client.chat_post_message(channel=GENERAL, text="x")
        else:
            asyncio.run(post_async())

    with pytest.raises(SlackConnectionError) as info:
        post()
    assert not isinstance(info.value, OutcomeUnknown)
    assert str(info.value).endswith("connection refused")
    attempts = [r for r in caplog.records if "chat.postMessage attempt" in r.getMessage()]
    assert len(attempts) == 3
