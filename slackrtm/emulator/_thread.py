"""The emulator's own thread: a loop of its own for the sync form, and calls moved onto a loop.

What lives here: `start_thread` and `stop_thread` (``with Emulator() as emu:`` runs the server on
a daemon thread with a new event loop, and returns once it listens or failed to) and `call_on`
(run a function on the server's loop from any thread, and return its result). Nothing here knows
aiohttp or the emulator's state: the coroutines to run and the functions to call come from
`Emulator`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["call_on", "start_thread", "stop_thread"]

T = TypeVar("T")

Starter = Callable[[], Coroutine[Any, Any, None]]


def start_thread(start: Starter, name: str) -> threading.Thread:
    """Run `start()` on a new daemon thread's own loop, which then runs until `stop_thread`.

    Args:
        start: Makes the coroutine that starts the server; it runs to completion first.
        name: The thread's name.

    Returns:
        The thread, once `start()` has completed.

    Raises:
        BaseException: Whatever `start()` raised; the thread has ended by then.
    """
    ready = concurrent.futures.Future[None]()
    thread = threading.Thread(target=_main, args=(start, ready), name=name, daemon=True)
    thread.start()
    try:
        ready.result()
    except BaseException:
        thread.join()
        raise
    return thread


def stop_thread(loop: asyncio.AbstractEventLoop, thread: threading.Thread, stop: Starter) -> None:
    """Run `stop()` on `loop`, then stop the loop and wait for `thread` to end (even if it failed).

    Args:
        loop: The thread's loop.
        thread: The thread `start_thread` returned.
        stop: Makes the coroutine that stops the server.
    """
    try:
        asyncio.run_coroutine_threadsafe(stop(), loop).result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()


def _main(start: Starter, ready: concurrent.futures.Future[None]) -> None:
    """The thread: start, say so, serve until stopped; then end every task and close the loop."""
    loop = asyncio.new_event_loop()
    try:
        try:
            loop.run_until_complete(start())
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        loop.run_forever()
    finally:
        leftovers = asyncio.all_tasks(loop)
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


def call_on(
    loop: asyncio.AbstractEventLoop | None, loop_thread: int | None, fn: Callable[[], T]
) -> T:
    """Run `fn` on `loop` and return its result (or raise its exception).

    `fn` runs at once, on the caller's thread, when there is no running loop to move it to or
    the caller is already on the loop's thread (`loop_thread`, a `threading.get_ident`):
    waiting there for the loop would never end.

    Args:
        loop: The server's loop, or None before it starts.
        loop_thread: The ident of the thread that runs `loop`.
        fn: What to run.

    Returns:
        What `fn` returned.
    """
    if (
        loop is None
        or loop_thread == threading.get_ident()
        or loop.is_closed()
        or not loop.is_running()
    ):
        return fn()
    result = concurrent.futures.Future[T]()

    def run() -> None:
        try:
            result.set_result(fn())
        except BaseException as exc:
            result.set_exception(exc)

    loop.call_soon_threadsafe(run)
    return result.result()
