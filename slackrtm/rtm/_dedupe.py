"""Duplicates: which ids a Socket Mode session has seen, within a bounded window.

Slack sends an envelope again when its ack did not come within 3 seconds (with
``retry_attempt`` and ``retry_reason``), and during a handover two connections may both
deliver the same event. `SeenWindow` remembers the ids seen, so that the session delivers each
``envelope_id``, and each Events API ``event_id``, to the user once.

The rules:

- an id is remembered for `WINDOW_SECONDS` after it was first seen, and at most `WINDOW_IDS`
  ids are kept: past either bound the oldest is forgotten first (so memory stays bounded
  whatever Slack sends). Slack retries an envelope within minutes, so a retry that comes after
  an hour, or after ten thousand newer ids, is delivered again;
- seeing an id again does not renew it: the window counts from the first sighting.

No clock of its own (every call takes ``now``), no I/O, no state of the session.
"""

from __future__ import annotations

import collections
import math

__all__ = ["WINDOW_IDS", "WINDOW_SECONDS", "SeenWindow"]

WINDOW_IDS = 10_000
"""The most ids a window remembers."""

WINDOW_SECONDS = 3600.0
"""Seconds an id is remembered after it was first seen."""


class SeenWindow:
    """The ids seen lately, oldest first, bounded by count and by age.

    Args:
        max_ids: The most ids kept (`WINDOW_IDS` by default).
        max_age: Seconds an id is kept after it was first seen (`WINDOW_SECONDS`).
    """

    __slots__ = ("_oldest", "_seen", "max_age", "max_ids")

    def __init__(self, max_ids: int = WINDOW_IDS, max_age: float = WINDOW_SECONDS) -> None:
        """Empty."""
        if max_ids < 1 or not max_age > 0:
            raise ValueError("a window keeps at least one id for more than no time")
        self.max_ids = max_ids
        self.max_age = max_age
        # Insertion order, and `now` never goes back: the first key is the oldest. An OrderedDict
        # (a linked list) and not a dict: a dict emptied from the front scans its holes.
        self._seen: collections.OrderedDict[str, float] = collections.OrderedDict()
        self._oldest = math.inf
        """At most when the oldest id kept was first seen (infinity when none is): asked per
        id, the window does no more than one comparison until something may be old enough to
        forget."""

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, key: object) -> bool:
        return key in self._seen

    def forget_old(self, now: float) -> None:
        """Forget the ids first seen `max_age` seconds or more before `now`."""
        horizon = now - self.max_age
        if self._oldest > horizon:
            return
        seen = self._seen
        while seen:
            oldest, first = seen.popitem(last=False)
            if first > horizon:
                seen[oldest] = first
                seen.move_to_end(oldest, last=False)
                self._oldest = first
                return
        self._oldest = math.inf

    def check(self, key: str, now: float) -> bool:
        """Whether `key` was seen within the window; it is remembered from `now` if it was not."""
        if self._oldest <= now - self.max_age:  # `forget_old`'s first test, without its call
            self.forget_old(now)
        seen = self._seen
        if key in seen:
            return True
        if not seen:
            self._oldest = now
        seen[key] = now
        if len(seen) > self.max_ids:
            # `_oldest` is left as it was: a bound below the oldest kept, which `forget_old`
            # puts right the first time it is asked (no look at the next id per id evicted).
            seen.popitem(last=False)
        return False

    def check_pair(self, key: str, other: SeenWindow, other_key: str | None, now: float) -> int:
        """`check` of `key` here and then, if it was new, of `other_key` in `other`, in one call.

        The books' burst path (an envelope's ``envelope_id`` and ``event_id``): the same
        outcome as the two calls, ``other_key`` None being no second check.

        Returns:
            0: both new (both remembered from `now`); 1: `key` seen (`other` untouched);
            2: `key` new (remembered), `other_key` seen.
        """
        seen = self._seen
        theirs = other._seen
        if (
            other_key is None
            or not seen
            or not theirs
            or self._oldest <= now - self.max_age
            or other._oldest <= now - other.max_age
        ):
            # Anything but the steady state (a window empty, or one with ids old enough to
            # forget): the two checks themselves.
            if self.check(key, now):
                return 1
            return 2 if other_key is not None and other.check(other_key, now) else 0
        # Neither window is empty or has an id to forget: `check`'s steps without its calls.
        if key in seen:
            return 1
        seen[key] = now
        if len(seen) > self.max_ids:
            seen.popitem(last=False)
        if other_key in theirs:
            return 2
        theirs[other_key] = now
        if len(theirs) > other.max_ids:
            theirs.popitem(last=False)
        return 0
