"""The sans-I/O core on its own: request encoding and the retry policy (no sockets needed)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import warnings
import zlib
from pathlib import Path
from typing import Any

import pytest

from slackrtm import (
    ClientClosed,
    RetryPolicy,
    SlackApiError,
    SlackApiWarning,
    SlackConnectionError,
    SlackHttpError,
    SlackTimeoutError,
)
from slackrtm._generated import RTM_CONNECT, RtmConnectArgs
from slackrtm._wire import (
    BROKE_OFF,
    CLOSED,
    MIN_RATE_LIMIT_WAIT,
    NOT_HTTP,
    TIMED_OUT,
    Answer,
    Attempts,
    BodyReader,
    Config,
    Failure,
    build_request,
    causes,
    closed,
    failure,
    header_pairs,
    make_config,
    retry_after,
    scrub,
)


def config(**overrides: Any) -> Config:
    options: dict[str, Any] = {
        "token": "xoxb-secret",
        "base_url": "https://slack.example/api",
        "timeout": 5.0,
        "retry": None,
        "proxy": None,
        "user_agent": None,
        "logger": None,
        "transport": "test/1",
    }
    options.update(overrides)
    return make_config(**options)


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


def answer(status: int, **headers: str) -> Answer:
    return Answer(status=status, headers=headers, body=b"{}")


FAILURE = Failure(SlackConnectionError("refused"))


def test_backoff_is_full_jitter_doubling_up_to_the_cap() -> None:
    policy = RetryPolicy(max_retries=6, backoff_base=0.5, backoff_max=4.0, max_total=1000)
    attempts = Attempts(policy, clock=lambda: 0.0, rng=lambda: 1.0)
    waits = [attempts.next_wait(answer(503)) for _ in range(6)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert attempts.next_wait(answer(503)) is None  # retries spent
    low = Attempts(policy, clock=lambda: 0.0, rng=lambda: 0.25)
    assert low.next_wait(FAILURE) == 0.125


def test_attempts_count_the_retries_and_the_time_waited() -> None:
    attempts = Attempts(RetryPolicy(), clock=lambda: 0.0, rng=lambda: 1.0)
    waits = [attempts.next_wait(answer(429, **{"retry-after": "2"})), attempts.next_wait(FAILURE)]
    assert waits == [2.0, 1.0]
    assert (attempts.retries, attempts.waited) == (2, 3.0)


def test_retry_after_is_waited_and_defaults_to_one_second() -> None:
    attempts = Attempts(RetryPolicy(), clock=lambda: 0.0)
    assert attempts.next_wait(answer(429, **{"retry-after": "7"})) == 7.0
    assert attempts.next_wait(answer(429)) == 1.0
    assert attempts.next_wait(answer(429, **{"retry-after": "soon"})) == 1.0


def test_total_time_caps_retrying() -> None:
    now = [0.0]
    attempts = Attempts(RetryPolicy(max_total=10.0), clock=lambda: now[0], rng=lambda: 1.0)
    assert attempts.next_wait(answer(429, **{"retry-after": "6"})) == 6.0
    now[0] = 6.0
    assert attempts.next_wait(answer(429, **{"retry-after": "6"})) is None


@pytest.mark.parametrize(
    ("policy", "outcome"),
    [
        (RetryPolicy(rate_limited=False), answer(429)),
        (RetryPolicy(server_errors=False), answer(500)),
        (RetryPolicy(connection_errors=False), FAILURE),
        (RetryPolicy.off(), answer(503)),
        (RetryPolicy(), answer(200)),
        (RetryPolicy(), answer(404)),
    ],
)
def test_what_is_not_retried(policy: RetryPolicy, outcome: Answer | Failure) -> None:
    assert Attempts(policy).next_wait(outcome) is None


def test_policy_rejects_negative_values() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)


# ---------------------------------------------------------------------------- Retry-After


def test_retry_after_as_an_http_date() -> None:
    now = 1_700_000_000.0  # Tue, 14 Nov 2023 22:13:20 GMT
    attempts = Attempts(RetryPolicy(), clock=lambda: 0.0, wall=lambda: now)
    later = answer(429, **{"retry-after": "Tue, 14 Nov 2023 22:13:27 GMT"})
    assert attempts.next_wait(later) == pytest.approx(7.0)
    assert retry_after(later.headers, now=lambda: now) == pytest.approx(7.0)
    # A date in the past means now, which the floor turns into a short wait.
    past = answer(429, **{"retry-after": "Tue, 14 Nov 2023 22:00:00 GMT"})
    assert attempts.next_wait(past) == MIN_RATE_LIMIT_WAIT


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("0", MIN_RATE_LIMIT_WAIT),  # never back to back
        ("0.1", MIN_RATE_LIMIT_WAIT),
        ("-5", 1.0),  # negative: as if absent
        ("nan", 1.0),
        ("inf", 1.0),
        ("1e400", 1.0),
        ("soon", 1.0),
        ("Tue, 14 Nov 2023 22:13:27", 1.0),  # a date without its zone
        ("", 1.0),
    ],
)
def test_retry_after_floor_and_fallback(value: str, wait: float) -> None:
    attempts = Attempts(RetryPolicy(), clock=lambda: 0.0, wall=lambda: 0.0)
    assert attempts.next_wait(answer(429, **{"retry-after": value})) == wait


# ---------------------------------------------------------------------------- construction


@pytest.mark.parametrize(
    "timeout", [float("nan"), float("inf"), -1.0, 0, 1e300, 10**400, True, "5"]
)
def test_unusable_timeouts_are_refused(timeout: object) -> None:
    with pytest.raises(ValueError, match="timeout must be a number of seconds"):
        config(timeout=timeout)


@pytest.mark.parametrize(
    "options",
    [
        {"max_retries": 2.5},
        {"max_retries": True},
        {"max_retries": -1},
        {"max_total": float("nan")},
        {"backoff_base": float("inf")},
        {"backoff_max": 10**400},
    ],
)
def test_unusable_policies_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        RetryPolicy(**options)


@pytest.mark.parametrize(
    "token",
    ["xoxb-é", "xoxb-\u2028x", "xoxb-\x0bx", "xoxb-\x1bx", "xoxb-\x7fx", "xoxb x", "xoxb-\tx"],
)
def test_a_token_that_cannot_go_in_a_header_is_refused(token: str) -> None:
    with pytest.raises(ValueError, match="printable ASCII") as caught:
        config(token=token)
    assert token not in str(caught.value)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://slack.example/api?x=1",
        "https://slack.example/api/#frag",
        "https://slack.example/api/?",
        "ftp://slack.example/api/",
        "https://slack.example:99999/api/",
        "https://slack.example/a pi/",
    ],
)
def test_a_malformed_base_url_is_refused(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        config(base_url=base_url)


def test_http_only_on_loopback_unless_allowed() -> None:
    with pytest.raises(ValueError, match="clear text"):
        config(base_url="http://slack.example/api/")
    assert config(base_url="http://slack.example/api/", allow_insecure=True).allow_insecure
    for host in ("127.0.0.1", "127.9.9.9", "[::1]", "localhost"):
        assert config(base_url=f"http://{host}:8080/api/").base_url.startswith("http://")


@pytest.mark.parametrize(
    "proxy", ["http://[::1", "ftp://proxy.example", "http://proxy.example:port", "proxy:3128", ""]
)
def test_a_malformed_proxy_is_refused(proxy: str) -> None:
    with pytest.raises(ValueError, match="proxy"):
        config(proxy=proxy)


def test_loopback_is_never_proxied_even_with_an_explicit_proxy() -> None:
    assert (
        config(base_url="http://127.0.0.1:1/api/", proxy="http://proxy.example:3128").proxy is None
    )
    assert config(proxy="http://proxy.example:3128").proxy == "http://proxy.example:3128"


def test_credentials_in_urls_stay_out_of_reprs() -> None:
    resolved = config(
        base_url="https://user:pw-secret@slack.example/api/",
        proxy="http://puser:proxy-secret@proxy.example:3128",
    )
    text = repr(resolved)
    assert "pw-secret" not in text and "proxy-secret" not in text and "xoxb-secret" not in text
    assert "https://<redacted>@slack.example/api/" in text
    assert {"pw-secret", "proxy-secret", "xoxb-secret"} <= set(resolved.secrets)


def test_scrub_removes_every_secret_it_knows() -> None:
    text = (
        "Authorization: Bearer abc.def token=xoxp-1-2-3 url=wss://h/websocket/T "
        "escaped=ws:\\/\\/h\\/x pw=mine"
    )
    clean = scrub(text, ["mine"])
    for secret in ("abc.def", "xoxp-1-2-3", "wss://h", "ws:\\/\\/h", "mine"):
        assert secret not in clean


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is how Linux caps memory")
def test_running_out_of_memory_while_decoding_is_an_sdk_error() -> None:
    # In a child process: an address-space limit applies to the whole process.
    code = textwrap.dedent(
        """
        import resource
        from slackrtm._wire import _decode, _Undecodable
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
        cwd=Path(__file__).parents[1],
    )
    assert run.stdout.strip() == "JSON too large to decode in the memory available", run.stderr


