"""Driving the RTM core by hand, as a driver does: the helpers the core's test files share."""

from __future__ import annotations

import json
from typing import Any

from slackrtm import events
from slackrtm.rtm import RtmOptions
from slackrtm.rtm._protocol import RtmProtocol
from slackrtm.rtm._sends import Pending

HELLO = '{"type": "hello"}'
UNPACED = RtmOptions(send_rate=None)


def make(options: RtmOptions = UNPACED, rng: float = 0.5) -> RtmProtocol:
    return RtmProtocol(options, rng=lambda: rng)


def connect(proto: RtmProtocol, now: float = 0.0, info: Any = "info") -> int:
    assert proto.connect_due(now)
    assert proto.begin_connect(now) is None
    link = proto.socket_opened(now, info)
    proto.receive_text(link, HELLO, now)
    assert proto.state == "connected"
    proto.take_events()
    return link


def sent(frames: list[str]) -> list[dict[str, Any]]:
    return [json.loads(f) for f in frames]


def message(text: str = "hi", channel: str = "C1") -> events.MessageCommand:
    return events.MessageCommand(channel=channel, text=text)


def state(proto: RtmProtocol) -> str:
    return proto.state  # typed a plain str: mypy would narrow the state between calls


def done(pending: Pending) -> bool:
    return pending.done


def kinds(items: list[object]) -> list[type]:
    return [type(i) for i in items]
