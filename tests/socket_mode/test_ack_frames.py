"""Acks written together are each a WebSocket frame of their own, in both forms.

Slack reads one ack per frame. The async session hands the acks queued since its engine last
wrote to the transport in one write (`_ws_aio.Batch.hand_over`), each framed and masked by
aiohttp's own writer; frame by frame (``send_str``) where it cannot. Here a peer of the tests'
own reads every frame (its own parser, unmasking each with its key): acks of every length class
of RFC 6455 (7-, 16- and 64-bit lengths, and UTF-8 text longer in bytes than in characters)
queued at once come as one text frame each, in order, on both paths.
"""

from __future__ import annotations

import json
import struct
import threading
from typing import Any

import attrs
import pytest

from slackrtm.rtm import _ws_aio
from tests.rtm.hostile_ws import Peer

from .conftest import FAST, WAIT, Sm
from .slack import SocketModeSlack, hello, slash_envelope

OPTIONS = attrs.evolve(FAST, max_frame_bytes=200_000)
TEXTS = ["", "a", "b" * 125, "c" * 126, "d" * 65_535, "e" * 65_536, "é✓" * 50]
"""Texts of every length class, framed by the batch path's own framing."""
PAYLOADS: list[Any] = [
    None,  # {"envelope_id":"S0"}: a 7-bit length
    {"text": "x" * 300},  # a 16-bit length
    {"text": "y" * 70_000},  # a 64-bit length
    {"text": "é✓ " * 40},  # 120 characters, more bytes than that: a 16-bit length
]


def _acks_of_each_length(sm: Sm, batched: bool = True) -> tuple[list[tuple[int, bytes]], list[Any]]:
    """Four envelopes acked by hand at once; the frames the peer read, and the socket."""
    frames: list[tuple[int, bytes]] = []
    read = threading.Event()

    def script(peer: Peer, n: int) -> None:
        hello(peer)
        if n == 1:
            for i in range(len(PAYLOADS)):
                peer.send_text(slash_envelope(f"S{i}"))
            for opcode, data in peer.frames():
                frames.append((opcode, data))
                if len(frames) == len(PAYLOADS):
                    break
            read.set()
        peer.hold(WAIT)

    sockets: list[Any] = []
    with SocketModeSlack(script) as slack:
        sm.open(slack.base_url, OPTIONS, ack="manual")
        envelopes = sm.envelopes(len(PAYLOADS))
        if sm.kind == "sync":
            for envelope, payload in zip(envelopes, PAYLOADS, strict=True):
                assert sm.session.ack(envelope, payload) is True
        else:

            async def ack_all() -> None:  # no suspension between them: one batch
                for envelope, payload in zip(envelopes, PAYLOADS, strict=True):
                    assert sm.session.ack(envelope, payload) is True
                sockets.append(sm.session._sockets.current)
                batch = _ws_aio.batch_writer(sockets[0])
                if batched:
                    # The batch path is the one taken with the aiohttp installed (no silent
                    # fallback), and its frames are aiohttp's, one each, masked.
                    assert batch is not None
                    sockets.append(batch.frame_bytes(TEXTS))

            sm.run(ack_all())
        assert read.wait(WAIT)
        sm.close()
    return frames, sockets


def _check(frames: list[tuple[int, bytes]]) -> None:
    assert [opcode for opcode, _ in frames] == [0x1] * len(PAYLOADS)
    expected: list[dict[str, Any]] = [{"envelope_id": f"S{i}"} for i in range(len(PAYLOADS))]
    for ack, payload in zip(expected, PAYLOADS, strict=True):
        if payload is not None:
            ack["payload"] = payload
    assert [json.loads(data) for _, data in frames] == expected


def test_acks_queued_together_are_one_frame_each_in_order_whatever_their_length(sm: Sm) -> None:
    frames, sockets = _acks_of_each_length(sm)
    _check(frames)
    if sm.kind == "async":
        unframed = _unframe(sockets[1])
        assert [first for first, _, _ in unframed] == [0x81] * len(TEXTS)  # FIN, text
        assert [payload.decode() for _, payload, _ in unframed] == TEXTS
        keys = [key for _, _, key in unframed]
        assert all(key is not None and len(key) == 4 for key in keys)
        assert len(set(keys)) > 1  # a key a frame (seven equal keys: 2**-224)


def test_acks_written_frame_by_frame_where_the_batch_path_cannot_be_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Async: a writer the batch path cannot use is written frame by frame, the same frames."""
    monkeypatch.setattr(_ws_aio, "batch_writer", lambda ws: None)
    sm = Sm("async")
    try:
        frames, _ = _acks_of_each_length(sm, batched=False)
    finally:
        sm.finish()
    _check(frames)


def _unframe(data: bytes) -> list[tuple[int, bytes, bytes | None]]:
    """RFC 6455 frames: (first byte, payload unmasked, key or None) for each."""
    out: list[tuple[int, bytes, bytes | None]] = []
    at = 0
    while at < len(data):
        first, second = data[at], data[at + 1]
        size, at = second & 0x7F, at + 2
        if size == 126:
            size, at = struct.unpack_from("!H", data, at)[0], at + 2
        elif size == 127:
            size, at = struct.unpack_from("!Q", data, at)[0], at + 8
        key = None
        if second & 0x80:
            key, at = data[at : at + 4], at + 4
        payload = data[at : at + size]
        at += size
        if key is not None:
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        out.append((first, payload, key))
    return out
