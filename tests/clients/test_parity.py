"""The twins side by side: both clients against the same hostile server, the whole outcome equal.

Each row is one server. `Client` calls it, then `AsyncClient` calls the same server with the
same options, and the test compares everything that came out: the exception's class, its
text, every attribute (`excerpt`, `status`, `retry_after`, `extra`, the whole `response` with
its headers and body), or the model itself; and how many requests each one made. Comparing
classes, or expecting fixed substrings, would let two different outcomes pass.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import zlib
from typing import Any

import pytest

from slackrtm import (
    AsyncClient,
    Client,
    ClientClosed,
    RateLimited,
    RetryPolicy,
    RtmConnectResponse,
    SlackConnectionError,
    SlackHttpError,
    SlackTimeoutError,
)
from slackrtm.errors import InvalidAuth

from .hostile import (
    SUCCESS,
    TOKEN,
    Handler,
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
MODEL = "model"
NOT_HTTP = (SlackConnectionError, "the answer from 127.0.0.1:{port} is not valid HTTP")
BROKE_OFF = (SlackConnectionError, "the answer from 127.0.0.1:{port} broke off before its end")
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


def packed(data: bytes, wbits: int = 31) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return compressor.compress(data) + compressor.flush()


def closing(data: bytes) -> Handler:
    """Sends the bytes, then closes the connection."""
    return fixed(data, close=True)


def head_then_hold(data: bytes) -> Handler:
    """Sends the bytes and keeps the connection open (until the server stops)."""

    def handle(conn: socket.socket, _request: bytes, stop: threading.Event) -> None:
        conn.sendall(data)
        stop.wait(10)

    return handle


ECHO = (
    b'{"ok":false,"error":"invalid_auth","echo":"Authorization: Bearer ' + TOKEN.encode() + b'",'
    b'"nested":{"list":["' + TOKEN.encode() + b'",{"' + TOKEN.encode() + b'":1}]}}'
)
ESCAPED_URL = b'{"ok":true,"url":"wss:\\u002f\\u002f127.0.0.1\\u002fwebsocket\\u002fsecret-ticket",'

ROWS: dict[str, tuple[Handler, dict[str, Any], Any]] = {
    "success": (fixed(answer(SUCCESS)), {}, MODEL),
    "gzip": (fixed(answer(packed(SUCCESS), headers={"Content-Encoding": "gzip"})), {}, MODEL),
    "raw-deflate": (
        fixed(answer(packed(SUCCESS, -15), headers={"Content-Encoding": "deflate"})),
        {},
        MODEL,
    ),
    "gzip-gzip": (
        fixed(answer(packed(packed(SUCCESS)), headers={"Content-Encoding": "gzip, gzip"})),
        {},
        MODEL,
    ),
    "gzip-bomb": (
        bomb(200_000_000, "gzip"),
        {"max_body": 1_000_000},
        (SlackHttpError, "the answer is over the max_body limit of 1000000 bytes (HTTP 200)"),
    ),
    "gzip-gzip-bomb": (
        fixed(
            answer(packed(packed(b" " * 200_000_000)), headers={"Content-Encoding": "gzip, gzip"})
        ),
        {"max_body": 1_000_000},
        (SlackHttpError, "the answer is over the max_body limit of 1000000 bytes (HTTP 200)"),
    ),
    "endless-body": (
        endless_chunked,
        {"max_body": 1_000_000, "timeout": 10.0},
        (SlackHttpError, "the answer is over the max_body limit of 1000000 bytes (HTTP 200)"),
    ),
    "br": (
        fixed(answer(b"\x0b\x02\x80{}\x03", headers={"Content-Encoding": "br"})),
        {},
        (
            SlackHttpError,
            "the answer is in a Content-Encoding this client cannot read: 'br' (HTTP 200)",
        ),
    ),
    "bad-gzip": (
        fixed(answer(b"not gzip", headers={"Content-Encoding": "gzip"})),
        {},
        (SlackHttpError, "the answer is gzip data that cannot be decoded (HTTP 200)"),
    ),
    "gzip-cut-short": (
        fixed(answer(packed(SUCCESS)[:-6], headers={"Content-Encoding": "gzip"})),
        {},
        (SlackHttpError, "the answer is gzip data that ends early (HTTP 200): "),
    ),
    "content-length-abc": (head_then_hold(HEAD + b"Content-Length: abc\r\n\r\n{}"), {}, NOT_HTTP),
    "content-length-twice": (
        closing(HEAD + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{} "),
        {},
        NOT_HTTP,
    ),
    "nul-in-a-header": (
        closing(HEAD + b"X-A: a\x00b\r\nContent-Length: 2\r\n\r\n{}"),
        {},
        NOT_HTTP,
    ),
    "truncated-body": (closing(HEAD + b"Content-Length: 500\r\n\r\n" + SUCCESS), {}, BROKE_OFF),
    "truncated-chunks": (
        closing(HEAD + b'Transfer-Encoding: chunked\r\n\r\n5\r\n{"ok"'),
        {},
        BROKE_OFF,
    ),
    "bad-chunk-size": (
        closing(HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
        {},
        NOT_HTTP,
    ),
    "not-http": (closing(b"HELLO WORLD\r\n\r\n"), {}, NOT_HTTP),
    "head-cut-off": (closing(b"HTTP/1.1 200 OK\r\nContent-Le"), {}, NOT_HTTP),
    "space-in-a-header-name": (
        closing(HEAD + b"X A: b\r\nContent-Length: 2\r\n\r\n{}"),
        {},
        NOT_HTTP,
    ),
    "chunked-and-content-length": (
        closing(
            HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        ),
        {},
        NOT_HTTP,
    ),
    "http-1.0-read-to-the-end": (closing(b"HTTP/1.0 200 OK\r\n\r\n" + SUCCESS), {}, MODEL),
    "folded-header": (
        fixed(answer(SUCCESS, headers={"X-Folded": "one\r\n two"})),
        {},
        MODEL,
    ),
    "status-99": (closing(b"HTTP/1.1 99 Odd\r\nContent-Length: 2\r\n\r\n{}"), {}, NOT_HTTP),
    "no-answer": (
        closing(b""),
        {},
        (SlackConnectionError, "no answer from 127.0.0.1:{port}: the connection closed"),
    ),
    "slow-drip": (
        drip(answer(SUCCESS), every=0.05),
        {"timeout": 1.0},
        (SlackTimeoutError, "no complete answer within 1 s from 127.0.0.1:{port}"),
    ),
    "two-retry-after": (
        fixed(
            b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nRetry-After: 5\r\n"
            b"Content-Length: 2\r\n\r\n{}"
        ),
        {},
        (RateLimited, "rate limited (HTTP 429): '{{}}'"),
    ),
    "two-retry-after-retried": (
        fixed(
            b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nRetry-After: 5\r\n"
            b"Content-Length: 2\r\n\r\n{}"
        ),
        {"retry": RetryPolicy(max_retries=1)},
        (RateLimited, "rate limited (HTTP 429): '{{}}'"),
    ),
    "retry-after-date": (
        fixed(
            answer(
                b'{"ok":false,"error":"ratelimited"}',
                status="429 Too Many Requests",
                headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
            )
        ),
        {},
        (RateLimited, "rate limited; retry after 0 s (HTTP 429): "),
    ),
    "html-502": (
        fixed(
            answer(
                b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                status="502 Bad Gateway",
                headers={"Content-Type": "text/html"},
            )
        ),
        {},
        (SlackHttpError, "the answer is not JSON (HTTP 502): '<html>"),
    ),
    "html-502-retried": (
        fixed(answer(b"<html>502</html>", status="502 Bad Gateway")),
        {"retry": RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.01)},
        (SlackHttpError, "the answer is not JSON (HTTP 502): '<html>"),
    ),
    "status-600": (
        fixed(answer(b"{}", status="600 Odd")),
        {},
        (SlackHttpError, "unexpected HTTP status (HTTP 600): '{{}}'"),
    ),
    "repeated-headers": (
        fixed(
            b"HTTP/1.1 500 Oops\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Note: caf\xe9\r\n"
            b"Content-Length: 2\r\n\r\n{}"
        ),
        {},
        (SlackHttpError, "unexpected HTTP status (HTTP 500): '{{}}'"),
    ),
    "folded-header-kept-on-an-error": (
        # The response's headers are compared too: the fold reads as one space in both.
        fixed(
            b"HTTP/1.1 500 Oops\r\nX-Folded: one  \r\n \t two\r\nX-After: 1\r\n"
            b"Content-Length: 2\r\n\r\n{}"
        ),
        {},
        (SlackHttpError, "unexpected HTTP status (HTTP 500): '{{}}'"),
    ),
    "continue-then-answer": (fixed(b"HTTP/1.1 100 Continue\r\n\r\n" + answer(SUCCESS)), {}, MODEL),
    "api-error-echoing-the-token": (fixed(answer(ECHO)), {}, (InvalidAuth, "invalid_auth: ")),
    "escaped-socket-url": (
        fixed(answer(ESCAPED_URL)),
        {},
        (
            SlackHttpError,
            'the answer is not JSON (HTTP 200): \'{{"ok":true,"url":"<socket url redacted>",\'',
        ),
    ),
}


def observe(result: object) -> dict[str, Any]:
    """Everything a caller can see of an outcome, as plain comparable values."""
    if not isinstance(result, BaseException):
        return {"model": result}
    seen: dict[str, Any] = {"class": type(result), "text": str(result), "args": result.args}
    seen.update(vars(result))
    return seen


def both(handler: Handler, **options: Any) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The outcome of each client against one server, with the requests each one made."""
    options.setdefault("retry", NO_RETRY)
    found = []
    with serve(handler) as server:
        for kind in ("sync", "async"):
            before = len(server.requests)
            result, _ = outcome(Twin(kind), server.base_url, **options)
            found.append({**observe(result), "requests": len(server.requests) - before})
    return found[0], found[1], server.port


