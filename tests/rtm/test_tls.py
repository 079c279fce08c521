"""The session's socket over ``wss://`` trusts what the client's ``ssl_context`` trusts."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme

from slackrtm import events
from slackrtm.emulator import Emulator, Limits

from .conftest import Rtm


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_emulator(authority: trustme.CA) -> Iterator[Emulator]:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    with Emulator(ssl_context=server_context, limits=Limits(web_rate_limit=None)) as emu:
        yield emu


@pytest.fixture(params=["sync", "async"])
def tls_rtm(request: pytest.FixtureRequest, tls_emulator: Emulator) -> Iterator[Rtm]:
    tls_emulator.reset()
    session = Rtm(request.param, tls_emulator)
    yield session
    session.finish()


def test_the_socket_uses_the_clients_ssl_context(tls_rtm: Rtm, authority: trustme.CA) -> None:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    session = tls_rtm.open(client_options={"ssl_context": context})
    assert session.state == "connected"
    assert isinstance(tls_rtm.next_event(), events.Hello)
    assert tls_rtm.send_message().ts
