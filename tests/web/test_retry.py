"""The retry state of a call (`Attempts`), the backoff and the reading of Retry-After."""

from __future__ import annotations

import logging

import pytest

from slackrtm import RetryPolicy
from slackrtm._web.body import Answer
from slackrtm._web.failures import Failure
from slackrtm._web.limits import MIN_RATE_LIMIT_WAIT
from slackrtm._web.retry import Attempts, backoff, log_attempt, retry_after

from .web_suite import FAILURE, REQUEST, answer


def test_backoff_is_full_jitter_doubling_up_to_the_cap() -> None:
    policy = RetryPolicy(max_retries=6, backoff_base=0.5, backoff_max=4.0, max_total=1000)
    attempts = Attempts(policy, clock=lambda: 0.0, rng=lambda: 1.0)
    waits = [attempts.next_wait(answer(503)) for _ in range(6)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert attempts.next_wait(answer(503)) is None  # retries spent
    low = Attempts(policy, clock=lambda: 0.0, rng=lambda: 0.25)
    assert low.next_wait(FAILURE) == 0.125


def test_attempts_count_the_retries_and_the_time_waited() -> None:
    attempts = Attempts(RetryPolicy(), clock=lambda: 0.0, rng=lambda: 1.0)
    waits = [attempts.next_wait(answer(429, **{"retry-after": "2"})), attempts.next_wait(FAILURE)]
    assert waits == [2.0, 1.0]
    assert (attempts.retries, attempts.waited) == (2, 3.0)


def test_retry_after_is_waited_and_defaults_to_one_second() -> None:
    attempts = Attempts(RetryPolicy(), clock=lambda: 0.0)
    assert attempts.next_wait(answer(429, **{"retry-after": "7"})) == 7.0
    assert attempts.next_wait(answer(429)) == 1.0
    assert attempts.next_wait(answer(429, **{"retry-after": "soon"})) == 1.0


def test_total_time_caps_retrying() -> None:
    now = [0.0]
    attempts = Attempts(RetryPolicy(max_total=10.0), clock=lambda: now[0], rng=lambda: 1.0)
    assert attempts.next_wait(answer(429, **{"retry-after": "6"})) == 6.0
    now[0] = 6.0
    assert attempts.next_wait(answer(429, **{"retry-after": "6"})) is None


@pytest.mark.parametrize(
    ("policy", "outcome"),
    [
        (RetryPolicy(rate_limited=False), answer(429)),
        (RetryPolicy(server_errors=False), answer(500)),
        (RetryPolicy(connection_errors=False), FAILURE),
        (RetryPolicy.off(), answer(503)),
        (RetryPolicy(), answer(200)),
        (RetryPolicy(), answer(404)),
    ],
)
def test_what_is_not_retried(policy: RetryPolicy, outcome: Answer | Failure) -> None:
    assert Attempts(policy).next_wait(outcome) is None


# ---------------------------------------------------------------------------- Retry-After


def test_retry_after_as_an_http_date() -> None:
    now = 1_700_000_000.0  # Tue, 14 Nov 2023 22:13:20 GMT
    attempts = Attempts(RetryPolicy(), clock=lambda: 0.0, wall=lambda: now)
    later = answer(429, **{"retry-after": "Tue, 14 Nov 2023 22:13:27 GMT"})
    assert attempts.next_wait(later) == pytest.approx(7.0)
    assert retry_after(later.headers, now=lambda: now) == pytest.approx(7.0)
    # A date in the past means now, which the floor turns into a short wait.
    past = answer(429, **{"retry-after": "Tue, 14 Nov 2023 22:00:00 GMT"})
    assert attempts.next_wait(past) == MIN_RATE_LIMIT_WAIT


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("0", MIN_RATE_LIMIT_WAIT),  # never back to back
        ("0.1", MIN_RATE_LIMIT_WAIT),
        ("-5", 1.0),  # negative: as if absent
        ("nan", 1.0),
        ("inf", 1.0),
        ("1e400", 1.0),
        ("soon", 1.0),
        ("Tue, 14 Nov 2023 22:13:27", 1.0),  # a date without its zone
        ("", 1.0),
    ],
)
def test_retry_after_floor_and_fallback(value: str, wait: float) -> None:
    attempts = Attempts(RetryPolicy(), clock=lambda: 0.0, wall=lambda: 0.0)
    assert attempts.next_wait(answer(429, **{"retry-after": value})) == wait


@pytest.mark.parametrize(
    ("values", "seconds"),
    [(["3"], 3.0), (["3", "3"], 3.0), (["3", "5"], None), (["3, 5"], None), ([], None)],
)
def test_a_repeated_retry_after_counts_only_when_it_agrees(
    values: list[str], seconds: float | None
) -> None:
    # Two different values are ambiguous, like a key twice in JSON: as if absent.
    headers = [("Retry-After", value) for value in values]
    assert retry_after(headers) == seconds
    wait = Attempts(RetryPolicy(), clock=lambda: 0.0).next_wait(
        Answer(status=429, headers=headers, body=b"")
    )
    assert wait == (seconds if seconds is not None else 1.0)


@pytest.mark.parametrize(
    ("status", "retried"), [(499, False), (500, True), (503, True), (599, True), (600, False)]
)
def test_server_errors_are_exactly_the_5xx(status: int, retried: bool) -> None:
    attempts = Attempts(RetryPolicy(), clock=lambda: 0.0, rng=lambda: 1.0)
    assert (attempts.next_wait(answer(status)) is not None) is retried


def test_each_attempt_is_one_debug_line_without_the_token(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("slackrtm.test.attempts")
    with caplog.at_level(logging.DEBUG, logger=logger.name):
        log_attempt(logger, REQUEST, Answer(status=200, headers={}, body=b"{}"), 1.5, 1)
        log_attempt(logger, REQUEST, FAILURE, 0.0004, 2)
    assert [r.getMessage() for r in caplog.records] == [
        "rtm.connect attempt 1: HTTP 200, 2 bytes in 1500.0 ms",
        "rtm.connect attempt 2: SlackConnectionError in 0.4 ms",
    ]
    assert all(r.levelno == logging.DEBUG for r in caplog.records)


def test_retry_after_is_read_up_to_a_day() -> None:
    assert retry_after([("Retry-After", "86400")]) == 86400.0
    assert retry_after([("Retry-After", "86400.5")]) is None
    assert retry_after([("Retry-After", "0")]) == 0.0


def test_the_total_time_counts_from_the_calls_start_and_its_end_is_allowed() -> None:
    now = [100.0]  # a monotonic clock does not start at 0
    policy = RetryPolicy(max_total=10.0)
    attempts = Attempts(policy, clock=lambda: now[0], rng=lambda: 1.0)
    assert attempts.next_wait(answer(429, **{"retry-after": "6"})) == 6.0
    now[0] = 106.0
    assert attempts.next_wait(answer(429, **{"retry-after": "4"})) == 4.0  # ends at 10: allowed
    now[0] = 110.0
    assert attempts.next_wait(answer(429, **{"retry-after": "0.5"})) is None


def test_the_ceiling_stops_doubling_after_64_retries() -> None:
    # 2.0 ** retries would overflow past 1023; the exponent stops at 64, far past any cap a
    # sane base reaches.
    policy = RetryPolicy(backoff_base=1e-20, backoff_max=10.0)
    assert backoff(policy, 64, lambda: 1.0) == 1e-20 * 2.0**64
    assert backoff(policy, 65, lambda: 1.0) == 1e-20 * 2.0**64
    assert backoff(policy, 10_000, lambda: 0.5) == 0.5e-20 * 2.0**64
