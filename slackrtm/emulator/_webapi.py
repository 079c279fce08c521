"""How the emulator reads a Web API call: content types, form bodies, argument names, the token.

What lives here: pure functions from request facts (verb, headers, body bytes) to arguments or a
documented error code, raising `CallError`. No sockets, no event loop, no aiohttp: the server
reads the bytes (and multipart parts) and hands them in. Error and warning codes come from the
generated enums, content types from the generated method table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import unquote_to_bytes

import attrs

from slackrtm._generated import RTM_CONNECT, ErrorCode, WarningCode

from .records import TokenSource

__all__ = [
    "BodyPlan",
    "CallError",
    "check_arg_names",
    "error_body",
    "parse_bool",
    "parse_content_type",
    "parse_form",
    "pick_token",
    "plan_body",
    "with_warnings",
]

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
JSON = "application/json"
# Form content types ignore a charset parameter (so one draws superfluous_charset); the others
# should carry one (so its absence draws missing_charset).
_FORM_TYPES = frozenset({FORM, MULTIPART})
# JSON is not read by rtm.connect, but it is not an invalid POST type either: its body, token
# included, is simply ignored.
_IGNORED_TYPES = frozenset({JSON})
_CHARSETS = {"utf-8": "utf-8", "iso-8859-1": "iso-8859-1"}

_NAME = re.compile(r"[A-Za-z0-9_]+")
_ARRAY = re.compile(r"[^\[\]]*\[[^\]]*\]")
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")

BodyKind = Literal["none", "form", "multipart", "ignore"]


class CallError(Exception):
    """The call fails with a Web API error code (HTTP 200, ``ok: false``)."""

    def __init__(self, code: str, warnings: Sequence[str] = ()) -> None:
        """Carry the error code and any warnings collected before it."""
        super().__init__(code)
        self.code = code
        self.warnings = tuple(warnings)


@attrs.frozen
class BodyPlan:
    """How to read a POST body, decided from its Content-Type.

    Attributes:
        kind: ``none`` (no body), ``form`` (urlencoded or text/plain), ``multipart``, ``ignore``.
        charset: The codec to decode form values with.
        warnings: Warning codes the Content-Type draws.
    """

    kind: BodyKind
    charset: str = "utf-8"
    warnings: tuple[str, ...] = ()


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type value into its lower-cased media type and its parameters."""
    mimetype, *rest = value.split(";")
    params: dict[str, str] = {}
    for item in rest:
        key, sep, val = item.partition("=")
        if not sep:
            continue
        val = val.strip()
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1]
        params[key.strip().lower()] = val
    return mimetype.strip().lower(), params


def plan_body(
    content_type: str | None,
    has_body: bool,
    accepted: Iterable[str] = RTM_CONNECT.content_types,
) -> BodyPlan:
    """Decide how to read a POST body, or which documented error it draws.

    Args:
        content_type: The Content-Type header, or None.
        has_body: Whether the request carries a non-empty body.
        accepted: The content types the called method reads (from the method table).

    Returns:
        The plan.

    Raises:
        CallError: ``missing_post_type``, ``invalid_post_type`` or ``invalid_charset``.
    """
    if content_type is None or not content_type.strip():
        if has_body:
            raise CallError(ErrorCode.MISSING_POST_TYPE.value)
        return BodyPlan("none")
    mimetype, params = parse_content_type(content_type)
    if mimetype not in accepted and mimetype not in _IGNORED_TYPES:
        raise CallError(ErrorCode.INVALID_POST_TYPE.value)
    declared = params.get("charset")
    charset = "utf-8"
    if declared is not None:
        known = _CHARSETS.get(declared.lower())
        if known is None:
            raise CallError(ErrorCode.INVALID_CHARSET.value)
        charset = known
    warnings: tuple[str, ...] = ()
    if mimetype in _FORM_TYPES and declared is not None:
        warnings = (WarningCode.SUPERFLUOUS_CHARSET.value,)
    elif mimetype not in _FORM_TYPES and mimetype not in _IGNORED_TYPES and declared is None:
        warnings = (WarningCode.MISSING_CHARSET.value,)
    if mimetype in _IGNORED_TYPES:
        return BodyPlan("ignore", charset, warnings)
    if not has_body:
        if mimetype == MULTIPART:
            raise CallError(ErrorCode.INVALID_FORM_DATA.value, warnings)
        return BodyPlan("none", charset, warnings)
    return BodyPlan("multipart" if mimetype == MULTIPART else "form", charset, warnings)


def _unquote(raw: bytes, charset: str) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode(charset)


def parse_form(body: bytes, charset: str) -> list[tuple[str, str]]:
    """Parse an urlencoded (or text/plain) body into name/value pairs.

    Lenient where browsers are (empty segments, a name without ``=``), strict on what cannot
    be read: a broken percent escape or bytes that are not valid in the charset.

    Raises:
        CallError: ``invalid_form_data``.
    """
    pairs: list[tuple[str, str]] = []
    for segment in body.split(b"&"):
        if not segment:
            continue
        if _BAD_ESCAPE.search(segment):
            raise CallError(ErrorCode.INVALID_FORM_DATA.value)
        name, _, value = segment.partition(b"=")
        try:
            pairs.append((_unquote(name, charset), _unquote(value, charset)))
        except UnicodeDecodeError:
            raise CallError(ErrorCode.INVALID_FORM_DATA.value) from None
    return pairs


def check_arg_names(names: Iterable[str], max_length: int) -> None:
    """Reject PHP-style array names and names Slack does not accept.

    Raises:
        CallError: ``invalid_array_arg`` or ``invalid_arg_name`` for the first bad name.
    """
    for name in names:
        if _ARRAY.fullmatch(name):
            raise CallError(ErrorCode.INVALID_ARRAY_ARG.value)
        if len(name) > max_length or not _NAME.fullmatch(name):
            raise CallError(ErrorCode.INVALID_ARG_NAME.value)


def pick_token(
    authorization: str | None,
    body: Mapping[str, str],
    query: Mapping[str, str],
) -> tuple[str | None, TokenSource | None]:
    """The token a call authenticates with and where it came from.

    The ``Authorization: Bearer`` header wins over a body argument, which wins over the query.
    """
    if authorization:
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip(), "header"
    if body.get("token"):
        return body["token"], "body"
    if query.get("token"):
        return query["token"], "query"
    return None, None


def parse_bool(value: str | None, default: bool) -> bool:
    """Read a boolean argument as Slack does: ``1``/``true`` and ``0``/``false``."""
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true"):
        return True
    if lowered in ("0", "false", ""):
        return False
    return default


def with_warnings(payload: dict[str, Any], warnings: Sequence[str]) -> dict[str, Any]:
    """Add warnings to an answer as Slack does: ``warning`` and ``response_metadata.warnings``."""
    unique = list(dict.fromkeys(warnings))
    if unique:
        payload["warning"] = ",".join(unique)
        metadata = payload.setdefault("response_metadata", {})
        metadata["warnings"] = unique
    return payload


def error_body(code: str, warnings: Sequence[str] = ()) -> dict[str, Any]:
    """An ``ok: false`` answer."""
    return with_warnings({"ok": False, "error": code}, warnings)
