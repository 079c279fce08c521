"""`AsyncClient`'s caller finder: the user's line for a warning, also when the call is a task.

The core takes the finder as a parameter (`finish(..., caller=...)`); these tests run `finish`
from a coroutine that is slackrtm's own, as `AsyncClient.rtm_connect` is.
"""

from __future__ import annotations

import asyncio
import functools
import sys
import warnings
from typing import Any

import pytest

from slackrtm import SlackApiWarning
from slackrtm._aio_caller import _awaiting_frame, _awaiting_task, task_caller
from slackrtm._generated import RTM_CONNECT
from slackrtm._web.body import Answer
from slackrtm._web.finish import finish

from .web.web_suite import WARNED, config


def warn_in(coro_factory: Any) -> list[warnings.WarningMessage]:
    """Run a coroutine that finishes an answer with a warning; the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(coro_factory())
    return [w for w in caught if issubclass(w.category, SlackApiWarning)]


def slackrtm_call() -> Any:
    """A coroutine function that is slackrtm's own, as `AsyncClient.rtm_connect` is.

    Run as a task, no frame of the caller's is on its stack, and the warning must look further.
    """
    namespace: dict[str, Any] = {
        "__name__": "slackrtm._probe",
        "finish": finish,
        "args": (RTM_CONNECT, Answer(status=200, headers={}, body=WARNED), config()),
        "caller": task_caller,
    }
    exec("async def call():\n    return finish(*args, caller=caller)\n", namespace)
    return namespace["call"]


def test_a_task_nobody_awaits_still_warns() -> None:
    call = slackrtm_call()

    async def main() -> None:
        task = asyncio.create_task(call())
        while not task.done():
            await asyncio.sleep(0)
        task.result()

    assert len(warn_in(main)) == 1


def test_a_call_under_wait_for_at_the_top_still_warns() -> None:
    # asyncio.run(wait_for(...)): the task that awaits the call runs only asyncio's own code.
    call = slackrtm_call()
    assert len(warn_in(lambda: asyncio.wait_for(call(), 10))) == 1


def test_a_task_awaited_by_a_coroutine_points_at_the_awaiting_line() -> None:
    call = slackrtm_call()
    lines: list[int] = []

    async def main() -> None:
        lines.append(sys._getframe().f_lineno + 1)
        await asyncio.create_task(call())

    [warning] = warn_in(main)
    assert (warning.filename, warning.lineno) == (__file__, lines[0])


def test_futures_that_wait_for_each_other_end_the_search() -> None:
    async def main() -> Any:
        loop = asyncio.get_running_loop()
        first, second = loop.create_future(), loop.create_future()
        first.add_done_callback(functools.partial(print, second))
        second.add_done_callback(functools.partial(print, first))
        return _awaiting_task(first, depth=4)

    assert asyncio.run(main()) is None


@pytest.mark.parametrize("in_sys_modules", [True, False])
def test_outside_a_running_loop_there_is_no_task_to_look_at(
    in_sys_modules: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The core once looked asyncio up in sys.modules (and found no task without it); the
    # finder imports asyncio itself, and outside a running loop it finds nothing either way.
    if not in_sys_modules:
        monkeypatch.delitem(sys.modules, "asyncio")
    assert _awaiting_frame() is None
