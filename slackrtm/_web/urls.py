"""The URL rules of the Web API core, each written once.

The rules: loopback hosts, the shape of a base URL or proxy, credentials hidden from reprs, and
which socket URLs may be opened.

What lives here: pure functions of a URL (or a host) and a flag. What must not: resolving a
client's options (`config`), or wording a typed Slack error (the caller turns a refusal into
its own exception). It imports nothing of ours.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

__all__ = ["check_url", "hide_userinfo", "is_loopback", "socket_url_refusal"]


@functools.lru_cache(maxsize=256)  # pragma: no mutate (a cache size: any size, same answers)
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


_UNSENDABLE = re.compile(r"[\s\x00-\x1f\x7f]")
"""White space (what `str.isspace` says, Unicode's included) and the control characters."""


def check_url(what: str, url: object) -> str:
    """Check that an option is an http(s) URL with a host, and nothing a header cannot carry.

    Args:
        what: The option's name, for the message (``base_url``, ``proxy``, a variable's name).
        url: The value given.

    Returns:
        The URL, unchanged.

    Raises:
        TypeError: Not a string.
        ValueError: Not a URL, not http(s), no host, or white space or control characters.
    """
    if not isinstance(url, str):
        raise TypeError(f"{what} must be a string, got {type(url).__name__}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError(f"{what} is not a valid URL") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{what} must be an http(s) URL with a host")
    if _UNSENDABLE.search(url):
        raise ValueError(f"{what} must not contain white space or control characters")
    return url


_AUTHORITY = re.compile(r"[^:/?#]*://[^/?#]*")
"""A URL's scheme and authority: all the socket-URL rule judges, so its verdict is cached."""


def socket_url_refusal(url: object, *, allow_insecure: bool = False) -> str | None:
    """Why a socket URL may not be opened, or None when it may.

    One rule for ``rtm.connect``'s answer and for every URL an RTM session is handed: ``wss://``
    with a host always; ``ws://`` (unencrypted) only on a loopback host, or with the client's
    ``allow_insecure``. The reason never quotes the URL: its path is the single-use ticket, a
    secret. The verdict depends only on the scheme and the host, so it is cached by them, never
    by the path.

    Args:
        url: What the server (or a caller) gave as the socket URL; any object.
        allow_insecure: The client's ``allow_insecure``.

    Returns:
        None, or the reason: ``"not a string"``, ``"not a URL"``, ``"not a wss:// URL"``, or
        why an unencrypted URL is refused.
    """
    if not isinstance(url, str):
        return "not a string"
    match = _AUTHORITY.match(url)
    if match is None:
        return _refusal(url, allow_insecure)  # not cached: the key would be the whole URL
    return _authority_refusal(match[0], allow_insecure)


def _refusal(url: str, allow_insecure: bool) -> str | None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "not a URL"
    if parts.scheme == "wss" and host:
        return None
    if parts.scheme == "ws" and host:
        if allow_insecure or is_loopback(host):
            return None
        return "ws:// (unencrypted) on a host that is not loopback, and allow_insecure is off"
    return "not a wss:// URL"


# A cache size: any size gives the same answers.
_authority_refusal = functools.lru_cache(maxsize=64)(_refusal)  # pragma: no mutate
"""`_refusal` of a URL's scheme and authority, cached: one verdict per server and flag."""
