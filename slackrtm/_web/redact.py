r"""Secrets kept out of every text: the repr of a secret value, and scrubbing an answer's echoes.

An answer may echo secrets in its error texts, headers, JSON strings and excerpts. A socket URL
is a single-use secret ticket; a Slack token has a known shape. Both are scrubbed from any text
built from an answer, on top of the secrets the client itself knows, also when a character of
them is written as an escape: JSON (``\u002f``, ``\/``), percent (``%2F``) or HTML (``&#x2f;``,
``&#47;``), as an answer that echoes a request may write them.

What must not live here: deciding which secrets a client has (`config` gathers them once).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from .limits import EXCERPT

__all__ = ["excerpt", "redacted", "scrub", "scrub_json"]


def redacted(value: object) -> str:
    """The repr of a secret value: says whether one is set, never what it is."""
    return "'<redacted>'" if value else repr(value)


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


@functools.cache
def _shapes() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The secrets known by shape: a socket URL, a Slack token, a bearer value.

    Compiled on the first scrub, not at import: only an error or a warning scrubs, and the three
    patterns cost a fresh interpreter's first call 5-8M instructions (1-2%) to compile.
    A Slack token's shape: ``xoxb-``, ``xoxp-``, ... and the app-level ``xapp-``.
    """
    socket_url = _escaped("ws") + _char("s") + "?" + _escaped("://") + r"[^\s\"'<>]*"
    token = rf"(?:xox[a-z]|xapp){_char('-')}(?:[A-Za-z0-9]|{_char('-')})+"
    return (
        re.compile(socket_url, re.IGNORECASE),
        re.compile(token, re.IGNORECASE),
        re.compile(r"(Bearer\s+)\S+", re.IGNORECASE),
    )


@functools.lru_cache(maxsize=64)  # pragma: no mutate (a cache size: any size, same answers)
def _secrets_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    found = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
    if not found:
        return None
    return re.compile("|".join(_escaped(secret) for secret in found), re.IGNORECASE)


def scrub(text: str, secrets: Sequence[str] = ()) -> str:
    """The text without any secret: the given ones, socket URLs, Slack tokens, bearer values.

    Each is found also when some of its characters are written as escapes.
    """
    pattern = _secrets_pattern(tuple(secrets))
    if pattern is not None:
        text = pattern.sub("<redacted>", text)
    socket_url, token, bearer = _shapes()
    text = socket_url.sub("<socket url redacted>", text)
    text = token.sub("<redacted>", text)
    return bearer.sub(r"\1<redacted>", text)


def _scrubbed(item: Any, secrets: Sequence[str]) -> Any:
    """A string scrubbed, an empty container of the same kind, or any other value as it is."""
    if isinstance(item, str):
        return scrub(item, secrets)
    if isinstance(item, dict):
        return {}
    if isinstance(item, list):
        return []
    return item


def scrub_json(value: Any, secrets: Sequence[str]) -> Any:
    """A copy of a decoded JSON value with every string in it scrubbed, keys included.

    Iterative, not recursive: a value nested as deep as `json` reads must not overflow here.
    """
    result = _scrubbed(value, secrets)
    todo = [(value, result)] if isinstance(value, (dict, list)) else []
    while todo:
        source, target = todo.pop()
        pairs: list[tuple[str | None, Any]]  # pragma: no mutate (for the type checker only)
        if isinstance(source, dict):
            pairs = [(scrub(key, secrets), item) for key, item in source.items()]
        else:
            pairs = [(None, item) for item in source]
        for key, item in pairs:
            kept = _scrubbed(item, secrets)
            if key is None:
                target.append(kept)
            else:
                target[key] = kept
            if isinstance(item, (dict, list)):
                todo.append((item, kept))
    return result


def excerpt(body: bytes, secrets: Sequence[str]) -> str:
    """The start of a body as text, white space folded, scrubbed, cut to `EXCERPT` characters."""
    # Scrub a wider window than is kept, so no secret is cut in two and half-kept.
    text = body[: EXCERPT * 4].decode("utf-8", errors="replace")
    text = scrub(" ".join(text.split()), secrets)
    return text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")
