"""The reconnect policy: how long to wait before the next attempt, or why the session ends.

After a failed attempt or a disconnect, the policy gives either a wait or the error that ends
the session instead; it also keeps the ``reconnect_url`` Slack offers.

`Reconnects` keeps one session's books of an outage (failed attempts since the last healthy
connection, when the outage began, the URL on offer) and answers the engine (`_protocol.py`),
which moves the state, tells the user (`Reconnecting`) and ends the session. No clock of its
own (every call takes ``now``), no socket, no state of the connection.

The rules:

- ``rtm.connect`` errors that trying again cannot help (``retry: never`` in the schema, so
  `SlackApiError.retry_helps` is False) and `ClientClosed` end the session at once, whenever
  they come; so does any ``rtm.connect`` failure before the first ``hello`` (the client's own
  retry policy has already been applied), so that a wrong token fails fast. An undocumented
  code (``retry_helps`` None) is tried again under the policy, as a server error;
- before the first ``hello``, `FIRST_CONNECT_ATTEMPTS` failed attempts end it with the last error;
- a ``hello`` ends an outage only once its connection has stayed up `HEALTHY_AFTER` seconds: a
  connection that ends sooner counts as one more failed attempt of the outage it was meant to
  end (a server that closes right after each ``hello`` meets a growing backoff, ``max_retries``
  and ``max_total``, not an attempt every few hundred milliseconds forever). One that ends
  sooner with no outage before it (the first goodbye after a quiet spell) starts one afresh;
- otherwise `RtmOptions.reconnect` (a `RetryPolicy`) decides: backoff with full jitter,
  ``max_retries`` and ``max_total`` bound one outage, ``Retry-After`` is honoured (a second when
  Slack gives none), and its switches say which failures are tried again (`_retryable`);
  without a policy the first disconnect ends the session;
- a ``reconnect_url`` is kept for 25 s (socket URLs live 30) when it passes the rule of
  ``rtm.connect``'s URL (`socket_url_refusal`), and used once; a refused one also drops an
  older offer, and is never quoted (it holds the single-use ticket).
"""

from __future__ import annotations

from collections.abc import Callable

from .._exceptions import (
    ClientClosed,
    RateLimited,
    RtmSessionClosed,
    SlackApiError,
    SlackConnectionError,
    SlackError,
)
from .._web.policy import RetryPolicy
from .._web.retry import backoff
from .._web.urls import socket_url_refusal

__all__ = ["FIRST_CONNECT_ATTEMPTS", "HEALTHY_AFTER", "Reconnects", "ends_at_once"]

FIRST_CONNECT_ATTEMPTS = 3
"""Attempts the first connection gets (socket, handshake, ``hello``) before `connect()` fails
with the last error; an ``rtm.connect`` failure ends it at once. Reconnects follow the policy."""

URL_FRESH_FOR = 25.0
"""Seconds an offered ``reconnect_url`` is used: socket URLs are single use and live 30 s."""

HEALTHY_AFTER = 10.0
"""Seconds a connection must stay up after its ``hello`` to end an outage (reset the failed
attempts and the clock of ``max_total``). Long enough that a server closing each connection
right after ``hello`` is backed off from, short enough that a goodbye after a quiet spell is
answered at once (Slack's own goodbyes come hours apart)."""


def ends_at_once(error: BaseException, *, stage: str, connects: int) -> bool:
    """Whether a failed connection attempt ends the session without another.

    Args:
        error: Why it failed.
        stage: ``"socket"``, or the Web API method that gives the URL (``"rtm.connect"``,
            ``"apps.connections.open"``).
        connects: How many times the session has connected so far.

    Returns:
        True for an error that trying again cannot help (the schema's ``retry: never``), a
        closed client, or a failure of the Web API call before the first ``hello``.
    """
    if isinstance(error, ClientClosed) or (
        isinstance(error, SlackApiError) and error.retry_helps is False
    ):
        return True
    return stage != "socket" and connects == 0


