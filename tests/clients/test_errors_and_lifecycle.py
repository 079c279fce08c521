"""SDK exceptions that travel, the socket URL rule, construction parity, the async lifecycle.

Exceptions travel by pickle and copy; the AsyncClient's lifecycle is held across event loops.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import pickle
import warnings
from pathlib import Path
from typing import Any

import pytest

from slackrtm import (
    AsyncClient,
    Client,
    ClientClosed,
    RateLimited,
    RetryPolicy,
    SlackApiError,
    SlackApiWarning,
    SlackConnectionError,
    SlackError,
    SlackHttpError,
    SlackResponse,
    SlackResponseError,
    SlackTimeoutError,
)
from slackrtm.errors import InvalidAuth

from .hostile import SUCCESS, TOKEN, Twin, answer, fixed, outcome, serve

RESPONSE = SlackResponse(status=429, headers={"retry-after": "3"}, body={"ok": False})
ERRORS: list[SlackError] = [
    SlackApiError("some_new_code", method="rtm.connect", response=RESPONSE),
    InvalidAuth("invalid_auth", method="rtm.connect", description="bad", response=RESPONSE),
    RateLimited(retry_after=3.0, excerpt="slow down", response=RESPONSE, method="rtm.connect"),
    SlackHttpError(
        "rtm.connect: unexpected HTTP status", status=502, excerpt="x", response=RESPONSE
    ),
    SlackResponseError(path="team.id", reason="expected string", method="rtm.connect"),
    SlackConnectionError("rtm.connect: no answer from slack.com:443: refused"),
    SlackTimeoutError("rtm.connect: no complete answer within 1 s from slack.com:443: x"),
    ClientClosed("rtm.connect: this Client is closed"),
]


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest) -> Twin:
    return Twin(request.param)


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("how", ["pickle", "copy", "deepcopy"])
def test_every_exception_survives_pickle_and_copy(error: SlackError, how: str) -> None:
    again = pickle.loads(pickle.dumps(error)) if how == "pickle" else getattr(copy, how)(error)
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.args == error.args
    assert vars(again) == vars(error)


def test_rate_limited_names_the_method() -> None:
    assert str(ERRORS[2]).startswith("rtm.connect: rate limited; retry after 3 s (HTTP 429)")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/websocket/x",
        "javascript:alert(1)",
        "",
        "wss:///no-host",
        "wss://@/no-host",
        "wss://:443/no-host",
        "wss://?no-host",
        "ws://slack.example/x",
    ],
)
def test_a_socket_url_that_is_not_wss_is_refused(twin: Twin, url: str) -> None:
    body = SUCCESS.replace(b"wss://127.0.0.1:1/websocket/secret-ticket", url.encode())
    with serve(fixed(answer(body))) as server:
        error, _ = outcome(twin, server.base_url)
    assert type(error) is SlackResponseError
    assert error.path == "url"
    assert url not in str(error) or not url


@pytest.mark.parametrize(
    "url",
    [
        "wss://wss-primary.slack.com/websocket/x",
        "wss://h",
        "wss://h?x",
        "WSS://H/x",
        "wss://user@h/x",
        "wss://[::1]:443/x",
        "wss://h.example:443/x",
    ],
)
def test_a_wss_socket_url_with_a_host_is_taken(twin: Twin, url: str) -> None:
    body = SUCCESS.replace(b"wss://127.0.0.1:1/websocket/secret-ticket", url.encode())
    with serve(fixed(answer(body))) as server:
        assert twin(server.base_url).url == url


def test_ws_on_loopback_or_when_allowed(twin: Twin) -> None:
    loopback = SUCCESS.replace(b"wss://", b"ws://")
    remote = SUCCESS.replace(b"wss://127.0.0.1:1", b"ws://slack.example")
    with serve(fixed(answer(loopback))) as server:
        assert twin(server.base_url).url.startswith("ws://127.0.0.1")
    with serve(fixed(answer(remote))) as server:
        assert twin(server.base_url, allow_insecure=True).url.startswith("ws://slack.example")


SOCKET_MODE_OPENED = b'{"ok":true,"url":"ws://slack.example/link/?ticket=secret-ticket&app_id=A1"}'


def test_a_socket_mode_url_is_held_to_the_same_rule(twin: Twin) -> None:
    # apps.connections.open's url is a socket URL as rtm.connect's is (the schema's socket_url).
    app = {"app_token": "xapp-1-A1-secret"}
    with serve(fixed(answer(SOCKET_MODE_OPENED))) as server:
        with pytest.raises(SlackResponseError) as refused:
            twin.call("apps_connections_open", server.base_url, **app)
        taken = twin.call("apps_connections_open", server.base_url, allow_insecure=True, **app)
    assert (refused.value.path, refused.value.method) == ("url", "apps.connections.open")
    assert "slack.example" not in str(refused.value) and "secret-ticket" not in str(refused.value)
    assert "allow_insecure" in str(refused.value)
    assert taken.url == "ws://slack.example/link/?ticket=secret-ticket&app_id=A1"


@pytest.mark.parametrize(
    "options",
    [
        {"token": "xoxb-\u2028"},
        {"token": "xoxb-\x1b"},
        {"token": "xoxb-é"},
        {"proxy": "http://[::1"},
        {"proxy": "http://proxy.example:port"},
        {"base_url": "https://slack.example/api?x=1"},
        {"base_url": "http://slack.example/api/"},
        {"timeout": float("nan")},
        {"timeout": float("inf")},
    ],
)
def test_both_clients_refuse_the_same_options_the_same_way(options: dict[str, Any]) -> None:
    messages = []
    for cls in (Client, AsyncClient):
        with pytest.raises(ValueError, match=r"token|proxy|base_url|timeout") as caught:
            cls(**{"token": TOKEN, **options})
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_one_async_client_under_two_event_loops(recwarn: pytest.WarningsRecorder) -> None:
    warnings.simplefilter("always")
    with serve(fixed(answer(SUCCESS))) as server:
        client = AsyncClient(TOKEN, base_url=server.base_url)
        assert asyncio.run(client.rtm_connect()).ok
        assert asyncio.run(client.rtm_connect()).ok
        asyncio.run(client.close())
        del client
        gc.collect()
    leaks = [w for w in recwarn if issubclass(w.category, ResourceWarning)]
    assert leaks == []


def test_a_dropped_async_client_warns_in_its_own_words() -> None:
    with serve(fixed(answer(SUCCESS))) as server:

        async def connect_and_drop() -> None:
            client = AsyncClient(TOKEN, base_url=server.base_url)
            await client.rtm_connect()
            # Returning drops the last reference, unclosed.

        async def run() -> None:
            with pytest.warns(ResourceWarning, match="slackrtm.AsyncClient was never closed"):
                await connect_and_drop()

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            asyncio.run(run())


def test_calls_after_close_raise_client_closed(twin: Twin) -> None:
    with serve(fixed(answer(SUCCESS))) as server:
        if twin.kind == "sync":
            client = Client(TOKEN, base_url=server.base_url)
            client.close()
            with pytest.raises(ClientClosed, match="closed"):
                client.rtm_connect()
        else:

            async def run() -> None:
                client = AsyncClient(TOKEN, base_url=server.base_url)
                await client.close()
                await client.rtm_connect()

            with pytest.raises(ClientClosed, match="closed"):
                asyncio.run(run())


def test_connection_failures_read_naturally(twin: Twin) -> None:
    error, _ = outcome(
        twin, "http://slack.invalid/api/", allow_insecure=True, retry=RetryPolicy.off()
    )
    assert type(error) is SlackConnectionError
    assert str(error).startswith("rtm.connect: no answer from slack.invalid:80: ")
    assert "::" not in str(error)


WARNED = SUCCESS[:-1] + b',"warning":"superfluous_charset"}'


def _line_of(marker: str) -> int:
    lines = Path(__file__).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.rstrip().endswith(marker))


@pytest.mark.parametrize("how", ["await", "gather", "wait_for", "create_task"])
def test_the_warning_points_at_the_callers_line_also_inside_a_task(how: str) -> None:
    with serve(fixed(answer(WARNED))) as server:

        async def run() -> None:
            async with AsyncClient(TOKEN, base_url=server.base_url) as client:
                if how == "await":
                    await client.rtm_connect()  # call: await
                elif how == "gather":
                    await asyncio.gather(client.rtm_connect())  # call: gather
                elif how == "wait_for":
                    await asyncio.wait_for(client.rtm_connect(), 10)  # call: wait_for
                else:
                    await asyncio.create_task(client.rtm_connect())  # call: create_task

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            asyncio.run(run())
    [warning] = [w for w in caught if issubclass(w.category, SlackApiWarning)]
    assert (warning.filename, warning.lineno) == (__file__, _line_of(f"# call: {how}"))


def test_the_sync_warning_points_at_the_callers_line() -> None:
    with (
        serve(fixed(answer(WARNED))) as server,
        Client(TOKEN, base_url=server.base_url) as client,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        client.rtm_connect()  # call: sync
    [warning] = [w for w in caught if issubclass(w.category, SlackApiWarning)]
    assert (warning.filename, warning.lineno) == (__file__, _line_of("# call: sync"))


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_the_repr_hides_every_credential(cls: type[Client] | type[AsyncClient]) -> None:
    client = cls(
        TOKEN,
        base_url="https://user:pw-secret@slack.example/api/",
        proxy="http://puser:proxy-secret@proxy.example:3128",
    )
    text = repr(client)
    assert "pw-secret" not in text and "proxy-secret" not in text and TOKEN not in text
    assert (
        text
        == f"{cls.__name__}(base_url='https://<redacted>@slack.example/api/', token='<redacted>')"
    )
