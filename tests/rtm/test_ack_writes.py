"""The sync driver's writing of a batch of frames together (`_ws_sync.write`, ``together``).

Socket Mode's engine writes a burst's acks by hundreds: each run of text frames between two
WebSocket pings is made under one hold of the library's lock and goes out in one write of the
socket (`_ws_sync._Fed.send_data`), where the library writes each frame alone. Against a peer
of the tests' own over a real socket: the same frames arrive in the same order, pings keep
their place, a write on a socket that has ended counts nothing and raises nothing. That the
acks of a session come in order, each once, in both forms, is `tests/socket_mode`'s.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from slackrtm._socket import SyncSocketOpener
from slackrtm.rtm import RtmOptions, _ws_sync
from slackrtm.rtm._dialects import WS_PING

from .conftest import WAIT
from .hostile_ws import HostileSlack, Peer

OPENER = SyncSocketOpener(
    object(),  # type: ignore[arg-type]  # no Web API call: the socket URL is given
    ssl_context=None,
    proxy=None,
    timeout=WAIT,
    allow_insecure=False,
    logger=logging.getLogger("slackrtm.test_ack_writes"),
)


class _Counting:
    """The connection's real socket, with its ``sendall`` calls counted."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sendalls = 0

    def sendall(self, data: bytes) -> None:
        self.sendalls += 1
        self.sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


@contextlib.contextmanager
def _socket_to(record: list[tuple[int, bytes]], *, masks: bool = False) -> Iterator[Any]:
    """A `_Fed` socket to a peer that records the frames it reads (opcode, payload).

    `masks`: each frame's mask is recorded too, before it, as (-1, mask).
    """
    done = threading.Event()

    def script(peer: Peer, _number: int) -> None:
        for opcode, data in _frames_and_masks(peer) if masks else peer.frames():
            record.append((opcode, data))
            if opcode == 0x8:
                peer.send_bytes(0x8, data[:2])
                with contextlib.suppress(OSError):  # the server ends TCP first (RFC 6455)
                    peer.conn.shutdown(socket.SHUT_RDWR)
                break
        done.set()

    with HostileSlack(script) as server, contextlib.ExitStack() as owner:
        url = f"ws://127.0.0.1:{server.port}/websocket/ticket"
        ws = _ws_sync.open_socket(url, OPENER, RtmOptions(), owner)
        assert isinstance(ws, _ws_sync._Fed)
        yield ws
        _ws_sync.close(ws)
        assert done.wait(WAIT)


def _frames_and_masks(peer: Peer) -> Iterator[tuple[int, bytes]]:
    """`Peer.frames`, with each frame's mask before it as (-1, mask)."""
    peer.conn.settimeout(WAIT)
    with contextlib.suppress(OSError):
        while True:
            head = peer._read(2)
            size = head[1] & 0x7F
            if size >= 126:
                size = int.from_bytes(peer._read(2 if size == 126 else 8), "big")
            mask = peer._read(4)
            yield -1, mask
            yield head[0] & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(peer._read(size)))


ACKS = [f'{{"envelope_id":"E{i}"}}' for i in range(50)]


def test_a_batch_of_acks_goes_out_in_one_write_of_the_socket_in_order() -> None:
    record: list[tuple[int, bytes]] = []
    with _socket_to(record) as ws:
        counting = _Counting(ws.socket)
        ws.socket = counting
        assert _ws_sync.write(ws, ACKS, together=True) == len(ACKS)
        assert counting.sendalls == 1
        assert _ws_sync.write(ws, ACKS[:3]) == 3  # not together: one write a frame
        assert counting.sendalls == 4
        ws.socket = counting.sock
    texts = [data.decode() for opcode, data in record if opcode == 0x1]
    assert texts == ACKS + ACKS[:3]


def test_a_ping_keeps_its_place_among_acks_written_together() -> None:
    record: list[tuple[int, bytes]] = []
    frames = [*ACKS[:2], WS_PING, *ACKS[2:5], WS_PING]
    with _socket_to(record) as ws:
        counting = _Counting(ws.socket)
        ws.socket = counting
        assert _ws_sync.write(ws, frames, together=True) == len(frames)
        assert counting.sendalls == 4  # two runs of acks, two pings
        ws.socket = counting.sock
    seen = [data.decode() if opcode == 0x1 else opcode for opcode, data in record[:-1]]
    assert seen == [*ACKS[:2], 0x9, *ACKS[2:5], 0x9]


def test_acks_short_and_long_written_together_arrive_whole_in_order_each_masked_anew() -> None:
    """Every frame is the library's (`protocol.send_text`), whatever its length's form."""
    record: list[tuple[int, bytes]] = []
    long_ack = json.dumps({"envelope_id": "E-long", "payload": {"text": "x" * 200}})
    very_long = json.dumps({"envelope_id": "E-longer", "payload": {"text": "y" * 70000}})
    frames = [*ACKS[:3], long_ack, *ACKS[3:6], very_long, ACKS[6]]
    with _socket_to(record, masks=True) as ws:
        assert _ws_sync.write(ws, frames, together=True) == len(frames)
    texts = [data.decode() for opcode, data in record if opcode == 0x1]
    assert texts == frames
    masks = [data for opcode, data in record if opcode == -1]
    assert len(masks) == len(frames) + 1  # and the close frame's
    assert len(set(masks)) == len(masks)  # a fresh mask each (a clash: 1 in 10^8)


@pytest.mark.parametrize("together", [True, False])
def test_a_write_on_a_socket_that_ended_counts_nothing_and_raises_nothing(together: bool) -> None:
    record: list[tuple[int, bytes]] = []
    with _socket_to(record) as ws:
        _ws_sync.close(ws)
        assert _ws_sync.write(ws, ACKS, together=together) == 0
    assert [opcode for opcode, _data in record] == [0x8]
