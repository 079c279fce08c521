"""Reading a deeply nested JSON value on a stack of its own, so the caller's depth cannot matter.

Python's JSON reader and the walks over what it read recurse once per level of nesting, and
the limit they meet (`sys.getrecursionlimit`) counts the caller's frames too: a frame 990
levels deep decodes from a shallow reader thread and not from deep inside an event loop. A
frame's fate must be a property of the frame alone, so `on_fresh_stack` runs such a read again
on a new thread, whose stack holds nothing but the read. It is only ever called after a
`RecursionError`, which ordinary frames never raise: the common path pays nothing.

No I/O here: the thread waits for nothing but the computation it runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["on_fresh_stack"]

_T = TypeVar("_T")


def on_fresh_stack(work: Callable[[], _T]) -> _T:
    """``work()``, run on a new thread whose stack is empty, with what it returns or raises.

    Args:
        work: A computation that may recurse deeply; it must not block on anything.

    Returns:
        What ``work()`` returned.

    Raises:
        BaseException: What ``work()`` raised, re-raised here (a `RecursionError` when the
            value is too deep even for an empty stack).
    """
    outcome: list[_T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the caller's thread below
            failed.append(exc)

    thread = threading.Thread(target=run, name="slackrtm-deep-json", daemon=True)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return outcome[0]
