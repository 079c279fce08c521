"""Pagination, sans-I/O: the items of a page and the arguments of the next one.

What lives here: two pure functions the generated ``iter_<method>`` iterators call between
pages. They know no method by name: the cursor argument, the next-cursor path and the items
path come from the method's `PageSpec`, which the generator writes from the schema's
``pagination``. A server that hands back the cursor it was just given would make an endless
listing; that ends in a `SlackResponseError` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._exceptions import SlackResponseError

if TYPE_CHECKING:
    from ._spec import MethodSpec, PageSpec

__all__ = ["next_page_args", "page_items"]


def _spec(method: MethodSpec[Any, Any]) -> PageSpec:
    if method.pagination is None:
        raise TypeError(f"{method.name} does not page")
    return method.pagination


def _walk(value: object, path: tuple[str, ...]) -> object:
    for attr in path:
        if value is None:
            return None
        value = getattr(value, attr)
    return value


def page_items(method: MethodSpec[Any, Any], page: object) -> tuple[Any, ...]:
    """The items of one page (an empty tuple when the page holds none)."""
    items = _walk(page, _spec(method).items)
    return items if isinstance(items, tuple) else ()


def next_page_args(method: MethodSpec[Any, Any], args: object, page: object) -> object | None:
    """The arguments of the next page's call, or None after the last page.

    Raises:
        SlackResponseError: The page's next cursor is the one that asked for it.
    """
    spec = _spec(method)
    cursor = _walk(page, spec.next_cursor)
    if not isinstance(cursor, str) or not cursor:
        return None
    if cursor == getattr(args, spec.cursor_attr):
        raise SlackResponseError(
            path=".".join(spec.next_cursor),
            reason="the next cursor is the one just sent: the listing would never end",
            method=method.name,
        )
    import attrs  # loaded already: `args` is the method's generated attrs class

    evolve: Any = attrs.evolve
    following: object = evolve(args, **{spec.cursor_attr: cursor})
    return following