@pytest.mark.parametrize("row", list(ROWS))
def test_both_clients_give_the_same_outcome(row: str) -> None:
    handler, options, expected = ROWS[row]
    sync, aio, port = both(handler, **options)
    assert sync == aio
    # And it is the honest outcome, so that two equal wrong outcomes fail too.
    if expected == MODEL:
        assert isinstance(sync["model"], RtmConnectResponse)
        assert sync["model"].url == "wss://127.0.0.1:1/websocket/secret-ticket"
    else:
        cls, text = expected
        assert sync["class"] is cls
        assert sync["text"].startswith("rtm.connect: " + text.format(port=port))
        # No secret on an error, in any attribute (the body and `extra` included).
        seen = repr(sync) + repr(sync.get("response") and sync["response"].body)
        assert TOKEN not in seen
        assert "secret-ticket" not in seen
    retried = options.get("retry", NO_RETRY).max_retries
    assert sync["requests"] == 1 + retried


def test_nothing_listening_gives_the_same_outcome() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    found = [
        observe(outcome(Twin(kind), f"http://127.0.0.1:{port}/api/", retry=NO_RETRY)[0])
        for kind in ("sync", "async")
    ]
    assert found[0] == found[1]
    assert found[0]["text"] == f"rtm.connect: no answer from 127.0.0.1:{port}: connection refused"


