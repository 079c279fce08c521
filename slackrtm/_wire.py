"""The sans-I/O core of the Web API clients: requests out, answers in, no sockets, no loop.

Both transports (`client.py` over urllib3, `aio.py` over aiohttp) are a loop around these
functions that only moves bytes:

    request = build_request(spec, args, config)
    attempts = Attempts(config.retry)
    while True:
        outcome = send(request)               # Answer(status, headers, body) or Failure(error)
        wait = attempts.next_wait(outcome)    # seconds to sleep, or None: stop here
        if wait is None:
            return finish(spec, outcome, config)
        sleep(wait)

`send` reads the raw bytes of the body into a `BodyReader` (each library's decompression is
off) and turns what its library raised into a `failure` of a named kind, so the twins give the
same outcome, word for word, for the same server.

Everything that decides anything lives here: the wire encoding of arguments, the headers, the
retry policy, the limits every answer is held to (one deadline per attempt, a cap on the body),
decoding the body, turning an answer into a model or a typed error, and reporting warnings.
The token appears in exactly one place, the Authorization header of `Request`, and never in a
repr, a log line, an exception or a URL: every text built from what the server sent is
scrubbed first (`scrub`).
"""

from __future__ import annotations

import email.utils
import functools
import ipaddress
import json
import logging
import os
import random
import re
import socket
import ssl
import sys
import time
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from ._exceptions import (
    ClientClosed,
    RateLimited,
    SlackApiError,
    SlackApiWarning,
    SlackConnectionError,
    SlackHttpError,
    SlackResponseError,
    SlackTimeoutError,
)
from ._version import __version__

if TYPE_CHECKING:
    from ._retry import RetryPolicy
    from ._spec import MethodSpec

# What this module does not import at its top, so that `import slackrtm` and `Client()` load
# neither attrs nor cattrs nor the generated models: `RetryPolicy` (`_retry`, on first use, see
# `__getattr__`), the method table and the models (the generated method wrappers import them
# at their first call), and, on the paths that need them, `_convert`, the generated codes and
# error classes, and `SlackResponse`.

__all__ = [
    "ACCEPT_ENCODING",
    "BASE_URL_ENVIRONMENT",
    "BROKE_OFF",
    "CLOSED",
    "DEFAULT_BASE_URL",
    "NOT_HTTP",
    "TIMED_OUT",
    "Answer",
    "Attempts",
    "BodyReader",
    "Config",
    "Failure",
    "Headers",
    "Outcome",
    "Request",
    "RetryPolicy",
    "backoff",
    "build_request",
    "causes",
    "closed",
    "failure",
    "finish",
    "header_pairs",
    "log_attempt",
    "make_config",
    "retry_after",
    "scrub",
]

R = TypeVar("R")


def __getattr__(name: str) -> Any:
    # `from slackrtm._wire import RetryPolicy` keeps working; the class lives in `_retry`.
    if name == "RetryPolicy":
        from ._retry import RetryPolicy

        return RetryPolicy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DEFAULT_BASE_URL = "https://slack.com/api/"
BASE_URL_ENVIRONMENT = "SLACK_API_URL"
"""Read for the Web API root when a client gets no ``base_url=`` (e.g. to use the emulator)."""
TOKEN_ENVIRONMENT = ("SLACK_BOT_TOKEN", "SLACK_TOKEN")
FORM = "application/x-www-form-urlencoded"
EXCERPT = 200
"""How many characters of an unreadable body an error keeps, for diagnosis."""
DEFAULT_MAX_BODY = 8 * 1024 * 1024
"""The default cap on an answer's body, in bytes after decompression."""
MAX_TIMEOUT = 24 * 3600.0
"""The largest timeout accepted: beyond it a number stops being a deadline (and overflows)."""
MIN_RATE_LIMIT_WAIT = 0.5
"""The shortest wait after HTTP 429, whatever Retry-After says: no retries back to back."""
WARNINGS_REPORTED = 5
"""Warnings of one answer logged and raised one by one; the rest are summed up in one line."""


# --------------------------------------------------------------------------- configuration


def redacted(value: object) -> str:
    """The repr of a secret value: says whether one is set, never what it is."""
    return "'<redacted>'" if value else repr(value)


_DEFAULT_RETRY: list[RetryPolicy] = []


def _default_retry() -> RetryPolicy:
    """`RetryPolicy()`, made once, on the first call of a client given none."""
    if not _DEFAULT_RETRY:
        from ._retry import RetryPolicy

        _DEFAULT_RETRY.append(RetryPolicy())
    return _DEFAULT_RETRY[0]


