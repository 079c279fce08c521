"""The sans-I/O core on its own: request encoding and the retry policy (no sockets needed)."""

from __future__ import annotations

from typing import Any

import pytest

from slackrtm import RetryPolicy, SlackConnectionError
from slackrtm._generated import RTM_CONNECT, RtmConnectArgs
from slackrtm._wire import Answer, Attempts, Config, Failure, build_request, make_config


def config(**overrides: Any) -> Config:
    options: dict[str, Any] = {
        "token": "xoxb-secret",
        "base_url": "https://slack.example/api",
        "timeout": 5.0,
        "retry": None,
        "proxy": None,
        "user_agent": None,
        "logger": None,
        "transport": "test/1",
    }
    options.update(overrides)
    return make_config(**options)


def test_request_is_a_form_post_with_the_token_in_the_header_only() -> None:
    args = RtmConnectArgs(batch_presence_aware=True, presence_sub=False)
    request = build_request(RTM_CONNECT, args, config())
    assert request.verb == "POST"
    assert request.url == "https://slack.example/api/rtm.connect"
    assert request.body == b"batch_presence_aware=1&presence_sub=0"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["Authorization"] == "Bearer xoxb-secret"
    assert "xoxb-secret" not in request.url
    assert "xoxb-secret" not in repr(request)


def test_unset_arguments_are_not_sent() -> None:
    request = build_request(RTM_CONNECT, RtmConnectArgs(), config())
    assert request.body == b""


def answer(status: int, **headers: str) -> Answer:
    return Answer(status=status, headers=headers, body=b"{}")


FAILURE = Failure(SlackConnectionError("refused"))


def test_backoff_is_full_jitter_doubling_up_to_the_cap() -> None:
    policy = RetryPolicy(max_retries=6, backoff_base=0.5, backoff_max=4.0, max_total=1000)
    attempts = Attempts(policy, clock=lambda: 0.0, rng=lambda: 1.0)
    waits = [attempts.next_wait(answer(503)) for _ in range(6)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert attempts.next_wait(answer(503)) is None  # retries spent
    low = Attempts(policy, clock=lambda: 0.0, rng=lambda: 0.25)
    assert low.next_wait(FAILURE) == 0.125


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


def test_policy_rejects_negative_values() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
