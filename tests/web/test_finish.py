"""The end of a call: an answer into its model, or the typed error it stands for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from slackrtm import SlackApiError, SlackApiWarning, SlackHttpError, SlackResponseError
from slackrtm._generated import RTM_CONNECT
from slackrtm._web.body import Answer
from slackrtm._web.finish import finish
from slackrtm._web.report import stack_caller

from .web_suite import SUCCESS_BODY, api_error, config, finished


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is how Linux caps memory")
def test_running_out_of_memory_while_decoding_is_an_sdk_error() -> None:
    # In a child process: an address-space limit applies to the whole process.
    code = textwrap.dedent(
        """
        import resource
        from slackrtm._web.finish import _decode, _Undecodable
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
        cwd=Path(__file__).parents[2],
    )
    assert run.stdout.strip() == "JSON too large to decode in the memory available", run.stderr


def test_an_api_error_keeps_no_secret_in_extra_or_body() -> None:
    body = (
        b'{"ok": false, "error": "invalid_auth", "echo": "Authorization: Bearer xoxb-secret",'
        b' "request": {"headers": ["Bearer xoxb-secret", {"xoxb-secret": "xoxb\\u002dsecret"}]},'
        b' "url": "wss:\\u002f\\u002fh\\u002fTICKET", "n": 1, "none": null}'
    )
    error = api_error(body)
    assert isinstance(error, SlackApiError)
    assert error.extra == {
        "echo": "Authorization: Bearer <redacted>",
        "request": {"headers": ["Bearer <redacted>", {"<redacted>": "<redacted>"}]},
        "url": "<socket url redacted>",
        "n": 1,
        "none": None,
    }
    assert error.response is not None and error.response.body is not None
    assert error.response.body == {"ok": False, "error": "invalid_auth", **error.extra}
    assert "secret" not in repr(vars(error)) + repr(error.response.body)
    assert "TICKET" not in repr(vars(error)) + repr(error.response.body)


def test_an_http_error_keeps_no_secret_in_its_body() -> None:
    error = api_error(b'{"echo": "xoxb-secret"}', status=500)
    assert isinstance(error, SlackHttpError)
    assert error.response.body == {"echo": "<redacted>"}


@pytest.mark.parametrize(
    ("length", "excerpt"), [(199, "x" * 199), (200, "x" * 200), (201, "x" * 200 + "…")]
)
def test_an_excerpt_is_cut_only_past_its_length(length: int, excerpt: str) -> None:
    error = api_error(b"x" * length, status=502)
    assert isinstance(error, SlackHttpError)
    assert error.excerpt == excerpt


@pytest.mark.parametrize(
    ("code", "description"),
    [
        ("superfluous_charset", RTM_CONNECT.warnings["superfluous_charset"]),
        ("missing_charset", RTM_CONNECT.warnings["missing_charset"]),
        ("brand_new_warning", "undocumented warning"),
    ],
)
def test_a_warning_says_what_it_means(code: str, description: str) -> None:
    body = SUCCESS_BODY + b', "warning": "' + code.encode() + b'"}'
    with pytest.warns(SlackApiWarning) as caught:
        resp = finished(body)
    assert [str(w.message) for w in caught] == [f"rtm.connect: {code}: {description}"[:213]]
    assert [str(w) for w in resp.warnings] == [code]


def test_a_warning_key_inside_a_nested_object_is_kept_as_data() -> None:
    # Only the top level carries Slack's warnings; elsewhere "warning" is a field like any other.
    body = SUCCESS_BODY.replace(b'"domain": "team"}', b'"domain": "team", "warning": "w1"}') + b"}"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resp = finished(body)
    assert resp.team.extra == {"warning": "w1"}
    assert resp.warnings == ()


def test_an_error_keeps_every_header_once_with_repeats_joined() -> None:
    headers = [("Set-Cookie", "a=1"), ("X-Echo", "Bearer xoxb-secret"), ("set-cookie", "b=2")]
    with pytest.raises(SlackHttpError) as caught:
        finish(
            RTM_CONNECT,
            Answer(status=500, headers=headers, body=b"{}"),
            config(),
            caller=stack_caller,
        )
    assert caught.value.response.headers == {
        "set-cookie": "a=1, b=2",
        "x-echo": "Bearer <redacted>",
    }


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ws://h.example/websocket/TICKET", "ws:// (unencrypted) on a host that is not loopback"),
        ("https://h.example/websocket/TICKET", "not a wss:// URL"),
        ("wss://[::1/websocket/TICKET", "not a URL"),
    ],
)
def test_a_socket_url_that_may_not_be_opened_is_refused_unquoted(url: str, reason: str) -> None:
    body = SUCCESS_BODY.replace(b"wss://h/ws", url.encode()) + b"}"
    error = api_error(body)
    assert isinstance(error, SlackResponseError)
    assert error.path == "url"
    assert error.reason.startswith(reason)
    assert "TICKET" not in str(error)


def test_an_insecure_socket_url_is_taken_when_allowed() -> None:
    body = SUCCESS_BODY.replace(b"wss://h/ws", b"ws://h.example/websocket/T") + b"}"
    answer = Answer(status=200, headers={}, body=body)
    allowed = config(allow_insecure=True)
    resp = finish(RTM_CONNECT, answer, allowed, caller=stack_caller)
    assert resp.url == "ws://h.example/websocket/T"
