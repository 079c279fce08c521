"""Building a request: the wire encoding of a call, the token in the header only."""

from __future__ import annotations

from slackrtm._generated import RTM_CONNECT, RtmConnectArgs
from slackrtm._web.request import build_request

from .web_suite import config


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
