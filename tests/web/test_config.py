"""A client's options, checked and resolved before any I/O (`make_config`)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from slackrtm import RetryPolicy
from slackrtm._version import __version__

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


# ---------------------------------------------------------------------------- the environment


def _clear_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith("SLACK_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


def test_the_token_comes_from_the_environment_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    _clear_environment(monkeypatch)
    with pytest.raises(ValueError, match="no Slack token"):
        config(token=None)
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-second")
    assert config(token=None).token == "xoxb-second"
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")  # set but empty: the next one is read
    assert config(token=None).token == "xoxb-second"
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-first")
    assert config(token=None).token == "xoxb-first"
    assert config(token="xoxb-given").token == "xoxb-given"


def test_the_base_url_comes_from_the_environment_or_is_slacks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _clear_environment(monkeypatch)
    assert config(base_url=None).base_url == "https://slack.com/api/"
    monkeypatch.setenv("SLACK_API_URL", "")
    assert config(base_url=None).base_url == "https://slack.com/api/"
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    assert config(base_url=None).base_url == "http://127.0.0.1:9/api/"
    assert config(base_url="https://slack.example/v1/").base_url == "https://slack.example/v1/"
    # An error names where the bad value came from.
    monkeypatch.setenv("SLACK_API_URL", "http://slack.example/api/")
    with pytest.raises(ValueError, match=r"^SLACK_API_URL is http://"):
        config(base_url=None)
    with pytest.raises(ValueError, match=r"^base_url is http://"):
        config(base_url="http://slack.example/api/")
    with pytest.raises(ValueError, match=r"^base_url must not have a query"):
        config(base_url="https://slack.com/api/?")


def test_a_proxy_comes_from_the_environment_unless_the_host_is_bypassed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _clear_environment(monkeypatch)
    assert config().proxy is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://plain-proxy.example:3128")
    assert config().proxy == "http://proxy.example:3128"
    assert (
        config(base_url="http://slack.example/api/", allow_insecure=True).proxy
        == "http://plain-proxy.example:3128"
    )
    assert config(proxy="http://given.example:1").proxy == "http://given.example:1"
    monkeypatch.setenv("NO_PROXY", "slack.example")
    assert config().proxy is None
    assert config(proxy="http://given.example:1").proxy == "http://given.example:1"
    monkeypatch.setenv("no_proxy", "slack.example")
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.delenv("HTTP_PROXY")
    monkeypatch.delenv("NO_PROXY")
    if sys.platform not in ("darwin", "win32"):
        # Only no_proxy is set: elsewhere than macOS and Windows no variable names a proxy.
        assert config(base_url="https://other.example/api/").proxy is None


# ---------------------------------------------------------------------------- what a config holds


def test_every_request_carries_the_same_headers() -> None:
    resolved = config(token="xoxb-42", user_agent="app/2", transport="urllib3/2")
    python = sys.version.split()[0]
    assert dict(resolved.headers) == {
        "Authorization": "Bearer xoxb-42",
        "Accept-Encoding": "gzip, deflate",
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": f"slackrtm/{__version__} Python/{python} urllib3/2 app/2",
    }
    assert resolved.user_agent == resolved.headers["User-Agent"]
    plain = config(user_agent=None, transport="aiohttp/3").user_agent
    assert plain == f"slackrtm/{__version__} Python/{python} aiohttp/3"


def test_a_client_given_no_policy_gets_one_default_policy() -> None:
    first, second = config(), config()
    assert first.retry == RetryPolicy()
    assert first.retry is second.retry  # made once, shared
    given = RetryPolicy(max_retries=0)
    assert config(retry=given).retry is given


def test_the_resolved_values_are_kept() -> None:
    logger = logging.getLogger("app")
    resolved = config(timeout=7, max_body=10, logger=logger)
    assert resolved.timeout == 7.0 and isinstance(resolved.timeout, float)
    assert resolved.max_body == 10 and resolved.logger is logger
    assert config().logger is logging.getLogger("slackrtm")
    assert config(timeout=24 * 3600).timeout == 24 * 3600  # the largest timeout is allowed
    assert config(timeout=0.001).timeout == 0.001
    assert config().secrets == ("xoxb-secret",)


def test_a_config_shows_its_settings_but_no_secret() -> None:
    text = repr(config(timeout=2, max_body=10, user_agent="app/1", proxy="http://p.example:1"))
    assert text.startswith("Config(token='<redacted>', base_url='https://slack.example/api/', ")
    assert "timeout=2.0, retry=RetryPolicy(" in text
    assert "proxy='<set>', user_agent='slackrtm/" in text
    assert text.endswith(" app/1', max_body=10, allow_insecure=False)")
    assert "proxy=None" in repr(config())


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="proxies come from the system")
def test_no_proxy_variable_means_urllib_request_is_never_imported() -> None:
    # Importing urllib.request costs milliseconds; with no *_proxy variable it has nothing to
    # say, so it is not asked. In a child process: this one has imported it long ago.
    code = textwrap.dedent(
        """
        import sys
        from slackrtm._web.config import make_config
        make_config(token="xoxb-1", base_url="https://slack.example/api/", timeout=5,
                    retry=None, proxy=None, user_agent=None, logger=None, transport="t")
        print("urllib.request" in sys.modules)
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
        env=env,
        check=False,
    )
    assert run.stdout.strip() == "False", run.stderr


def test_a_token_may_hold_any_printable_ascii_from_bang_to_tilde() -> None:
    assert config(token="xoxb-!~").token == "xoxb-!~"


def test_the_default_body_cap_is_8_mib() -> None:
    assert config().max_body == 8_388_608