class Reconnects:
    """The books of one session's outages, and the waits between attempts.

    Args:
        policy: `RtmOptions.reconnect`; None ends the session at the first disconnect.
        rng: The random source of the backoff jitter.
        allow_insecure: Whether an offered ``reconnect_url`` may be ``ws://`` on a host that is
            not loopback.
    """

    def __init__(
        self, policy: RetryPolicy | None, rng: Callable[[], float], *, allow_insecure: bool
    ) -> None:
        """No outage yet, no URL on offer."""
        self.policy = policy
        self.failures = 0
        """Failed attempts in the current outage; a connection that did not stay up
        `HEALTHY_AFTER` seconds counts as one."""
        self._rng = rng
        self._allow_insecure = allow_insecure
        self._outage_started: float | None = None
        self._connected_at: float | None = None
        self._url: tuple[str, float] | None = None

    def failed(self) -> None:
        """An attempt failed (before its ``hello``): it counts against the policy."""
        self.failures += 1

    def connected(self, now: float) -> None:
        """Slack said ``hello`` at `now`: the outage ends if the connection stays healthy."""
        self._connected_at = now

    def disconnected(self, now: float) -> None:
        """The connection made at the last ``hello`` ended at `now` (see `HEALTHY_AFTER`)."""
        since, self._connected_at = self._connected_at, None
        if since is None:
            return
        if self._outage_started is None or now - since >= HEALTHY_AFTER:
            # A recovery (or no outage to go on with): the next one is counted afresh.
            self.failures = 0
            self._outage_started = None
        else:
            self.failures += 1

    def plan(
        self, now: float, cause: str, error: BaseException | None, *, connects: int
    ) -> float | BaseException:
        """After a failure or a disconnect: the wait before the next attempt, or the end.

        Args:
            now: The time.
            cause: Why, in words.
            error: The failed attempt's error; None for a disconnect.
            connects: How many times the session has connected so far.

        Returns:
            Seconds to wait, or the error that ends the session instead.
        """
        policy = self.policy
        if policy is None:
            return error or RtmSessionClosed(cause=f"{cause}; reconnecting is off")
        if self._outage_started is None:
            self._outage_started = now
        failures = self.failures
        if failures > policy.max_retries:
            return self._gave_up(cause, error)
        if connects == 0 and failures >= FIRST_CONNECT_ATTEMPTS:
            # Never connected yet: a socket that cannot be opened is a wrong URL, proxy or
            # certificate far more often than an outage, so `connect()` says so now.
            return error or RtmSessionClosed(cause=cause)
        delay = backoff(policy, failures, self._rng)
        if error is not None and not _retryable(policy, error):
            return error
        if isinstance(error, RateLimited):
            delay = max(delay, error.retry_after if error.retry_after is not None else 1.0)
        if now + delay - self._outage_started > policy.max_total:
            return self._gave_up(cause, error)
        return delay

    def _gave_up(self, cause: str, error: BaseException | None) -> RtmSessionClosed:
        ended = RtmSessionClosed(
            cause=f"gave up reconnecting after {self.failures} failed attempts ({cause})"
        )
        ended.__cause__ = error
        return ended

    def offer(self, url: str, now: float) -> str | None:
        """Slack offered `url` for the next connection.

        Returns:
            None when it is kept; else why it was refused (an older offer is dropped too).
        """
        refused = socket_url_refusal(url, allow_insecure=self._allow_insecure)
        self._url = (url, now + URL_FRESH_FOR) if refused is None else None
        return refused

    def take_url(self, now: float) -> str | None:
        """The URL on offer if it is still fresh, once; None: ask ``rtm.connect`` for one."""
        offered, self._url = self._url, None
        return offered[0] if offered is not None and offered[1] > now else None


def _retryable(policy: RetryPolicy, error: BaseException) -> bool:
    """Whether `policy` tries again after a failed attempt's `error`."""
    if isinstance(error, RateLimited):
        return policy.rate_limited
    if isinstance(error, SlackConnectionError):
        return policy.connection_errors
    # Any other SlackError is trouble on Slack's side of a working connection: an HTTP status
    # (`SlackHttpError`), an rtm.connect error that is not fatal (`SlackApiError`), an answer
    # that does not match the schema. `server_errors` decides for all of them, as the clients
    # decide for a 5xx. Anything else is a bug in this package, never worth another attempt.
    return isinstance(error, SlackError) and policy.server_errors
