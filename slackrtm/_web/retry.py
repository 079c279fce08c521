"""Retrying: when the next attempt of a call starts, read from the `RetryPolicy`.

What lives here: `retry_after` (the ``Retry-After`` field read), `backoff` (full jitter under an
exponential ceiling, shared with the RTM session's reconnects), `Attempts` (one call's retry
state) and `log_attempt` (a DEBUG line per attempt). What must not: the policy class itself
(`policy`, an attrs class, named here for the type checker only) or any sleeping: the caller
waits the seconds it is given, its own way.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .body import Answer, HeaderInput, Outcome, header_pairs, header_values
from .failures import Failure
from .limits import MAX_TIMEOUT, MIN_RATE_LIMIT_WAIT

if TYPE_CHECKING:  # imports for the type checker only: dropping one changes nothing
    from .policy import RetryPolicy  # pragma: no mutate
    from .request import Request  # pragma: no mutate

__all__ = ["Attempts", "backoff", "log_attempt", "retry_after"]


def retry_after(headers: HeaderInput, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from ``Retry-After`` (a number or an HTTP date), or None if unusable.

    A date gives the seconds from ``now()``, at least 0. None when the field is absent, negative,
    not finite or unreadable, or comes more than once with different values (ambiguous, like a
    key twice in JSON).
    """
    values = set(header_values(header_pairs(headers), "retry-after"))
    if len(values) != 1:
        return None
    raw = values.pop()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - now())
    return seconds if 0 <= seconds <= MAX_TIMEOUT else None


def backoff(policy: RetryPolicy, retries: int, rng: Callable[[], float]) -> float:
    """The wait before retry number ``retries + 1``: full jitter under an exponential ceiling.

    Shared with the RTM session's reconnects, so both read `RetryPolicy` the same way.

    Args:
        policy: The policy (its ``backoff_base`` and ``backoff_max``).
        retries: The retries made so far.
        rng: A random source in [0, 1).

    Returns:
        Seconds to wait.
    """
    ceiling = min(policy.backoff_max, policy.backoff_base * (2.0 ** min(retries, 64)))
    return ceiling * rng()


class Attempts:
    """The retry state of one call: counts attempts and the time spent waiting.

    Args:
        policy: The retry policy.
        idempotent: False for a method whose repeat is a second effect (`MethodSpec`): it is
            retried only after an HTTP 429 or a failure before the request left, never after a
            timeout, a broken answer or a 5xx, whatever the policy says.
        clock: A monotonic clock in seconds (injectable for tests of the policy alone).
        rng: The random source of the jitter.
        wall: The wall clock, for a Retry-After given as an HTTP date.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        idempotent: bool = True,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy
        self.idempotent = idempotent
        self._wall = wall
        self.retries = 0
        self.waited = 0.0
        self._clock = clock
        self._rng = rng
        self._started = clock()

    def _backoff(self) -> float:
        return backoff(self.policy, self.retries, self._rng)

    def next_wait(self, outcome: Outcome) -> float | None:
        """Seconds to wait before the next attempt, or None to stop and report ``outcome``."""
        policy = self.policy
        if self.retries >= policy.max_retries:
            return None
        if isinstance(outcome, Failure):
            if not policy.connection_errors or (outcome.sent and not self.idempotent):
                return None
            wait = self._backoff()
        elif outcome.status == 429:
            if not policy.rate_limited:
                return None
            after = retry_after(outcome.headers, now=self._wall)
            wait = max(MIN_RATE_LIMIT_WAIT, after if after is not None else 1.0)
        elif 500 <= outcome.status <= 599:
            if not policy.server_errors or not self.idempotent:
                return None
            wait = self._backoff()
        else:
            return None
        elapsed = self._clock() - self._started
        if elapsed + wait > policy.max_total:
            return None
        self.retries += 1
        self.waited += wait
        return wait


def log_attempt(
    logger: logging.Logger, request: Request, outcome: Outcome, seconds: float, attempt: int
) -> None:
    """One DEBUG line per attempt: method, status or failure, time. Never a token."""
    if logger.isEnabledFor(logging.DEBUG):  # the text is built only when it is logged
        result = (
            f"HTTP {outcome.status}, {len(outcome.body)} bytes"
            if isinstance(outcome, Answer)
            else type(outcome.error).__name__
        )
        logger.debug(
            "%s attempt %d: %s in %.1f ms", request.method_name, attempt, result, seconds * 1000
        )
