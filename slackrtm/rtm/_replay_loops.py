"""The two waiting loops that make the replay core's history calls: a thread's and a task's.

What lives here: only waiting and calling. `replay_thread` (for `RtmSession`) and `replay_task`
(for `AsyncRtmSession`) each ask `_replay.Replay` for the next ``conversations.history`` call,
sleep until it is due (rate limits, ``Retry-After``) or until the driver wakes them (a
reconnect planned new jobs), make it through the client, and hand the answer back; the events
it gives go to the driver's `deliver`. Every decision is the core's.

The sync form runs on a thread of its own, so that a history call, which may take the client's
whole timeout and retries, never holds up the engine thread (pings, pongs, writes) or the link
thread (reading): the session's lock is held only to ask the core and to hand an answer over,
never during the call. The async form is a task that awaits the `AsyncClient`'s call.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from .._exceptions import SlackError
from ._replay import HistoryCall, Replay

__all__ = ["replay_task", "replay_thread"]

_MAX_WAIT = 3600.0
_MIN_WAIT = 0.001


def replay_thread(
    replay: Replay,
    wake: threading.Condition,
    closed: Callable[[], bool],
    clock: Callable[[], float],
    history: Callable[..., Any],
    deliver: Callable[[list[object]], None],
    died: Callable[[str, BaseException], None],
) -> threading.Thread:
    """Start the sync session's replay thread.

    Args:
        replay: The session's replay core.
        wake: The condition of the session's lock, notified when the core may have a call.
        closed: Whether the session has ended (read with the lock held).
        clock: The session's monotonic clock.
        history: ``client.conversations_history``.
        deliver: Called with the lock held with the events an answer gave.
        died: Called (unlocked) with what failed, if the loop fails of a bug.
    """

    def next_call() -> HistoryCall | None:
        with wake:
            while True:
                call = replay.next_call(clock())
                if call is not None or closed():
                    return call
                deadline = replay.next_deadline()
                left = None if deadline is None else max(deadline - clock(), _MIN_WAIT)
                wake.wait(None if left is None else min(left, _MAX_WAIT))

    def run() -> None:
        try:
            while (call := next_call()) is not None:
                try:
                    page, error = history(**call.arguments), None
                except SlackError as exc:
                    page, error = None, exc
                with wake:
                    deliver(replay.answered(call, page, error, clock()))
        except BaseException as exc:
            died("replay", exc)

    thread = threading.Thread(target=run, name="slackrtm-rtm-replay", daemon=True)
    thread.start()
    return thread


async def replay_task(
    replay: Replay,
    wake: asyncio.Event,
    closed: Callable[[], bool],
    clock: Callable[[], float],
    history: Callable[..., Awaitable[Any]],
    deliver: Callable[[list[object]], None],
) -> None:
    """The async session's replay task (`replay_thread`, awaited); it ends with the session.

    Args:
        replay: The session's replay core.
        wake: Set when the core may have a call.
        closed: Whether the session has ended.
        clock: The session's monotonic clock.
        history: ``async_client.conversations_history``.
        deliver: Called with the events an answer gave.
    """
    while not closed():
        now = clock()
        call = replay.next_call(now)
        if call is None:
            wake.clear()  # no suspension since the core was asked: no wake-up is lost
            deadline = replay.next_deadline()
            timeout = None if deadline is None else max(deadline - now, _MIN_WAIT)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout)
            continue
        try:
            page, error = await history(**call.arguments), None
        except SlackError as exc:
            page, error = None, exc
        deliver(replay.answered(call, page, error, clock()))
