"""A client's options, checked and resolved before any I/O (`make_config`)."""

from __future__ import annotations

from typing import Any

import pytest

from slackrtm import RetryPolicy

from .web_suite import config


@pytest.mark.parametrize(
    "timeout", [float("nan"), float("inf"), -1.0, 0, 1e300, 10**400, True, "5"]
)
def test_unusable_timeouts_are_refused(timeout: object) -> None:
    with pytest.raises(ValueError, match="timeout must be a number of seconds"):
        config(timeout=timeout)


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


@pytest.mark.parametrize("retry", [RetryPolicy, 3, "off", {"max_retries": 0}])
def test_a_retry_that_is_not_a_policy_is_refused(retry: object) -> None:
    with pytest.raises(TypeError, match="retry must be a RetryPolicy"):
        config(retry=retry)


@pytest.mark.parametrize(
    ("options", "error", "says"),
    [
        ({"token": 5}, TypeError, "token must be a string, got int"),
        ({"token": b"xoxb-1"}, TypeError, "token must be a string, got bytes"),
        ({"base_url": 5}, TypeError, "base_url must be a string, got int"),
        ({"proxy": b"http://p:1"}, TypeError, "proxy must be a string, got bytes"),
        ({"allow_insecure": "yes"}, TypeError, "allow_insecure must be a bool"),
        ({"allow_insecure": 1}, TypeError, "allow_insecure must be a bool"),
        ({"max_body": 0}, ValueError, "max_body must be a positive int"),
        ({"max_body": -1}, ValueError, "max_body must be a positive int"),
        ({"max_body": 1.5}, ValueError, "max_body must be a positive int"),
        ({"max_body": True}, ValueError, "max_body must be a positive int"),
    ],
)
def test_options_of_the_wrong_type_or_range_are_refused(
    options: dict[str, Any], error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=says):
        config(**options)


def test_the_smallest_body_cap_is_one_byte() -> None:
    assert config(max_body=1).max_body == 1
