"""Reading an answer: its head normalized and judged, its body decoded and capped."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from slackrtm._web.body import CHUNK, Answer, BodyReader, _Inflater, header_pairs
from slackrtm._web.failures import Failure

from .web_suite import REQUEST, config

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


# ---------------------------------------------------------------------------- bodies


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


def test_bytes_fed_after_the_reader_said_stop_are_not_kept() -> None:
    # The transport stops at the first True; a late piece must not slip into the body.
    refused = BodyReader(REQUEST, 200, [("Content-Encoding", "br")], config())
    assert refused.feed(b"late bytes") is True
    assert decoded(refused.outcome()) == (
        b"",
        "in a Content-Encoding this client cannot read: 'br'",
    )
    capped = BodyReader(REQUEST, 200, [], config(max_body=4))
    assert capped.feed(b"abcdef") is True
    assert capped.feed(b"ghi") is True
    assert decoded(capped.outcome()) == (b"abcd", "over the max_body limit of 4 bytes")


def test_an_encoded_body_with_no_bytes_at_all_is_an_empty_answer() -> None:
    # A HEAD-like answer: the coding is named but nothing of it came, so nothing ended early.
    for coding in ("gzip", "deflate", "gzip, deflate"):
        assert decoded(read(b"", headers=[("Content-Encoding", coding)])) == (b"", None)


@pytest.mark.parametrize(
    ("headers", "at_once"),
    [
        ([("Content-Length", "1000")], True),  # within max_body (inclusive)
        ([("Content-Length", "0")], True),
        ([("Content-Length", "1001")], False),  # over it: read in pieces, to the cap
        ([], False),  # no length: read in pieces
        ([("Content-Length", "2"), ("Content-Length", "3")], False),  # a broken head
    ],
)
def test_a_body_is_read_at_once_only_when_its_declared_length_fits(
    headers: list[tuple[str, str]], at_once: bool
) -> None:
    assert BodyReader(REQUEST, 200, headers, config(max_body=1000)).at_once is at_once


def test_normalized_headers_are_not_read_again() -> None:
    pairs = header_pairs([(b"X-A", b" 1 ")])
    assert header_pairs(pairs) is pairs
    assert BodyReader(REQUEST, 200, pairs, config()).headers == (("x-a", "1"),)


def test_an_answer_shows_its_status_and_problem_only() -> None:
    answer = Answer(status=429, headers={"Retry-After": "1"}, body=b"secret", problem="cut")
    assert repr(answer) == "Answer(status=429, problem='cut')"


def test_whatever_follows_a_deflate_stream_is_ignored_even_a_gzip_member() -> None:
    # Only gzip has members; after a deflate stream's end nothing more is decoded.
    for body in (packed(TEXT, 15) + packed(b"more"), packed(TEXT, -15) + packed(b"more")):
        for piece in (7, len(body)):
            outcome = read(body, headers=[("Content-Encoding", "deflate")], piece=piece)
            assert decoded(outcome) == (TEXT, None)


def test_too_many_codings_are_refused_before_any_is_looked_at() -> None:
    headers = [("Content-Encoding", "br, " + "gzip, " * 5)]
    assert decoded(read(b"x", headers=headers)) == (b"", "in more than 5 stacked Content-Encodings")


def test_a_deflate_layer_stops_keeping_raw_bytes_once_it_gives_output() -> None:
    # The raw bytes are kept only to start over as raw deflate; once the zlib-wrapped reading
    # gives output that cannot happen, and keeping them would hold the whole body twice.
    layer = _Inflater("deflate")
    body = packed(TEXT * 100, 15)
    out = b"".join(
        piece
        for start in range(0, len(body), 50)
        for piece in layer.pieces(body[start : start + 50])
    )
    assert out == TEXT * 100
    assert layer.complete
    assert layer._start is None


GZIP_HEAD = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
EMPTY_BLOCK = b"\x00\x00\x00\xff\xff"  # a stored deflate block, not final, of length 0


def gzip_after_padding(blocks: int, data: bytes) -> bytes:
    """A gzip member whose deflate stream starts with empty blocks: many raw bytes, no output."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = compressor.compress(data) + compressor.flush()
    trailer = zlib.crc32(data).to_bytes(4, "little") + len(data).to_bytes(4, "little")
    return GZIP_HEAD + EMPTY_BLOCK * blocks + tail + trailer


