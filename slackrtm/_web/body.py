"""Reading an answer: its head normalized and judged, its body decoded and capped.

What lives here: `header_pairs` (one reading of either library's headers), the framing checks
of a head, `Answer`, the gzip/deflate decoder, and `BodyReader`, which both transports feed
the raw bytes of a body as they arrive; `Outcome`, what one attempt gives. What must not:
interpreting the body (JSON, models, errors: `finish`) or deciding a retry (`retry`).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from .failures import NOT_HTTP, Failure, failure
from .redact import scrub

if TYPE_CHECKING:  # imports for the type checker only: dropping one changes nothing
    from .config import Config  # pragma: no mutate
    from .request import Request  # pragma: no mutate

__all__ = [
    "CHUNK",
    "MAX_CODINGS",
    "Answer",
    "BodyReader",
    "HeaderInput",
    "Headers",
    "Outcome",
    "header_pairs",
    "header_values",
]

Headers = tuple[tuple[str, str], ...]
"""An answer's header fields as (lower-cased name, value) pairs, in order, repeats kept."""

HeaderInput = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]

# The piece size bounds memory only: any size decodes the same body.
CHUNK = 64 * 1024  # pragma: no mutate
"""The largest piece a decoder hands on at a time, so decompression runs in bounded memory."""
MAX_CODINGS = 5
"""The most content codings one answer may stack (``gzip, gzip``); more are refused unread."""
_CODINGS = frozenset({"gzip", "x-gzip", "deflate"})
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_FOLD = re.compile(r"\r\n(?=[ \t])")
"""The line break of an obsolete line fold in a header value: dropped, the blanks kept."""


class _Normalized(tuple[tuple[str, str], ...]):
    """Header pairs already normalized by `header_pairs`: read once per answer, not twice."""

    __slots__ = ()


def header_pairs(headers: HeaderInput) -> Headers:
    """A transport's headers, normalized: the same fields give the same pairs in both clients.

    Each library has its own mapping: urllib3 joins a repeated field into one value, aiohttp
    keeps the first for ``[]``, and they decode bytes differently. Both are read here the same
    way: every field on its own, in the order it came (http.client's ``getheaders()``,
    aiohttp's ``raw_headers``), bytes as Latin-1 (as `http.client` reads them), names
    lower-cased, the line break of an obsolete line fold dropped (as aiohttp does; urllib3 2.8
    would make one space of it and the blanks around it), values stripped.
    """
    if type(headers) is _Normalized:
        return headers
    return _read_head(headers)[0]


def header_values(headers: Headers, name: str) -> list[str]:
    """Every value of one field, in order (``name`` lower-case)."""
    return [value for field, value in headers if field == name]


_Framing = tuple[list[str], int | None]
"""A head's content codings (the last applied first) and its Content-Length, if it has one."""


def _read_head(headers: HeaderInput) -> tuple[Headers, _Framing | None]:
    """A head's fields normalized (as `header_pairs` says) and its framing, in one pass.

    The framing is None when the head breaks HTTP's rules in a way one of the parsers lets pass.
    """
    items = headers.items() if isinstance(headers, Mapping) else headers
    pairs = []
    broken = chunked = False
    length: str | None = None
    codings: list[str] = []
    for raw_name, raw_value in items:
        name = (raw_name if isinstance(raw_name, str) else raw_name.decode("latin-1")).lower()
        value = raw_value if isinstance(raw_value, str) else raw_value.decode("latin-1")
        if "\r\n" in value:
            value = _FOLD.sub("", value)
        value = value.strip()
        pairs.append((name, value))
        if broken:  # pragma: no mutate (a shortcut: once broken, nothing read after counts)
            continue
        # A control character (a tab is allowed); isprintable() answers for most values.
        if not value.isprintable() and _CONTROL.search(value):
            broken = True
        elif name == "content-length":
            length, broken = _add_length(value, length)
        elif name == "transfer-encoding":
            chunked = True
        elif name == "content-encoding":
            codings += [coding.strip().lower() for coding in value.split(",")]
    if length is not None and (chunked or not (length.isascii() and length.isdigit())):
        # Both framings at once is a way to smuggle answers, refused by aiohttp.
        broken = True
    if broken:
        return _Normalized(pairs), None
    if codings:
        codings = [coding for coding in reversed(codings) if coding and coding != "identity"]
    return _Normalized(pairs), (codings, None if length is None else int(length))


def _add_length(value: str, length: str | None) -> tuple[str | None, bool]:
    """One Content-Length field taken in: the length so far, and whether the head is broken.

    A field may list the length more than once (``10, 10``), and a head may repeat the field;
    every listed value must be the same. aiohttp refuses two different lengths, and urllib3
    would read until the connection closes, so a disagreement breaks the head.

    Args:
        value: The field's value, normalized.
        length: The length the fields before this one gave, or None.

    Returns:
        The length (as written, not yet checked to be a number) and True if a value disagrees.
    """
    for part in value.split(",") if "," in value else (value,):
        part = part.strip()
        if length is None:
            length = part
        elif part != length:
            return length, True
    return length, False


class Answer:
    """The server answered: status, headers, and the body decoded (see `BodyReader`)."""

    __slots__ = ("body", "headers", "problem", "status")

    def __init__(
        self, *, status: int, headers: HeaderInput, body: bytes, problem: str | None = None
    ) -> None:
        self.status = status
        self.headers: Headers = header_pairs(headers)
        self.body = body
        self.problem = problem
        """Why the body cannot be used (over ``max_body``, an unreadable Content-Encoding), or
        None; then ``body`` holds only what could be read of it."""

    @classmethod
    def _read(cls, status: int, headers: Headers, body: bytes, problem: str | None) -> Answer:
        # What `BodyReader` gives: its headers are normalized already.
        answer = cls.__new__(cls)
        answer.status, answer.headers, answer.body, answer.problem = status, headers, body, problem
        return answer

    def __repr__(self) -> str:
        return f"Answer(status={self.status!r}, problem={self.problem!r})"


