"""Plain value types shared by the generated code, the sans-I/O core and the transports.

What lives here: the description of a method (`MethodSpec`, `ArgSpec`) that the generator emits
into `_generated/methods.py`, the strict argument validator the generated argument classes use,
the JSON encoding of array and object arguments (`json_field`), and the redacting repr for secret
fields. Nothing here performs I/O or knows a method by name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Generic, Literal, TypeVar

import attrs

from ._web.redact import redacted  # the generated models' secret fields use it

__all__ = ["ArgKind", "ArgSpec", "MethodSpec", "PageSpec", "json_field", "redacted", "strict"]

ArgKind = Literal["string", "boolean", "integer", "number", "array", "object"]

A = TypeVar("A")
R = TypeVar("R")

# The Python types an argument of each schema kind accepts. `bool` is a subclass of `int` in
# Python, so the check below is on exact types: `True` is not an integer argument and `1` is not
# a boolean one.
_ACCEPTED: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}
# JSON-able kinds: checked by instance (a subclass of list or dict is still a list or dict), and
# by encoding them, so that a value JSON cannot carry fails before any I/O.
_JSON_KINDS: Mapping[str, tuple[type, ...]] = {"array": (list, tuple), "object": (Mapping,)}
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def json_field(value: object) -> str:
    """An array or object argument as its form field carries it: compact JSON, UTF-8 kept.

    Raises:
        TypeError: A value JSON cannot carry (a set, a date, a key that is not a string...).
        ValueError: A float that JSON has no word for (NaN, infinity), or a circular value.
    """
    return _ENCODE(value)


def _check_json(wire: str, kind: str, value: object, optional: bool) -> None:
    if not isinstance(value, _JSON_KINDS[kind]):  # a str is no list: JSON text is refused
        shape = "a list or tuple" if kind == "array" else "a mapping"
        raise TypeError(
            f"argument {wire!r} must be {shape} of JSON values"
            f"{' or None' if optional else ''}, got {type(value).__name__}"
        )
    try:
        json_field(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"argument {wire!r} cannot be sent as JSON: {exc}") from None


def strict(kind: ArgKind, *, optional: bool) -> Any:
    """An attrs validator that accepts exactly the Python types of a schema argument kind.

    Args:
        kind: The argument's schema type.
        optional: Whether ``None`` (meaning "not sent") is accepted.

    Returns:
        A validator raising TypeError that names the argument by its wire name.
    """
    if kind in _JSON_KINDS:

        def check_json(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
            if value is None and optional:
                return
            _check_json(attribute.metadata.get("wire", attribute.name), kind, value, optional)

        return check_json
    accepted = _ACCEPTED[kind]

    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if type(value) not in accepted:
            wire = attribute.metadata.get("wire", attribute.name)
            raise TypeError(
                f"argument {wire!r} must be {kind}"
                f"{' or None' if optional else ''}, got {type(value).__name__}"
            )

    return check


@attrs.frozen(kw_only=True)
class ArgSpec:
    """One argument of a Web API method, as the schema describes it."""

    wire: str
    """The name on the wire."""
    attr: str
    """The Python name on the generated arguments class."""
    kind: ArgKind
    required: bool
    default: str | bool | int | float | None
    """Slack's default, applied server-side when the argument is not sent."""
    secret: bool
    role: Literal["token"] | None
    """``token``: the credential, sent in the Authorization header and never as a field."""
    description: str


@attrs.frozen(kw_only=True)
class PageSpec:
    """How a method pages, as the schema declares it (``pagination`` in a method file)."""

    cursor: str
    """The wire name of the argument that takes the next page's cursor."""
    cursor_attr: str
    """Its Python name on the arguments class."""
    next_cursor: tuple[str, ...]
    """The attribute path of the next cursor on the response model, e.g.
    ``("response_metadata", "next_cursor")``; empty or absent on the last page."""
    items: tuple[str, ...]
    """The attribute path of the page's items on the response model, e.g. ``("members",)``."""


@attrs.frozen(kw_only=True)
class MethodSpec(Generic[A, R]):
    """Everything a transport and the core need to know to call one Web API method."""

    name: str
    """The wire name, such as ``rtm.connect``."""
    verbs: tuple[str, ...]
    content_types: tuple[str, ...]
    arguments: tuple[ArgSpec, ...]
    """Every argument, the token included (see `ArgSpec.role`)."""
    args_type: type[A]
    response_type: type[R]
    read: Callable[[Any], R | None]
    """The generated fast reader of the response model: the model, or None for a body it does
    not take as it is (the core then structures it with cattrs, which says why)."""
    errors: Mapping[str, str]
    """Documented error codes mapped to their descriptions."""
    warnings: Mapping[str, str]
    """Documented warning codes mapped to their descriptions."""
    rate_limit_tier: int | None = None
    pagination: PageSpec | None = None
    """How the method pages; None for a method that does not."""
    token_kinds: tuple[str, ...] = ("bot", "user")
    """The kinds of token the method takes: ``bot``, ``user``, ``app`` (an app-level token);
    the client picks its token by them, and refuses the call before any I/O when it has none
    of them (`SlackTokenTypeError`)."""
    idempotent: bool = True
    """False for a method whose repeat is a second effect (chat.postMessage posts again): it is
    retried only where nothing can have reached Slack (`slackrtm._web.retry`), and a timeout or a
    5xx after sending is reported as `OutcomeUnknown`."""
    socket_url: str | None = None
    """The answer's field that is a WebSocket URL the SDK opens (``url`` of ``rtm.connect`` and
    ``apps.connections.open``): the core holds it to the socket URL rule
    (`slackrtm._web.urls.socket_url_refusal`) before the answer is returned."""
