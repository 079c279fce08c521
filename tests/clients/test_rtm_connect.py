"""rtm.connect through both clients against the emulator, over real loopback sockets."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

import slackrtm.errors
from slackrtm import (
    AsyncClient,
    Client,
    RateLimited,
    RetryPolicy,
    SlackApiError,
    SlackApiWarning,
    SlackConnectionError,
    SlackError,
    SlackHttpError,
    SlackResponseError,
    SlackTimeoutError,
    WarningCode,
)
from slackrtm.emulator import Emulator, Limits, TokenState

from .conftest import Caller

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "schema" / "methods" / "rtm.connect.json").read_text()
)
DOCUMENTED_ERRORS = [entry["code"] for entry in SCHEMA["errors"]]
FAST_RETRY = RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.02)
NO_RETRY = RetryPolicy.off()

# ---------------------------------------------------------------------------- success


@pytest.mark.parametrize("batch", [None, True, False])
@pytest.mark.parametrize("presence", [None, True, False])
def test_success_sends_exactly_the_arguments_set(
    call: Caller, emu: Emulator, batch: bool | None, presence: bool | None
) -> None:
    args: dict[str, Any] = {}
    if batch is not None:
        args["batch_presence_aware"] = batch
    if presence is not None:
        args["presence_sub"] = presence

    resp = call(**args)

    assert resp.ok is True
    assert resp.url.startswith("ws://127.0.0.1:")
    assert resp.self_.id and resp.self_.name and resp.team.id and resp.team.domain
    assert resp.warnings == ()
    [sent] = emu.requests
    assert sent.method == "POST"
    assert sent.path == "/api/rtm.connect"
    assert sent.content_type == "application/x-www-form-urlencoded"  # no charset
    assert sent.token_source == "header"
    assert sent.token_in_url is False
    expected = {name: "1" if value else "0" for name, value in args.items()}
    assert sent.args == expected


@pytest.mark.parametrize("grid", [False, True], ids=["standalone", "enterprise-grid"])
def test_success_matches_the_workspace(call: Caller, emu: Emulator, grid: bool) -> None:
    workspace = emu.workspace
    token = next(
        record.token
        for record in workspace.tokens.values()
        if record.state == "active"
        and (workspace.team_of(record.user_id).enterprise_id is not None) == grid
    )
    user = workspace.users[workspace.tokens[token].user_id]
    team = workspace.team_of(user.id)

    resp = call({"token": token})

    assert (resp.self_.id, resp.self_.name) == (user.id, user.name)
    assert (resp.team.id, resp.team.name, resp.team.domain) == (team.id, team.name, team.domain)
    assert resp.team.enterprise_id == team.enterprise_id
    assert (resp.team.enterprise_id is not None) == grid


def test_each_call_gets_a_fresh_socket_url(call: Caller) -> None:
    assert call().url != call().url


def test_unknown_response_fields_are_kept(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=1, extra_fields={"new_field": {"a": 1}, "flag": True})
    resp = call()
    assert resp.extra == {"new_field": {"a": 1}, "flag": True}
    assert resp.self_.id


# ---------------------------------------------------------------------------- API errors


@pytest.mark.parametrize("code", DOCUMENTED_ERRORS)
def test_every_documented_error_raises_its_class(call: Caller, emu: Emulator, code: str) -> None:
    emu.faults.web(n=1, error=code)
    with pytest.raises(SlackApiError) as caught:
        call()
    error = caught.value
    expected_class = slackrtm.errors.ERROR_CLASSES[code]
    assert type(error) is expected_class
    assert error.error == code
    description = next(e["description"] for e in SCHEMA["errors"] if e["code"] == code)
    assert error.description == description
    assert error.method == "rtm.connect"
    assert error.response is not None and error.response.status == 200
    assert error.response.body is not None and error.response.body["error"] == code
    assert code in str(error)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("inactive", slackrtm.errors.AccountInactive),
        ("revoked", slackrtm.errors.TokenRevoked),
        ("no_permission", slackrtm.errors.NoPermission),
        ("org_login_required", slackrtm.errors.OrgLoginRequired),
        ("team_added_to_org", slackrtm.errors.TeamAddedToOrg),
    ],
)
def test_account_states_raise_their_errors(
    call: Caller, emu: Emulator, state: TokenState, expected: type[SlackApiError]
) -> None:
    user_id = emu.workspace.tokens[emu.bot_token].user_id
    token = f"xoxb-state-{state}"
    emu.workspace.add_token(token, user_id=user_id, state=state)
    with pytest.raises(expected):
        call({"token": token})


def test_unknown_token_is_invalid_auth(call: Caller) -> None:
    with pytest.raises(slackrtm.errors.InvalidAuth) as caught:
        call({"token": "xoxb-not-a-real-token"})
    assert "xoxb-not-a-real-token" not in str(caught.value)


def test_undocumented_error_code_raises_plain_slack_api_error(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=1, error="some_new_code")
    with pytest.raises(SlackApiError) as caught:
        call()
    assert type(caught.value) is SlackApiError
    assert caught.value.error == "some_new_code"
    assert caught.value.description is None


# ---------------------------------------------------------------------------- warnings


def test_warnings_are_returned_logged_and_warned(
    call: Caller, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emu.faults.web(n=1, warnings=["missing_charset", "superfluous_charset", "brand_new_warning"])
    caplog.set_level(logging.WARNING, logger="slackrtm")
    with pytest.warns(SlackApiWarning) as recorded:
        resp = call()
    assert resp.warnings == (
        WarningCode.MISSING_CHARSET,
        WarningCode.SUPERFLUOUS_CHARSET,
        "brand_new_warning",
    )
    texts = [str(w.message) for w in recorded]
    assert any("superfluous_charset" in t for t in texts)
    assert any("missing_charset" in t for t in texts)
    assert any("brand_new_warning" in t for t in texts)
    assert all(w.filename == __file__ or "conftest" in w.filename for w in recorded)
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("superfluous_charset" in line for line in logged)


def test_no_warning_on_a_clean_call(call: Caller) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", SlackApiWarning)
        assert call().warnings == ()


# ---------------------------------------------------------------------------- HTTP failures


def test_rate_limit_then_success(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=1, status=429, retry_after=0)
    resp = call({"retry": FAST_RETRY})
    assert resp.ok
    assert len(emu.requests) == 2


def test_rate_limit_until_retries_are_spent(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=10, status=429, retry_after=0)
    with pytest.raises(RateLimited) as caught:
        call({"retry": RetryPolicy(max_retries=2)})
    assert caught.value.status == 429
    assert caught.value.retry_after == 0
    assert len(emu.requests) == 3


def test_retry_after_is_honoured(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=1, status=429, retry_after=1)
    started = time.monotonic()
    assert call({"retry": FAST_RETRY}).ok
    assert time.monotonic() - started >= 0.95


def test_retry_after_past_the_total_budget_gives_up(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=1, status=429, retry_after=30)
    with pytest.raises(RateLimited) as caught:
        call({"retry": RetryPolicy(max_retries=3, max_total=5)})
    assert caught.value.retry_after == 30
    assert len(emu.requests) == 1


def test_server_error_then_success(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=2, status=500)
    assert call({"retry": FAST_RETRY}).ok
    assert len(emu.requests) == 3


def test_retries_can_be_turned_off(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=1, status=503, body=b"Service Unavailable", content_type="text/plain")
    with pytest.raises(SlackHttpError) as caught:
        call({"retry": NO_RETRY})
    assert caught.value.status == 503
    assert caught.value.excerpt == "Service Unavailable"
    assert len(emu.requests) == 1


def test_server_error_with_a_slack_error_body_raises_the_api_error(
    call: Caller, emu: Emulator
) -> None:
    # A 5xx whose body is Slack's own {"ok": false, "error": ...} raises the API error, which
    # says more than the status alone; the status stays on .response.
    emu.faults.web(n=1, status=500)
    with pytest.raises(SlackApiError) as caught:
        call({"retry": NO_RETRY})
    assert caught.value.response is not None and caught.value.response.status == 500


def test_real_rate_limit(call: Caller) -> None:
    with Emulator(limits=Limits(web_rate_limit=2, web_rate_window=60.0)) as limited:
        options = {"base_url": limited.base_url, "token": limited.bot_token, "retry": NO_RETRY}
        assert call(options).ok
        assert call(options).ok
        with pytest.raises(RateLimited) as caught:
            call(options)
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 60


def test_html_502_page(call: Caller, emu: Emulator) -> None:
    emu.faults.web(
        n=5, status=502, body=b"<html><body>Bad gateway</body></html>", content_type="text/html"
    )
    with pytest.raises(SlackHttpError) as caught:
        call({"retry": RetryPolicy(max_retries=1, backoff_base=0.01)})
    assert caught.value.status == 502
    assert "Bad gateway" in caught.value.excerpt
    assert len(emu.requests) == 2


def test_truncated_json_body(call: Caller, emu: Emulator) -> None:
    emu.faults.web(
        n=1, status=200, body=b'{"ok": true, "self": {"id', content_type="application/json"
    )
    with pytest.raises(SlackHttpError) as caught:
        call()
    assert caught.value.status == 200
    assert "not JSON" in str(caught.value)


def test_response_not_matching_the_schema(call: Caller, emu: Emulator) -> None:
    body = json.dumps(
        {"ok": True, "self": {"id": "U1", "name": "x"}, "team": {"id": 7}, "url": "ws://x"}
    )
    emu.faults.web(n=1, status=200, body=body.encode(), content_type="application/json")
    with pytest.raises(SlackResponseError) as caught:
        call()
    assert caught.value.path in {"team.id", "team.domain", "team.name"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connection_refused(call: Caller) -> None:
    base_url = f"http://127.0.0.1:{_closed_port()}/api/"
    with pytest.raises(SlackConnectionError) as caught:
        call({"base_url": base_url, "retry": RetryPolicy(max_retries=2, backoff_base=0.01)})
    assert not isinstance(caught.value, SlackTimeoutError)
    assert "rtm.connect" in str(caught.value)


def test_timeout(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=1, delay=2.0)
    with pytest.raises(SlackTimeoutError):
        call({"timeout": 0.3, "retry": NO_RETRY})


def test_timeout_is_retried(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=1, delay=2.0)
    assert call({"timeout": 0.3, "retry": FAST_RETRY}).ok
    assert len(emu.requests) == 2


def test_dropped_connection_is_retried(call: Caller, emu: Emulator) -> None:
    emu.faults.web(n=1, drop=True)
    assert call({"retry": FAST_RETRY}).ok


# ---------------------------------------------------------------------------- arguments


def test_wrong_argument_type_fails_before_io(call: Caller, emu: Emulator) -> None:
    with pytest.raises(TypeError, match="batch_presence_aware"):
        call(batch_presence_aware="yes")
    with pytest.raises(TypeError, match="presence_sub"):
        call(presence_sub=1)
    assert emu.requests == []


def test_unknown_argument_fails_before_io(call: Caller, emu: Emulator) -> None:
    with pytest.raises(TypeError, match="presence_subscribe"):
        call(presence_subscribe=True)
    assert emu.requests == []


# ---------------------------------------------------------------------------- tokens


@pytest.mark.parametrize("variable", ["SLACK_BOT_TOKEN", "SLACK_TOKEN"])
def test_token_from_the_environment(
    call: Caller, emu: Emulator, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_TOKEN", raising=False)
    monkeypatch.setenv(variable, emu.bot_token)
    assert call({"token": None}).ok


def test_bot_token_variable_wins(
    call: Caller, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", emu.bot_token)
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-wrong")
    assert call({"token": None}).ok


@pytest.mark.parametrize("kind", [Client, AsyncClient])
def test_no_token_anywhere_fails_at_construction(
    kind: type[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_TOKEN", raising=False)
    with pytest.raises(ValueError, match="SLACK_BOT_TOKEN"):
        kind()


def test_secrets_never_leak(call: Caller, emu: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = emu.bot_token
    texts: list[str] = []
    resp = call()
    texts += [repr(resp), str(resp)]
    for fault in ({"error": "invalid_auth"}, {"status": 500}, {"status": 429, "retry_after": 0}):
        emu.faults.web(n=5, **fault)
        with pytest.raises(SlackError) as caught:
            call({"retry": RetryPolicy(max_retries=1, backoff_base=0.01)})
        texts += [str(caught.value), repr(caught.value)]
    with pytest.raises(SlackConnectionError) as refused:
        call({"base_url": f"http://127.0.0.1:{_closed_port()}/api/", "retry": NO_RETRY})
    texts += [str(refused.value), repr(refused.value)]
    texts += [repr(Client(token=token)), repr(AsyncClient(token=token))]
    texts += [record.getMessage() for record in caplog.records]
    assert caplog.records, "expected DEBUG lines to inspect"
    blob = "\n".join(texts)
    assert token not in blob
    assert resp.url not in blob
    assert "xoxb-" not in blob


# ---------------------------------------------------------------------------- concurrency


def test_sync_client_shared_by_8_threads(emu: Emulator) -> None:
    urls: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    with Client(token=emu.bot_token, base_url=emu.base_url) as client:

        def work() -> None:
            try:
                for _ in range(25):
                    url = client.rtm_connect().url
                    with lock:
                        urls.append(url)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(urls) == 200 and len(set(urls)) == 200
    assert len(emu.requests) == 200


def test_100_concurrent_async_calls_on_one_client(emu: Emulator) -> None:
    async def run() -> list[str]:
        async with AsyncClient(token=emu.bot_token, base_url=emu.base_url) as client:
            results = await asyncio.gather(*(client.rtm_connect() for _ in range(100)))
        return [r.url for r in results]

    urls = asyncio.run(run())
    assert len(set(urls)) == 100
    assert len(emu.requests) == 100


# ---------------------------------------------------------------------------- lifecycle


def test_closed_client_refuses_calls(emu: Emulator) -> None:
    client = Client(token=emu.bot_token, base_url=emu.base_url)
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.rtm_connect()

    async def run() -> None:
        aclient = AsyncClient(token=emu.bot_token, base_url=emu.base_url)
        await aclient.close()
        with pytest.raises(RuntimeError, match="closed"):
            await aclient.rtm_connect()

    asyncio.run(run())
    assert emu.requests == []


# ---------------------------------------------------------------------------- options


def test_connections_are_reused(emu: Emulator) -> None:
    with Client(token=emu.bot_token, base_url=emu.base_url) as client:
        for _ in range(10):
            client.rtm_connect()

    async def run() -> None:
        async with AsyncClient(token=emu.bot_token, base_url=emu.base_url) as aclient:
            for _ in range(10):
                await aclient.rtm_connect()

    asyncio.run(run())
    peers = [sent.peer for sent in emu.requests]
    assert len(peers) == 20
    assert None not in peers
    # One keep-alive connection per client: 10 calls each over a single TCP connection.
    assert len(set(peers[:10])) == 1
    assert len(set(peers[10:])) == 1


def test_proxy_is_used(call: Caller, emu: Emulator) -> None:
    # The emulator stands in for an HTTP proxy: a proxied request carries the absolute URL
    # of slack.invalid (a name that never resolves), and the emulator serves it by its path.
    proxy = f"http://127.0.0.1:{emu.port}"
    resp = call(
        {
            "base_url": "http://slack.invalid/api/",
            "proxy": proxy,
            "retry": NO_RETRY,
            "allow_insecure": True,
        }
    )
    assert resp.ok
    [sent] = emu.requests
    assert sent.headers.get("Host") == "slack.invalid"


def test_proxy_from_the_environment_but_never_for_loopback(
    call: Caller, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{emu.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert call(
        {"base_url": "http://slack.invalid/api/", "retry": NO_RETRY, "allow_insecure": True}
    ).ok
    assert emu.requests[-1].headers.get("Host") == "slack.invalid"
    monkeypatch.setenv("NO_PROXY", "slack.invalid")
    with pytest.raises(SlackConnectionError):
        call({"base_url": "http://slack.invalid/api/", "retry": NO_RETRY, "allow_insecure": True})
    # Loopback is reached directly even with a proxy set and no NO_PROXY.
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.delenv("NO_PROXY")
    assert call().ok


def test_user_agent_suffix(call: Caller, emu: Emulator) -> None:
    call({"user_agent": "mybot/1.2"})
    agent = emu.requests[-1].headers["User-Agent"]
    assert agent.startswith("slackrtm/")
    assert agent.endswith(" mybot/1.2")


def test_custom_logger_gets_the_warnings(call: Caller, emu: Emulator) -> None:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("tests.mybot")
    logger.addHandler(Collect())
    logger.setLevel(logging.DEBUG)
    emu.faults.web(n=1, warnings=["superfluous_charset"])
    with pytest.warns(SlackApiWarning):
        call({"logger": logger})
    messages = [r.getMessage() for r in records]
    assert any("superfluous_charset" in m for m in messages)
    assert any("attempt 1" in m for m in messages)  # the DEBUG line of the call


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("timeout", 0),
        ("timeout", -1.0),
        ("base_url", "ftp://example.invalid/"),
        ("base_url", "slack.com/api"),
        ("token", ""),
        ("token", "xoxb-has space"),
        ("token", "xoxb-line\nbreak"),
    ],
)
def test_bad_options_fail_at_construction(
    call: Caller, emu: Emulator, option: str, value: object
) -> None:
    kind = Client if call.kind == "sync" else AsyncClient
    with pytest.raises(ValueError, match=option) as caught:
        kind(**call.options(**{option: value}))
    assert "xoxb-has" not in str(caught.value) and "xoxb-line" not in str(caught.value)
    assert emu.requests == []
