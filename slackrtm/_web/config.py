"""A client's settings, checked and resolved once before any I/O: `Config` and `make_config`.

What lives here: the tokens (given or from the environment: a bot or user token, an app-level
token, or both; which one a call carries is for `tokens` to say), the base URL and its rules, the
proxy (given, from the environment, or none for loopback), the timeout and body cap, the
User-Agent, the headers every request carries, and the secrets every text is scrubbed of.
What must not: anything read per call (`request`, `finish`), or an import of `policy` at the
top (attrs stays unloaded until a client is given a policy or makes its first call).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .._version import __version__
from .limits import (
    ACCEPT_ENCODING,
    APP_TOKEN_ENVIRONMENT,
    APP_TOKEN_PREFIX,
    BASE_URL_ENVIRONMENT,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_BODY,
    MAX_TIMEOUT,
    TOKEN_ENVIRONMENT,
)
from .redact import redacted
from .urls import check_url, hide_userinfo, is_loopback

if TYPE_CHECKING:
    from .policy import RetryPolicy

__all__ = ["Config", "make_config"]

FORM = "application/x-www-form-urlencoded"
"""The body's type, without a charset: Slack answers a charset with `superfluous_charset`."""

_DEFAULT_RETRY: list[RetryPolicy] = []


def _default_retry() -> RetryPolicy:
    """`RetryPolicy()`, made once, on the first call of a client given none."""
    if not _DEFAULT_RETRY:
        # Lazy: `policy` loads attrs, which building a client must not.
        from .policy import RetryPolicy

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
        "app_token",
        "base_url",
        "logger",
        "max_body",
        "proxy",
        "secrets",
        "timeout",
        "token",
        "token_headers",
        "user_agent",
    )

    def __init__(
        self,
        *,
        token: str | None,
        app_token: str | None = None,
        base_url: str,
        timeout: float,
        retry: RetryPolicy | None,
        proxy: str | None,
        user_agent: str,
        logger: logging.Logger,
        max_body: int,
        allow_insecure: bool,
    ) -> None:
        self.token = token
        """The bot or user token (``token=``), if the client has one."""
        self.app_token = app_token
        """The app-level token (``app_token=``), if the client has one."""
        self.base_url = base_url
        self.timeout = timeout
        self._retry = retry
        self.proxy = proxy
        self.user_agent = user_agent
        self.logger = logger
        self.max_body = max_body
        self.allow_insecure = allow_insecure
        tokens = [t for t in (token, app_token) if t is not None]
        self.secrets: tuple[str, ...] = _secrets(tokens, base_url, proxy)
        """Every secret this client knows, to scrub from any text built from an answer."""
        self.token_headers: tuple[tuple[str, Mapping[str, str]], ...] = tuple(
            (t, _headers(t, user_agent)) for t in tokens
        )
        """Each token, first ``token`` then ``app_token``, with the headers every request that
        carries it shares (see `tokens.headers_for`)."""

    @property
    def headers(self) -> Mapping[str, str]:
        """The headers of the client's first token (``token``, else ``app_token``)."""
        return self.token_headers[0][1]

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy; `RetryPolicy()` when the client was given none."""
        if self._retry is None:
            self._retry = _default_retry()  # resolved once, on the first call
        return self._retry

    def __repr__(self) -> str:
        proxy = "None" if self.proxy is None else "'<set>'"
        return (
            f"Config(token={redacted(self.token)}, "
            + ("app_token='<redacted>', " if self.app_token else "")
            + f"base_url={hide_userinfo(self.base_url)!r}, "
            f"timeout={self.timeout!r}, retry={self.retry!r}, proxy={proxy}, "
            f"user_agent={self.user_agent!r}, max_body={self.max_body!r}, "
            f"allow_insecure={self.allow_insecure!r})"
        )


def _secrets(tokens: list[str], base_url: str, proxy: str | None) -> tuple[str, ...]:
    # Once per client: `finish` asks for them on every answer, and a client's never change.
    found = list(tokens)
    for url in (base_url, proxy):
        parts = urlsplit(url or "")
        found += [part for part in (parts.username, parts.password) if part]
    return tuple(found)


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


def _resolve_tokens(token: str | None, app_token: str | None) -> tuple[str | None, str | None]:
    """The token and the app-level token, each given or from the environment; one at least."""
    if token is None:
        token = next((t for t in map(os.environ.get, TOKEN_ENVIRONMENT) if t), None)
    if app_token is None:
        app_token = os.environ.get(APP_TOKEN_ENVIRONMENT) or None
    if token is None and app_token is None:
        raise ValueError(
            "no Slack token: pass token=... or set SLACK_BOT_TOKEN or SLACK_TOKEN "
            f"(for Socket Mode, app_token=... or {APP_TOKEN_ENVIRONMENT})"
        )
    for name, value in (("token", token), ("app_token", app_token)):
        if value is not None:
            _check_token(name, value)
    if app_token is not None and not app_token.startswith(APP_TOKEN_PREFIX):
        raise ValueError(f"app_token must be an app-level token ({APP_TOKEN_PREFIX}...)")
    return token, app_token


def _check_token(name: str, token: object) -> None:
    if not isinstance(token, str):
        raise TypeError(f"{name} must be a string, got {type(token).__name__}")
    # It goes in an HTTP header: printable ASCII only, no space, no control character.
    if not token or not all("!" <= c <= "~" for c in token):
        # Never echo the value: it is a secret, even a malformed one.
        raise ValueError(
            f"{name} must be a non-empty string of printable ASCII without white space"
        )


def _resolve_base_url(base_url: str | None, allow_insecure: bool) -> str:
    """The base URL given, or from the environment, or Slack's; checked, ending in ``/``."""
    source = "base_url"
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENVIRONMENT) or DEFAULT_BASE_URL
        source = BASE_URL_ENVIRONMENT if base_url != DEFAULT_BASE_URL else source
    check_url(source, base_url)
    parts = urlsplit(base_url)
    if parts.query or parts.fragment or base_url.endswith(("?", "#")):
        raise ValueError(f"{source} must not have a query string or a fragment")
    if parts.scheme == "http" and not allow_insecure and not is_loopback(parts.hostname):
        raise ValueError(
            f"{source} is http:// on a host that is not loopback: the token would travel in "
            "clear text; use https://, or pass allow_insecure=True"
        )
    return base_url if base_url.endswith("/") else base_url + "/"


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
    # honours NO_PROXY. Lazy: importing urllib.request costs several milliseconds.
    import urllib.request

    if urllib.request.proxy_bypass(host):
        return None
    scheme = urlsplit(base_url).scheme
    return urllib.request.getproxies().get(scheme)


