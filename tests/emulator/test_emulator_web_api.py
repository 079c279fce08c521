"""rtm.connect over real HTTP, with raw urllib3: token sources, bodies, errors, warnings, limits.

Expectations on codes come from the generated enums; the success shape is checked against the
schema's own response description.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import urllib3

from slackrtm._generated import ErrorCode, WarningCode
from slackrtm.emulator import Emulator

from .emulator_suite import (
    ALICE,
    ALICE_TOKEN,
    BOT,
    BOT_TOKEN,
    CAROL,
    CAROL_TOKEN,
    call,
    payload,
)

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "schema" / "methods" / "rtm.connect.json").read_text("utf-8")
)
FORM = "application/x-www-form-urlencoded"


def assert_success(data: dict[str, Any], user_id: str = BOT) -> None:
    jsonschema.validate(data, SCHEMA["response"])
    assert data["ok"] is True
    assert data["self"]["id"] == user_id
    assert re.fullmatch(r"ws://127\.0\.0\.1:\d+/websocket/[A-Za-z0-9_-]{20,}", data["url"])


def assert_error(response: urllib3.BaseHTTPResponse, code: str) -> dict[str, Any]:
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/json")
    data = payload(response)
    assert data["ok"] is False
    assert data["error"] == code
    return data


# -- success, token sources, verbs ----------------------------------------------------------------


def test_get_with_bearer_header(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = call(http, emulator, "GET", token=emulator.bot_token)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    data = payload(response)
    assert_success(data)
    assert data["team"] == {"domain": "emulator", "id": "T0EMU0001", "name": "Emulator"}
    assert data["self"] == {"id": BOT, "name": "emubot"}
    assert "warning" not in data
    [record] = emulator.requests
    assert (record.method, record.path, record.token_source) == (
        "GET",
        "/api/rtm.connect",
        "header",
    )
    assert record.token_in_url is False
    assert record.headers["Authorization"] == "Bearer <redacted>"
    assert emulator.counters.requests == 1
    assert emulator.counters.tickets_issued == 1


def test_post_form_body_token(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = call(
        http, emulator, "POST", fields={"token": ALICE_TOKEN, "batch_presence_aware": "1"}
    )
    assert_success(payload(response), ALICE)
    [record] = emulator.requests
    assert record.token_source == "body"
    assert record.content_type == FORM
    assert record.args == {"batch_presence_aware": "1"}  # never the token


def test_post_multipart_body_token(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = http.request(
        "POST", emulator.base_url + "rtm.connect", fields={"token": BOT_TOKEN, "presence_sub": "1"}
    )
    assert_success(payload(response))
    [record] = emulator.requests
    assert record.token_source == "body"
    assert record.content_type is not None
    assert record.content_type.startswith("multipart/form-data; boundary=")
    assert record.args == {"presence_sub": "1"}


def test_post_text_plain_is_read_as_form(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = call(
        http,
        emulator,
        "POST",
        body=f"token={BOT_TOKEN}".encode(),
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    assert_success(payload(response))
    assert emulator.requests[0].token_source == "body"


def test_token_in_query_works_but_is_counted(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = call(http, emulator, "GET", fields={"token": BOT_TOKEN})
    assert_success(payload(response))
    [record] = emulator.requests
    assert record.token_source == "query"
    assert record.token_in_url is True
    assert emulator.counters.token_in_url == 1


def test_header_wins_and_query_token_still_counts(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    response = http.request(
        "POST",
        emulator.base_url + f"rtm.connect?token={CAROL_TOKEN}",
        body=b"",
        headers={"Authorization": f"Bearer {BOT_TOKEN}"},
    )
    assert_success(payload(response))
    [record] = emulator.requests
    assert (record.token_source, record.token_in_url) == ("header", True)


def test_enterprise_team_has_enterprise_id(emulator: Emulator, http: urllib3.PoolManager) -> None:
    data = payload(call(http, emulator, token=CAROL_TOKEN))
    assert_success(data, CAROL)
    assert data["team"]["enterprise_id"] == "E0EMU0001"


def test_socket_url_carries_a_ticket_never_the_token(
    emulator: Emulator, http: urllib3.PoolManager
) -> None:
    urls = {payload(call(http, emulator, token=BOT_TOKEN))["url"] for _ in range(3)}
    assert len(urls) == 3  # a new ticket each time
    for url in urls:
        assert BOT_TOKEN not in url
        parts = urlsplit(url)
        assert (parts.scheme, parts.hostname, parts.port) == ("ws", "127.0.0.1", emulator.port)


def test_unknown_method(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = call(http, emulator, token=BOT_TOKEN, api="chat.meMessage")
    assert_error(response, "unknown_method")
    assert emulator.requests[0].path == "/api/chat.meMessage"


# -- auth errors ----------------------------------------------------------------------------------


def test_not_authed(emulator: Emulator, http: urllib3.PoolManager) -> None:
    assert_error(call(http, emulator), ErrorCode.NOT_AUTHED.value)
    assert_error(call(http, emulator, "POST", fields={"token": ""}), ErrorCode.NOT_AUTHED.value)


def test_unknown_token_is_invalid_auth(emulator: Emulator, http: urllib3.PoolManager) -> None:
    assert_error(call(http, emulator, token="xoxb-nope"), ErrorCode.INVALID_AUTH.value)


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ("inactive", ErrorCode.ACCOUNT_INACTIVE),
        ("revoked", ErrorCode.TOKEN_REVOKED),
        ("no_permission", ErrorCode.NO_PERMISSION),
        ("org_login_required", ErrorCode.ORG_LOGIN_REQUIRED),
        ("team_added_to_org", ErrorCode.TEAM_ADDED_TO_ORG),
    ],
)
def test_token_states(
    emulator: Emulator, http: urllib3.PoolManager, state: Any, code: ErrorCode
) -> None:
    emulator.workspace.add_token("xoxb-x", user_id=BOT, state=state)
    assert_error(call(http, emulator, token="xoxb-x"), code.value)
    assert emulator.counters.tickets_issued == 0


def test_json_body_is_not_read(emulator: Emulator, http: urllib3.PoolManager) -> None:
    body = json.dumps({"token": BOT_TOKEN}).encode()
    response = call(http, emulator, "POST", body=body, headers={"Content-Type": "application/json"})
    assert_error(response, ErrorCode.NOT_AUTHED.value)
    response = call(
        http,
        emulator,
        "POST",
        token=BOT_TOKEN,
        body=body,
        headers={"Content-Type": "application/json"},
    )
    assert_success(payload(response))


# -- request-shape errors and warnings -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b"token=x", None, ErrorCode.MISSING_POST_TYPE),
        (b"token=x", "application/xml", ErrorCode.INVALID_POST_TYPE),
        (b"<x/>", "text/xml; charset=utf-8", ErrorCode.INVALID_POST_TYPE),
        (b"a=1", FORM + "; charset=utf-16", ErrorCode.INVALID_CHARSET),
        (b"a=1", "text/plain; charset=windows-1252", ErrorCode.INVALID_CHARSET),
        (b"a=%zz", FORM, ErrorCode.INVALID_FORM_DATA),
        (b"a=\xff\xfe", FORM, ErrorCode.INVALID_FORM_DATA),
        (b"garbage", "multipart/form-data; boundary=xyz", ErrorCode.INVALID_FORM_DATA),
        (b"--xyz\r\n\r\nnope", "multipart/form-data", ErrorCode.INVALID_FORM_DATA),
        (b"foo%5B7%5D=1", FORM, ErrorCode.INVALID_ARRAY_ARG),
        (b"foo-bar=1", FORM, ErrorCode.INVALID_ARG_NAME),
        (b"x" * 200 + b"=1", FORM, ErrorCode.INVALID_ARG_NAME),
    ],
)
def test_request_shape_errors(
    emulator: Emulator,
    http: urllib3.PoolManager,
    body: bytes,
    content_type: str | None,
    code: ErrorCode,
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    # A valid token does not save a malformed call: shape is checked first.
    response = call(http, emulator, "POST", token=BOT_TOKEN, body=body, headers=headers)
    assert_error(response, code.value)
    assert emulator.counters.tickets_issued == 0


def test_bad_names_in_the_query_too(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = http.request(
        "GET",
        emulator.base_url + "rtm.connect?ids%5B0%5D=U1",
        headers={"Authorization": f"Bearer {BOT_TOKEN}"},
    )
    assert_error(response, ErrorCode.INVALID_ARRAY_ARG.value)


def test_unknown_arguments_are_ignored(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = call(http, emulator, "POST", token=BOT_TOKEN, fields={"new_arg": "1"})
    assert_success(payload(response))
    assert emulator.requests[0].args == {"new_arg": "1"}


def test_superfluous_charset_warning(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = call(
        http,
        emulator,
        "POST",
        body=f"token={BOT_TOKEN}".encode(),
        headers={"Content-Type": FORM + "; charset=utf-8"},
    )
    data = payload(response)
    assert_success(data)
    code = WarningCode.SUPERFLUOUS_CHARSET.value
    assert data["warning"] == code
    assert data["response_metadata"] == {"warnings": [code]}


def test_superfluous_charset_on_multipart(emulator: Emulator, http: urllib3.PoolManager) -> None:
    body, content_type = urllib3.encode_multipart_formdata({"token": BOT_TOKEN})
    response = call(
        http,
        emulator,
        "POST",
        body=body,
        headers={"Content-Type": content_type + "; charset=utf-8"},
    )
    data = payload(response)
    assert_success(data)
    assert data["warning"] == WarningCode.SUPERFLUOUS_CHARSET.value


def test_missing_charset_warning(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = call(
        http,
        emulator,
        "POST",
        body=f"token={BOT_TOKEN}".encode(),
        headers={"Content-Type": "text/plain"},
    )
    data = payload(response)
    assert_success(data)
    assert data["warning"] == WarningCode.MISSING_CHARSET.value
    assert data["response_metadata"]["warnings"] == [WarningCode.MISSING_CHARSET.value]


def test_warnings_ride_on_errors_too(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = call(
        http, emulator, "POST", body=b"token=xoxb-nope", headers={"Content-Type": "text/plain"}
    )
    data = assert_error(response, ErrorCode.INVALID_AUTH.value)
    assert data["warning"] == WarningCode.MISSING_CHARSET.value


def test_iso_8859_1_form(emulator: Emulator, http: urllib3.PoolManager) -> None:
    body = f"token={BOT_TOKEN}&note=caf\xe9".encode("iso-8859-1")
    response = call(
        http,
        emulator,
        "POST",
        body=body,
        headers={"Content-Type": "text/plain; charset=iso-8859-1"},
    )
    assert_success(payload(response))
    assert emulator.requests[0].args == {"note": "caf\u00e9"}


def test_empty_form_post_with_header_token(emulator: Emulator, http: urllib3.PoolManager) -> None:
    response = call(
        http, emulator, "POST", token=BOT_TOKEN, body=b"", headers={"Content-Type": FORM}
    )
    assert_success(payload(response))


# -- rate limit -----------------------------------------------------------------------------------


def test_tier1_rate_limit(fast_emulator: Emulator, http: urllib3.PoolManager) -> None:
    for _ in range(3):
        assert_success(payload(call(http, fast_emulator, token=BOT_TOKEN)))
    response = call(http, fast_emulator, token=BOT_TOKEN)
    assert response.status == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert payload(response) == {"ok": False, "error": "ratelimited"}
    # Per token: another token is not limited.
    assert_success(payload(call(http, fast_emulator, token=ALICE_TOKEN)), ALICE)
    assert fast_emulator.counters.rate_limited == 1
    fast_emulator.reset()
    assert_success(payload(call(http, fast_emulator, token=BOT_TOKEN)))


def test_rate_limit_can_be_turned_off(http: urllib3.PoolManager) -> None:
    from slackrtm.emulator import Limits

    with Emulator(limits=Limits(web_rate_limit=None)) as emu:
        for _ in range(30):
            assert payload(call(http, emu, token=BOT_TOKEN))["ok"] is True


def test_limits_can_change_while_running(emulator: Emulator, http: urllib3.PoolManager) -> None:
    import attrs

    emulator.limits = attrs.evolve(emulator.limits, web_rate_limit=1)
    assert payload(call(http, emulator, token=BOT_TOKEN))["ok"] is True
    assert call(http, emulator, token=BOT_TOKEN).status == 429


# -- slack_sdk ------------------------------------------------------------------------------------


def test_official_slack_sdk_client(emulator: Emulator) -> None:
    slack_sdk = pytest.importorskip("slack_sdk")
    client = slack_sdk.WebClient(token=emulator.bot_token, base_url=emulator.base_url)
    response = client.rtm_connect()
    assert response["ok"] is True
    assert response["self"]["id"] == BOT
    assert response["url"].startswith("ws://127.0.0.1:")
    [record] = emulator.requests
    assert record.token_source == "header"
    assert record.token_in_url is False
