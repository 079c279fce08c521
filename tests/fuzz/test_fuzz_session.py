"""Fuzzing the session's inbound path: whatever arrives, the core logs, skips and goes on.

`RtmProtocol.receive_text` is what both drivers hand every frame to (text or binary). Here it
gets sequences of hostile frames on a connected session: any JSON value, any bytes, truncated
frames, deep nesting, huge numbers, and every known frame type with fields of any type. No
exception may escape, no call may hang, and afterwards the session still works: a send is
written, its ack completes it. The same over real sockets, through both drivers, is
`tests/reliability/test_hostile_frames.py`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slackrtm import events
from slackrtm._generated import events as generated
from slackrtm.rtm import Lifecycle, RtmOptions
from slackrtm.rtm._protocol import RtmProtocol

from ..fuzzing import examples
from .test_fuzz_events import json_values, valid_frames

pytestmark = pytest.mark.fuzz

SETTINGS = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
HANG = 5.0
"""Seconds one whole example may take; far above what it needs, far below a hang."""

# Frames that end a connection by design (a goodbye is no fault): kept out of the sequences,
# so that "still connected" can be asserted. They are fuzzed on their own below.
ENDING = {"goodbye", "team_migration_started", "error", "hello", "reconnect_url"}

wrong_fields = st.builds(
    lambda kind, data: {**data, "type": kind},
    st.sampled_from(sorted(set(generated.EVENT_TYPES) - ENDING)),
    st.dictionaries(st.text(max_size=12), json_values, max_size=8),
)
truncated = st.tuples(valid_frames, st.integers(min_value=0, max_value=10_000)).map(
    lambda pair: (lambda text: text[: pair[1] % len(text)])(json.dumps(pair[0][1]))
)
deep = st.tuples(st.integers(1, 50_000), st.sampled_from(["[", '{"a":'])).map(
    lambda p: p[1] * p[0] + "1" + ("]" if p[1] == "[" else "}") * p[0]
)
huge = st.integers(1, 20_000).map(lambda n: '{"type": "pong", "reply_to": ' + "9" * n + "}")
hostile: st.SearchStrategy[str | bytes] = st.one_of(
    json_values.filter(
        lambda v: not (isinstance(v, dict) and v.get("type") in ENDING | {"pong"})
    ).map(json.dumps),
    st.binary(max_size=200),
    st.text(max_size=200),
    st.text(max_size=200).map(str.encode),  # a binary frame holding text
    wrong_fields.map(json.dumps),
    truncated,
    deep,
    huge,
)


def connected() -> tuple[RtmProtocol, int]:
    proto = RtmProtocol(RtmOptions(send_rate=None), rng=lambda: 0.5)
    assert proto.connect_due(0.0)
    proto.begin_connect(0.0)
    link = proto.socket_opened(0.0, "info")
    proto.receive_text(link, '{"type": "hello"}', 0.0)
    proto.take_events()
    assert proto.state == "connected"
    return proto, link


def still_works(proto: RtmProtocol, link: int, now: float) -> None:
    """A send after the storm is written, and its ack completes it."""
    pending = proto.send(events.MessageCommand(channel="C1", text="after"), now)
    frames = [json.loads(f) for f in proto.data_to_send(now)]
    ours = [f for f in frames if f.get("text") == "after"]
    assert len(ours) == 1, frames
    ack = {"ok": True, "reply_to": ours[0]["id"], "ts": "1.000001", "text": "after"}
    proto.receive_text(link, json.dumps(ack), now)
    assert pending.done
    assert isinstance(pending.result, events.MessageAck)


def drain(proto: RtmProtocol) -> list[object]:
    items = proto.take_events()
    for item in items:
        # Whatever came through is one of the SDK's own types, never a raw dict or str.
        assert isinstance(item, (events.Event, events.Ack, Lifecycle)), item
    return items


@SETTINGS
@given(frames=st.lists(hostile, min_size=1, max_size=12))
def test_hostile_frames_are_skipped_and_the_session_goes_on(frames: list[str | bytes]) -> None:
    started = time.monotonic()
    proto, link = connected()
    now = 1.0
    for frame in frames:
        proto.receive_text(link, frame, now)
        proto.tick(now)
        drain(proto)
        now += 0.01
    assert proto.state == "connected"
    assert not any(isinstance(i, Lifecycle) for i in drain(proto))
    still_works(proto, link, now)
    assert time.monotonic() - started < HANG


@SETTINGS
@given(
    kind=st.sampled_from(sorted(ENDING - {"hello"})),
    data=st.dictionaries(st.text(max_size=12), json_values, max_size=6),
)
def test_ending_frames_with_any_fields_reconnect_or_are_skipped(
    kind: str, data: dict[str, Any]
) -> None:
    proto, link = connected()
    proto.receive_text(link, json.dumps({**data, "type": kind}), 1.0)
    proto.tick(1.0)
    drain(proto)
    # Either it decoded (the connection is being replaced) or it was malformed (skipped).
    assert proto.state in ("connected", "waiting", "connecting")
    if proto.state == "connected":
        still_works(proto, link, 1.0)
    else:
        # The next attempt is scheduled: the core asks to be woken up, it does not spin.
        deadline = proto.next_deadline()
        assert deadline is not None and deadline >= 1.0
