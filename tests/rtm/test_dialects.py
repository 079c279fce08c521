"""What frames mean (`slackrtm/rtm/_dialects.py`), without an engine.

The `Kind` of each frame, and what Slack's RTM dialect reads from it.
"""

from __future__ import annotations

import pytest

from slackrtm import events
from slackrtm.rtm._dialects import RTM_DIALECT, Dialect, Kind

# -- the RTM dialect ---------------------------------------------------------------------------


def test_the_rtm_dialect_reads_a_pongs_reply_to() -> None:
    pong = RTM_DIALECT.decode('{"type": "pong", "reply_to": 7}')
    assert RTM_DIALECT.kind(pong) == Kind.PONG
    assert RTM_DIALECT.reply_to(pong) == 7
    assert not RTM_DIALECT.delivered(Kind.PONG)


@pytest.mark.parametrize(
    ("frame", "kind"),
    [
        ('{"type": "hello"}', Kind.HELLO),
        ('{"ok": true, "reply_to": 1, "ts": "1.2"}', Kind.ACK),
        ('{"ok": false, "reply_to": 1, "error": {"code": 2, "msg": "no"}}', Kind.ACK),
        ('{"type": "pong", "reply_to": 1}', Kind.PONG),
        ('{"type": "goodbye"}', Kind.RECONNECT),
        ('{"type": "team_migration_started"}', Kind.RECONNECT),
        ('{"type": "error", "error": {"code": 1, "msg": "x"}}', Kind.ERROR),
        ('{"type": "error", "error": {"code": 4, "msg": "x"}}', Kind.ERROR),
        ('{"type": "reconnect_url", "url": "wss://x/y"}', Kind.RECONNECT_URL),
        ('{"type": "message", "ts": "1.0"}', Kind.EVENT),
        ('{"type": "brand_new"}', Kind.EVENT),
        ('{"type": "team_join", "user": {}}', Kind.FALLBACK),
    ],
)
def test_each_frame_has_its_kind(frame: str, kind: Kind) -> None:
    assert RTM_DIALECT.kind(RTM_DIALECT.decode(frame)) is kind


def test_the_kinds_are_distinct_ints_and_only_events_hello_reconnects_errors_are_delivered() -> (
    None
):
    assert all(isinstance(kind, int) for kind in Kind)
    assert len({int(kind) for kind in Kind}) == len(Kind)
    delivered = [kind for kind in Kind if RTM_DIALECT.delivered(kind)]
    assert delivered == [
        Kind.EVENT,
        Kind.HELLO,
        Kind.RECONNECT,
        Kind.ERROR,
        Kind.FALLBACK,
        Kind.DISCONNECT,
    ]


@pytest.mark.parametrize(("code", "ends"), [(1, True), (2, False), (4, False), (99, False)])
def test_only_the_error_codes_the_schema_marks_end_the_connection(code: int, ends: bool) -> None:
    frame = RTM_DIALECT.decode(f'{{"type": "error", "error": {{"code": {code}, "msg": "m"}}}}')
    assert RTM_DIALECT.ends_connection(frame) is ends


@pytest.mark.parametrize(
    "command",
    [
        events.MessageCommand(channel="C1", text="hi"),
        events.PingCommand(),
        events.TypingCommand(channel="C1"),
        events.PresenceSubCommand(ids=("U1",)),
        events.PresenceQueryCommand(ids=("U1",)),
        events.FrameCommand(frame={"type": "anything"}),
    ],
)
def test_every_frame_carries_an_id_so_that_slacks_error_names_it(command: object) -> None:
    # Slack documents typing and presence_sub without one; with one, a refusal comes back as
    # an error ack naming the frame, not as an ``error`` event that names nothing.
    assert RTM_DIALECT.wants_id(command) is True
    assert RTM_DIALECT.expects_ack(command) is isinstance(command, events.MessageCommand)


def test_a_dialect_is_asked_about_every_frame_unless_it_says_its_kinds_go_by_class() -> None:
    # A dialect whose kinds depend on a frame's content (a Socket Mode envelope) must not
    # have its first answer for a class remembered for every later frame of it.
    assert Dialect.kind_by_class is False
    assert RTM_DIALECT.kind_by_class is True


def test_only_a_presence_subscription_has_presence_ids() -> None:
    command = RTM_DIALECT.presence_sub(("U1", "U2"))
    assert RTM_DIALECT.presence_ids(command) == ("U1", "U2")
    assert RTM_DIALECT.presence_ids(RTM_DIALECT.ping()) is None
