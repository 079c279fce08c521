"""No usable answer: the failure's words, the same for both transports."""

from __future__ import annotations

import socket
import ssl

import pytest

from slackrtm import ClientClosed, SlackConnectionError, SlackTimeoutError
from slackrtm._generated import RTM_CONNECT, RtmConnectArgs
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
from slackrtm._web.request import build_request

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


@pytest.mark.parametrize(
    ("base_url", "where"),
    [
        ("http://127.0.0.1/api/", "127.0.0.1:80"),
        ("https://slack.example/api/", "slack.example:443"),
        ("http://127.0.0.1:8080/api/", "127.0.0.1:8080"),
        ("https://[::1]:8443/api/", "[::1]:8443"),
        ("http://[::1]/api/", "[::1]:80"),
    ],
)
def test_a_failure_names_the_host_and_port_it_tried(base_url: str, where: str) -> None:
    settings = config(base_url=base_url, timeout=2.5)
    request = build_request(RTM_CONNECT, RtmConnectArgs(), settings)
    error = failure(request, settings, kind=TIMED_OUT).error
    assert str(error) == f"rtm.connect: no complete answer within 2.5 s from {where}"


def test_a_certificate_error_wins_over_other_tls_words_and_needs_its_message() -> None:
    # A verification error without its message (aiohttp's copy) falls to its reason.
    bare = ssl.SSLCertVerificationError(1, "certificate verify failed")
    bare.reason = "CERTIFICATE_VERIFY_FAILED"
    text = str(failure(REQUEST, config(), chained(OSError("lib"), bare)).error)
    assert text.endswith(": TLS failed (CERTIFICATE_VERIFY_FAILED)")
    other = ssl.SSLError(1, "x")
    other.reason = "WRONG_VERSION_NUMBER"
    full = ssl.SSLCertVerificationError(1, "certificate verify failed")
    full.verify_message = "certificate has expired"
    outer = RuntimeError("lib", other, full)
    text = str(failure(REQUEST, config(), outer).error)
    assert text.endswith(": TLS certificate not trusted (certificate has expired)")


@pytest.mark.parametrize(
    ("held", "text"),
    [
        ((ConnectionAbortedError(), socket.gaierror(-2, "x")), "host name not resolved"),
        ((ConnectionAbortedError(), ConnectionRefusedError()), "connection refused"),
        ((ConnectionAbortedError(),), "connection reset"),
        ((ssl.SSLError(1, "x"), ConnectionResetError()), "connection reset"),
    ],
)
def test_the_first_reason_in_order_is_the_one_given(
    held: tuple[BaseException, ...], text: str
) -> None:
    error = failure(REQUEST, config(), RuntimeError("lib", *held)).error
    assert str(error) == f"rtm.connect: no answer from slack.example:443: {text}"


def test_causes_stop_after_32_exceptions() -> None:
    # A pathological chain (a library wrapping in a loop) is not walked without end.
    deepest: BaseException = ValueError("0")
    for depth in range(1, 40):
        deepest = chained(ValueError(str(depth)), deepest)
    walked = list(causes(deepest))
    assert len(walked) == 32
    assert [str(item) for item in walked[:2]] == ["39", "38"]


def test_a_failure_shows_its_error() -> None:
    shown = repr(failure(REQUEST, config(), kind=CLOSED))
    assert shown == (
        "Failure(SlackConnectionError('rtm.connect: no answer from slack.example:443: "
        "the connection closed'))"
    )
