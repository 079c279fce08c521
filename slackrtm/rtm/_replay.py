"""Replay, sans-I/O: after a reconnect, what was posted while the socket was down, from history.

Slack does not send again the RTM events a client missed while its socket was down. With
``client.rtm(replay=...)`` the session asks ``conversations.history`` for them. This core
decides everything about it; the drivers only make the calls it asks for and hand the events
it gives to the user:

    driver (events out of the engine)           driver (a replay thread / task)
      deliver replay.feed(proto events, wall)     call = replay.next_call(now)   (None: sleep
                                                     until replay.next_deadline() or a wake-up)
                                                  page = client.conversations_history(**args)
                                                  deliver replay.answered(call, page, error, now)

The rules, each carried out here:

- the newest ``ts`` delivered in each conversation is remembered (messages only, live or
  replayed); a conversation counts as seen once a message of it was delivered;
- after each reconnect (a `Connected` whose cause is not ``"start"``) every seen conversation
  (or the user's list, `ReplayOptions.conversations`) gets a job: history from that ``ts``,
  exclusive (for a listed conversation without one: from the session's first ``hello``);
- while a conversation's job runs, its live messages are held; when it ends, its replayed and
  held messages are delivered together in ``ts`` order, each (channel, ts) once (the live copy
  wins). Other conversations are not held up;
- replayed messages are `slackrtm.events.Message` with ``replayed=True``;
- bounds: at most `ReplayOptions.max_conversations` jobs and `ReplayOptions.max_messages`
  messages per reconnect, at most `ReplayOptions.max_messages` live messages held per
  conversation; past a bound, a `ReplaySkipped` notice says what was not replayed;
- calls go one at a time, from one token bucket (`ReplayOptions.rate`, `ReplayOptions.burst`),
  and a ``RateLimited`` answer stops them all until its ``Retry-After`` has passed;
- ``missing_scope``, ``not_in_channel`` and ``channel_not_found``: one WARNING naming the
  conversation, which is not asked for again in this session; any other failure: a WARNING and
  a `ReplaySkipped`. The session goes on either way.

No sockets, no threads, no clock of its own: ``now`` (monotonic) and ``wall`` (Unix seconds)
are passed in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import attrs

from .. import events
from .._exceptions import RateLimited, SlackApiError, SlackError
from .._generated.codes import ErrorCode
from ._options import Connected
from ._sends import _Bucket

__all__ = ["HistoryCall", "Replay", "ReplayOptions", "ReplaySkipped", "replay_options"]

_REFUSED = frozenset(
    code.value
    for code in (ErrorCode.MISSING_SCOPE, ErrorCode.NOT_IN_CHANNEL, ErrorCode.CHANNEL_NOT_FOUND)
)
"""Codes after which a conversation is not asked for again: retrying cannot help."""


def _positive_int(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, got {value!r}")


def _rate(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{attribute.name} must be a number, got {type(value).__name__}")
    if not value > 0:
        raise ValueError(f"{attribute.name} must be a positive number, got {value!r}")


def _conversations(value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
        raise TypeError("conversations must be a list of conversation IDs")
    return tuple(dict.fromkeys(value))


@attrs.frozen(kw_only=True)
class ReplayOptions:
    """What a session replays after a reconnect, and how much at most (``client.rtm(replay=)``).

    Attributes:
        conversations: The conversation IDs to replay; None (the default): every conversation
            the session has delivered a message of since it started.
        max_conversations: The most conversations replayed per reconnect (the most recently
            active first); the others get a `ReplaySkipped`.
        max_messages: The most messages replayed per reconnect, all conversations together,
            and the most live messages held for one conversation while its replay runs.
        page_size: Messages asked for per call (Slack advises at most 200).
        rate: Calls per second sustained (``conversations.history`` is Tier 3: 50 a minute).
        burst: Calls that may be made at once before `rate` applies.
    """

    conversations: tuple[str, ...] | None = attrs.field(default=None, converter=_conversations)
    max_conversations: int = attrs.field(default=50, validator=_positive_int)
    max_messages: int = attrs.field(default=1000, validator=_positive_int)
    page_size: int = attrs.field(default=200, validator=_positive_int)
    rate: float = attrs.field(default=50 / 60, validator=_rate)
    burst: int = attrs.field(default=50, validator=_positive_int)


def replay_options(replay: object) -> ReplayOptions | None:
    """``client.rtm(replay=...)`` read: False/None (off), True (the defaults) or `ReplayOptions`.

    Raises:
        TypeError: Anything else.
    """
    if replay is None or replay is False:
        return None
    if replay is True:
        return ReplayOptions()
    if isinstance(replay, ReplayOptions):
        return replay
    raise TypeError(f"replay must be a bool or a ReplayOptions, got {type(replay).__name__}")


@attrs.frozen
class ReplaySkipped:
    """Messages a replay did not fetch: those of `channel` after `oldest` (and before `latest`).

    Delivered among the events, in place of what it stands for, never a silent gap.

    Attributes:
        channel: The conversation.
        oldest: The ``ts`` after which messages may be missing (exclusive).
        latest: The ``ts`` before which they may be missing (exclusive; the oldest message that
            was replayed); None: up to the messages delivered next in that conversation.
        reason: Why, in words.
    """

    channel: str
    oldest: str
    latest: str | None
    reason: str


@attrs.frozen
class HistoryCall:
    """One ``conversations.history`` call to make: ``client.conversations_history(**arguments)``."""

    channel: str
    arguments: dict[str, Any] = attrs.field(eq=False)


def ts_key(ts: str) -> tuple[int, int, str]:
    """A ``ts`` as something that sorts in time order (``"9.5"`` before ``"10.0"``)."""
    seconds, _, fraction = ts.partition(".")
    if seconds.isdigit() and (not fraction or fraction.isdigit()):
        return int(seconds), int(fraction[:6].ljust(6, "0")), ts
    return 0, 0, ts  # not a ts Slack would send: first, and still one per value


def wall_ts(wall: float) -> str:
    """Unix seconds as a ``ts``."""
    micros = int(wall * 1_000_000)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


@attrs.define
class _Job:
    """One conversation's replay: from `oldest` (exclusive), page by page."""

    channel: str
    oldest: str
    cursor: str | None = None
    fetched: dict[str, Any] = attrs.field(factory=dict)
    held: list[Any] = attrs.field(factory=list)
    again: bool = False
    """A reconnect came while it ran: once done, it runs again from what it delivered."""


