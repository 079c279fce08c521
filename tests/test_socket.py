"""`slackrtm._socket` on its own: a failed socket open in one set of words, and the openers.

The openers are what the clients hand their socket sessions. No socket is opened here.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any

import pytest

from slackrtm import AsyncClient, Client
from slackrtm._exceptions import SlackConnectionError
from slackrtm._socket import AsyncSocketOpener, SyncSocketOpener, connect_error

# -- socket failures in one set of words -------------------------------------------------------


def caused(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


class Wrapper(Exception):
    """A library's own wrapper class, as websockets and aiohttp have."""


class Status(Exception):
    def __init__(self, status: Any) -> None:
        super().__init__("rejected")
        self.status = status


class Response(Exception):
    def __init__(self, status_code: Any) -> None:
        super().__init__("rejected")
        self.response = type("R", (), {"status_code": status_code})()


def cert_error(message: str | None) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = message  # type: ignore[assignment]  # the ssl module sets it
    return error


def tls_error(reason: str | None) -> ssl.SSLError:
    error = ssl.SSLError(1, "tls")
    error.reason = reason  # type: ignore[assignment]
    return error


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (Wrapper("x"), "Wrapper"),
        (
            caused(Wrapper("x"), ConnectionRefusedError(111, "Connection refused")),
            "connection refused",
        ),
        (caused(Wrapper("x"), TimeoutError()), "timed out"),
        (caused(Wrapper("x"), OSError(113, "No route to host")), "No route to host"),
        (caused(Wrapper("x"), OSError("no strerror")), "Wrapper"),
        (
            caused(Wrapper("x"), cert_error("self-signed certificate")),
            "TLS certificate not trusted (self-signed certificate)",
        ),
        (caused(Wrapper("x"), cert_error(None)), "TLS certificate not trusted (verify failed)"),
        (
            caused(Wrapper("x"), tls_error("WRONG_VERSION_NUMBER")),
            "TLS failed (WRONG_VERSION_NUMBER)",
        ),
        (caused(Wrapper("x"), tls_error(None)), "TLS failed (SSLError)"),
        (caused(Wrapper("x"), caused(Wrapper("y"), TimeoutError())), "timed out"),
        (caused(Wrapper("x"), ValueError("not an OS error")), "Wrapper"),
    ],
)
def test_a_socket_failure_is_told_by_its_root_cause(exc: BaseException, reason: str) -> None:
    error = connect_error("handshake failed", exc)
    assert isinstance(error, SlackConnectionError)
    assert str(error) == f"RTM socket: handshake failed ({reason})"


def test_aiohttps_certificate_and_os_errors_are_unwrapped_before_the_cause() -> None:
    outer = caused(Wrapper("x"), TimeoutError())
    outer.certificate_error = cert_error("expired")  # type: ignore[attr-defined]
    assert str(connect_error("h", outer)) == "RTM socket: h (TLS certificate not trusted (expired))"
    outer = caused(Wrapper("x"), TimeoutError())
    outer.os_error = ConnectionRefusedError(111, "refused")  # type: ignore[attr-defined]
    assert str(connect_error("h", outer)) == "RTM socket: h (connection refused)"
    outer = Wrapper("x")
    outer.certificate_error = None  # type: ignore[attr-defined]
    outer.os_error = ConnectionRefusedError(111, "refused")  # type: ignore[attr-defined]
    assert str(connect_error("h", outer)) == "RTM socket: h (connection refused)"


def test_the_unwrapping_ends_on_a_cycle_and_after_eight_causes() -> None:
    first, second = Wrapper("a"), Wrapper("b")
    first.__cause__, second.__cause__ = second, first
    assert str(connect_error("h", first)) == "RTM socket: h (Wrapper)"
    selfish = Wrapper("self")
    selfish.__cause__ = selfish
    assert str(connect_error("h", selfish)) == "RTM socket: h (Wrapper)"

    def chain(depth: int) -> BaseException:
        root: BaseException = TimeoutError()
        for _ in range(depth):
            root = caused(Wrapper("wrap"), root)
        return root

    assert str(connect_error("h", chain(8))) == "RTM socket: h (timed out)"
    assert str(connect_error("h", chain(9))) == "RTM socket: h (Wrapper)"


@pytest.mark.parametrize(
    ("exc", "detail"),
    [
        (Status(503), "HTTP 503"),
        (Response(403), "HTTP 403"),
        (Response(404), "HTTP 404"),
        (Status(None), "Status"),
        (Status("503"), "Status"),
        (Response(None), "Response"),
    ],
)
def test_an_http_status_of_the_handshake_is_told_alone(exc: BaseException, detail: str) -> None:
    # A refusal reads the same from websockets' InvalidStatus and aiohttp's
    # WSServerHandshakeError: by its status, not by the library's class (issue 19).
    assert str(connect_error("rejected", exc)) == f"RTM socket: rejected ({detail})"


def test_a_timeout_chained_to_a_cancel_is_told_as_a_timeout() -> None:
    # asyncio.wait_for's TimeoutError is chained to the CancelledError that ended the wait.
    assert str(connect_error("h", caused(TimeoutError(), Wrapper("cancelled")))) == (
        "RTM socket: h (timed out)"
    )


# -- what each client hands its socket sessions --------------------------------------------------


def test_the_sync_client_hands_its_methods_and_settings() -> None:
    context = ssl.create_default_context()
    logger = logging.getLogger("slackrtm.test_socket")
    with Client(
        token="xoxb-1",
        timeout=7.5,
        proxy="http://proxy.example:3128",
        ssl_context=context,
        logger=logger,
        allow_insecure=True,
    ) as client:
        opener = client._socket_opener()
        assert isinstance(opener, SyncSocketOpener)
        assert opener.web is client
        assert opener.ssl_context is context
        assert opener.proxy == "http://proxy.example:3128"
        assert opener.timeout == 7.5
        assert opener.allow_insecure is True
        assert opener.logger is logger
    with Client(token="xoxb-1") as plain:
        opener = plain._socket_opener()
        assert opener.ssl_context is None, "websockets' default: certificates verified"
        assert opener.allow_insecure is False
        assert opener.logger is logging.getLogger("slackrtm")


async def test_the_async_client_hands_its_methods_settings_and_socket_session() -> None:
    context = ssl.create_default_context()
    async with AsyncClient(
        token="xoxb-1", timeout=3.0, proxy="http://proxy.example:3128", ssl_context=context
    ) as client:
        opener = client._socket_opener()
        assert isinstance(opener, AsyncSocketOpener)
        assert opener.web is client
        assert opener.ssl_context is context
        assert (opener.proxy, opener.timeout, opener.allow_insecure) == (
            "http://proxy.example:3128",
            3.0,
            False,
        )
        session = await opener.session()
        assert session is await client._socket_session(), "one socket session per loop"
    async with AsyncClient(token="xoxb-1") as plain:
        assert plain._socket_opener().ssl_context is None, "aiohttp's default: verified"


def test_an_opener_is_read_only_by_convention_and_has_no_other_fields() -> None:
    opener = SyncSocketOpener(
        object(),  # type: ignore[arg-type]
        ssl_context=None,
        proxy=None,
        timeout=1.0,
        allow_insecure=False,
        logger=logging.getLogger("x"),
    )
    with pytest.raises(AttributeError):
        opener.token = "xoxb-1"  # type: ignore[attr-defined]
    assert not hasattr(opener, "__dict__"), "slotted: a session finds only what is listed"