def _check_limits(timeout: float, max_body: int) -> None:
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not 0 < timeout <= MAX_TIMEOUT  # nan and inf fail here; a huge int does not overflow
    ):
        raise ValueError(f"timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}")
    if type(max_body) is not int or max_body < 1:
        raise ValueError("max_body must be a positive int (bytes)")


def _check_retry(retry: RetryPolicy | None) -> None:
    if retry is not None:
        # Lazy: `policy` loads attrs, which building a client given no policy must not (a
        # client given one has loaded it already).
        from .policy import RetryPolicy

        if not isinstance(retry, RetryPolicy):
            raise TypeError("retry must be a RetryPolicy")


def _user_agent(transport: str, user_agent: str | None) -> str:
    # sys.version's first word is what platform.python_version() reads (without its import).
    python = sys.version.split()[0]
    extra = f" {user_agent}" if user_agent else ""
    return f"slackrtm/{__version__} Python/{python} {transport}{extra}"


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
    app_token: str | None = None,
) -> Config:
    """Check and resolve a client's options before any I/O.

    Raises:
        ValueError: No token anywhere, a malformed token (an ``app_token`` not ``xapp-``), or a
            bad base URL, proxy, timeout or
            body cap; an ``http://`` base URL on a host that is not loopback without
            ``allow_insecure``.
        TypeError: An option of the wrong type.
    """
    resolved, resolved_app = _resolve_tokens(token, app_token)
    if not isinstance(allow_insecure, bool):
        raise TypeError("allow_insecure must be a bool")
    base_url = _resolve_base_url(base_url, allow_insecure)
    if proxy is not None:
        check_url("proxy", proxy)
    _check_limits(timeout, max_body)
    _check_retry(retry)
    return Config(
        token=resolved,
        app_token=resolved_app,
        base_url=base_url,
        timeout=float(timeout),
        retry=retry,
        proxy=_resolve_proxy(base_url, proxy),
        user_agent=_user_agent(transport, user_agent),
        logger=logger if logger is not None else logging.getLogger("slackrtm"),
        max_body=max_body,
        allow_insecure=allow_insecure,
    )