def test_the_raw_cap_stops_before_decoding_the_piece_that_crosses_it() -> None:
    assert (
        decoded(read(gzip_after_padding(3, b"abc"), headers=[("Content-Encoding", "gzip")]))[0]
        == b"abc"
    )
    reader = BodyReader(REQUEST, 200, [("Content-Encoding", "gzip")], config(max_body=100))
    assert reader.feed(gzip_after_padding(300, b"abc")) is True  # 1,500 raw bytes > 2*100+1024
    assert decoded(reader.outcome()) == (b"", "over the max_body limit of 100 bytes")


def test_the_raw_cap_is_twice_max_body_and_a_kilobyte_inclusive() -> None:
    # max_body 1003: the raw bytes may reach 2 * 1003 + 1024 = 3030 = 10 + 604 * 5.
    reader = BodyReader(REQUEST, 200, [("Content-Encoding", "gzip")], config(max_body=1003))
    assert reader.feed(GZIP_HEAD + EMPTY_BLOCK * 604) is False
    assert reader.feed(b"\x00") is True
    assert decoded(reader.outcome()) == (b"", "over the max_body limit of 1003 bytes")


def test_a_compression_bomb_is_not_decoded_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    # Once the cap is reached no further piece is asked of any layer: a bomb costs a few
    # pieces of work, not its full expansion.
    asked = []
    pieces = _Inflater.pieces

    def counted(self: _Inflater, data: bytes) -> Iterator[bytes]:
        for piece in pieces(self, data):
            asked.append(len(piece))
            yield piece

    monkeypatch.setattr(_Inflater, "pieces", counted)
    bomb = packed(packed(b"\0" * 100_000_000))
    reader = BodyReader(REQUEST, 200, [("Content-Encoding", "gzip, gzip")], config(max_body=1000))
    assert reader.feed(bomb) is True
    assert len(asked) <= 4


def test_the_first_layer_that_ends_early_is_named() -> None:
    # Cut in the middle, both layers end early; the outer one (applied last) is named.
    body = packed(packed(TEXT * 20), 15)
    outcome = read(body[: len(body) // 2], headers=[("Content-Encoding", "gzip, deflate")])
    assert decoded(outcome)[1] == "deflate data that ends early"


def test_the_first_unreadable_coding_is_named_and_cut_short() -> None:
    # Undone in reverse: in "br, zstd" the server applied zstd last, so it is met first.
    assert decoded(read(b"x", headers=[("Content-Encoding", "br, zstd")]))[1] == (
        "in a Content-Encoding this client cannot read: 'zstd'"
    )
    long_name = "x" * 39 + "yz"
    assert decoded(read(b"x", headers=[("Content-Encoding", long_name)]))[1] == (
        f"in a Content-Encoding this client cannot read: '{'x' * 39}y'"
    )


def test_a_body_cut_anywhere_keeps_all_its_bytes_decode_to() -> None:
    # A cut can fall just after a long match: the decoder then holds output it gives only
    # when asked again with no new bytes. Everything the bytes hold is kept all the same.
    data = b"a" * (3 * CHUNK)
    body = packed(data)
    for cut in range(10, len(body)):
        expected = zlib.decompressobj(31).decompress(body[:cut])
        outcome = read(
            body[:cut], headers=[("Content-Encoding", "gzip")], piece=cut, max_body=len(data)
        )
        assert decoded(outcome) == (expected, "gzip data that ends early"), cut
