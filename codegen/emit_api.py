"""Intermediate model -> api.py of slackrtm/_generated/: the typed wrappers both clients inherit.

Two classes, `SyncMethods` and `AsyncMethods`, with one method per Web API method (keyword
arguments typed from the schema, a Google-style docstring) and an ``iter_<method>`` for each
method that pages. A wrapper only builds its arguments and hands them with its `MethodSpec` to
the client's ``_call``; the method table is imported at the first call, so building a client
loads no models and no attrs. The text is formatted as `ruff format` leaves it.

What must not live here: the method table itself (emit_methods.py), the models (emit_models.py),
and helpers another emitter needs (text.py).
"""

from __future__ import annotations

import textwrap

from .emit_groups import group_module
from .load import Api, Argument, Method
from .text import ARG_TYPES, WIDTH, argument_doc, docstring, dunder_all, file_text, header, quote

__all__ = ["emit_api"]


# --------------------------------------------------------------------------- docstrings


def _args_section(args: list[Argument]) -> list[str]:
    """The ``Args:`` section of a wrapper's docstring, one wrapped entry per argument."""
    if not args:
        return []
    lines = ["Args:"]
    for arg in args:
        wrapped = textwrap.wrap(
            f"{arg.attr}: {argument_doc(arg)}",
            width=WIDTH - 12,
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.append(f"    {wrapped[0]}")
        lines += [f"        {line}" for line in wrapped[1:]]
    return [*lines, ""]


def _method_doc(method: Method) -> str:
    args = [a for a in method.arguments if a.role != "token"]
    lines = [method.summary, ""]
    lines += _args_section(args)
    lines += [
        "Returns:",
        f"    The `{method.response_class}`; Slack's warnings are on its ``warnings``.",
        "",
        "Raises:",
        "    TypeError: An argument of the wrong type.",
        "    SlackApiError: Slack answered ``ok: false``; a documented code raises its",
        "        subclass in `slackrtm.errors`.",
        "    SlackHttpError: An HTTP failure, RateLimited once retries are spent.",
        "    SlackConnectionError: No answer (refused, reset, timed out).",
        "    SlackResponseError: An answer that does not match the schema.",
    ]
    return "\n".join(lines)


def _iter_doc(method: Method) -> str:
    page = method.pagination
    assert page is not None
    args = [a for a in method.arguments if a.role != "token" and a.wire != page.cursor]
    lines = [
        f"Every item of `{method.name}`'s ``{page.items}``, page after page.",
        "",
        f"Each page is one `{method.py_name}` call with its ``{page.cursor}`` set to the last",
        f"page's ``{'.'.join(page.next_cursor)}``; a rate-limited page is retried as the",
        "client's RetryPolicy says (HTTP 429 waits for Retry-After), so no item is lost or",
        "repeated.",
        "",
    ]
    lines += _args_section(args)
    lines += [
        "Returns:",
        f"    An iterator over the items; it calls `{method.name}` as it is consumed.",
        "",
        "Raises:",
        f"    SlackError: As `{method.py_name}` does, from the page that failed.",
    ]
    return "\n".join(lines)


def _docstring_raw(text: str, indent: str) -> list[str]:
    """A docstring kept line by line (for Google-style sections)."""
    lines = text.split("\n")
    first = textwrap.wrap(lines[0], width=WIDTH - len(indent) - 3, break_long_words=False)
    body = [*first[1:], *lines[1:]]
    out = [f'{indent}"""{first[0]}']
    out += [f"{indent}{line}".rstrip() if line else "" for line in body]
    out.append(f'{indent}"""')
    return out


# --------------------------------------------------------------------------- one wrapper


def _parameters(args: list[Argument]) -> list[str]:
    """A wrapper's parameters after ``self``: keyword-only, None by default when optional."""
    out = ["        *,"] if args else []
    for arg in args:
        annotation = ARG_TYPES[arg.kind]
        if arg.required:
            out.append(f"        {arg.attr}: {annotation},")
        else:
            out.append(f"        {arg.attr}: {annotation} | None = None,")
    return out


def _spec_line(method: Method) -> list[str]:
    """The wrapper's first statement: its method's spec, from the table loaded at first use.

    Laid out as the formatter lays it out: on one line if it fits; else split inside the
    subscript's brackets if the line up to them fits; else the value in parentheses.
    """
    head = f"        spec: MethodSpec[{method.args_class}, {method.response_class}] = "
    value = f"_table()[{quote(method.name)}]"
    if len(head + value) <= WIDTH:
        return [head + value]
    if len(head + "_table()[") <= WIDTH:
        return [head + "_table()[", f"            {quote(method.name)}", "        ]"]
    return [head + "(", f"            {value}", "        )"]


def _return_call(call: str, args: list[Argument]) -> list[str]:
    """The wrapper's last statement: ``return <call>(spec, <the arguments' class>)``."""
    if not args:
        return [f"        return {call}(spec, spec.args_type())"]
    return [
        f"        return {call}(",
        "            spec,",
        "            spec.args_type(",
        *(f"                {a.attr}={a.attr}," for a in args),
        "            ),",
        "        )",
    ]


def _api_method(method: Method, *, is_async: bool) -> list[str]:
    args = [a for a in method.arguments if a.role != "token"]
    prefix = "async def" if is_async else "def"
    call = "await self._call" if is_async else "self._call"
    out = ["", f"    {prefix} {method.py_name}(", "        self,"]
    out += _parameters(args)
    out.append(f"    ) -> {method.response_class}:")
    out += _docstring_raw(_method_doc(method), "        ")
    out += _spec_line(method)
    out += _return_call(call, args)
    return out


def _iter_method(method: Method, *, is_async: bool) -> list[str]:
    page = method.pagination
    assert page is not None
    args = [a for a in method.arguments if a.role != "token" and a.wire != page.cursor]
    kind = "AsyncIterator" if is_async else "Iterator"
    out = ["", f"    def iter_{method.py_name}(", "        self,"]
    out += _parameters(args)
    out.append(f"    ) -> {kind}[{page.item_type}]:")
    out += _docstring_raw(_iter_doc(method), "        ")
    out += _spec_line(method)
    out += _return_call("self._paginate", args)
    return out


def _paginate(is_async: bool) -> list[str]:
    if is_async:
        return [
            "",
            "    async def _paginate("
            "self, method: MethodSpec[Any, Any], args: object"
            ") -> AsyncIterator[Any]:",
            "        from slackrtm._paging import next_page_args, page_items",
            "",
            "        page_args: object | None = args",
            "        while page_args is not None:",
            "            page = await self._call(method, page_args)",
            "            for item in page_items(method, page):",
            "                yield item",
            "            page_args = next_page_args(method, page_args, page)",
        ]
    return [
        "",
        "    def _paginate(self, method: MethodSpec[Any, Any], args: object) -> Iterator[Any]:",
        "        from slackrtm._paging import next_page_args, page_items",
        "",
        "        page_args: object | None = args",
        "        while page_args is not None:",
        "            page = self._call(method, page_args)",
        "            yield from page_items(method, page)",
        "            page_args = next_page_args(method, page_args, page)",
    ]


# --------------------------------------------------------------------------- the file


def _imports(api: Api) -> list[str]:
    """The imports of api.py: the models only for the type checker (they would load attrs)."""
    paged = [m for m in api.methods if m.pagination is not None]
    items = {m.pagination.item_type for m in paged if m.pagination is not None}
    models = sorted(
        {m.args_class for m in api.methods}
        | {m.response_class for m in api.methods}
        | {t for t in items if t[:1].isupper()},
        key=str.lower,
    )
    abc = "AsyncIterator, Iterator, Mapping" if paged else "Mapping"
    return [
        f"from collections.abc import {abc}",
        "from importlib import import_module",
        "from typing import TYPE_CHECKING, Any, Final, TypeVar",
        "",
        "if TYPE_CHECKING:",
        "    from slackrtm._spec import MethodSpec",
        "",
        "    from .models import (",
        *(f"        {name}," for name in models),
        "    )",
        "",
    ]


def _table_loader(api: Api) -> list[str]:
    """``_table()``: the specs by method name, each imported at the first call of its wrapper.

    A method's spec comes from its own group module (`codegen.emit_groups`), with its models,
    its readers and attrs, which building a client does not need; a first ``rtm.connect``
    builds none of the other methods' models. The modules are imported by name, never through
    the package (``from . import ...`` would import ``slackrtm._generated`` back from a module
    its ``__init__`` imports: a circle).
    """
    out = ["_HOMES: Final[Mapping[str, tuple[str, str]]] = {"]
    out += [
        f"    {quote(m.name)}: ({quote('.' + group_module(m))}, {quote(m.const_name)}),"
        for m in api.methods
    ]
    out += [
        "}",
        '"""Each method\'s group module and the name of its spec there."""',
        "",
        "",
        "class _Specs(dict[str, Any]):",
        '    """The specs imported so far, by method name; a missing one is imported."""',
        "",
        "    __slots__ = ()",
        "",
        "    def __missing__(self, name: str) -> MethodSpec[Any, Any]:",
        "        module, const = _HOMES[name]",
        "        spec: MethodSpec[Any, Any] = getattr(import_module(module, __package__), const)",
        "        self[name] = spec",
        "        return spec",
        "",
        "",
        "_SPECS: Final = _Specs()",
        "",
        "",
        "def _table() -> Mapping[str, MethodSpec[Any, Any]]:",
        '    """The specs by name: a group module is imported at its method\'s first call."""',
        "    return _SPECS",
    ]
    return out


def _wrappers_class(api: Api, cls: str, what: str, *, is_async: bool) -> list[str]:
    """One of the two classes: ``_call`` left to the client, then a wrapper per method."""
    prefix = "async def" if is_async else "def"
    out = ["", "", f"class {cls}:"]
    out += docstring(
        f"One typed method per Web API method in the schema; `{what}` supplies `_call`.",
        "    ",
    )
    out += [
        "",
        "    __slots__ = ()",
        "",
        f"    {prefix} _call(self, method: MethodSpec[Any, _R], args: object) -> _R:",
        "        raise NotImplementedError",
    ]
    if any(m.pagination is not None for m in api.methods):
        out += _paginate(is_async)
    for method in api.methods:
        out += _api_method(method, is_async=is_async)
        if method.pagination is not None:
            out += _iter_method(method, is_async=is_async)
    return out


def emit_api(api: Api) -> str:
    """The text of api.py: `AsyncMethods` and `SyncMethods`.

    Args:
        api: The loaded schema.

    Returns:
        The file's text.
    """
    out = header(api.sources, "The typed method wrappers both clients inherit.")
    out += _imports(api)
    out += dunder_all(["AsyncMethods", "SyncMethods"])
    out += ["", '_R = TypeVar("_R")']
    out += _table_loader(api)
    out += _wrappers_class(api, "AsyncMethods", "AsyncClient", is_async=True)
    out += _wrappers_class(api, "SyncMethods", "Client", is_async=False)
    return file_text(out)
