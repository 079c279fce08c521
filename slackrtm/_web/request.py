"""Building a request: a method call encoded as a form POST, ready for a transport to send.

What lives here: `Request` and `build_request` (the wire encoding of arguments). What must
not: the headers (resolved once per client, in `config`), or anything about the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .tokens import headers_for

if TYPE_CHECKING:  # imports for the type checker only: dropping one changes nothing
    from .._spec import MethodSpec  # pragma: no mutate
    from .config import Config  # pragma: no mutate

__all__ = ["Request", "build_request"]


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

    The token is the client's first of a kind the method takes (`tokens.headers_for`).

    Arguments left as None are not sent, so Slack's defaults apply; booleans go as 1/0.

    Args:
        spec: The method.
        args: An instance of the method's generated arguments class.
        config: The client's settings (the base URL, the headers).

    Returns:
        The request; its headers are the client's shared mapping for that token.

    Raises:
        SlackTokenTypeError: The client has no token the method takes (before any I/O).
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
        # shared: neither library changes the mapping it is given
        headers=headers_for(spec.name, spec.token_kinds, config),
        body=urlencode(fields).encode("ascii") if fields else b"",
    )
