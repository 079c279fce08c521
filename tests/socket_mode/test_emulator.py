"""The Socket Mode session in both forms against the emulator's Socket Mode, over real sockets.

The emulator's controls cause what the tests need (envelopes, a retry after a short ack window,
``disconnect`` with each reason) instead of waiting for Slack's timings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from slackrtm import SocketModeLinkDisabled, events
from slackrtm.emulator import Emulator, Limits
from slackrtm.rtm import Connected, Disconnected

from .conftest import WAIT, Sm

GENERAL = "C0EMU0001"


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[Emulator]:
    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        yield emu


@pytest.fixture
def emu(emulator_server: Emulator) -> Emulator:
    emulator_server.reset()
    emulator_server.limits = Limits(web_rate_limit=None)
    return emulator_server


def opened(sm: Sm, emu: Emulator, **args: Any) -> Any:
    client = {"app_token": emu.app_token, "token": emu.bot_token}
    session = sm.open(emu.base_url, client=client, **args)
    assert isinstance(sm.notices(), Connected)
    return session


def until(predicate: Any, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def message(text: str) -> dict[str, Any]:
    return {"type": "message", "channel": GENERAL, "user": "U0EMU0001", "text": text, "ts": "1.1"}


def test_each_envelope_type_is_typed_and_acked(sm: Sm, emu: Emulator) -> None:
    opened(sm, emu, ack="before")
    ids = [
        emu.socket_mode.push_event(message("hi")),
        emu.socket_mode.push_slash_command("/deploy", "now"),
        emu.socket_mode.push_interaction({"type": "block_actions", "actions": []}),
    ]
    got = sm.envelopes(3)
    assert [type(e).__name__ for e in got] == ["EventsApi", "SlashCommands", "Interactive"]
    assert isinstance(got[0].payload.event, events.Message)
    assert [e.envelope_id for e in got] == ids
    until(lambda: len(emu.socket_mode.acks) == 3)
    assert [(a.envelope_id, a.retry_attempt) for a in emu.socket_mode.acks] == [(i, 0) for i in ids]


def test_an_unacked_envelope_is_retried_then_delivered_once(sm: Sm, emu: Emulator) -> None:
    emu.socket_mode.set_timing(ack_seconds=0.5)  # retries at 0.5, 1.0, 1.5 s; dropped at 2
    opened(sm, emu, ack="manual")
    sent = emu.socket_mode.push_event(message("once"))
    (envelope,) = sm.envelopes(1)
    until(lambda: sm.session.stats.duplicates >= 1)  # the retry came, and was not delivered
    with pytest.raises(TimeoutError):
        sm.next_event(0.1)
    assert sm.ack(envelope) is True
    until(lambda: len(emu.socket_mode.acks) == 1)
    (ack,) = emu.socket_mode.acks
    assert ack.envelope_id == sent and ack.retry_attempt is not None and ack.retry_attempt >= 1
    assert sm.session.stats.duplicates >= 1


def test_a_refresh_requested_handover_with_events_pushed_during_it(sm: Sm, emu: Emulator) -> None:
    emu.socket_mode.set_timing(disconnect_grace=0.5)
    opened(sm, emu)
    texts = [f"m{n}" for n in range(60)]
    for text in texts[:20]:
        emu.socket_mode.push_event(message(text))
    emu.socket_mode.disconnect("refresh_requested")
    for text in texts[20:40]:
        emu.socket_mode.push_event(message(text))
    until(lambda: sm.session.stats.handovers == 1 and sm.session.state == "connected")
    for text in texts[40:]:
        emu.socket_mode.push_event(message(text))
    got: list[str] = []
    notices: list[Any] = []
    deadline = time.monotonic() + WAIT
    while len(got) < len(texts) and time.monotonic() < deadline:
        event = sm.next_event()
        if hasattr(event, "envelope_id"):
            got.append(event.payload.event.text)
        elif isinstance(event, (Connected, Disconnected)):
            notices.append(event)
    with pytest.raises(TimeoutError):
        sm.next_event(0.5)
    assert sorted(got) == sorted(texts)  # 0 lost
    assert len(got) == len(set(got))  # 0 twice
    assert not any(isinstance(n, Disconnected) for n in notices)  # no gap
    until(lambda: len(emu.socket_mode.acks) >= len(texts))


def test_link_disabled_ends_the_session(sm: Sm, emu: Emulator) -> None:
    opened(sm, emu)
    emu.socket_mode.disconnect("link_disabled")
    with pytest.raises(SocketModeLinkDisabled, match="disconnect reason link_disabled"):
        sm.wait_for(lambda _event: False)


def test_debug_reconnects_gives_short_connections_and_loses_nothing(sm: Sm, emu: Emulator) -> None:
    emu.socket_mode.set_timing(debug_life=0.4, disconnect_grace=0.3)
    opened(sm, emu, debug_reconnects=True)
    until(lambda: sm.session.stats.handovers >= 2)
    sent = [emu.socket_mode.push_event(message(f"d{n}")) for n in range(5)]
    # Each once. Their order holds on one socket, not across the two a handover holds open.
    assert sorted(e.envelope_id for e in sm.envelopes(5)) == sorted(sent)


def test_one_bot_function_on_rtm_and_socket_mode(sm: Sm, emu: Emulator) -> None:
    """A message posted once reaches an RTM session and a Socket Mode one: one function, both."""
    from tests.rtm.conftest import Rtm

    seen: list[tuple[type, str, str]] = []

    def bot(event: events.Message) -> None:
        seen.append((type(event), event.channel or "", event.text or ""))

    opened(sm, emu)
    classic = Rtm(sm.kind, emu)
    try:
        classic.open()
        emu.post_message(GENERAL, "hello both", user="U0EMU0001")
        rtm_message, _ = classic.wait_for(lambda e: isinstance(e, events.Message))
        bot(rtm_message)
    finally:
        classic.finish()
    (envelope,) = sm.envelopes(1)
    bot(envelope.payload.event)
    assert seen == [(events.Message, GENERAL, "hello both")] * 2


def test_close_writes_the_acks_already_queued(sm: Sm, emu: Emulator) -> None:
    """An ack queued right before ``close()`` reaches Slack: Slack does not send it again."""
    session = opened(sm, emu, ack="manual")
    pushed = [emu.socket_mode.push_event(message(f"c{n}")) for n in range(20)]
    got = sm.envelopes(20)
    if sm.kind == "sync":
        for envelope in got:
            session.ack(envelope)
        session.close()
    else:

        async def ack_and_close() -> None:
            for envelope in got:
                session.ack(envelope)
            await session.close()

        sm.run(ack_and_close())
    until(lambda: len(emu.socket_mode.acks) >= 20, timeout=3.0)
    assert [a.envelope_id for a in emu.socket_mode.acks] == pushed
