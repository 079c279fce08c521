"""Where an `AsyncClient` call was made: the frame a `SlackApiWarning` points at.

A call awaited directly has its caller on the stack, and `report.stack_caller` finds it. A
call run as a task of its own (``gather``, ``wait_for``, ``create_task``) has not: its stack
ends in asyncio. Then the caller is the coroutine that awaits that task, found by walking what
each task waits for, through the done callbacks of futures and the closures of asyncio's own
callbacks. This reads asyncio's private state (``Future._callbacks``, closure cells), so it
lives here, beside `AsyncClient`, never in the sans-I/O core (`slackrtm._web`), which only
takes a finder as a parameter.
"""

from __future__ import annotations

import asyncio
from types import FrameType
from typing import Any

from ._web.report import stack_caller

__all__ = ["task_caller"]


def task_caller() -> FrameType | None:
    """The frame of the user's code that made the current call, also when it runs as a task.

    Returns:
        The first frame outside slackrtm on this stack; when there is none, or it is
        asyncio's, the line awaiting this task (if one is found); else what the stack gave.
    """
    frame = stack_caller()
    if frame is None or str(frame.f_globals.get("__name__", "")).startswith("asyncio"):
        # The call is the top of a task: its caller is not on this stack.
        awaiting = _awaiting_frame()
        if awaiting is not None:
            frame = awaiting
    return frame


def _internal(frame: FrameType) -> bool:
    name = str(frame.f_globals.get("__name__", ""))
    return name == "slackrtm" or name.startswith(("slackrtm.", "asyncio."))


def _awaiting_frame() -> FrameType | None:
    """The frame of the user's code that awaits the current task, if one is found."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running loop
        return None
    parent = _awaiting_task(task, depth=4)
    if parent is None:
        return None
    # The innermost coroutine of the parent's await chain that is not asyncio's own: the line
    # that awaits this call (through gather, wait_for, or the task itself).
    found: FrameType | None = None
    awaited: Any = parent.get_coro()
    while awaited is not None and getattr(awaited, "cr_frame", None) is not None:
        if not _internal(awaited.cr_frame):
            found = awaited.cr_frame
        awaited = getattr(awaited, "cr_await", None)
    return found


def _awaiting_task(future: Any, depth: int) -> Any:
    """The task that waits for ``future``, found through its done callbacks."""
    if depth == 0:
        return None
    for callback, *_ in getattr(future, "_callbacks", None) or ():
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, asyncio.Task):
            return owner
        # gather's and wait_for's own callbacks hold the future the caller awaits.
        held = list(getattr(callback, "args", ()))
        for cell in getattr(callback, "__closure__", None) or ():
            try:
                held.append(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
        for value in held:
            if isinstance(value, asyncio.Future) and value is not future:
                parent = _awaiting_task(value, depth - 1)
                if parent is not None:
                    return parent
    return None
