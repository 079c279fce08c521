"""`NO_EXTRA`: the one shared, read-only, empty ``extra`` of every object without unknown fields.

The generated Web API models (`_convert`'s readers) and the decoded frames (`_event`) keep the
fields the schema does not describe in ``extra``. Most objects have none; they all share this
one empty dict instead of a new one each: a snapshot of 10,000 users does not hold 20,000 empty
dicts, and a frame's ``__dict__`` holds strings only, which the garbage collector need not
track. It equals ``{}``, refuses every change with `TypeError`, and pickles and copies as
itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["NO_EXTRA"]


class _NoExtra(dict[str, Any]):
    """The type of `NO_EXTRA`: an empty dict that refuses to change."""

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> Any:
        raise TypeError("the extra of an object without unknown fields is read-only")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> str:
        return "NO_EXTRA"  # pickled and copied as the one instance


NO_EXTRA: Mapping[str, Any] = _NoExtra()
"""The ``extra`` of every model and decoded frame (and nested object) without unknown fields."""
