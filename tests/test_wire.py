"""The sans-I/O core on its own: request encoding and the retry policy (no sockets needed)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from slackrtm import RetryPolicy, SlackConnectionError
from slackrtm._generated import RTM_CONNECT, RtmConnectArgs
from slackrtm._wire import (
    MIN_RATE_LIMIT_WAIT,
    Answer,
    Attempts,
    Config,
    Failure,
    build_request,
    make_config,
    retry_after,
    scrub,
)


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


# ---------------------------------------------------------------------------- construction


@pytest.mark.parametrize(
    "timeout", [float("nan"), float("inf"), -1.0, 0, 1e300, 10**400, True, "5"]
)
def test_unusable_timeouts_are_refused(timeout: object) -> None:
    with pytest.raises(ValueError, match="timeout must be a number of seconds"):
        config(timeout=timeout)


@pytest.mark.parametrize(
    "options",
    [
        {"max_retries": 2.5},
        {"max_retries": True},
        {"max_retries": -1},
        {"max_total": float("nan")},
        {"backoff_base": float("inf")},
        {"backoff_max": 10**400},
    ],
)
def test_unusable_policies_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        RetryPolicy(**options)


@pytest.mark.parametrize(
    "token",
    ["xoxb-é", "xoxb-\u2028x", "xoxb-\x0bx", "xoxb-\x1bx", "xoxb-\x7fx", "xoxb x", "xoxb-\tx"],
)
def test_a_token_that_cannot_go_in_a_header_is_refused(token: str) -> None:
    with pytest.raises(ValueError, match="printable ASCII") as caught:
        config(token=token)
    assert token not in str(caught.value)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://slack.example/api?x=1",
        "https://slack.example/api/#frag",
        "https://slack.example/api/?",
        "ftp://slack.example/api/",
        "https://slack.example:99999/api/",
        "https://slack.example/a pi/",
    ],
)
def test_a_malformed_base_url_is_refused(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        config(base_url=base_url)


def test_http_only_on_loopback_unless_allowed() -> None:
    with pytest.raises(ValueError, match="clear text"):
        config(base_url="http://slack.example/api/")
    assert config(base_url="http://slack.example/api/", allow_insecure=True).allow_insecure
    for host in ("127.0.0.1", "127.9.9.9", "[::1]", "localhost"):
        assert config(base_url=f"http://{host}:8080/api/").base_url.startswith("http://")


@pytest.mark.parametrize(
    "proxy", ["http://[::1", "ftp://proxy.example", "http://proxy.example:port", "proxy:3128", ""]
)
def test_a_malformed_proxy_is_refused(proxy: str) -> None:
    with pytest.raises(ValueError, match="proxy"):
        config(proxy=proxy)


def test_loopback_is_never_proxied_even_with_an_explicit_proxy() -> None:
    assert (
        config(base_url="http://127.0.0.1:1/api/", proxy="http://proxy.example:3128").proxy is None
    )
    assert config(proxy="http://proxy.example:3128").proxy == "http://proxy.example:3128"


def test_credentials_in_urls_stay_out_of_reprs() -> None:
    resolved = config(
        base_url="https://user:pw-secret@slack.example/api/",
        proxy="http://puser:proxy-secret@proxy.example:3128",
    )
    text = repr(resolved)
    assert "pw-secret" not in text and "proxy-secret" not in text and "xoxb-secret" not in text
    assert "https://<redacted>@slack.example/api/" in text
    assert {"pw-secret", "proxy-secret", "xoxb-secret"} <= set(resolved.secrets)


def test_scrub_removes_every_secret_it_knows() -> None:
    text = (
        "Authorization: Bearer abc.def token=xoxp-1-2-3 url=wss://h/websocket/T "
        "escaped=ws:\\/\\/h\\/x pw=mine"
    )
    clean = scrub(text, ["mine"])
    for secret in ("abc.def", "xoxp-1-2-3", "wss://h", "ws:\\/\\/h", "mine"):
        assert secret not in clean


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is how Linux caps memory")
def test_running_out_of_memory_while_decoding_is_an_sdk_error() -> None:
    # In a child process: an address-space limit applies to the whole process.
    code = textwrap.dedent(
        """
        import resource
        from slackrtm._wire import _decode, _Undecodable
        body = b"[" + b'"ab",' * 20_000_000 + b"1]"
        resource.setrlimit(resource.RLIMIT_AS, (900_000_000, 900_000_000))
        try:
            _decode(body)
        except _Undecodable as exc:
            print(exc)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[1],
    )
    assert run.stdout.strip() == "JSON too large to decode in the memory available", run.stderr
