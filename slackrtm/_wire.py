"""The sans-I/O core of the Web API clients: requests out, answers in, no sockets, no loop.

Both transports (`client.py` over urllib3, `aio.py` over aiohttp) are a loop around these
functions that only moves bytes:

    request = build_request(spec, args, config)
    attempts = Attempts(config.retry)
    while True:
        outcome = send(request)               # Answer(status, headers, body) or Failure(error)
        wait = attempts.next_wait(outcome)    # seconds to sleep, or None: stop here
        if wait is None:
            return finish(spec, outcome, config.logger)
        sleep(wait)

Everything that decides anything lives here: the wire encoding of arguments, the headers, the
retry policy, turning an answer into a model or a typed error, and reporting warnings. The
token appears in exactly one place, the Authorization header of `Request`, and never in a
repr, a log line, an exception or a URL.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import random
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import attrs

from . import __version__
from ._convert import parse_warnings, structure
from ._exceptions import (
    RateLimited,
    SlackApiError,
    SlackApiWarning,
    SlackConnectionError,
    SlackHttpError,
    SlackResponse,
)
from ._generated.codes import WARNING_DESCRIPTIONS, WarningCode
from ._generated.errors import ERROR_CLASSES
from ._spec import MethodSpec, redacted

__all__ = [
    "DEFAULT_BASE_URL",
    "Answer",
    "Attempts",
    "Config",
    "Failure",
    "Outcome",
    "Request",
    "RetryPolicy",
    "build_request",
    "failure_message",
    "finish",
    "log_attempt",
    "make_config",
]

R = TypeVar("R")

DEFAULT_BASE_URL = "https://slack.com/api/"
TOKEN_ENVIRONMENT = ("SLACK_BOT_TOKEN", "SLACK_TOKEN")
FORM = "application/x-www-form-urlencoded"
EXCERPT = 200
"""How many characters of an unreadable body an error keeps, for diagnosis."""


# --------------------------------------------------------------------------- configuration


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When a call is tried again, shared by both clients.

    HTTP 429 waits for ``Retry-After`` (Slack rate-limits ``rtm.connect`` at Tier 1); HTTP 5xx
    and connection failures (timeouts included) wait an exponential backoff with full jitter:
    a uniform random time between 0 and ``min(backoff_max, backoff_base * 2**retry)``.

    Attributes:
        max_retries: Retries after the first attempt; 0 turns retrying off.
        max_total: Seconds that all waits together may add up to; a wait that would pass it
            is not made and the last outcome is reported instead.
        backoff_base: The first backoff ceiling, in seconds.
        backoff_max: The largest backoff ceiling, in seconds.
        rate_limited: Retry on HTTP 429.
        server_errors: Retry on HTTP 5xx.
        connection_errors: Retry when no answer came (refused, reset, timed out).
    """

    max_retries: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    max_total: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    backoff_base: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    backoff_max: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    rate_limited: bool = True
    server_errors: bool = True
    connection_errors: bool = True

    @classmethod
    def off(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(max_retries=0)


@attrs.frozen(kw_only=True)
class Config:
    """A client's settings, resolved once at construction; the same for both transports."""

    token: str = attrs.field(repr=redacted)
    base_url: str
    timeout: float
    retry: RetryPolicy
    proxy: str | None = attrs.field(repr=lambda p: "None" if p is None else "'<set>'")
    user_agent: str
    logger: logging.Logger = attrs.field(repr=False)


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
    if not token or token != token.strip() or any(c in token for c in "\r\n\0 "):
        # Never echo the value: it is a secret, even a malformed one.
        raise ValueError("token must be a non-empty string without white space")
    return token


def _resolve_proxy(base_url: str, proxy: str | None) -> str | None:
    if proxy is not None:
        return proxy
    host = urlsplit(base_url).hostname or ""
    if host in {"localhost", "::1"} or host.startswith("127."):
        return None
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
    base_url: str,
    timeout: float,
    retry: RetryPolicy | None,
    proxy: str | None,
    user_agent: str | None,
    logger: logging.Logger | None,
    transport: str,
) -> Config:
    """Check and resolve a client's options before any I/O.

    Raises:
        ValueError: No token anywhere, a malformed token, or a bad base URL or timeout.
        TypeError: An option of the wrong type.
    """
    resolved = _resolve_token(token)
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a string, got {type(base_url).__name__}")
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("base_url must be an http(s) URL such as https://slack.com/api/")
    if not base_url.endswith("/"):
        base_url += "/"
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise TypeError("retry must be a RetryPolicy")
    agent = f"slackrtm/{__version__} Python/{platform.python_version()} {transport}" + (
        f" {user_agent}" if user_agent else ""
    )
    return Config(
        token=resolved,
        base_url=base_url,
        timeout=float(timeout),
        retry=retry if retry is not None else RetryPolicy(),
        proxy=_resolve_proxy(base_url, proxy),
        user_agent=agent,
        logger=logger if logger is not None else logging.getLogger("slackrtm"),
    )


