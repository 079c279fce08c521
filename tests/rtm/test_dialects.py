"""What frames mean (`slackrtm/rtm/_dialects.py`): the `Kind` of each frame, and what
Slack's RTM dialect reads from it, without an engine."""

from __future__ import annotations

from slackrtm.rtm._dialects import RTM_DIALECT, Kind

# -- the RTM dialect ---------------------------------------------------------------------------


def test_the_rtm_dialect_reads_a_pongs_reply_to() -> None:
    pong = RTM_DIALECT.decode('{"type": "pong", "reply_to": 7}')
    assert RTM_DIALECT.kind(pong) == Kind.PONG
    assert RTM_DIALECT.reply_to(pong) == 7
    assert not RTM_DIALECT.delivered(Kind.PONG)
