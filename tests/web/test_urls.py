"""The URL rules, each written once: loopback, hidden userinfo, and the socket-URL rule."""

from __future__ import annotations

from typing import Any

import pytest

from slackrtm._web import urls
from slackrtm._web.urls import check_url, hide_userinfo, is_loopback, socket_url_refusal


@pytest.mark.parametrize(
    ("url", "allow_insecure", "refused"),
    [
        ("wss://wss-primary.slack.com/websocket/abc", False, None),
        ("ws://127.0.0.1:9/websocket/abc", False, None),
        ("ws://localhost/websocket/abc", False, None),
        ("ws://[::1]/websocket/abc", False, None),
        ("ws://10.0.0.1/websocket/abc", True, None),
        (
            "ws://10.0.0.1/websocket/abc",
            False,
            "ws:// (unencrypted) on a host that is not loopback, and allow_insecure is off",
        ),
        ("https://slack.com/websocket/abc", True, "not a wss:// URL"),
        ("wss:///websocket/abc", False, "not a wss:// URL"),
        ("/websocket/abc", False, "not a wss:// URL"),
        ("wss://[::1/websocket/abc", False, "not a URL"),
        (5, False, "not a string"),
        (None, False, "not a string"),
    ],
)
def test_the_socket_url_rule(url: Any, allow_insecure: bool, refused: str | None) -> None:
    assert socket_url_refusal(url, allow_insecure=allow_insecure) == refused


def test_the_socket_url_verdict_is_cached_by_server_never_by_ticket() -> None:
    urls._authority_refusal.cache_clear()
    for ticket in ("first-TICKET", "second-TICKET"):
        assert socket_url_refusal(f"wss://h.example/websocket/{ticket}") is None
    info = urls._authority_refusal.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    # A URL without a scheme and authority is judged whole, and never kept.
    assert socket_url_refusal("/websocket/third-TICKET") == "not a wss:// URL"
    assert urls._authority_refusal.cache_info().currsize == 1


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("::1", True),
        ("10.0.0.1", False),
        ("slack.com", False),
        ("", False),
        (None, False),
    ],
)
def test_loopback_hosts(host: str | None, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_userinfo_is_hidden_and_a_plain_url_kept() -> None:
    assert hide_userinfo("https://u:p@h.example:8/api/") == "https://<redacted>@h.example:8/api/"
    assert hide_userinfo("https://h.example/api/") == "https://h.example/api/"


# -- the same rule, as the RTM session applies it (moved from tests/rtm) --------------------


@pytest.mark.parametrize(
    ("url", "allow_insecure", "refused"),
    [
        ("wss://wss-primary.slack.com/websocket/abc", False, None),
        ("ws://127.0.0.1:8080/websocket/abc", False, None),
        ("ws://localhost/websocket/abc", False, None),
        ("ws://[::1]:8080/websocket/abc", False, None),
        ("ws://example.com/websocket/abc", True, None),
        ("ws://example.com/websocket/abc", False, "ws:// (unencrypted) on a host that is not"),
        ("ws://10.0.0.1/websocket/abc", False, "ws:// (unencrypted) on a host that is not"),
        ("http://127.0.0.1/websocket/abc", False, "not a wss:// URL"),
        ("https://slack.com/websocket/abc", True, "not a wss:// URL"),
        ("wss:///websocket/abc", False, "not a wss:// URL"),
        ("/websocket/abc", False, "not a wss:// URL"),
        ("wss://[::1/websocket/abc", False, "not a URL"),
        (5, False, "not a string"),
    ],
)
def test_the_socket_url_rule_is_rtm_connects(
    url: Any, allow_insecure: bool, refused: str | None
) -> None:
    reason = socket_url_refusal(url, allow_insecure=allow_insecure)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(refused)
        assert "abc" not in reason, "the reason never quotes the URL"


def test_a_remote_ws_url_is_refused_unless_insecure_is_allowed() -> None:
    assert socket_url_refusal("ws://example.com/websocket/abc") is not None
    assert socket_url_refusal("ws://example.com/websocket/abc", allow_insecure=True) is None


def test_userinfo_is_hidden_with_a_user_or_a_password_alone() -> None:
    assert hide_userinfo("https://user@h.example/api/") == "https://<redacted>@h.example/api/"
    assert hide_userinfo("https://:pw@h.example/api/") == "https://<redacted>@h.example/api/"


def test_a_url_that_passes_the_check_is_given_back_unchanged() -> None:
    assert check_url("proxy", "http://proxy.example:3128") == "http://proxy.example:3128"


def test_only_white_space_and_control_characters_are_refused_in_a_url() -> None:
    # "!" is the first printable character after the space; DEL the one control past them.
    assert check_url("base_url", "https://h.example/api!/") == "https://h.example/api!/"
    with pytest.raises(ValueError, match="base_url must not contain white space or control"):
        check_url("base_url", "https://h.example/a\x7fb/")


@pytest.mark.parametrize(
    "char", [" ", "\t", "\n", "\x00", "\x1b", "\x1f", "\x85", "\u2028", "\u3000"]
)
def test_every_kind_of_white_space_or_control_is_refused(char: str) -> None:
    with pytest.raises(ValueError, match="proxy must not contain white space or control"):
        check_url("proxy", f"http://proxy.example:3128/a{char}b")