class Config:
    """A client's settings, resolved once at construction; the same for both transports.

    A plain class (not attrs, like everything `Client()` loads): building a client imports no
    more than it needs. Read-only by convention; made only by `make_config`.
    """

    __slots__ = (
        "_retry",
        "allow_insecure",
        "base_url",
        "headers",
        "logger",
        "max_body",
        "proxy",
        "secrets",
        "timeout",
        "token",
        "user_agent",
    )

    def __init__(
        self,
        *,
        token: str,
        base_url: str,
        timeout: float,
        retry: RetryPolicy | None,
        proxy: str | None,
        user_agent: str,
        logger: logging.Logger,
        max_body: int = DEFAULT_MAX_BODY,
        allow_insecure: bool = False,
    ) -> None:
        self.token = token
        self.base_url = base_url
        self.timeout = timeout
        self._retry = retry
        self.proxy = proxy
        self.user_agent = user_agent
        self.logger = logger
        self.max_body = max_body
        self.allow_insecure = allow_insecure
        self.secrets: tuple[str, ...] = _secrets(token, base_url, proxy)
        """Every secret this client knows, to scrub from any text built from an answer."""
        self.headers: Mapping[str, str] = _headers(token, user_agent)
        """The headers every request carries (every `Request` shares this mapping)."""

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy; `RetryPolicy()` when the client was given none."""
        if self._retry is None:
            self._retry = _default_retry()  # resolved once, on the first call
        return self._retry

    def __repr__(self) -> str:
        proxy = "None" if self.proxy is None else "'<set>'"
        return (
            f"Config(token={redacted(self.token)}, base_url={hide_userinfo(self.base_url)!r}, "
            f"timeout={self.timeout!r}, retry={self.retry!r}, proxy={proxy}, "
            f"user_agent={self.user_agent!r}, max_body={self.max_body!r}, "
            f"allow_insecure={self.allow_insecure!r})"
        )


def _secrets(token: str, base_url: str, proxy: str | None) -> tuple[str, ...]:
    # Once per client: `finish` asks for them on every answer, and a client's never change.
    found = [token]
    for url in (base_url, proxy):
        parts = urlsplit(url or "")
        found += [part for part in (parts.username, parts.password) if part]
    return tuple(found)


@functools.lru_cache(maxsize=256)
def is_loopback(host: str | None) -> bool:
    """Whether a host name is this machine: ``localhost`` or a loopback address."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def hide_userinfo(url: str) -> str:
    """The URL with any ``user:password@`` replaced, for reprs and messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"<redacted>@{host}"))


def _check_url(what: str, url: object) -> str:
    if not isinstance(url, str):
        raise TypeError(f"{what} must be a string, got {type(url).__name__}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError(f"{what} is not a valid URL") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{what} must be an http(s) URL with a host")
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ValueError(f"{what} must not contain white space or control characters")
    return url


def _resolve_token(token: str | None) -> str:
    if token is None:
        for name in TOKEN_ENVIRONMENT:
            token = os.environ.get(name) or None
            if token:
                break
        else:
            raise ValueError("no Slack token: pass token=... or set SLACK_BOT_TOKEN or SLACK_TOKEN")
    if not isinstance(token, str):
        raise TypeError(f"token must be a string, got {type(token).__name__}")
    # It goes in an HTTP header: printable ASCII only, no space, no control character.
    if not token or not all("!" <= c <= "~" for c in token):
        # Never echo the value: it is a secret, even a malformed one.
        raise ValueError("token must be a non-empty string of printable ASCII without white space")
    return token


def _resolve_proxy(base_url: str, proxy: str | None) -> str | None:
    host = urlsplit(base_url).hostname or ""
    if is_loopback(host):
        # Loopback is never proxied, an explicit `proxy=` included (the emulator, tests).
        return None
    if proxy is not None:
        return proxy
    if sys.platform not in ("darwin", "win32") and not any(
        name[-6:].lower() == "_proxy" for name in os.environ
    ):
        # Elsewhere the standard library reads only *_proxy variables: none set, no proxy.
        return None
    # The standard library reads HTTPS_PROXY / HTTP_PROXY (and macOS and Windows settings) and
    # honours NO_PROXY. Imported here, not with the package: it adds several milliseconds.
    import urllib.request

    if urllib.request.proxy_bypass(host):
        return None
    scheme = urlsplit(base_url).scheme
    return urllib.request.getproxies().get(scheme)


def make_config(
    *,
    token: str | None,
    base_url: str | None,
    timeout: float,
    retry: RetryPolicy | None,
    proxy: str | None,
    user_agent: str | None,
    logger: logging.Logger | None,
    transport: str,
    max_body: int = DEFAULT_MAX_BODY,
    allow_insecure: bool = False,
) -> Config:
    """Check and resolve a client's options before any I/O.

    Raises:
        ValueError: No token anywhere, a malformed token, or a bad base URL, proxy, timeout or
            body cap; an ``http://`` base URL on a host that is not loopback without
            ``allow_insecure``.
        TypeError: An option of the wrong type.
    """
    resolved = _resolve_token(token)
    if not isinstance(allow_insecure, bool):
        raise TypeError("allow_insecure must be a bool")
    source = "base_url"
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENVIRONMENT) or DEFAULT_BASE_URL
        source = BASE_URL_ENVIRONMENT if base_url != DEFAULT_BASE_URL else source
    _check_url(source, base_url)
    parts = urlsplit(base_url)
    if parts.query or parts.fragment or base_url.endswith(("?", "#")):
        raise ValueError(f"{source} must not have a query string or a fragment")
    if parts.scheme == "http" and not allow_insecure and not is_loopback(parts.hostname):
        raise ValueError(
            f"{source} is http:// on a host that is not loopback: the token would travel in "
            "clear text; use https://, or pass allow_insecure=True"
        )
    if not base_url.endswith("/"):
        base_url += "/"
    if proxy is not None:
        _check_url("proxy", proxy)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not 0 < timeout <= MAX_TIMEOUT  # nan and inf fail here; a huge int does not overflow
    ):
        raise ValueError(f"timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}")
    if type(max_body) is not int or max_body < 1:
        raise ValueError("max_body must be a positive int (bytes)")
    if retry is not None:
        from ._retry import RetryPolicy  # loaded already: the caller made one

        if not isinstance(retry, RetryPolicy):
            raise TypeError("retry must be a RetryPolicy")
    # sys.version's first word is what platform.python_version() reads (without its import).
    python = sys.version.split(maxsplit=1)[0]
    agent = f"slackrtm/{__version__} Python/{python} {transport}" + (
        f" {user_agent}" if user_agent else ""
    )
    return Config(
        token=resolved,
        base_url=base_url,
        timeout=float(timeout),
        retry=retry,
        proxy=_resolve_proxy(base_url, proxy),
        user_agent=agent,
        logger=logger if logger is not None else logging.getLogger("slackrtm"),
        max_body=max_body,
        allow_insecure=allow_insecure,
    )


# --------------------------------------------------------------------------- requests


class Request:
    """One HTTP request, ready for a transport to send as it is (read-only by convention)."""

    __slots__ = ("body", "headers", "method_name", "url", "verb")

    def __init__(
        self, *, method_name: str, verb: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> None:
        self.method_name = method_name
        """The Web API method, for logs and errors."""
        self.verb = verb
        self.url = url
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        # Neither the headers (the token) nor the body.
        return f"Request(method_name={self.method_name!r}, verb={self.verb!r}, url={self.url!r})"


def _wire_value(value: object) -> str:
    if value is True:
        return "1"
    if value is False:
        return "0"
    return str(value)


def build_request(spec: MethodSpec[Any, Any], args: object, config: Config) -> Request:
    """Encode a method call: a form POST, no charset, the token in the Authorization header.

    Arguments left as None are not sent, so Slack's defaults apply; booleans go as 1/0.
    """
    fields = []
    for arg in spec.arguments:
        if arg.role == "token":
            continue
        value = getattr(args, arg.attr)
        if value is not None:
            fields.append((arg.wire, _wire_value(value)))
    return Request(
        method_name=spec.name,
        verb="POST",
        url=config.base_url + spec.name,
        headers=config.headers,  # shared: neither library changes the mapping it is given
        body=urlencode(fields).encode("ascii") if fields else b"",
    )


def _headers(token: str, user_agent: str) -> dict[str, str]:
    """The headers of every request of a client (built once, in `Config`)."""
    return {
        "Authorization": f"Bearer {token}",
        # Said by the core, not left to each library: both ask for, and decode, the same.
        "Accept-Encoding": ACCEPT_ENCODING,
        # No charset: Slack answers a charset on a form body with `superfluous_charset`.
        "Content-Type": FORM,
        "User-Agent": user_agent,
    }


# --------------------------------------------------------------------------- outcomes

Headers = tuple[tuple[str, str], ...]
"""An answer's header fields as (lower-cased name, value) pairs, in order, repeats kept."""