# ---------------------------------------------------------------------------- close()


def closed_during(kind: str, handler: Handler, after: float, **options: Any) -> dict[str, Any]:
    """What a call gives when its client is closed `after` seconds in, and how long it took."""
    with serve(handler) as server:
        started = time.monotonic()
        if kind == "sync":
            client = Client(TOKEN, base_url=server.base_url, **options)
            timer = threading.Timer(after, client.close)
            timer.start()
            try:
                result: object = client.rtm_connect()
            except Exception as exc:  # the test judges what came out
                result = exc
            timer.join()
        else:

            async def run() -> object:
                client = AsyncClient(TOKEN, base_url=server.base_url, **options)
                loop = asyncio.get_running_loop()
                loop.call_later(after, lambda: asyncio.ensure_future(client.close()))
                try:
                    return await client.rtm_connect()
                except Exception as exc:  # the test judges what came out
                    return exc
                finally:
                    await asyncio.sleep(after)  # the close has run
                    await client.close()

            result = asyncio.run(run())
        seconds = time.monotonic() - started
        return {**observe(result), "requests": len(server.requests), "fast": seconds < after + 1}


@pytest.mark.parametrize(
    ("handler", "options", "text"),
    [
        pytest.param(
            slow(answer(SUCCESS), 3.0), {}, "the client was closed during the call", id="in-flight"
        ),
        pytest.param(
            drip(answer(SUCCESS), every=0.1),
            {},
            "the client was closed during the call",
            id="in-flight-body",
        ),
        pytest.param(
            fixed(answer(b"{}", status="429 Too Many", headers={"Retry-After": "3"})),
            {"retry": RetryPolicy(max_retries=5)},
            "the client was closed while the call waited to retry",
            id="waiting-to-retry",
        ),
    ],
)
def test_close_during_a_call_does_the_same_in_both(
    handler: Handler, options: dict[str, Any], text: str
) -> None:
    # The in-flight attempt is abandoned at once, in both: the call raises ClientClosed and
    # returns no answer that came after close().
    sync = closed_during("sync", handler, 0.3, **options)
    aio = closed_during("async", handler, 0.3, **options)
    assert sync == aio
    assert sync["class"] is ClientClosed
    assert sync["text"] == f"rtm.connect: {text}"
    assert sync["requests"] == 1
    assert sync["fast"]
