"""The sessions' socket checks its certificate: refused by default, trusted through ssl_context.

The Web API answer comes from a plain loopback emulator; the socket URL in it points to a
second emulator serving ``wss://`` with a certificate from a test CA (trustme). So only the
WebSocket handshake meets TLS, and what is shown is the socket's own verification, in both
forms. (slack_sdk's RTM client ignored its SSL context for years.)
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Iterator

import pytest
import trustme

from slackrtm import Client, SlackConnectionError, events
from slackrtm.emulator import Emulator
from slackrtm.rtm import RtmOptions
from tests.rtm.conftest import WAIT, Rtm


def trusting(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def point_socket_at(emu: Emulator, wss: Emulator, authority: trustme.CA) -> str:
    """Make `emu`'s next rtm.connect answer a fresh wss:// URL of the TLS emulator."""
    with Client(token=wss.bot_token, base_url=wss.base_url, ssl_context=trusting(authority)) as c:
        url = c.rtm_connect().url
    assert url.startswith("wss://127.0.0.1:")
    emu.faults.web(extra_fields={"url": url}, method="rtm.connect")
    return url


def test_a_wss_socket_with_an_unknown_ca_is_refused_by_default_alike_in_both_forms(
    emu: Emulator, tls_emulator: Emulator, authority: trustme.CA
) -> None:
    messages = {}
    for kind in ("sync", "async"):
        point_socket_at(emu, tls_emulator, authority)
        session = Rtm(kind, emu)
        try:
            with pytest.raises(SlackConnectionError) as caught:
                # No retry: the first refusal is the session's end (with retries, the next
                # rtm.connect would give the plain emulator's own URL).
                session.open(options=RtmOptions(reconnect=None))
        finally:
            session.finish()
        messages[kind] = str(caught.value)
    assert tls_emulator.counters.connections_total == 0
    assert messages["sync"].startswith(
        "RTM socket: handshake failed (TLS certificate not trusted ("
    )
    assert "/websocket/" not in messages["sync"]  # the ticket is not in the message
    # The same words from both forms, whichever library raised it.
    assert messages["sync"] == messages["async"]


def test_a_wss_socket_is_trusted_through_the_clients_ssl_context(
    kind: str, emu: Emulator, tls_emulator: Emulator, authority: trustme.CA
) -> None:
    point_socket_at(emu, tls_emulator, authority)
    before = tls_emulator.counters.connections_total
    session = Rtm(kind, emu)
    try:
        session.open(options=None, client_options={"ssl_context": trusting(authority)})
        assert isinstance(session.next_event(), events.Hello)
        assert tls_emulator.counters.connections_total == before + 1
    finally:
        session.finish()


@pytest.fixture
def tls_silent(authority: trustme.CA) -> Iterator[str]:
    """A ``wss://`` URL of a server of the test's own: TLS, then never an answer to the upgrade.

    It completes the TLS handshake (in TLS 1.3 its session tickets then reach the client
    after the client's side of the handshake is over) and reads the upgrade request.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(WAIT)
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                conn.settimeout(WAIT)
                tls = context.wrap_socket(conn, server_side=True)
                held.append(tls)
                tls.recv(65536)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    yield f"wss://127.0.0.1:{listener.getsockname()[1]}/websocket/silent-ticket"
    listener.close()
    for conn in held:
        conn.close()
    server.join(WAIT)


def test_a_wss_socket_whose_upgrade_is_never_answered_fails_in_time_alike_in_both_forms(
    emu: Emulator, tls_silent: str, authority: trustme.CA
) -> None:
    # Over TLS the library's reading thread sat in a read of the socket (woken by the
    # server's session tickets) when the handshake timed out, and its cleanup waited for that
    # thread without a bound: the sync session never returned.
    messages = {}
    for kind in ("sync", "async"):
        emu.faults.web(extra_fields={"url": tls_silent}, method="rtm.connect")
        session = Rtm(kind, emu)
        caught: list[BaseException] = []

        def attempt(session: Rtm = session, caught: list[BaseException] = caught) -> None:
            try:
                session.open(
                    options=RtmOptions(reconnect=None, connect_timeout=0.5),
                    client_options={"ssl_context": trusting(authority)},
                )
            except BaseException as exc:
                caught.append(exc)

        start = time.monotonic()
        trying = threading.Thread(target=attempt, daemon=True)
        trying.start()
        trying.join(WAIT)
        assert not trying.is_alive(), f"the {kind} session hung in the handshake"
        assert time.monotonic() - start < WAIT
        session.finish()
        assert len(caught) == 1 and isinstance(caught[0], SlackConnectionError)
        messages[kind] = str(caught[0])
    assert messages["sync"] == "RTM socket: handshake failed (timed out)"
    assert messages["sync"] == messages["async"]