Outcome = Answer | Failure
"""What one attempt gave: an answer, or the failure to get a usable one."""


class _Inflater:
    """One gzip or deflate layer of a body, decoded as its bytes come, CHUNK bytes at a time."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._gzip = coding != "deflate"
        # `MAX_WBITS | 16` (31, a gzip wrapper): 17 for 16 gives 31 too, so no mutant here.
        gzip_bits = zlib.MAX_WBITS | 16  # pragma: no mutate
        self._zlib = zlib.decompressobj(gzip_bits if self._gzip else zlib.MAX_WBITS)
        # "deflate" is zlib-wrapped by the standard but raw from some servers: until it gives
        # output its bytes are kept, to start over as raw deflate (as urllib3 and aiohttp do).
        self._start: bytearray | None = None if self._gzip else bytearray()
        self._fed = False
        self._later = False  # past the first gzip member
        self._finished = False  # the stream ended; what follows it is ignored

    @property
    def complete(self) -> bool:
        """The layer's stream came to its end (or no byte of it came at all)."""
        return self._finished or self._later or self._zlib.eof or not self._fed

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """The decoded output of the next raw bytes; raises zlib.error on a broken stream."""
        pending = data
        if pending:
            self._fed = True
            if self._start is not None:
                self._start += pending
        while not self._finished:
            if self._zlib.eof:
                # A shortcut: past the stream's end with no bytes, the paths below give nothing.
                if not pending:  # pragma: no mutate
                    return
                if not self._gzip:
                    # Bytes after a deflate stream are ignored; the flag saves the check on
                    # the next call only (its eof stays set).
                    self._finished = True  # pragma: no mutate
                    return
                # A gzip body may hold several members; junk after the first is ignored.
                self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)  # pragma: no mutate (as above)
                self._later = True
            try:
                out = self._zlib.decompress(pending, CHUNK)
            except zlib.error:
                if self._later:
                    # The flag saves work only: past the first member, errors end it anyway.
                    self._finished = True  # pragma: no mutate
                    return
                if self._start is None:
                    raise
                pending, self._start = bytes(self._start), None
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            pending = self._zlib.unconsumed_tail or self._zlib.unused_data
            if out:
                self._start = None
                yield out
            if not pending and len(out) < CHUNK:
                return


class BodyReader:
    """One answer's body, fed its raw bytes as they arrive: decoded, capped and judged.

    Both transports read with their own decompression off and hand every chunk to `feed`
    until it says stop or the body ends; `outcome` then gives the `Answer`, or the `Failure`
    of a head that is not valid HTTP. So both clients decode the same codings (gzip and
    deflate, stacked up to `MAX_CODINGS`), hold the decoded body to ``max_body`` in bounded
    memory (the raw bytes of an encoded body too: an endless stream of empty blocks ends
    there), and name the same problem the same way.
    """

    def __init__(self, request: Request, status: int, headers: HeaderInput, config: Config) -> None:
        self.status = status
        self.headers, framing = _read_head(headers)
        self.done = False
        """Nothing more is to be read: the transport stops and drops the connection."""
        self._request = request
        self._config = config
        self._pieces: list[bytes] = []  # the decoded body, joined once at the end
        self._size = 0
        self._raw = 0
        self._problem: str | None = None
        self._layers: list[_Inflater] = []
        self.at_once = False
        """The whole body may be read in one go: its length is declared, within ``max_body``."""
        self._broken = framing is None
        if framing is None:
            self.done = True
            return
        codings, length = framing
        self.at_once = length is not None and length <= config.max_body
        if len(codings) > MAX_CODINGS:
            self._stop(f"in more than {MAX_CODINGS} stacked Content-Encodings")
            return
        for coding in codings:
            if coding not in _CODINGS:
                name = scrub(coding, config.secrets)[:40]
                self._stop(f"in a Content-Encoding this client cannot read: {name!r}")
                return
            self._layers.append(_Inflater(coding))

    def _stop(self, problem: str) -> None:
        self._problem = problem
        self.done = True

    def feed(self, data: bytes) -> bool:
        """Take the next raw bytes of the body; True when the rest is not to be read."""
        if self.done or not data:
            return self.done
        if self._layers:
            self._raw += len(data)
            if self._raw > 2 * self._config.max_body + 1024:
                self._stop(f"over the max_body limit of {self._config.max_body} bytes")
                return True
            self._push(0, data)
        else:
            self._keep(data)
        return self.done

    def _keep(self, data: bytes) -> None:
        room = self._config.max_body - self._size
        if len(data) > room:
            data = data[:room]
            self._stop(f"over the max_body limit of {self._config.max_body} bytes")
        self._pieces.append(data)
        self._size += len(data)

    def _push(self, index: int, data: bytes) -> None:
        if index == len(self._layers):
            self._keep(data)
            return
        layer = self._layers[index]
        try:
            for piece in layer.pieces(data):
                self._push(index + 1, piece)
                if self.done:
                    return
        except zlib.error:
            self._stop(f"{layer.coding} data that cannot be decoded")

    def outcome(self) -> Outcome:
        """What the attempt gave, once the body ended or `feed` said stop."""
        if self._broken:
            return failure(self._request, self._config, kind=NOT_HTTP)
        if not self.done:
            for layer in self._layers:
                if not layer.complete:
                    self._problem = f"{layer.coding} data that ends early"
                    break
        return Answer._read(self.status, self.headers, b"".join(self._pieces), self._problem)
