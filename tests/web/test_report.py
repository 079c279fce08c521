"""Reporting an answer's warnings: where they point, whoever finds the caller."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from slackrtm._aio_caller import task_caller
from slackrtm._web.report import FindCaller, stack_caller, warning_site


@pytest.mark.parametrize("caller", [stack_caller, task_caller])
def test_a_warning_raised_with_no_caller_outside_slackrtm_still_has_a_place(
    caller: FindCaller,
) -> None:
    # A thread started bare (no `threading` frames) whose only frame belongs to slackrtm: the
    # warning has no user line to point at, and must not crash looking for one. Both clients'
    # finders are asked: the async one falls back to the stack's answer outside a loop.
    import _thread

    found: list[object] = []
    done = threading.Event()
    namespace: dict[str, Any] = {
        "__name__": "slackrtm._probe",
        "warning_site": warning_site,
        "caller": caller,
    }
    source = (
        "def probe(found, done):\n"
        "    try:\n"
        "        found.append(warning_site(caller))\n"
        "    except BaseException as exc:\n"
        "        found.append(exc)\n"
        "    done.set()\n"
    )
    exec(source, namespace)  # a function whose globals say it is part of slackrtm
    _thread.start_new_thread(namespace["probe"], (found, done))
    assert done.wait(10)
    assert found == [("sys", 1, {}, "sys")]


def test_the_stack_caller_is_the_first_frame_outside_slackrtm() -> None:
    namespace: dict[str, Any] = {"__name__": "slackrtm._probe", "stack_caller": stack_caller}
    exec("def inner():\n    return stack_caller()\n", namespace)
    frame = namespace["inner"]()
    assert frame is not None
    assert frame.f_globals["__name__"] == __name__
    assert frame.f_code.co_name == "test_the_stack_caller_is_the_first_frame_outside_slackrtm"
