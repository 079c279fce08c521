"""Row: `slackrtm.events.decode` per frame, in process, beside ``json.loads`` of the same text.

No socket and no session: the 50,000 ``message`` frames of the lean server's burst
(`bench.lean_server.message`), decoded one after the other. The limit is ``json.loads`` (an
untyped dict); ours is ``events.decode`` (a typed, checked `Message`), once with orjson (when it
is installed, as with ``pip install 'slackrtm[fast]'``) and once with the standard library's
``json`` alone. The end-to-end rows (`bench.inbound`) add the socket and the session; this row
isolates what decoding costs.
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


def orjson_available() -> bool:
    return events._orjson_loads is not None


def row(*, frames: int = 50_000, rounds: int = 9) -> Row:
    """events.decode per frame against json.loads, in process."""
    texts = [message(i) for i in range(frames)]
    result = Row(
        "events.decode per frame, in process",
        unit="frame",
        server="none",
        ops=frames,
        target="a typed Message for about what json.loads costs for a dict",
    )
    contenders: list[_Decoder] = [_Decoder("json.loads (untyped dict)", texts, json.loads)]
    if orjson_available():
        contenders.append(_Decoder("events.decode, orjson", texts, events.decode))
    else:
        result.notes.append("orjson is not installed: pip install 'slackrtm[fast]'")
    contenders.append(_Stdlib("events.decode, stdlib json", texts, events.decode))
    return run_sync(result, contenders, rounds=rounds, warmup=1000)