# ---------------------------------------------------------------------------- headers


def test_headers_are_read_the_same_from_either_library() -> None:
    # urllib3 gives a mapping whose items() keep repeats; aiohttp gives raw bytes pairs.
    from urllib3 import HTTPHeaderDict

    mapping = HTTPHeaderDict()
    mapping.add("Retry-After", "3")
    mapping.add("retry-after", " 5 ")
    mapping.add("X-Note", "caf\xe9")
    raw = ((b"Retry-After", b"3"), (b"retry-after", b" 5 "), (b"X-Note", b"caf\xe9"))
    expected = (("retry-after", "3"), ("retry-after", "5"), ("x-note", "café"))
    assert header_pairs(mapping) == header_pairs(raw) == expected


def test_an_obsolete_line_fold_loses_its_line_break_only() -> None:
    # http.client keeps a folded value as it came; aiohttp drops the line break of each fold
    # and keeps the blanks. A line break not followed by a blank is no fold: it stays (and
    # the head is refused as not HTTP).
    raw = (("X-Folded", "one  \r\n \t two\r\n\tthree"), ("X-Plain", "a\r\nb"))
    assert header_pairs(raw) == (("x-folded", "one   \t two\tthree"), ("x-plain", "a\r\nb"))


@pytest.mark.parametrize(
    ("values", "seconds"),
    [(["3"], 3.0), (["3", "3"], 3.0), (["3", "5"], None), (["3, 5"], None), ([], None)],
)
def test_a_repeated_retry_after_counts_only_when_it_agrees(
    values: list[str], seconds: float | None
) -> None:
    # Two different values are ambiguous, like a key twice in JSON: as if absent.
    headers = [("Retry-After", value) for value in values]
    assert retry_after(headers) == seconds
    wait = Attempts(RetryPolicy(), clock=lambda: 0.0).next_wait(
        Answer(status=429, headers=headers, body=b"")
    )
    assert wait == (seconds if seconds is not None else 1.0)


