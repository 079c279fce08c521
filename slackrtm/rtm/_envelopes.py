"""The books of a Socket Mode session's envelopes: delivered once, acked once, watched for 3 s.

`EnvelopeBook` is the engine's (`_protocol.py`) clerk for Socket Mode, as `_sends.Outbox` is
for sends. It decides what an arriving envelope is (new: deliver it; a duplicate: drop it, and
whether to ack the copy), whether an ack the user asks for may go out, and which envelopes
have waited too long for theirs. It writes no frame (the engine queues the ack), has no clock
of its own (every call takes ``now``) and no I/O.

The rules:

- each ``envelope_id``, and each Events API ``event_id``, is delivered once within the window
  of `_dedupe.SeenWindow` (10,000 ids, one hour);
- a duplicate is never delivered. Its ack is the engine's: at once when the envelope it
  repeats was acked already (or was forgotten), or when it repeats an ``event_id`` under a new
  ``envelope_id`` (the user handles the first); not at all while the first is still waiting
  for the user's ack (that ack, by ``envelope_id``, answers Slack's retry too);
- an ack carries a ``payload`` only where the envelope says ``accepts_response_payload``;
  otherwise `AckPayloadRefused`, before anything is queued;
- the first ack of an envelope counts; a later one of the same envelope is a no-op (it returns
  False), so that an automatic ack after a handler that acked by hand does nothing. An envelope
  this session never delivered is refused with `ValueError`;
- an envelope not acked within `ACK_WINDOW` seconds of its arrival is reported once, by its
  ``envelope_id`` (never its content): the engine logs it at WARNING;
- at most `_dedupe.WINDOW_IDS` envelopes wait for their ack; past that the oldest is dropped
  from the books (it can no longer be acked; Slack retries it, and the retry is a duplicate).
"""

from __future__ import annotations

import collections
import math
import types
from collections.abc import Mapping
from typing import Any

import attrs

from .._exceptions import AckPayloadRefused
from .._generated.envelopes import ACK_SECONDS
from ._dedupe import WINDOW_IDS, SeenWindow

__all__ = ["ACK_WINDOW", "AckPayloadRefused", "Arrival", "EnvelopeBook"]

ACK_WINDOW = float(ACK_SECONDS)
"""Seconds Slack waits for an envelope's ack before it sends the envelope again (the schema's)."""


@attrs.frozen
class Arrival:
    """What the engine does with an arriving envelope.

    Attributes:
        deliver: Give it to the user.
        ack_now: Queue its ack at once (a duplicate the user will never see).
        why: For a duplicate, in words (for the DEBUG log).
    """

    deliver: bool
    ack_now: bool = False
    why: str = ""


_NEW = Arrival(deliver=True)