class Replay:
    """The replay of one session, across all of its reconnects (see the module's rules).

    Args:
        options: What to replay, and the bounds.
        logger: Where the warnings go.
    """

    def __init__(self, options: ReplayOptions, logger: logging.Logger) -> None:
        """Start with nothing seen."""
        self.options = options
        self._log = logger
        self.newest: dict[str, str] = {}
        """The newest ``ts`` delivered in each conversation."""
        self._start: str | None = None
        self._jobs: dict[str, _Job] = {}
        self._queue: list[str] = []
        self._inflight: HistoryCall | None = None
        self._inflight_job: _Job | None = None
        self._budget = options.max_messages
        self._bucket = _Bucket(options.rate, options.burst)
        self._resume_at = 0.0
        self._refused: set[str] = set()
        self._replayed: dict[str, set[str]] = {}
        """Per conversation, the ``ts`` its last replay delivered: a late live copy is a dup."""
        self.calls = 0
        """``conversations.history`` calls asked for so far (for the measurements)."""
        self.delivered = 0
        """Replayed messages handed to the user so far (``rtm.stats.replayed``)."""

    # -- the events on their way to the user ---------------------------------------------------

    def feed(self, found: Iterable[object], wall: float) -> list[object]:
        """The events to deliver now, of those the engine gave (in order).

        A message of a conversation under replay is held; a live copy of one the replay
        delivered is dropped; a reconnect's `Connected` starts the jobs (and may add
        `ReplaySkipped` notices after it).
        """
        out: list[object] = []
        jobs = self._jobs
        for event in found:
            if isinstance(event, events.Message):
                channel = event.channel
                if channel is not None:
                    job = jobs.get(channel)
                    if job is not None:
                        self._hold(job, event, out)
                        continue
                    if event.ts in self._replayed.get(channel, ()):
                        continue
                    self._note(channel, event.ts)
            out.append(event)
            if isinstance(event, Connected):
                if self._start is None:
                    self._start = wall_ts(wall)
                if event.cause != "start":
                    self._plan(out)
        return out

    def _note(self, channel: str, ts: str) -> None:
        newest = self.newest.get(channel)
        if newest is None or ts_key(ts) > ts_key(newest):
            self.newest[channel] = ts

    def _hold(self, job: _Job, event: Any, out: list[object]) -> None:
        job.held.append(event)
        if len(job.held) > self.options.max_messages:
            # Bounded memory: the replay of this conversation gives up, the live ones go.
            self._finish(job, out, f"over {self.options.max_messages} live messages held")

    def _plan(self, out: list[object]) -> None:
        """A reconnect: a job for each conversation to replay, within the bounds."""
        self._budget = self.options.max_messages
        listed = self.options.conversations
        if listed is None:
            wanted = sorted(self.newest, key=lambda c: ts_key(self.newest[c]), reverse=True)
        else:
            wanted = list(listed)
        taken = 0
        for channel in wanted:
            if channel in self._refused:
                continue
            job = self._jobs.get(channel)
            if job is not None:
                job.again = True
                continue
            oldest = self.newest.get(channel, self._start or "0")
            if taken >= self.options.max_conversations:
                reason = f"over {self.options.max_conversations} conversations this reconnect"
                out.append(ReplaySkipped(channel, oldest, None, reason))
                continue
            taken += 1
            self._jobs[channel] = _Job(channel, oldest)
            self._queue.append(channel)

    # -- the calls --------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a conversation's replay is under way (its live messages held)."""
        return bool(self._jobs)

    def next_call(self, now: float) -> HistoryCall | None:
        """The call to make now, or None (none waits, one is in flight, or not yet due)."""
        if self._inflight is not None or not self._queue or now < self._resume_at:
            return None
        if not self._bucket.take(now):
            return None
        job = self._jobs[self._queue[0]]
        arguments: dict[str, Any] = {
            "channel": job.channel,
            "oldest": job.oldest,
            "limit": max(1, min(self.options.page_size, self._budget)),
        }
        if job.cursor:
            arguments["cursor"] = job.cursor
        self._inflight = HistoryCall(job.channel, arguments)
        self._inflight_job = job
        self.calls += 1
        return self._inflight

    def next_deadline(self) -> float | None:
        """When a call becomes due (rate limits); None: none waits, or one is in flight."""
        if self._inflight is not None or not self._queue:
            return None
        return max(self._resume_at, self._bucket.ready_at())

    def answered(
        self, call: HistoryCall, page: Any, error: BaseException | None, now: float
    ) -> list[object]:
        """The answer to `call` (a ``conversations.history`` page, or its error).

        Returns:
            The events to deliver now: a finished conversation's messages, notices.
        """
        job, self._inflight, self._inflight_job = self._inflight_job, None, None
        out: list[object] = []
        if job is None or self._jobs.get(call.channel) is not job:
            return out  # its job ended meanwhile (too many live messages held)
        if error is not None:
            self._failed(job, error, now, out)
            return out
        for message in page.messages:
            event = self._event(job.channel, message)
            if event is not None and ts_key(event.ts) > ts_key(job.oldest):
                job.fetched[event.ts] = event
        self._budget -= len(page.messages)
        metadata = page.response_metadata
        cursor = metadata.next_cursor if metadata is not None else None
        over = f"over {self.options.max_messages} messages this reconnect"
        if not cursor:
            self._finish(job, out, None)
        elif self._budget <= 0:
            self._finish(job, out, over)
        else:
            job.cursor = cursor
        if self._budget <= 0:
            # The budget is spent: the conversations still waiting are not replayed.
            for channel in list(self._queue):
                self._finish(self._jobs[channel], out, over, rerun=False)
        return out

    def _failed(self, job: _Job, error: BaseException, now: float, out: list[object]) -> None:
        if isinstance(error, RateLimited):
            wait = error.retry_after if error.retry_after is not None else 1.0
            self._resume_at = now + wait
            return  # the same call again, once Retry-After has passed
        code = error.error if isinstance(error, SlackApiError) else None
        if code in _REFUSED:
            self._refused.add(job.channel)
            self._log.warning(
                "RTM: replay of conversation %s refused (%s); not replayed in this session",
                job.channel,
                code,
            )
            self._finish(job, out, None)
            return
        kind = type(error).__name__ if isinstance(error, SlackError) else "error"
        self._log.warning("RTM: replay of conversation %s failed: %s: %s", job.channel, kind, error)
        self._finish(job, out, f"conversations.history failed: {kind}")

    def _finish(
        self, job: _Job, out: list[object], skipped: str | None, *, rerun: bool = True
    ) -> None:
        """Deliver a conversation's replayed and held messages in ts order, each ts once."""
        del self._jobs[job.channel]
        if job.channel in self._queue:
            self._queue.remove(job.channel)
        if skipped is not None:
            first = min(job.fetched, key=ts_key) if job.fetched else None
            out.append(ReplaySkipped(job.channel, job.oldest, first, skipped))
        merged = dict(job.fetched)
        replayed = set(merged)
        for event in job.held:
            merged[event.ts] = event  # the live copy wins
            replayed.discard(event.ts)
        self._replayed[job.channel] = replayed
        self.delivered += len(replayed)
        for ts in sorted(merged, key=ts_key):
            out.append(merged[ts])
            self._note(job.channel, ts)
        if job.again and rerun:
            self._jobs[job.channel] = _Job(job.channel, self.newest.get(job.channel, job.oldest))
            self._queue.append(job.channel)

    def _event(self, channel: str, message: Any) -> Any:
        """A history message as a `slackrtm.events.Message` marked ``replayed``; None if unread."""
        frame: dict[str, Any] = dict(getattr(message, "extra", None) or {})
        for field in attrs.fields(type(message)):
            wire = field.metadata.get("wire")
            value = getattr(message, field.name)
            if wire is not None and value is not None:
                frame[wire] = value
        frame["type"] = "message"
        frame["channel"] = channel
        try:
            event = events.decode(json.dumps(frame))
        except (SlackError, TypeError, ValueError) as exc:
            self._log.warning("RTM: replay skipped a message of %s: %s", channel, exc)
            return None
        if not isinstance(event, events.Message):
            return None
        return attrs.evolve(event, replayed=True)