# ---------------------------------------------------------------------------- bodies

REQUEST = build_request(RTM_CONNECT, RtmConnectArgs(), config())


def packed(data: bytes, wbits: int = 31) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return compressor.compress(data) + compressor.flush()


def read(
    body: bytes, *, headers: Any = (), max_body: int = 1000, piece: int = 7
) -> Answer | Failure:
    """Feed a body to a BodyReader a few bytes at a time, as a slow server would send it."""
    reader = BodyReader(REQUEST, 200, headers, config(max_body=max_body))
    for start in range(0, len(body), piece):
        if reader.feed(body[start : start + piece]):
            break
    return reader.outcome()


def decoded(outcome: Answer | Failure) -> tuple[bytes, str | None]:
    assert isinstance(outcome, Answer)
    return outcome.body, outcome.problem


TEXT = b'{"ok": true, "text": "' + b"abc" * 50 + b'"}'


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("", TEXT),
        ("identity", TEXT),
        ("gzip", packed(TEXT)),
        ("x-gzip", packed(TEXT)),
        ("GZIP", packed(TEXT)),
        ("deflate", packed(TEXT, 15)),  # zlib-wrapped, as the standard says
        ("deflate", packed(TEXT, -15)),  # raw, as some servers send it
        ("gzip", packed(TEXT[:50]) + packed(TEXT[50:])),  # two gzip members
        ("gzip", packed(TEXT) + b"junk after the end"),
        ("deflate", packed(TEXT, 15) + b"junk after the end"),
        ("gzip, deflate", packed(packed(TEXT), 15)),  # gzip applied first, undone last
        ("gzip, identity, gzip", packed(packed(TEXT))),
    ],
)
def test_a_body_is_decoded_as_it_comes(coding: str, body: bytes) -> None:
    headers = [("Content-Encoding", coding)] if coding else []
    assert decoded(read(body, headers=headers)) == (TEXT, None)
    assert decoded(read(body, headers=headers, piece=len(body))) == (TEXT, None)
    if coding:  # one header per coding: the same as a list in one header
        split = [("Content-Encoding", part) for part in coding.split(",")]
        assert decoded(read(body, headers=split)) == (TEXT, None)


