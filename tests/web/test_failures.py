"""No usable answer: the failure's words, the same for both transports."""

from __future__ import annotations

import socket
import ssl

import pytest

from slackrtm import ClientClosed, SlackConnectionError, SlackTimeoutError
from slackrtm._web.failures import (
    BROKE_OFF,
    CLOSED,
    NOT_HTTP,
    TIMED_OUT,
    causes,
    closed,
    failure,
    untrusted_certificate,
)

from .web_suite import REQUEST, config


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


def test_a_failure_without_a_cause_says_so() -> None:
    assert str(failure(REQUEST, config()).error).endswith(": no reason given")


def test_the_tls_wording_is_written_once_for_every_caller() -> None:
    # The RTM session's socket failures can word a certificate the same way.
    bad = ssl.SSLCertVerificationError(1, "certificate verify failed")
    bad.verify_message = "self-signed certificate"
    assert untrusted_certificate(bad) == "TLS certificate not trusted (self-signed certificate)"
    bare = ssl.SSLCertVerificationError("as aiohttp copies it, without its fields")
    assert untrusted_certificate(bare) == "TLS certificate not trusted (verify failed)"