class EnvelopeBook:
    """Every envelope delivered and not acked yet, and the ids seen lately."""

    def __init__(self, window: SeenWindow | None = None, events: SeenWindow | None = None) -> None:
        """Empty books; the windows are `SeenWindow()` unless given."""
        self.envelopes = window if window is not None else SeenWindow()
        """The ``envelope_id`` values seen."""
        self.event_ids = events if events is not None else SeenWindow()
        """The Events API ``event_id`` values delivered."""
        self._unackable = SeenWindow(self.envelopes.max_ids, self.envelopes.max_age)
        """The ``envelope_id`` values seen but never waiting for the user's ack: an envelope
        whose event was a duplicate, one that left `_waiting` unacked (its bound). Every other
        id of `envelopes` not waiting was acked: no window of acked ids to fill per ack."""
        # By id, when each arrived, in arrival order (one float each: a burst adds one per
        # envelope). Those whose ack may carry a payload are the few in `_accepting`; those
        # warned about are the ones that arrived up to `_warned_to` (`overdue` warns in order).
        self._waiting: collections.OrderedDict[str, float] = collections.OrderedDict()
        self.waiting_ids: Mapping[str, float] = types.MappingProxyType(self._waiting)
        """The ids of the envelopes waiting for their ack (read-only; `is_waiting` without a
        call, for the engine's burst path)."""
        self._accepting: set[str] = set()
        self.accepting: set[str] = self._accepting
        """The waiting ids whose ack may carry a payload (the ack modes' burst path reads it:
        empty but for envelopes that accept one)."""
        self.pop_waiting = self._waiting.pop
        """``pop(envelope_id, None)`` of the waiting list: the ack modes' burst path, for an ack
        queued without a payload (not None: it was waiting; then drop it from `accepting`)."""
        self._warned_to = -math.inf
        self.duplicates = 0
        """Envelopes dropped as duplicates."""

    @property
    def waiting(self) -> int:
        """Envelopes delivered whose ack has not been queued."""
        return len(self._waiting)

    def arrived(
        self,
        envelope: Any,
        envelope_id: str,
        event_id: str | None,
        accepts_payload: bool,
        now: float,
    ) -> Arrival:
        """An envelope came: deliver it, or drop it as a duplicate (see the rules)."""
        seen = self.envelopes.check_pair(envelope_id, self.event_ids, event_id, now)
        if seen == 1:
            self.duplicates += 1
            if envelope_id in self._waiting:
                return Arrival(False, False, f"envelope {envelope_id} again, its ack awaited")
            return Arrival(False, True, f"envelope {envelope_id} again")
        if seen:
            self.duplicates += 1
            self._unackable.check(envelope_id, now)
            return Arrival(False, True, f"event {event_id} again, in envelope {envelope_id}")
        waiting = self._waiting
        waiting[envelope_id] = now
        if accepts_payload:
            self._accepting.add(envelope_id)
        if len(waiting) > WINDOW_IDS:
            left = waiting.popitem(last=False)[0]
            self._accepting.discard(left)
            self._unackable.check(left, now)
        return _NEW

    def ack(self, envelope_id: str, payload: object, now: float) -> bool:
        """Whether the ack the user asks for goes out (False: acked before, a no-op).

        If it does, the envelope counts as acked from `now`.

        Raises:
            AckPayloadRefused: A payload where the envelope accepts none.
            ValueError: This session never delivered the envelope.
        """
        if not self.may_ack(envelope_id, payload):
            return False
        self.mark_acked(envelope_id, now)
        return True

    def may_ack(self, envelope_id: str, payload: object) -> bool:
        """`ack` without marking anything: whether the ack goes out, or why not.

        Raises:
            AckPayloadRefused: A payload where the envelope accepts none.
            ValueError: This session never delivered the envelope.
        """
        if envelope_id not in self._waiting:
            if envelope_id in self.envelopes and envelope_id not in self._unackable:
                return False  # acked before
            raise ValueError(
                f"envelope {envelope_id} was not delivered by this session (or left its books "
                "long ago); acks go through the session that delivered the envelope"
            )
        if payload is not None and envelope_id not in self._accepting:
            raise AckPayloadRefused(envelope_id)
        return True

    def mark_acked(self, envelope_id: str, now: float) -> None:
        """The envelope's ack is queued: it waits no more (see `may_ack`)."""
        self._waiting.pop(envelope_id, None)
        if self._accepting:
            self._accepting.discard(envelope_id)

    def is_waiting(self, envelope_id: str) -> bool:
        """Whether the envelope was delivered and its ack not queued yet."""
        return envelope_id in self._waiting

    def next_deadline(self) -> float | None:
        """When the oldest envelope not warned about reaches `ACK_WINDOW`; None: none waits."""
        warned_to = self._warned_to
        for arrived in self._waiting.values():
            if arrived > warned_to:
                return arrived + ACK_WINDOW
        return None

    def overdue(self, now: float) -> list[str]:
        """The ids of envelopes unacked for `ACK_WINDOW` seconds, each reported once."""
        late: list[str] = []
        warned_to = self._warned_to
        for envelope_id, arrived in self._waiting.items():
            if arrived + ACK_WINDOW > now:
                break  # in arrival order: the rest are younger
            if arrived > warned_to:
                late.append(envelope_id)
        if late:
            # Every envelope that arrives from now on arrives after this (the clock never goes
            # back), so "arrived by then" is "warned about".
            self._warned_to = self._waiting[late[-1]]
        return late