@pytest.mark.parametrize(
    ("coding", "body", "problem"),
    [
        ("br", b"\x0b\x02\x80{}\x03", "in a Content-Encoding this client cannot read: 'br'"),
        ("gzip, br", b"x", "in a Content-Encoding this client cannot read: 'br'"),
        ("gzip, " * 5 + "gzip", b"x", "in more than 5 stacked Content-Encodings"),
        ("gzip", b"not gzip at all", "gzip data that cannot be decoded"),
        ("deflate", b"not deflate at all", "deflate data that cannot be decoded"),
        ("gzip", packed(TEXT)[:-4], "gzip data that ends early"),
        ("gzip, gzip", packed(packed(TEXT)[:-4]), "gzip data that ends early"),
    ],
)
def test_a_body_that_cannot_be_decoded_says_why(coding: str, body: bytes, problem: str) -> None:
    assert decoded(read(body, headers=[("Content-Encoding", coding)]))[1] == problem


def test_five_stacked_codings_are_read() -> None:
    body = TEXT
    for _ in range(5):
        body = packed(body)
    assert decoded(read(body, headers=[("Content-Encoding", "gzip," * 5)])) == (TEXT, None)


def test_an_unreadable_coding_is_not_read_at_all() -> None:
    reader = BodyReader(REQUEST, 200, [("Content-Encoding", "br")], config())
    assert reader.done
    assert reader.feed(b"data") is True


@pytest.mark.parametrize("coding", ["", "gzip", "deflate"])
def test_the_cap_counts_decoded_bytes_and_is_inclusive(coding: str) -> None:
    headers = [("Content-Encoding", coding)] if coding else []

    def body(size: int) -> bytes:
        data = b" " * size
        return packed(data, {"gzip": 31, "deflate": 15}[coding]) if coding else data

    assert decoded(read(body(1000), headers=headers)) == (b" " * 1000, None)
    over = decoded(read(body(1001), headers=headers))
    assert over == (b" " * 1000, "over the max_body limit of 1000 bytes")


def test_a_compression_bomb_is_stopped_after_a_few_pieces() -> None:
    bomb = packed(packed(b"\0" * 100_000_000))
    reader = BodyReader(REQUEST, 200, [("Content-Encoding", "gzip, gzip")], config(max_body=1000))
    assert reader.feed(bomb) is True
    assert decoded(reader.outcome()) == (b"\0" * 1000, "over the max_body limit of 1000 bytes")


def test_an_endless_stream_of_empty_blocks_is_capped_on_its_raw_bytes() -> None:
    # Deflate blocks that hold nothing: the decoded size never grows, the raw bytes count.
    gzip_head = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    empty_block = b"\x00\x00\x00\xff\xff"  # stored, not final, length 0
    reader = BodyReader(REQUEST, 200, [("Content-Encoding", "gzip")], config(max_body=1000))
    assert reader.feed(gzip_head + empty_block) is False
    fed = 1
    while not reader.feed(empty_block * 10):
        fed += 1
        assert fed < 100
    assert decoded(reader.outcome()) == (b"", "over the max_body limit of 1000 bytes")


@pytest.mark.parametrize(
    "headers",
    [
        [("Content-Length", "abc")],
        [("Content-Length", "2"), ("Content-Length", "3")],
        [("Content-Length", "2, 3")],
        [("Content-Length", "-1")],
        [("Content-Length", "\u0662")],  # a digit, but not an ASCII one
        [("Content-Length", "2"), ("Transfer-Encoding", "chunked")],
        [("X-Note", "a\x00b")],
        [("X-Note", "a\x7fb")],
    ],
)
def test_a_head_that_breaks_http_framing_is_a_failure(headers: list[tuple[str, str]]) -> None:
    reader = BodyReader(REQUEST, 200, headers, config())
    assert reader.done
    result = reader.outcome()
    assert isinstance(result, Failure)
    assert str(result.error) == "rtm.connect: the answer from slack.example:443 is not valid HTTP"


