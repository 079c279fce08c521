"""Building a request: the wire encoding of a call, the token in the header only."""

from __future__ import annotations

from slackrtm._generated import RTM_CONNECT, USERS_LIST, RtmConnectArgs, UsersListArgs
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


def test_a_request_shows_no_header_and_no_body() -> None:
    args = RtmConnectArgs(batch_presence_aware=True)
    request = build_request(RTM_CONNECT, args, config())
    assert repr(request) == (
        "Request(method_name='rtm.connect', verb='POST', "
        "url='https://slack.example/api/rtm.connect')"
    )
    assert request.method_name == "rtm.connect"


def test_every_request_shares_its_clients_headers() -> None:
    settings = config()
    request = build_request(RTM_CONNECT, RtmConnectArgs(), settings)
    assert request.headers is settings.headers


def test_numbers_and_strings_go_as_they_are_and_form_encoded() -> None:
    args = UsersListArgs(cursor="dXNlcjpVMDY=&x", include_locale=False, limit=200)
    request = build_request(USERS_LIST, args, config())
    assert request.url == "https://slack.example/api/users.list"
    assert request.body == b"cursor=dXNlcjpVMDY%3D%26x&include_locale=0&limit=200"
