"""Each channel's message history, as ``conversations.history`` reads it back.

What lives here: `History`, kept on the `EmulatedWorkspace` (``workspace.history``). Every message
the emulator posts into a channel is kept here with its ``ts``: a message sent over a socket, one
posted with `Emulator.post_message` (also while no socket is open, as during an outage), and a
`Emulator.broadcast` burst (kept as one run of consecutive timestamps, so that a burst of a
million events costs one entry). `History.page` answers one page, newest first, as Slack does.
No I/O; the emulator's loop is the only writer, a lock guards readers on other threads.

Timestamps are the emulator's `TsClock` microseconds: strictly increasing, so that entries are
appended in ``ts`` order and a page is a walk from the end.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["History", "parse_ts"]

_KEYS = ("ts", "channel")
"""What a message's place says, so its kept fields never repeat it."""


def parse_ts(value: str) -> int | None:
    """A ``ts`` (``"1700000000.000100"``) as microseconds; None when it is not one."""
    seconds, dot, fraction = value.partition(".")
    if not seconds.isdigit() or (dot and not fraction.isdigit()) or len(fraction) > 6:
        return None
    return int(seconds) * 1_000_000 + int(fraction.ljust(6, "0") or "0")


def _format(us: int) -> str:
    return f"{us // 1_000_000}.{us % 1_000_000:06d}"


@attrs.frozen
class _Run:
    """``count`` messages with consecutive timestamps from ``first`` (µs), the same fields."""

    first: int
    count: int
    fields: Mapping[str, Any]

    @property
    def last(self) -> int:
        return self.first + self.count - 1


class History:
    """The messages of every channel, by channel ID, oldest first."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self._runs: dict[str, list[_Run]] = {}

    def add(self, channel: str, ts_us: int, fields: Mapping[str, Any], count: int = 1) -> None:
        """Keep `count` messages in `channel` from `ts_us`: `fields` without ``ts``/``channel``."""
        kept = {k: v for k, v in fields.items() if k not in _KEYS}
        with self._lock:
            self._runs.setdefault(channel, []).append(_Run(ts_us, count, kept))

    def get(self, channel: str, ts_us: int) -> dict[str, Any] | None:
        """The fields of the message `ts_us` of `channel` (without ``ts``), or None."""
        with self._lock:
            for run in reversed(self._runs.get(channel, ())):
                if run.first <= ts_us <= run.last:
                    return dict(run.fields)
                if run.last < ts_us:
                    break
        return None

    def replace(self, channel: str, ts_us: int, fields: Mapping[str, Any] | None) -> bool:
        """Give the message `ts_us` new `fields`, or (None) remove it; False when it is absent.

        A message of a burst is cut out of its run, the rest of the run kept as it was.
        """
        kept = None if fields is None else {k: v for k, v in fields.items() if k not in _KEYS}
        with self._lock:
            runs = self._runs.get(channel, [])
            for index in range(len(runs) - 1, -1, -1):
                run = runs[index]
                if run.first <= ts_us <= run.last:
                    pieces = [
                        _Run(run.first, ts_us - run.first, run.fields),
                        _Run(ts_us, 1, kept) if kept is not None else None,
                        _Run(ts_us + 1, run.last - ts_us, run.fields),
                    ]
                    runs[index : index + 1] = [p for p in pieces if p is not None and p.count]
                    return True
                if run.last < ts_us:
                    break
        return False

    def count(self, channel: str) -> int:
        """How many messages `channel` holds."""
        with self._lock:
            return sum(run.count for run in self._runs.get(channel, ()))

    def page(
        self, channel: str, low: int, high: int | None, limit: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Up to `limit` messages of `channel` with ``low <= ts <= high`` (µs), newest first.

        Returns:
            The messages (as `as_json` takes them), and the ``ts`` (µs) the next page ends
            before (exclusive), or None on the last page.
        """
        out: list[dict[str, Any]] = []
        with self._lock:
            runs = list(self._runs.get(channel, ()))
        for run in reversed(runs):
            if run.last < low:
                break
            us = run.last if high is None else min(run.last, high)
            bottom = max(run.first, low)
            while us >= bottom:
                if len(out) == limit:
                    return out, out[-1]["_us"]
                out.append({"_us": us, **run.fields})
                us -= 1
        return out, None

    @staticmethod
    def as_json(message: dict[str, Any]) -> dict[str, Any]:
        """A message of `page` as ``conversations.history`` gives it."""
        fields = {k: v for k, v in message.items() if k != "_us"}
        return {"type": "message", "ts": _format(message["_us"]), **fields}