@pytest.mark.parametrize(
    "headers",
    [
        [("Content-Length", "2")],
        [("Content-Length", "2"), ("Content-Length", "2")],
        [("Content-Length", "2, 2")],
        [("X-Note", "tab\tinside")],
    ],
)
def test_a_head_within_the_rules_is_read(headers: list[tuple[str, str]]) -> None:
    assert decoded(read(b"{}", headers=headers)) == (b"{}", None)


# ---------------------------------------------------------------------------- failures


def chained(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("kind", "exc", "text"),
    [
        (TIMED_OUT, None, "no complete answer within 5 s from slack.example:443"),
        (NOT_HTTP, None, "the answer from slack.example:443 is not valid HTTP"),
        (BROKE_OFF, None, "the answer from slack.example:443 broke off before its end"),
        (CLOSED, None, "no answer from slack.example:443: the connection closed"),
        (None, chained(OSError("lib"), ConnectionRefusedError()), "connection refused"),
        (None, OSError("lib", ConnectionResetError()), "connection reset"),
        (None, chained(OSError("lib"), BrokenPipeError()), "connection reset"),
        (None, chained(OSError("lib"), socket.gaierror(-2, "x")), "host name not resolved"),
        (None, chained(OSError("x"), ssl.SSLError(1, "x")), "x"),
        (None, RuntimeError("Bearer xoxb-secret broke"), "Bearer <redacted> broke"),
        (None, RuntimeError(), "RuntimeError"),
    ],
)
def test_a_failure_is_worded_by_the_core(
    kind: str | None, exc: BaseException | None, text: str
) -> None:
    error = failure(REQUEST, config(), exc, kind=kind).error
    assert type(error) is (SlackTimeoutError if kind == TIMED_OUT else SlackConnectionError)
    assert str(error).startswith("rtm.connect: ")
    assert str(error).endswith(text)


def test_a_tls_failure_names_what_the_standard_library_says() -> None:
    bad = ssl.SSLCertVerificationError(1, "certificate verify failed")
    bad.verify_code, bad.verify_message = 20, "unable to get local issuer certificate"
    text = str(failure(REQUEST, config(), chained(OSError("lib"), bad)).error)
    assert text.endswith(": TLS certificate not trusted (unable to get local issuer certificate)")
    other = ssl.SSLError(1, "x")
    other.reason = "WRONG_VERSION_NUMBER"
    text = str(failure(REQUEST, config(), chained(OSError("lib"), other)).error)
    assert text.endswith(": TLS failed (WRONG_VERSION_NUMBER)")


def test_a_failure_through_a_proxy_says_so() -> None:
    proxied = config(proxy="http://proxy.example:3128")
    text = str(failure(REQUEST, proxied, kind=CLOSED).error)
    assert (
        text
        == "rtm.connect: no answer from slack.example:443 through the proxy: the connection closed"
    )


def test_causes_walk_every_held_exception_once() -> None:
    inner = ValueError("inner")
    middle = OSError("middle", inner)
    outer = chained(RuntimeError("outer"), middle)
    outer.__context__ = inner
    assert list(causes(outer)) == [outer, middle, inner]
    loop = RuntimeError("loop")
    loop.__context__ = loop
    assert list(causes(loop)) == [loop]


@pytest.mark.parametrize(
    ("when", "text"),
    [
        ("before", "the client is closed"),
        ("during", "the client was closed during the call"),
        ("waiting", "the client was closed while the call waited to retry"),
    ],
)
def test_a_closed_client_says_when(when: str, text: str) -> None:
    error = closed("rtm.connect", when)
    assert isinstance(error, ClientClosed)
    assert str(error) == f"rtm.connect: {text}"


# ---------------------------------------------------------------------------- secrets


