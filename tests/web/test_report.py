"""Reporting an answer's warnings: where they point, whoever finds the caller."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest

from slackrtm import SlackApiWarning
from slackrtm._aio_caller import task_caller
from slackrtm._generated import RTM_CONNECT
from slackrtm._generated.codes import WARNING_DESCRIPTIONS, WarningCode
from slackrtm._web.report import FindCaller, report_warnings, stack_caller, warning_site

from .web_suite import config


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


def test_warnings_point_at_the_callers_line_and_flood_into_one_summary(
    caplog: pytest.LogCaptureFixture,
) -> None:
    found = ("superfluous_charset", "w2", "w3", "w4", "w5", "w6", "w7")
    frame = sys._getframe()
    line = frame.f_lineno + 2  # the call below, where the frame is when warned
    with pytest.warns(SlackApiWarning) as caught:
        report_warnings(RTM_CONNECT, found, config(), lambda: frame)
    texts = [str(w.message) for w in caught]
    assert texts[1:5] == [f"rtm.connect: w{n}: undocumented warning" for n in range(2, 6)]
    assert texts[5:] == ["rtm.connect: 2 more warnings (see the response's `warnings`)"]
    assert {(w.filename, w.lineno) for w in caught} == {(__file__, line)}
    assert "__warningregistry__" in globals()
    assert [r.getMessage() for r in caplog.records][-1] == texts[-1]


def test_exactly_as_many_warnings_as_are_reported_one_by_one_need_no_summary() -> None:
    with pytest.warns(SlackApiWarning) as caught:
        report_warnings(RTM_CONNECT, tuple(f"w{n}" for n in range(5)), config(), stack_caller)
    assert len(caught) == 5 and "more warnings" not in str(caught[-1].message)
    with pytest.warns(SlackApiWarning) as caught:
        report_warnings(RTM_CONNECT, tuple(f"w{n}" for n in range(6)), config(), stack_caller)
    assert str(caught[-1].message) == "rtm.connect: 1 more warnings (see the response's `warnings`)"


def test_a_known_warning_is_described_from_the_schema_scrubbed_and_cut() -> None:
    with pytest.warns(SlackApiWarning) as caught:
        report_warnings(
            RTM_CONNECT,
            (WarningCode.MISSING_CHARSET, "xoxb-secret" + "x" * 300),
            config(),
            stack_caller,
        )
    first, second = (str(w.message) for w in caught)
    description = WARNING_DESCRIPTIONS[WarningCode.MISSING_CHARSET]
    assert first == f"rtm.connect: missing_charset: {description}"[:213]
    assert second == "rtm.connect: " + ("<redacted>" + "x" * 300)[:200]


def test_the_stack_caller_called_from_user_code_finds_that_code() -> None:
    frame = stack_caller()
    assert frame is not None
    assert frame.f_code.co_name == "test_the_stack_caller_called_from_user_code_finds_that_code"
