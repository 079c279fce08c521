"""Intermediate model -> methods.py of slackrtm/_generated/: the method table.

One `MethodSpec` constant per Web API method (its verbs, content types, arguments, models,
reader, codes, rate-limit tier and pagination), and ``METHODS``, the table by wire name that
the core reads. The text is formatted as `ruff format` leaves it, methods in schema order.

What must not live here: the classes the table names (emit_models.py), the wrappers that call
it (emit_api.py), and helpers another emitter needs (text.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from .load import Code, Method
from .text import WIDTH, quote, reader_name

__all__ = ["method_spec"]


def _codes_table(name: str, codes: tuple[Code, ...]) -> list[str]:
    if not codes:
        return [f"    {name}={{}},"]
    return [
        f"    {name}={{",
        *(f"        {quote(c.code)}: {quote(c.description)}," for c in codes),
        "    },",
    ]


def _tuple(name: str, items: Iterable[str], indent: str = "    ") -> list[str]:
    listed = list(items)
    if len(listed) == 1:
        # The comma of a one-element tuple is not a "magic" trailing comma: the formatter
        # joins it onto one line, so it is written that way.
        return [f"{indent}{name}=({listed[0]},),"]
    return [f"{indent}{name}=(", *(f"{indent}    {item}," for item in listed), f"{indent}),"]


def _literal(value: str | bool | int | float | None) -> str:
    """A default as the formatter writes it: double-quoted strings, ``1e100`` not ``1e+100``."""
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, float):
        return repr(value).replace("e+", "e")
    return repr(value)


def _arguments(method: Method) -> list[str]:
    """The ``arguments=`` entry of a spec: one `ArgSpec` per argument, the token's included."""
    body = ["    arguments=("]
    for arg in method.arguments:
        body += [
            "        ArgSpec(",
            f"            wire={quote(arg.wire)},",
            f"            attr={quote(arg.attr)},",
            f"            kind={quote(arg.kind)},",
            f"            required={arg.required},",
            f"            default={_literal(arg.default)},",
            f"            secret={arg.secret},",
            f"            role={'None' if arg.role is None else quote(arg.role)},",
            f"            description={quote(arg.description)},",
            "        ),",
        ]
    body.append("    ),")
    return body


def _pagination(method: Method) -> list[str]:
    """The ``pagination=`` entry of a spec; nothing for a method that does not page."""
    page = method.pagination
    if page is None:
        return []
    return [
        "    pagination=PageSpec(",
        f"        cursor={quote(page.cursor)},",
        f"        cursor_attr={quote(page.cursor_attr)},",
        *_tuple("next_cursor", map(quote, page.next_cursor_attrs), "        "),
        *_tuple("items", [quote(page.items_attr)], "        "),
        "    ),",
    ]


def method_spec(method: Method) -> list[str]:
    """The lines of a method's `MethodSpec` constant (its group module holds it)."""
    spec_type = f"MethodSpec[{method.args_class}, {method.response_class}]"
    head = f"{method.const_name}: Final[{spec_type}] = "
    out = ["", ""]
    body = [f"    name={quote(method.name)},"]
    body += _tuple("verbs", map(quote, method.verbs))
    body += _tuple("content_types", map(quote, method.content_types))
    body += _arguments(method)
    body += [
        f"    args_type={method.args_class},",
        f"    response_type={method.response_class},",
        f"    read={reader_name(method.response_class)},",
    ]
    body += _codes_table("errors", method.errors)
    body += _codes_table("warnings", method.warnings)
    body.append(f"    rate_limit_tier={method.rate_limit_tier},")
    body += _tuple("token_kinds", map(quote, method.tokens))
    body += _pagination(method)
    if not method.idempotent:
        body.append("    idempotent=False,")
    if method.socket_url is not None:
        body.append(f"    socket_url={quote(method.socket_url)},")
    if len(head + "MethodSpec(") <= WIDTH:
        out += [head + "MethodSpec(", *body, ")"]
    else:
        # The formatter wraps a long right-hand side in parentheses, one level deeper.
        out += [head + "(", "    MethodSpec(", *(f"    {line}" for line in body), "    )", ")"]
    return out