@pytest.mark.parametrize(
    "written",
    [
        "wss://h.example/websocket/TICKET",
        "ws://h.example/websocket/TICKET",
        "WSS://h.example/websocket/TICKET",
        "wss:\\/\\/h.example\\/websocket\\/TICKET",
        "wss:\\u002f\\u002fh.example\\u002fwebsocket\\u002fTICKET",
        "wss:\\u002F\\u002Fh.example/websocket/TICKET",
        "\\u0077ss://h.example/websocket/TICKET",
        "\\u0077\\u0073\\u0073\\u003a//h.example/websocket/TICKET",
        "wss%3A%2F%2Fh.example%2Fwebsocket%2FTICKET",
        "wss&#x3a;&#x2f;&#x2f;h.example/websocket/TICKET",
        "wss&#58;&#47;&#47;h.example/websocket/TICKET",
    ],
)
def test_a_socket_url_is_scrubbed_however_it_is_written(written: str) -> None:
    clean = scrub(f'{{"url":"{written}","next":1}}')
    assert "TICKET" not in clean
    assert clean == '{"url":"<socket url redacted>","next":1}'


@pytest.mark.parametrize(
    ("secret", "written"),
    [
        ("xoxb-secret", "xoxb-secret"),
        ("xoxb-secret", "xoxb\\u002dsecret"),
        ("xoxb-secret", "\\u0078oxb-secret"),
        ("xoxb-secret", "xoxb%2Dsecret"),
        ("xoxb-secret", "xoxb&#45;secret"),
        ("xoxb-secret", "XOXB-SECRET"),
        # A secret of no known shape (a proxy password) is scrubbed the same ways.
        ("hunter2", "hunter2"),
        ("hunter2", "hunter\\u0032"),
        ("hunter2", "%68unter2"),
    ],
)
def test_a_known_secret_is_scrubbed_however_it_is_written(secret: str, written: str) -> None:
    assert scrub(f"token={written};", [secret]) == "token=<redacted>;"


def api_error(body: bytes, status: int = 200) -> BaseException:
    from slackrtm._wire import finish

    try:
        finish(RTM_CONNECT, Answer(status=status, headers={}, body=body), config())
    except Exception as exc:
        return exc
    raise AssertionError("no error")


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


def test_scrubbing_a_body_nested_deeper_than_the_stack_does_not_overflow() -> None:
    from slackrtm._wire import _scrub_json

    deep: Any = "xoxb-secret"
    for level in range(sys.getrecursionlimit() * 3):
        deep = [deep] if level % 2 else {"k": deep}
    clean = _scrub_json(deep, ["xoxb-secret"])
    for level in reversed(range(sys.getrecursionlimit() * 3)):
        clean = clean[0] if level % 2 else clean["k"]
    assert clean == "<redacted>"


# ---------------------------------------------------------------------------- edges


@pytest.mark.parametrize(
    ("status", "retried"), [(499, False), (500, True), (503, True), (599, True), (600, False)]
)
def test_server_errors_are_exactly_the_5xx(status: int, retried: bool) -> None:
    attempts = Attempts(RetryPolicy(), clock=lambda: 0.0, rng=lambda: 1.0)
    assert (attempts.next_wait(answer(status)) is not None) is retried


SUCCESS_BODY = (
    b'{"ok": true, "self": {"id": "U1", "name": "bot"},'
    b' "team": {"id": "T1", "name": "Team", "domain": "team"}, "url": "wss://h/ws"'
)


def finished(body: bytes, status: int = 200) -> Any:
    from slackrtm._wire import finish

    return finish(RTM_CONNECT, Answer(status=status, headers={}, body=body), config())


@pytest.mark.parametrize(
    ("length", "excerpt"), [(199, "x" * 199), (200, "x" * 200), (201, "x" * 200 + "…")]
)
def test_an_excerpt_is_cut_only_past_its_length(length: int, excerpt: str) -> None:
    error = api_error(b"x" * length, status=502)
    assert isinstance(error, SlackHttpError)
    assert error.excerpt == excerpt


@pytest.mark.parametrize("retry", [RetryPolicy, 3, "off", {"max_retries": 0}])
def test_a_retry_that_is_not_a_policy_is_refused(retry: object) -> None:
    with pytest.raises(TypeError, match="retry must be a RetryPolicy"):
        config(retry=retry)


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


@pytest.mark.parametrize(
    ("options", "error", "says"),
    [
        ({"token": 5}, TypeError, "token must be a string, got int"),
        ({"token": b"xoxb-1"}, TypeError, "token must be a string, got bytes"),
        ({"base_url": 5}, TypeError, "base_url must be a string, got int"),
        ({"proxy": b"http://p:1"}, TypeError, "proxy must be a string, got bytes"),
        ({"allow_insecure": "yes"}, TypeError, "allow_insecure must be a bool"),
        ({"allow_insecure": 1}, TypeError, "allow_insecure must be a bool"),
        ({"max_body": 0}, ValueError, "max_body must be a positive int"),
        ({"max_body": -1}, ValueError, "max_body must be a positive int"),
        ({"max_body": 1.5}, ValueError, "max_body must be a positive int"),
        ({"max_body": True}, ValueError, "max_body must be a positive int"),
    ],
)
def test_options_of_the_wrong_type_or_range_are_refused(
    options: dict[str, Any], error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=says):
        config(**options)