HeaderInput = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]


class _Normalized(tuple[tuple[str, str], ...]):
    """Header pairs already normalized by `header_pairs`: read once per answer, not twice."""

    __slots__ = ()


_FOLD = re.compile(r"\r\n(?=[ \t])")
"""The line break of an obsolete line fold in a header value: dropped, the blanks kept."""


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


class Failure:
    """No usable answer came; ``error`` is already the typed exception to raise."""

    __slots__ = ("error",)

    def __init__(self, error: SlackConnectionError) -> None:
        self.error = error

    def __repr__(self) -> str:
        return f"Failure({self.error!r})"


Outcome = Answer | Failure


def retry_after(headers: HeaderInput, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from ``Retry-After``: a number, or an HTTP date (seconds from ``now()``, at
    least 0); None when absent, negative, not finite or unreadable, or when the field comes
    more than once with different values (ambiguous, like a key twice in JSON)."""
    values = set(header_values(header_pairs(headers), "retry-after"))
    if len(values) != 1:
        return None
    raw = values.pop()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - now())
    return seconds if 0 <= seconds <= MAX_TIMEOUT else None


def backoff(policy: RetryPolicy, retries: int, rng: Callable[[], float]) -> float:
    """The wait before retry number ``retries + 1``: full jitter under an exponential ceiling.

    Shared with the RTM session's reconnects, so both read `RetryPolicy` the same way.
    """
    ceiling = min(policy.backoff_max, policy.backoff_base * (2.0 ** min(retries, 64)))
    return ceiling * rng()


class Attempts:
    """The retry state of one call: counts attempts and the time spent waiting.

    Args:
        policy: The retry policy.
        clock: A monotonic clock in seconds (injectable for tests of the policy alone).
        rng: The random source of the jitter.
        wall: The wall clock, for a Retry-After given as an HTTP date.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy
        self._wall = wall
        self.retries = 0
        self.waited = 0.0
        self._clock = clock
        self._rng = rng
        self._started = clock()

    def _backoff(self) -> float:
        return backoff(self.policy, self.retries, self._rng)

    def next_wait(self, outcome: Outcome) -> float | None:
        """Seconds to wait before the next attempt, or None to stop and report ``outcome``."""
        policy = self.policy
        if self.retries >= policy.max_retries:
            return None
        if isinstance(outcome, Failure):
            if not policy.connection_errors:
                return None
            wait = self._backoff()
        elif outcome.status == 429:
            if not policy.rate_limited:
                return None
            after = retry_after(outcome.headers, now=self._wall)
            wait = max(MIN_RATE_LIMIT_WAIT, after if after is not None else 1.0)
        elif 500 <= outcome.status <= 599:
            if not policy.server_errors:
                return None
            wait = self._backoff()
        else:
            return None
        elapsed = self._clock() - self._started
        if elapsed + wait > policy.max_total:
            return None
        self.retries += 1
        self.waited += wait
        return wait


# --------------------------------------------------------------------------- reading an answer

CHUNK = 64 * 1024
"""The largest piece a decoder hands on at a time, so decompression runs in bounded memory."""
MAX_CODINGS = 5
"""The most content codings one answer may stack (``gzip, gzip``); more are refused unread."""
ACCEPT_ENCODING = "gzip, deflate"
"""The codings both clients ask for, and the only ones `BodyReader` decodes."""
_CODINGS = frozenset({"gzip", "x-gzip", "deflate"})
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class _Inflater:
    """One gzip or deflate layer of a body, decoded as its bytes come, CHUNK bytes at a time."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._gzip = coding != "deflate"
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)
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
                if not pending:
                    return
                if not self._gzip:
                    self._finished = True  # bytes after a deflate stream are ignored
                    return
                # A gzip body may hold several members; junk after the first is ignored.
                self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
                self._later = True
            try:
                out = self._zlib.decompress(pending, CHUNK)
            except zlib.error:
                if self._later:
                    self._finished = True
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


_Framing = tuple[list[str], int | None]
"""A head's content codings (the last applied first) and its Content-Length, if it has one."""


def _read_head(headers: HeaderInput) -> tuple[Headers, _Framing | None]:
    """A head's fields normalized (as `header_pairs` says) and its framing, in one pass; the
    framing is None when the head breaks HTTP's rules in a way one of the parsers lets pass."""
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
        if broken:
            continue
        # A control character (a tab is allowed); isprintable() answers for most values.
        if not value.isprintable() and _CONTROL.search(value):
            broken = True
        elif name == "content-length":
            for part in value.split(",") if "," in value else (value,):
                part = part.strip()
                if length is None:
                    length = part
                elif part != length:
                    # aiohttp refuses two lengths; urllib3 would read until the connection
                    # closes.
                    broken = True
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


# --------------------------------------------------------------------------- no answer

TIMED_OUT = "timed out"
"""`failure` kinds a transport names: the attempt's deadline passed, ..."""
NOT_HTTP = "not HTTP"
"""... what came is not a valid HTTP answer (status line, head, or chunk framing), ..."""
BROKE_OFF = "broke off"
"""... the connection closed in the middle of the body, ..."""
CLOSED = "closed"
"""... or the connection closed before any answer."""


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it holds (cause, context, arguments), each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo and len(seen) < 32:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        held = (current.__cause__, current.__context__, *current.args)
        todo += [item for item in held if isinstance(item, BaseException)]


def _reason(exc: BaseException | None, config: Config) -> str:
    """Why no answer came, in the same words for both transports where the standard library
    says why (the libraries wrap the same `OSError` and `ssl` errors)."""
    if exc is None:
        return "no reason given"
    found = list(causes(exc))
    # getattr: aiohttp's certificate error is an `ssl.CertificateError` without its fields.
    for item in found:
        message: object = getattr(item, "verify_message", None)
        if isinstance(item, ssl.SSLCertVerificationError) and message:
            return f"TLS certificate not trusted ({message})"
    for item in found:
        reason: object = getattr(item, "reason", None)
        if isinstance(item, ssl.SSLError) and reason:
            return f"TLS failed ({reason})"
    if any(isinstance(item, socket.gaierror) for item in found):
        return "host name not resolved"
    if any(isinstance(item, ConnectionRefusedError) for item in found):
        return "connection refused"
    resets = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
    if any(isinstance(item, resets) for item in found):
        return "connection reset"
    # The library's own words: the twins may word the rare rest differently.
    return scrub(str(exc) or type(exc).__name__, config.secrets)


def failure(
    request: Request, config: Config, exc: BaseException | None = None, *, kind: str | None = None
) -> Failure:
    """The outcome of an attempt without a usable answer, worded the same by both transports.

    Args:
        request: The request that was sent.
        config: The client's settings (the timeout, the proxy, the secrets).
        exc: The library's exception, whose standard-library causes give the reason.
        kind: What the transport recognised: `TIMED_OUT`, `NOT_HTTP`, `BROKE_OFF`, `CLOSED`,
            or None to let ``exc`` say.
    """
    parts = urlsplit(request.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    where = f"{host}:{port}" + (" through the proxy" if config.proxy else "")
    name = request.method_name
    if kind == TIMED_OUT:
        text = f"{name}: no complete answer within {config.timeout:g} s from {where}"
        return Failure(SlackTimeoutError(text))
    if kind == NOT_HTTP:
        text = f"{name}: the answer from {where} is not valid HTTP"
    elif kind == BROKE_OFF:
        text = f"{name}: the answer from {where} broke off before its end"
    elif kind == CLOSED:
        text = f"{name}: no answer from {where}: the connection closed"
    else:
        text = f"{name}: no answer from {where}: {_reason(exc, config)}"
    return Failure(SlackConnectionError(text))


def closed(method_name: str, when: str) -> ClientClosed:
    """The error of a call on a closed client, the same text in both forms.

    ``when`` is ``"before"`` (closed before the call), ``"during"`` (while an attempt was in
    flight: it is abandoned) or ``"waiting"`` (while the call waited to retry).
    """
    what = {
        "before": "the client is closed",
        "during": "the client was closed during the call",
        "waiting": "the client was closed while the call waited to retry",
    }[when]
    return ClientClosed(f"{method_name}: {what}")


# --------------------------------------------------------------------------- answers

# A socket URL is a single-use secret ticket; a Slack token has a known shape. Both are
# scrubbed from any text built from an answer, on top of the secrets the client itself knows,
# also when a character of them is written as an escape: JSON (`\u002f`, `\/`), percent
# (`%2F`) or HTML (`&#x2f;`, `&#47;`), as an answer that echoes a request may write them.


def _char(c: str) -> str:
    """A pattern for one ASCII character, as it is or escaped (JSON, percent, HTML)."""
    code = ord(c)
    forms = [re.escape(c), rf"\\u00{code:02x}", rf"%{code:02x}"]
    forms += [rf"&#x0*{code:x};", rf"&#0*{code};"]
    if c == "/":
        forms.append(r"\\/")
    return "(?:" + "|".join(forms) + ")"


def _escaped(text: str) -> str:
    """A pattern for a text any of whose characters may be escaped."""
    return "".join(_char(c) if c.isascii() else re.escape(c) for c in text)


_SOCKET_URL = re.compile(
    _escaped("ws") + _char("s") + "?" + _escaped("://") + r"[^\s\"'<>]*", re.IGNORECASE
)
_SLACK_TOKEN = re.compile(rf"xox[a-z]{_char('-')}(?:[A-Za-z0-9]|{_char('-')})+", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)


@functools.lru_cache(maxsize=64)
def _secrets_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    found = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
    if not found:
        return None
    return re.compile("|".join(_escaped(secret) for secret in found), re.IGNORECASE)


def scrub(text: str, secrets: Sequence[str] = ()) -> str:
    """The text without any secret: the given ones, socket URLs, Slack tokens, bearer values,
    each also when written with escapes."""
    pattern = _secrets_pattern(tuple(secrets))
    if pattern is not None:
        text = pattern.sub("<redacted>", text)
    text = _SOCKET_URL.sub("<socket url redacted>", text)
    text = _SLACK_TOKEN.sub("<redacted>", text)
    return _BEARER.sub(r"\1<redacted>", text)


def _scrub_json(value: Any, secrets: Sequence[str]) -> Any:
    """A copy of a decoded JSON value with every string in it scrubbed, keys included.

    Iterative, not recursive: a value nested as deep as `json` reads must not overflow here.
    """

    def copy(item: Any) -> Any:
        if isinstance(item, str):
            return scrub(item, secrets)
        if isinstance(item, dict):
            return {}
        if isinstance(item, list):
            return []
        return item

    result = copy(value)
    todo = [(value, result)] if isinstance(value, (dict, list)) else []
    while todo:
        source, target = todo.pop()
        pairs: list[tuple[str | None, Any]]
        if isinstance(source, dict):
            pairs = [(scrub(key, secrets), item) for key, item in source.items()]
        else:
            pairs = [(None, item) for item in source]
        for key, item in pairs:
            kept = copy(item)
            if key is None:
                target.append(kept)
            else:
                target[key] = kept
            if isinstance(item, (dict, list)):
                todo.append((item, kept))
    return result


def _excerpt(body: bytes, secrets: Sequence[str]) -> str:
    # Scrub a wider window than is kept, so no secret is cut in two and half-kept.
    text = body[: EXCERPT * 4].decode("utf-8", errors="replace")
    text = scrub(" ".join(text.split()), secrets)
    return text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")


def _caller(skip: int) -> tuple[str, int, dict[Any, int], str]:
    """Where the user's code called: the first frame outside slackrtm and asyncio.

    A call awaited directly has its caller on the stack. A call run as a task of its own
    (``gather``, ``wait_for``) has not: then the caller is the coroutine that awaits that task,
    found by walking what each other task awaits.
    """
    frame: FrameType | None = sys._getframe(skip)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("slackrtm"):
        frame = frame.f_back
    if frame is None or str(frame.f_globals.get("__name__", "")).startswith("asyncio"):
        # The call is the top of a task: its caller is not on this stack.
        awaiting = _awaiting_frame()
        if awaiting is not None:
            frame = awaiting
    if frame is None:
        return "sys", 1, {}, "sys"
    module = frame.f_globals.get("__name__", "?")
    registry = frame.f_globals.setdefault("__warningregistry__", {})
    return frame.f_code.co_filename, frame.f_lineno, registry, module


def _internal(frame: FrameType) -> bool:
    name = str(frame.f_globals.get("__name__", ""))
    return name == "slackrtm" or name.startswith(("slackrtm.", "asyncio."))


def _awaiting_frame() -> FrameType | None:
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return None
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return None
    parent = _awaiting_task(asyncio, task, depth=4)
    if parent is None:
        return None
    # The innermost coroutine of the parent's await chain that is not asyncio's own: the line
    # that awaits this call (through gather, wait_for, or the task itself).
    found: FrameType | None = None
    awaited: Any = parent.get_coro()
    while awaited is not None and getattr(awaited, "cr_frame", None) is not None:
        if not _internal(awaited.cr_frame):
            found = awaited.cr_frame
        awaited = getattr(awaited, "cr_await", None)
    return found


def _awaiting_task(asyncio: Any, future: Any, depth: int) -> Any:
    """The task that waits for ``future``, found through its done callbacks."""
    if depth == 0:
        return None
    for callback, *_ in getattr(future, "_callbacks", None) or ():
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, asyncio.Task):
            return owner
        # gather's and wait_for's own callbacks hold the future the caller awaits.
        held = list(getattr(callback, "args", ()))
        for cell in getattr(callback, "__closure__", None) or ():
            try:
                held.append(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
        for value in held:
            if isinstance(value, asyncio.Future) and value is not future:
                parent = _awaiting_task(asyncio, value, depth - 1)
                if parent is not None:
                    return parent
    return None


def _report_warnings(spec: MethodSpec[Any, Any], found: tuple[Any, ...], config: Config) -> None:
    from ._generated.codes import WARNING_DESCRIPTIONS, WarningCode

    logger = config.logger
    filename, lineno, registry, module = _caller(2)
    for code in found[:WARNINGS_REPORTED]:
        description = (
            WARNING_DESCRIPTIONS.get(code) if isinstance(code, WarningCode) else None
        ) or spec.warnings.get(str(code), "undocumented warning")
        what = scrub(f"{code}: {description}", config.secrets)[:EXCERPT]
        logger.warning("%s: Slack warning %s", spec.name, what)
        warnings.warn_explicit(
            SlackApiWarning(f"{spec.name}: {what}"),
            SlackApiWarning,
            filename,
            lineno,
            module,
            registry,
        )
    rest = len(found) - WARNINGS_REPORTED
    if rest > 0:
        # A flood of warnings in one answer stays a few lines; all are on `resp.warnings`.
        text = f"{spec.name}: {rest} more warnings (see the response's `warnings`)"
        logger.warning("%s", text)
        warnings.warn_explicit(
            SlackApiWarning(text), SlackApiWarning, filename, lineno, module, registry
        )


class _Undecodable(Exception):
    """Why a body is not a usable JSON value (internal; becomes a SlackHttpError)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise _Undecodable(f"JSON with the key {duplicate!r} twice")
    return result


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


def _decode(raw: bytes) -> Any:
    """The JSON value of a body, or _Undecodable saying why not.

    An ambiguous answer (a key twice, as in ``{"ok": false, "ok": true}``) is refused, never
    read one way or the other. Nesting deeper than Python's recursion limit and integers past
    its digit limit are reported as such, not as "not JSON".
    """
    try:
        # What json.loads does with bytes, on one decoder built once (loads builds one a call).
        return _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
    except _Undecodable:
        raise
    except RecursionError:
        raise _Undecodable("JSON nested too deeply to read") from None
    except MemoryError:
        # Only under a tight memory limit: `max_body` bounds the text, not what it decodes to.
        raise _Undecodable("JSON too large to decode in the memory available") from None
    except UnicodeDecodeError:
        raise _Undecodable("not JSON (not UTF-8 text)") from None
    except json.JSONDecodeError:
        raise _Undecodable("not JSON") from None
    except ValueError as exc:
        # The only other ValueError json raises: an integer past sys.get_int_max_str_digits.
        raise _Undecodable(f"JSON that cannot be read: {str(exc)[:80]}") from None


def finish(spec: MethodSpec[Any, R], outcome: Outcome, config: Config) -> R:
    """Turn the last outcome of a call into its model, or raise the typed error it stands for.

    Raises:
        SlackConnectionError: No usable answer came: none, one that is not valid HTTP, or
            one that broke off (SlackTimeoutError for a timeout).
        RateLimited: HTTP 429.
        SlackApiError: ``ok: false``; the generated subclass for a documented code.
        SlackHttpError: Another non-200 status, or a body that is not a usable JSON object:
            over ``max_body``, in a Content-Encoding that cannot be read or decoded, not
            JSON, nested too deeply, an integer of too many digits, a key twice, or JSON
            that is not an object.
        SlackResponseError: A JSON answer that does not match the schema, or a socket URL
            that is not ``wss://`` (``ws://`` only on loopback or with ``allow_insecure``).
    """
    if isinstance(outcome, Failure):
        raise outcome.error
    status, headers, raw = outcome.status, outcome.headers, outcome.body
    secrets = config.secrets
    body: Any = None
    problem = outcome.problem
    if problem is None:
        try:
            body = _decode(raw)
        except _Undecodable as exc:
            problem = str(exc)
    if problem is None and status == 200 and isinstance(body, dict) and body.get("ok") is not False:
        # The common case first. A missing or non-boolean `ok` is judged by the structuring
        # pass like any other field.
        result = spec.read(body)
        if result is None:
            # Not taken as it is by the fast reader: cattrs' detailed pass says why (or, for
            # a body the reader is stricter about, reads it after all).
            from ._convert import structure

            result = structure(body, spec.response_type, method=spec.name)
        url = getattr(result, "url", None)
        if isinstance(url, str) and spec.name.startswith("rtm."):
            # The RTM methods' `url` is the socket URL the session connects to next.
            _check_socket_url(spec, url, config)
        found = getattr(result, "warnings", ())
        if found:
            _report_warnings(spec, found, config)
        return result
    # Everything kept on an exception is scrubbed: its text, the headers, and every string of
    # the body (`SlackApiError.extra` included), since an answer may echo the request.
    from ._response import SlackResponse

    decoded = body
    body = _scrub_json(body, secrets) if isinstance(body, dict) else None
    joined: dict[str, str] = {}
    for name, value in headers:
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    response = SlackResponse(
        status=status,
        headers={name: scrub(value, secrets) for name, value in joined.items()},
        body=body,
    )
    if status == 429:
        raise RateLimited(
            retry_after=retry_after(headers),
            excerpt=_excerpt(raw, secrets),
            response=response,
            method=spec.name,
        )
    if problem is not None or body is None:
        what = problem or f"JSON {_json_name(decoded)}, not an object"
        raise SlackHttpError(
            f"{spec.name}: the answer is {what}",
            status=status,
            excerpt=_excerpt(raw, secrets),
            response=response,
        )
    ok = body.get("ok")
    if ok is False:
        from ._convert import parse_warnings
        from ._generated.codes import WarningCode
        from ._generated.errors import ERROR_CLASSES

        found = parse_warnings(body, WarningCode)
        if found:
            _report_warnings(spec, found, config)
        code = body.get("error")
        if not isinstance(code, str) or not code:
            code = "unknown_error"
        code = code[:EXCERPT]
        error_class = ERROR_CLASSES.get(code, SlackApiError)
        raise error_class(
            code,
            method=spec.name,
            description=spec.errors.get(code),
            response=response,
            # Whatever Slack sends beside the code (`needed`, `provided`, ...) stays reachable.
            extra={k: v for k, v in body.items() if k not in ("ok", "error")},
        )
    raise SlackHttpError(
        f"{spec.name}: unexpected HTTP status",
        status=status,
        excerpt=_excerpt(raw, secrets),
        response=response,
    )


def _json_name(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array"}.get(
        type(value), type(value).__name__
    )


_AUTHORITY = re.compile(r"[^:/?#]*://[^/?#]*")
"""A URL's scheme and authority: all `_check_socket_url` judges, so its verdict is cached."""


@functools.lru_cache(maxsize=64)
def _socket_url_problem(authority: str, allow_insecure: bool) -> str | None:
    parts = urlsplit(authority)
    host = parts.hostname
    if parts.scheme == "wss" and host:
        return None
    if parts.scheme == "ws" and host:
        if allow_insecure or is_loopback(host):
            return None
        return "ws:// (unencrypted) on a host that is not loopback; pass allow_insecure=True"
    return "not a wss:// URL"


def _check_socket_url(spec: MethodSpec[Any, Any], url: str, config: Config) -> None:
    # Never name the value: it is the secret ticket itself. The verdict depends only on the
    # scheme and the host, so the path (the ticket, new each time) is not part of the key.
    match = _AUTHORITY.match(url)
    reason = _socket_url_problem(match[0] if match else url, config.allow_insecure)
    if reason is not None:
        raise SlackResponseError(path="url", reason=reason, method=spec.name)


def log_attempt(
    logger: logging.Logger, request: Request, outcome: Outcome, seconds: float, attempt: int
) -> None:
    """One DEBUG line per attempt: method, status or failure, time. Never a token."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    result = (
        f"HTTP {outcome.status}, {len(outcome.body)} bytes"
        if isinstance(outcome, Answer)
        else type(outcome.error).__name__
    )
    logger.debug(
        "%s attempt %d: %s in %.1f ms", request.method_name, attempt, result, seconds * 1000
    )
