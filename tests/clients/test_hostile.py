"""Both clients against small hostile servers: the same typed error, in bounded time and memory.

Every test runs the same server against `Client` and `AsyncClient` (the `twin` fixture) and
asserts the same exception class and attributes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
import tracemalloc
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from slackrtm import (
    AsyncClient,
    Client,
    ClientClosed,
    RetryPolicy,
    RtmConnectResponse,
    SlackApiWarning,
    SlackConnectionError,
    SlackHttpError,
    SlackTimeoutError,
)
from slackrtm.errors import InvalidAuth

from .hostile import (
    SUCCESS,
    TOKEN,
    Twin,
    answer,
    bomb,
    drip,
    endless_chunked,
    fixed,
    outcome,
    serve,
    slow,
)

NO_RETRY = RetryPolicy.off()


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest) -> Twin:
    return Twin(request.param)


# ---------------------------------------------------------------------------- time


def test_a_dripping_answer_ends_at_the_deadline(twin: Twin) -> None:
    # A valid answer at 20 bytes a second takes about 15 s; the timeout is 1 s for everything.
    with serve(drip(answer(SUCCESS), every=0.05)) as server:
        error, seconds = outcome(twin, server.base_url, timeout=1.0, retry=NO_RETRY)
    assert type(error) is SlackTimeoutError
    assert str(error) == f"rtm.connect: no complete answer within 1 s from 127.0.0.1:{server.port}"
    assert seconds < 4.0


def test_a_dripping_body_ends_at_the_deadline(twin: Twin) -> None:
    # The head comes at once, the body a byte every 0.05 s: the deadline covers the body too.
    data = answer(SUCCESS)
    head_length = data.index(b"\r\n\r\n") + 4

    def handle(conn, request, stop):  # type: ignore[no-untyped-def]
        conn.sendall(data[:head_length])
        drip(data[head_length:], every=0.05)(conn, request, stop)

    with serve(handle) as server:
        error, seconds = outcome(twin, server.base_url, timeout=1.0, retry=NO_RETRY)
    assert type(error) is SlackTimeoutError
    assert seconds < 4.0


def test_the_timeout_is_per_attempt(twin: Twin) -> None:
    # Three attempts of 0.6 s each under a 1 s timeout: each gets its own deadline.
    with serve(slow(answer(b"{}", status="500 Internal Server Error"), 0.6)) as server:
        error, seconds = outcome(
            twin,
            server.base_url,
            timeout=1.0,
            retry=RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.01),
        )
    assert type(error) is SlackHttpError
    assert error.status == 500
    assert len(server.requests) == 3
    assert seconds >= 1.8


def test_each_deadline_holds_after_a_stream_of_calls(twin: Twin) -> None:
    # One client's attempts share one timer (the watchdog thread, or the async queue's one
    # loop timer). After 30 quick calls spread over more than a timeout (so the timer has come
    # due with nothing late), two overlap: one answered in 0.3 s, one that drips. The first
    # is answered; the second ends at its own deadline, not the first one's, nor never.
    quick, late = answer(SUCCESS), answer(SUCCESS)

    def handle(conn, request, stop):  # type: ignore[no-untyped-def]
        if b"presence_sub=1" in request:
            slow(quick, 0.3)(conn, request, stop)
        elif b"presence_sub=0" in request:
            drip(late, every=0.05)(conn, request, stop)
        else:
            conn.sendall(quick)

    options: dict[str, Any] = {"token": TOKEN, "timeout": 0.5, "retry": NO_RETRY}
    timed: dict[str, Any] = {}

    def clock(name: str, result: Any, started: float) -> None:
        timed[name] = (result, time.monotonic() - started)

    with serve(handle) as server:
        if twin.kind == "sync":
            _quick_then_overlapping_sync(Client(base_url=server.base_url, **options), clock)
        else:
            asyncio.run(
                _quick_then_overlapping_async(
                    AsyncClient(base_url=server.base_url, **options), clock
                )
            )
    assert len(server.requests) == 32
    assert isinstance(timed["answered"][0], RtmConnectResponse)
    error, seconds = timed["late"]
    assert type(error) is SlackTimeoutError
    assert isinstance(error, TimeoutError), "except TimeoutError catches it in both forms"
    assert str(error) == (
        f"rtm.connect: no complete answer within 0.5 s from 127.0.0.1:{server.port}"
    )
    assert 0.45 <= seconds < 2.0


Clock = Callable[[str, Any, float], None]


def _quick_then_overlapping_sync(client: Client, clock: Clock) -> None:
    """30 quick calls, then two at once from two threads: ``answered`` and ``late``."""
    with client:
        for _ in range(30):
            client.rtm_connect()
            time.sleep(0.025)

        def call(name: str, presence_sub: bool) -> None:
            started = time.monotonic()
            try:
                clock(name, client.rtm_connect(presence_sub=presence_sub), started)
            except Exception as exc:  # the test judges what came out
                clock(name, exc, started)

        threads = [
            threading.Thread(target=call, args=("answered", True)),
            threading.Thread(target=call, args=("late", False)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)


async def _quick_then_overlapping_async(client: AsyncClient, clock: Clock) -> None:
    """The async twin of `_quick_then_overlapping_sync`: the two calls gathered."""
    async with client:
        for _ in range(30):
            await client.rtm_connect()
            await asyncio.sleep(0.025)

        async def call(name: str, presence_sub: bool) -> None:
            started = time.monotonic()
            try:
                result = await client.rtm_connect(presence_sub=presence_sub)
                clock(name, result, started)
            except Exception as exc:  # the test judges what came out
                clock(name, exc, started)

        await asyncio.gather(call("answered", True), call("late", False))


def test_waiting_for_a_pooled_connection_is_not_part_of_the_timeout(twin: Twin) -> None:
    # 150 calls at once, each answered after 1.2 s, a 2 s timeout: the async pool holds 100
    # connections, so the last 50 wait about 1.2 s for one before their attempt starts; counted
    # in the attempt, that wait would time them out.
    calls = 150
    options: dict[str, Any] = {"token": TOKEN, "timeout": 2.0, "retry": NO_RETRY}
    with serve(slow(answer(SUCCESS), 1.2)) as server:
        if twin.kind == "sync":
            with (
                Client(base_url=server.base_url, **options) as client,
                ThreadPoolExecutor(calls) as pool,
            ):
                futures = [pool.submit(client.rtm_connect) for _ in range(calls)]
                results: list[object] = [f.exception() or f.result() for f in futures]
        else:

            async def run() -> list[Any]:
                async with AsyncClient(base_url=server.base_url, **options) as client:
                    return await asyncio.gather(
                        *(client.rtm_connect() for _ in range(calls)), return_exceptions=True
                    )

            results = asyncio.run(run())
    failures = [r for r in results if not isinstance(r, RtmConnectResponse)]
    assert failures == []
    assert len(server.requests) == calls


def test_close_while_retrying_stops_the_call(twin: Twin) -> None:
    # Retry-After: 3 makes the call wait 3 s: it must stop at close(), not when its wait ends.
    limited = answer(b"{}", status="429 Too Many Requests", headers={"Retry-After": "3"})
    with serve(fixed(limited)) as server:
        policy = RetryPolicy(max_retries=5)
        started = time.monotonic()
        if twin.kind == "sync":
            client = Client(TOKEN, base_url=server.base_url, retry=policy)
            threading.Timer(0.2, client.close).start()
            with pytest.raises(ClientClosed) as caught:
                client.rtm_connect()
        else:

            async def run() -> None:
                client = AsyncClient(TOKEN, base_url=server.base_url, retry=policy)
                asyncio.get_running_loop().call_later(
                    0.2, lambda: asyncio.ensure_future(client.close())
                )
                await client.rtm_connect()

            with pytest.raises(ClientClosed) as caught:
                asyncio.run(run())
    assert isinstance(caught.value, RuntimeError)  # calls after close always raised RuntimeError
    assert str(caught.value).startswith("rtm.connect: ")
    assert time.monotonic() - started < 1.5
    assert len(server.requests) == 1


# ---------------------------------------------------------------------------- size


def test_an_endless_body_stops_at_the_cap(twin: Twin) -> None:
    with serve(endless_chunked) as server:
        error, seconds = outcome(
            twin, server.base_url, timeout=10.0, retry=NO_RETRY, max_body=1_000_000
        )
    assert type(error) is SlackHttpError
    assert error.status == 200
    assert "over the max_body limit of 1000000 bytes" in str(error)
    assert seconds < 5.0


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compression_bomb_stops_at_the_cap_in_bounded_memory(twin: Twin, encoding: str) -> None:
    # 200 MB of white space packs into about 200 kB; the cap is 1 MB of decompressed bytes.
    with serve(bomb(200_000_000, encoding)) as server:
        tracemalloc.start()
        try:
            error, seconds = outcome(
                twin, server.base_url, timeout=10.0, retry=NO_RETRY, max_body=1_000_000
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert type(error) is SlackHttpError
    assert "over the max_body limit" in str(error)
    assert peak < 50_000_000
    assert seconds < 5.0


def test_an_answer_at_the_cap_is_read(twin: Twin) -> None:
    body = SUCCESS[:-1] + b',"pad":"' + b"x" * 1000 + b'"}'
    with serve(fixed(answer(body))) as server:
        assert twin(server.base_url, max_body=len(body)).ok
        error, _ = outcome(twin, server.base_url, max_body=len(body) - 1)
    assert type(error) is SlackHttpError


# ---------------------------------------------------------------------------- shape


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"[" * 100_000, "JSON nested too deeply to read"),
        (SUCCESS[:-1] + b',"deep":' + b"[" * 2000 + b"]" * 2000 + b"}", "JSON nested too deeply"),
        (b"1" * 5000, "JSON that cannot be read: Exceeds the limit"),
        (SUCCESS[:-1] + b',"big":' + b"7" * 5000 + b"}", "JSON that cannot be read"),
        (b"null", "JSON null, not an object"),
        (b"[1, 2]", "JSON array, not an object"),
        (b"\xff\xfe{", "not JSON"),
        (b'{"ok": false, "error": "invalid_auth", "ok": true}', "JSON with the key 'ok' twice"),
    ],
    ids=["brackets", "deep", "digits", "digits-inside", "null", "array", "bytes", "duplicate"],
)
def test_an_unusable_body_is_a_slack_http_error_that_says_why(
    twin: Twin, body: bytes, says: str
) -> None:
    with serve(fixed(answer(body))) as server:
        error, _ = outcome(twin, server.base_url, retry=NO_RETRY)
    assert type(error) is SlackHttpError
    assert error.status == 200
    assert f"rtm.connect: the answer is {says}" in str(error)


def test_a_flood_of_warnings_gives_a_few_lines(
    twin: Twin, caplog: pytest.LogCaptureFixture
) -> None:
    codes = [f"new_warning_{i}" for i in range(100_000)]
    body = SUCCESS[:-1] + b',"response_metadata":{"warnings":' + json.dumps(codes).encode() + b"}}"
    with serve(fixed(answer(body))) as server, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        caplog.set_level(logging.WARNING, logger="slackrtm")
        resp = twin(server.base_url)
    assert len(resp.warnings) == 100_000
    texts = [str(w.message) for w in caught if issubclass(w.category, SlackApiWarning)]
    assert len(texts) == 6
    assert texts[-1] == "rtm.connect: 99995 more warnings (see the response's `warnings`)"
    assert len([r for r in caplog.records if r.name == "slackrtm"]) == 6


# ---------------------------------------------------------------------------- secrets


@pytest.mark.parametrize(
    ("status", "body"),
    [
        ("200 OK", SUCCESS[:-20]),  # truncated: the ticket is in what is left
        ("200 OK", SUCCESS + b" trailing junk"),
        ("200 OK", b'{"ok":true,"url":"wss:\\/\\/127.0.0.1\\/websocket\\/secret-ticket",'),
        ("200 OK", b'{"ok":true,"url":"wss:\\u002f\\u002f127.0.0.1\\u002fsecret-ticket",'),
        ("200 OK", b'{"ok":true,"url":"\\u0077ss://127.0.0.1/websocket/secret-ticket",'),
        ("502 Bad Gateway", b"<a href='/?next=wss%3A%2F%2F127.0.0.1%2Fsecret-ticket'>"),
        (
            "400 Bad Request",
            b"<html>Your request: POST /api/rtm.connect Authorization: Bearer "
            + TOKEN.encode()
            + b" token="
            + TOKEN.encode()
            + b"</html>",
        ),
    ],
    ids=["truncated", "junk", "escaped-url", "u002f-url", "u0077-url", "percent-url", "echo"],
)
def test_no_secret_in_an_error(twin: Twin, status: str, body: bytes) -> None:
    with serve(fixed(answer(body, status=status))) as server:
        error, _ = outcome(twin, server.base_url, retry=NO_RETRY)
    assert isinstance(error, SlackHttpError)
    text = f"{error} {error.excerpt!r} {error.args!r} {error.response!r} {error.response.body!r}"
    assert TOKEN not in text
    assert "secret-ticket" not in text
    assert "wss:" not in text
    assert "<redacted>" in error.excerpt or "<socket url redacted>" in error.excerpt


def test_no_secret_kept_on_an_api_error(twin: Twin) -> None:
    # An ok:false answer that echoes the request: the token stays out of `extra` and `body`.
    body = (
        b'{"ok":false,"error":"invalid_auth","echo":"Authorization: Bearer '
        + TOKEN.encode()
        + b'","seen":{"token":"'
        + TOKEN.replace("-", "\\u002d").encode()
        + b'"}}'
    )
    with serve(fixed(answer(body))) as server:
        error, _ = outcome(twin, server.base_url, retry=NO_RETRY)
    assert type(error) is InvalidAuth
    assert error.extra == {
        "echo": "Authorization: Bearer <redacted>",
        "seen": {"token": "<redacted>"},
    }
    assert error.response is not None
    assert error.response.body == {"ok": False, "error": "invalid_auth", **error.extra}


def test_no_secret_in_a_connection_error_message(twin: Twin) -> None:
    # The proxy's password is a secret too; the proxy here refuses connections.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error, _ = outcome(
        twin,
        "https://slack.invalid/api/",
        proxy=f"http://user:hunter2@127.0.0.1:{port}",
        retry=NO_RETRY,
    )
    assert isinstance(error, SlackConnectionError)
    assert "hunter2" not in str(error)
    assert str(error) == (
        "rtm.connect: no answer from slack.invalid:443 through the proxy: connection refused"
    )


def test_a_complete_answer_leaves_its_connection_for_the_next_call(twin: Twin) -> None:
    # Reading in chunks under a deadline must not cost the keep-alive connection.
    with serve(fixed(answer(SUCCESS))) as server:
        if twin.kind == "sync":
            with Client(TOKEN, base_url=server.base_url) as client:
                for _ in range(3):
                    client.rtm_connect()
        else:

            async def run() -> None:
                async with AsyncClient(TOKEN, base_url=server.base_url) as client:
                    for _ in range(3):
                        await client.rtm_connect()

            asyncio.run(run())
        connections = len(server._threads)
    assert (connections, len(server.requests)) == (1, 3)


def test_a_whole_call_ends_within_max_total_plus_one_timeout(twin: Twin) -> None:
    # Every answer is a 503 after 0.4 s; retries start while less than 1 s has passed.
    with serve(slow(answer(b"{}", status="503 Service Unavailable"), 0.4)) as server:
        policy = RetryPolicy(max_retries=50, max_total=1.0, backoff_base=0.05, backoff_max=0.05)
        error, seconds = outcome(twin, server.base_url, timeout=1.0, retry=policy)
    assert type(error) is SlackHttpError
    assert error.status == 503
    assert 2 <= len(server.requests) <= 3
    assert seconds < 1.0 + 1.0 + 0.5  # max_total + one timeout, and a margin for a busy machine


def test_a_slow_connect_and_a_slow_tls_handshake_share_one_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The sync client only: its connect has a timeout of its own, and CPython gives a TLS
    # handshake another one; the attempt's deadline must cover both (aiohttp's does already).
    # The connect takes 0.6 s here; the server then never answers the ClientHello.
    import urllib3.util.connection

    connect = urllib3.util.connection.create_connection

    def slow_connect(*args: Any, **kwargs: Any) -> socket.socket:
        time.sleep(0.6)
        return connect(*args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", slow_connect)
    with serve(fixed(b"")) as server:  # reads the "request" (the ClientHello) forever
        url = f"https://127.0.0.1:{server.port}/api/"
        error, seconds = outcome(Twin("sync"), url, timeout=1.0, retry=NO_RETRY)
    assert type(error) is SlackTimeoutError
    assert seconds < 1.4  # not 0.6 s + a whole timeout for the handshake