def test_the_smallest_body_cap_is_one_byte() -> None:
    assert config(max_body=1).max_body == 1


def test_a_failure_without_a_cause_says_so() -> None:
    assert str(failure(REQUEST, config()).error).endswith(": no reason given")


def test_a_warning_raised_with_no_caller_outside_slackrtm_still_has_a_place() -> None:
    # A thread started bare (no `threading` frames) whose only frame belongs to slackrtm: the
    # warning has no user line to point at, and must not crash looking for one.
    import _thread

    from slackrtm._wire import _caller

    found: list[object] = []
    done = threading.Event()
    namespace: dict[str, Any] = {"__name__": "slackrtm._probe", "_caller": _caller}
    source = (
        "def probe(found, done):\n"
        "    try:\n"
        "        found.append(_caller(1))\n"
        "    except BaseException as exc:\n"
        "        found.append(exc)\n"
        "    done.set()\n"
    )
    exec(source, namespace)  # a function whose globals say it is part of slackrtm
    _thread.start_new_thread(namespace["probe"], (found, done))
    assert done.wait(10)
    assert found == [("sys", 1, {}, "sys")]


def test_an_error_keeps_every_header_once_with_repeats_joined() -> None:
    from slackrtm._wire import finish

    headers = [("Set-Cookie", "a=1"), ("X-Echo", "Bearer xoxb-secret"), ("set-cookie", "b=2")]
    with pytest.raises(SlackHttpError) as caught:
        finish(RTM_CONNECT, Answer(status=500, headers=headers, body=b"{}"), config())
    assert caught.value.response.headers == {
        "set-cookie": "a=1, b=2",
        "x-echo": "Bearer <redacted>",
    }


# ---------------------------------------------------------------------------- the warning's line


def warn_in(coro_factory: Any) -> list[warnings.WarningMessage]:
    """Run a coroutine that finishes an answer with a warning; the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(coro_factory())
    return [w for w in caught if issubclass(w.category, SlackApiWarning)]


WARNED = SUCCESS_BODY + b', "warning": "superfluous_charset"}'


def slackrtm_call() -> Any:
    """A coroutine function that is slackrtm's own, as `AsyncClient.rtm_connect` is: run as a
    task, no frame of the caller's is on its stack, and the warning must look further."""
    from slackrtm._wire import finish

    namespace: dict[str, Any] = {
        "__name__": "slackrtm._probe",
        "finish": finish,
        "args": (RTM_CONNECT, Answer(status=200, headers={}, body=WARNED), config()),
    }
    exec("async def call():\n    return finish(*args)\n", namespace)
    return namespace["call"]


def test_a_task_nobody_awaits_still_warns() -> None:
    call = slackrtm_call()

    async def main() -> None:
        task = asyncio.create_task(call())
        while not task.done():
            await asyncio.sleep(0)
        task.result()

    assert len(warn_in(main)) == 1


def test_a_call_under_wait_for_at_the_top_still_warns() -> None:
    # asyncio.run(wait_for(...)): the task that awaits the call runs only asyncio's own code.
    call = slackrtm_call()
    assert len(warn_in(lambda: asyncio.wait_for(call(), 10))) == 1


def test_without_asyncio_loaded_there_is_no_task_to_look_at(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from slackrtm._wire import _awaiting_frame

    monkeypatch.delitem(sys.modules, "asyncio")
    assert _awaiting_frame() is None


def test_futures_that_wait_for_each_other_end_the_search() -> None:
    import functools

    from slackrtm._wire import _awaiting_task

    async def main() -> Any:
        loop = asyncio.get_running_loop()
        first, second = loop.create_future(), loop.create_future()
        first.add_done_callback(functools.partial(print, second))
        second.add_done_callback(functools.partial(print, first))
        return _awaiting_task(asyncio, first, depth=4)

    assert asyncio.run(main()) is None
