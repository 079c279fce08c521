"""Row: `slackrtm.events.decode` per frame, in process, beside ``json.loads`` of the same text.

No socket and no session: ``message`` frames like those of the lean server's burst
(`bench.lean_server.message`), decoded one after the other, 10,000 a round (short rounds, many
of them: a shared machine's slow moments then hit every contender alike). The limit is
``json.loads`` (an untyped dict); ours is ``events.decode`` (a typed, checked `Message`), once
with orjson (when it is installed, as with ``pip install 'slackrtm[fast]'``) and once with the
standard library's ``json`` alone. The end-to-end rows (`bench.inbound`) add the socket and
the session; this row isolates what decoding costs.

A second row decodes messages shaped like what Slack sends a user's client today: the same
fields plus ``client_msg_id``, ``event_ts`` and the fields the schema does not describe
(``blocks`` of rich text, ``suppress_notification``, ``user_team``, ``source_team``), which land
in ``extra`` and which, with orjson, are checked for integers beyond 64 bits.

A third row decodes ``reaction_added`` frames, shaped as Slack's event page shows them: the
reacted-to ``item`` is a union read by its ``type`` (`events.ReactionItemMessage` here).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slackrtm import events

from ._harness import Row, Sample, run_sync
from .lean_server import message


@contextmanager
def stdlib_json() -> Iterator[None]:
    """`events.decode` without orjson for a while, as on an install without the extra."""
    saved = events._orjson_loads
    if saved is not None:
        events._orjson_loads = None
    try:
        yield
    finally:
        if saved is not None:
            events._orjson_loads = saved


class _Decoder:
    def __init__(self, name: str, frames: list[str], one: Callable[[str], Any]) -> None:
        self.name = name
        self.frames = frames
        self.one = one

    def open(self) -> None:
        pass

    def run(self, n: int) -> Sample:
        one, frames = self.one, self.frames[:n]
        started = time.perf_counter()
        for frame in frames:
            one(frame)
        return Sample(time.perf_counter() - started)

    def close(self) -> None:
        pass


class _Stdlib(_Decoder):
    def run(self, n: int) -> Sample:
        with stdlib_json():
            return super().run(n)


def rich_message(index: int) -> str:
    """A message as Slack sends it to a user's client, with rich-text blocks (``extra``)."""
    text = f"hello, this is message {index}"
    return json.dumps(
        {
            "client_msg_id": f"4f9a1c2e-8b3d-4e5f-9a1b-{index:012d}",
            "suppress_notification": False,
            "type": "message",
            "text": text,
            "user": "U0BENCH02",
            "team": "T0BENCH01",
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": f"b{index}",
                    "elements": [
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "text", "text": text}],
                        }
                    ],
                }
            ],
            "user_team": "T0BENCH01",
            "source_team": "T0BENCH01",
            "channel": "C0BENCH01",
            "event_ts": f"1700000000.{index:06d}",
            "ts": f"1700000000.{index:06d}",
        },
        separators=(",", ":"),
    )


def reaction_added(index: int) -> str:
    """A ``reaction_added`` frame on a message, as Slack sends it."""
    return json.dumps(
        {
            "type": "reaction_added",
            "user": "U0BENCH02",
            "item": {"type": "message", "channel": "C0BENCH01", "ts": f"1700000000.{index:06d}"},
            "reaction": "thumbsup",
            "item_user": "U0BENCH03",
            "event_ts": f"1700000001.{index:06d}",
        },
        separators=(",", ":"),
    )


SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "plain": ("a plain message", message),
    "rich": ("a message with blocks (extra)", rich_message),
    "reaction": ("a reaction_added", reaction_added),
}
"""The frames each decode row reads, by its key: what the row is called, and one frame's maker."""

TARGETS = {
    "plain": "a typed event for about what json.loads costs for a dict",
    "rich": "slackrtm <= 1.0x with orjson (issue 23)",
    "reaction": "at most a plain message's ratio, both parsers (issue 21)",
}
"""Each row's target, by its key."""


def orjson_available() -> bool:
    return events._orjson_loads is not None


def row(*, frames: int = 10_000, rounds: int = 31, shape: str = "plain") -> Row:
    """events.decode per frame against json.loads, in process (``shape``: a key of `SHAPES`)."""
    name, make = SHAPES[shape]
    texts = [make(i) for i in range(frames)]
    result = Row(
        f"events.decode per frame, {name}, in process",
        unit="frame",
        server="none",
        ops=frames,
        target=TARGETS[shape],
    )
    contenders: list[_Decoder] = [_Decoder("json.loads (untyped dict)", texts, json.loads)]
    if orjson_available():
        contenders.append(_Decoder("events.decode, orjson", texts, events.decode))
    else:
        result.notes.append("orjson is not installed: pip install 'slackrtm[fast]'")
    contenders.append(_Stdlib("events.decode, stdlib json", texts, events.decode))
    return run_sync(result, contenders, rounds=rounds, warmup=1000)
