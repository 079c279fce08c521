"""The end of a call: an answer into its model, or the typed error it stands for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from slackrtm import (
    RateLimited,
    SlackApiError,
    SlackApiWarning,
    SlackConnectionError,
    SlackHttpError,
    SlackResponseError,
)
from slackrtm._generated import AUTH_TEST, RTM_CONNECT
from slackrtm._web.body import Answer
from slackrtm._web.finish import finish
from slackrtm._web.report import stack_caller
from slackrtm.errors import InvalidAuth

from .web_suite import FAILURE, SUCCESS_BODY, api_error, config, finished


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


# ---------------------------------------------------------------------------- refusals, one by one


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"<html>busy</html>", "not JSON"),
        (b'{"ok": true', "not JSON"),
        (b'"\xff\xfe\xfa"', "not JSON (not UTF-8 text)"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply to read"),
        (
            b'{"n": ' + b"9" * 5000 + b"}",
            "JSON that cannot be read: Exceeds the limit (4300 digits)",
        ),
        (b'{"ok": false, "error": "x", "ok": true}', "JSON with the key 'ok' twice"),
        (b'{"a": {"x": 1, "b": 1, "b": 2}}', "JSON with the key 'b' twice"),
        (b"null", "JSON null, not an object"),
        (b"true", "JSON boolean, not an object"),
        (b"1", "JSON number, not an object"),
        (b"1.5", "JSON number, not an object"),
        (b'"ok"', "JSON string, not an object"),
        (b"[]", "JSON array, not an object"),
    ],
)
def test_a_body_that_is_no_json_object_says_what_it_is(body: bytes, what: str) -> None:
    error = api_error(body)
    assert isinstance(error, SlackHttpError)
    assert str(error).startswith(f"rtm.connect: the answer is {what}")
    assert error.status == 200


def test_a_body_that_could_not_be_read_keeps_the_readers_words() -> None:
    answer = Answer(
        status=200, headers={}, body=b'{"ok": true}', problem="gzip data that ends early"
    )
    with pytest.raises(SlackHttpError, match=r"^rtm.connect: the answer is gzip data that ends"):
        finish(RTM_CONNECT, answer, config(), caller=stack_caller)


def test_json_in_another_utf_encoding_is_read() -> None:
    body = (SUCCESS_BODY + b"}").decode().encode("utf-16")
    assert finished(body).self_.id == "U1"


def test_a_rate_limit_is_its_own_error_whatever_the_body() -> None:
    for body in (b'{"ok": false, "error": "ratelimited"}', b"not json", b"xoxb-secret"):
        answer = Answer(status=429, headers={"Retry-After": "7"}, body=body)
        with pytest.raises(RateLimited) as caught:
            finish(RTM_CONNECT, answer, config(), caller=stack_caller)
        assert caught.value.retry_after == 7.0
        assert caught.value.method == "rtm.connect"
        assert caught.value.status == 429
        assert "secret" not in caught.value.excerpt


def test_another_status_with_a_json_object_is_an_http_error() -> None:
    error = api_error(SUCCESS_BODY + b"}", status=503)
    assert isinstance(error, SlackHttpError) and not isinstance(error, RateLimited)
    assert str(error).startswith("rtm.connect: unexpected HTTP status")
    assert error.status == 503
    assert error.excerpt.startswith('{"ok": true')
    assert error.response.body is not None and error.response.body["ok"] is True


def test_ok_false_is_an_api_error_whatever_the_status() -> None:
    error = api_error(b'{"ok": false, "error": "invalid_auth"}', status=500)
    assert type(error) is InvalidAuth
    assert error.error == "invalid_auth"
    assert error.description == RTM_CONNECT.errors["invalid_auth"]
    assert error.method == "rtm.connect"
    assert error.response is not None and error.response.status == 500


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"ok": false}', "unknown_error"),
        (b'{"ok": false, "error": ""}', "unknown_error"),
        (b'{"ok": false, "error": 5}', "unknown_error"),
        (b'{"ok": false, "error": "' + b"e" * 300 + b'"}', "e" * 200),
        (b'{"ok": false, "error": "brand_new_code"}', "brand_new_code"),
    ],
)
def test_an_undocumented_or_missing_code_is_a_plain_api_error(body: bytes, code: str) -> None:
    error = api_error(body)
    assert type(error) is SlackApiError
    assert error.error == code
    assert error.description is None


def test_an_api_error_reports_its_warnings_first() -> None:
    body = b'{"ok": false, "error": "invalid_auth", "warning": "superfluous_charset"}'
    with pytest.warns(SlackApiWarning, match="superfluous_charset"):
        error = api_error(body)
    assert isinstance(error, InvalidAuth)
    assert error.extra == {"warning": "superfluous_charset"}


def test_a_success_without_warnings_warns_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resp = finished(SUCCESS_BODY + b"}")
    assert resp.url == "wss://h/ws" and resp.warnings == ()


def test_a_url_field_is_checked_only_on_the_rtm_methods() -> None:
    # Elsewhere a `url` is data (here the workspace's address), not a socket to connect to.
    body = (
        b'{"ok": true, "url": "https://team.slack.com/", "team": "Team", "team_id": "T1",'
        b' "user": "bot", "user_id": "U1"}'
    )
    answer = Answer(status=200, headers={}, body=body)
    resp = finish(AUTH_TEST, answer, config(), caller=stack_caller)
    assert resp.url == "https://team.slack.com/"


def test_a_failure_raises_its_own_error() -> None:
    with pytest.raises(SlackConnectionError, match=r"^refused$"):
        finish(RTM_CONNECT, FAILURE, config(), caller=stack_caller)


def test_a_body_the_fast_reader_refuses_is_judged_by_the_detailed_pass() -> None:
    # No "self": the fast reader gives up, and cattrs' pass names the missing field.
    body = SUCCESS_BODY.replace(b'"self": {"id": "U1", "name": "bot"},', b"") + b"}"
    error = api_error(body)
    assert isinstance(error, SlackResponseError)
    assert str(error) == "rtm.connect: invalid response at self: required field is missing"


def test_an_integer_too_long_to_read_is_named_in_80_characters_of_pythons_words() -> None:
    with pytest.raises(ValueError, match="Exceeds the limit") as caught:
        int("9" * 5000)
    words = str(caught.value)
    assert len(words) > 80
    error = api_error(b'{"n": ' + b"9" * 5000 + b"}")
    said = f"rtm.connect: the answer is JSON that cannot be read: {words[:80]} (HTTP 200): "
    assert str(error).startswith(said)
