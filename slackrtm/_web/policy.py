"""`RetryPolicy`: when a call (or an RTM reconnect) is tried again, shared by both clients.

An attrs class of its own module, loaded when first named (``slackrtm.RetryPolicy``) or at a
client's first call: building a client imports neither it nor attrs. So nothing the clients
import at their top may import this module (the core names it for the type checker only, and
`config` loads it on first use). The core reads it in `retry` (`Attempts`, `backoff`); what
must not live here is any logic of retrying itself.
"""

from __future__ import annotations

from typing import Any

import attrs

from .limits import MAX_TIMEOUT

__all__ = ["RetryPolicy"]


def _count(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 0:
        raise ValueError(f"{attribute.name} must be a non-negative int, got {value!r}")


def _seconds(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 <= value <= MAX_TIMEOUT  # nan and inf fail here; a huge int does not overflow
    ):
        raise ValueError(
            f"{attribute.name} must be a number of seconds from 0 to {MAX_TIMEOUT:g}, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When a call is tried again, shared by both clients.

    HTTP 429 waits for ``Retry-After``, in seconds or as an HTTP date, and at least
    `MIN_RATE_LIMIT_WAIT`; without a readable one (absent, negative, garbage) it waits 1 s
    (Slack rate-limits ``rtm.connect`` at Tier 1). HTTP 5xx
    and connection failures (timeouts included) wait an exponential backoff with full jitter:
    a uniform random time between 0 and ``min(backoff_max, backoff_base * 2**retry)``.

    Attributes:
        max_retries: Retries after the first attempt (an int); 0 turns retrying off.
        max_total: Seconds from the start of the call within which every retry must start:
            a wait that would end past it is not made, and the last outcome is reported
            instead. A whole call therefore lasts at most ``max_total`` plus one attempt's
            ``timeout``.
        backoff_base: The first backoff ceiling, in seconds.
        backoff_max: The largest backoff ceiling, in seconds.
        rate_limited: Retry on HTTP 429.
        server_errors: Retry on HTTP 5xx.
        connection_errors: Retry when no usable answer came (refused, reset, timed out, not
            valid HTTP, broken off).
    """

    max_retries: int = attrs.field(default=3, validator=_count)
    max_total: float = attrs.field(default=60.0, validator=_seconds)
    backoff_base: float = attrs.field(default=0.5, validator=_seconds)
    backoff_max: float = attrs.field(default=8.0, validator=_seconds)
    rate_limited: bool = True
    server_errors: bool = True
    connection_errors: bool = True

    @classmethod
    def off(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(max_retries=0)
