"""TLS: certificates are verified by default, and `ssl_context` is what both clients trust."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme

from slackrtm import RetryPolicy, SlackConnectionError
from slackrtm.emulator import Emulator

from .conftest import Caller


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_emulator(authority: trustme.CA) -> Iterator[Emulator]:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    with Emulator(ssl_context=server_context) as emu:
        yield emu


@pytest.fixture(params=["sync", "async"])
def tls_call(request: pytest.FixtureRequest, tls_emulator: Emulator) -> Caller:
    tls_emulator.reset()
    return Caller(request.param, tls_emulator)


def test_an_untrusted_certificate_is_refused_by_default(tls_call: Caller) -> None:
    assert tls_call.emu.base_url.startswith("https://")
    with pytest.raises(SlackConnectionError):
        tls_call({"retry": RetryPolicy.off()})
    assert tls_call.emu.requests == []


def test_ssl_context_decides_what_is_trusted(tls_call: Caller, authority: trustme.CA) -> None:
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    resp = tls_call({"ssl_context": client_context, "retry": RetryPolicy.off()})
    assert resp.ok
    assert resp.url.startswith("wss://127.0.0.1:")
