"""Plain value types shared by the generated code, the sans-I/O core and the transports.

What lives here: the description of a method (`MethodSpec`, `ArgSpec`) that the generator emits
into `_generated/methods.py`, the strict argument validator the generated argument classes use,
and the redacting repr for secret fields. Nothing here performs I/O or knows a method by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Literal, TypeVar

import attrs

from ._web.redact import redacted  # the generated models' secret fields use it

__all__ = ["ArgKind", "ArgSpec", "MethodSpec", "PageSpec", "redacted", "strict"]

ArgKind = Literal["string", "boolean", "integer", "number"]

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


def strict(kind: ArgKind, *, optional: bool) -> Any:
    """An attrs validator that accepts exactly the Python types of a schema argument kind.

    Args:
        kind: The argument's schema type.
        optional: Whether ``None`` (meaning "not sent") is accepted.

    Returns:
        A validator raising TypeError that names the argument by its wire name.
    """
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