# --------------------------------------------------------------------------- requests


@attrs.frozen(kw_only=True)
class Request:
    """One HTTP request, ready for a transport to send as it is."""

    method_name: str
    """The Web API method, for logs and errors."""
    verb: str
    url: str
    headers: Mapping[str, str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)


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
    headers = {
        "Authorization": f"Bearer {config.token}",
        # No charset: Slack answers a charset on a form body with `superfluous_charset`.
        "Content-Type": FORM,
        "User-Agent": config.user_agent,
    }
    return Request(
        method_name=spec.name,
        verb="POST",
        url=config.base_url + spec.name,
        headers=headers,
        body=urlencode(fields).encode("ascii"),
    )


# --------------------------------------------------------------------------- outcomes


@attrs.frozen(kw_only=True)
class Answer:
    """The server answered: status, headers, raw body.

    ``headers`` is the transport's own case-insensitive mapping, passed through untouched: it
    is read only on the way to an error, where it becomes a plain lower-cased dict.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)


@attrs.frozen
class Failure:
    """No answer came; ``error`` is already the typed exception to raise."""

    error: SlackConnectionError


Outcome = Answer | Failure


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class Attempts:
    """The retry state of one call: counts attempts and the time spent waiting.

    Args:
        policy: The retry policy.
        clock: A monotonic clock in seconds (injectable for tests of the policy alone).
        rng: The random source of the jitter.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self.retries = 0
        self.waited = 0.0
        self._clock = clock
        self._rng = rng
        self._started = clock()

    def _backoff(self) -> float:
        policy = self.policy
        ceiling = min(policy.backoff_max, policy.backoff_base * (2.0**self.retries))
        return ceiling * self._rng()

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
            after = _retry_after(outcome.headers)
            wait = after if after is not None else 1.0
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


# --------------------------------------------------------------------------- answers


def _excerpt(body: bytes) -> str:
    text = body[: EXCERPT * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")


def _report_warnings(
    spec: MethodSpec[Any, Any], found: tuple[Any, ...], logger: logging.Logger
) -> None:
    for code in found:
        description = (
            WARNING_DESCRIPTIONS.get(code) if isinstance(code, WarningCode) else None
        ) or spec.warnings.get(str(code), "undocumented warning")
        logger.warning("%s: Slack warning %s: %s", spec.name, code, description)
        # Point at the user's line: this function <- finish <- the transport's _call <- the
        # generated method <- the caller.
        warnings.warn(SlackApiWarning(f"{spec.name}: {code}: {description}"), stacklevel=5)


def finish(spec: MethodSpec[Any, R], outcome: Outcome, logger: logging.Logger) -> R:
    """Turn the last outcome of a call into its model, or raise the typed error it stands for.

    Raises:
        SlackConnectionError: No answer came (SlackTimeoutError for a timeout).
        RateLimited: HTTP 429.
        SlackApiError: ``ok: false``; the generated subclass for a documented code.
        SlackHttpError: Another non-200 status, or a body that is not a JSON object.
        SlackResponseError: A JSON answer that does not match the schema.
    """
    if isinstance(outcome, Failure):
        raise outcome.error
    status, headers, raw = outcome.status, outcome.headers, outcome.body
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        body = None
    if status == 200 and isinstance(body, dict) and body.get("ok") is not False:
        # The common case first. A missing or non-boolean `ok` is judged by the structuring
        # pass like any other field.
        result = structure(body, spec.response_type, method=spec.name)
        found = getattr(result, "warnings", ())
        if found:
            _report_warnings(spec, found, logger)
        return result
    response = SlackResponse(
        status=status,
        headers={name.lower(): value for name, value in headers.items()},
        body=body if isinstance(body, dict) else None,
    )
    if status == 429:
        raise RateLimited(
            retry_after=_retry_after(headers), excerpt=_excerpt(raw), response=response
        )
    if not isinstance(body, dict):
        what = "not JSON" if body is None else f"JSON {type(body).__name__}, not an object"
        raise SlackHttpError(
            f"{spec.name}: the answer is {what}",
            status=status,
            excerpt=_excerpt(raw),
            response=response,
        )
    ok = body.get("ok")
    if ok is False:
        found = parse_warnings(body, WarningCode)
        if found:
            _report_warnings(spec, found, logger)
        code = body.get("error")
        if not isinstance(code, str) or not code:
            code = "unknown_error"
        error_class = ERROR_CLASSES.get(code, SlackApiError)
        raise error_class(
            code, method=spec.name, description=spec.errors.get(code), response=response
        )
    raise SlackHttpError(
        f"{spec.name}: unexpected HTTP status",
        status=status,
        excerpt=_excerpt(raw),
        response=response,
    )


def failure_message(request: Request, what: str, exc: BaseException) -> str:
    """The text of a connection failure: method, host and port, the library's reason."""
    parts = urlsplit(request.url)
    detail = str(exc) or type(exc).__name__
    return f"{request.method_name}: {what} from {parts.hostname}:{parts.port or ''}: {detail}"


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
