"""`slackrtm._fresh_stack` and what it is for: a frame's nesting, read alike from any stack."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from slackrtm import SlackFrameError, events
from slackrtm._fresh_stack import on_fresh_stack

DEEP = (
    '{"type":"message","channel":"C1","ts":"1.0","text":"x","deep":' + "[" * 990 + "]" * 990 + "}"
)


def depth(value: Any) -> int:
    """How deeply lists nest in `value` (compared without recursion: `==` would recurse)."""
    levels = 0
    while isinstance(value, list):
        levels += 1
        value = value[0] if value else None
    return levels


def from_depth(levels: int, work: Any) -> Any:
    """``work()`` called from `levels` frames deeper than here."""
    return work() if levels == 0 else from_depth(levels - 1, work)


def test_the_work_runs_on_a_thread_of_its_own_and_its_answer_comes_back() -> None:
    assert on_fresh_stack(lambda: threading.current_thread().name) == "slackrtm-deep-json"
    empty: dict[str, int] = {}
    with pytest.raises(KeyError, match="raised there"):
        on_fresh_stack(lambda: empty["raised there"])


@pytest.mark.parametrize("orjson", [True, False], ids=["orjson", "stdlib"])
def test_a_deep_frame_decodes_from_a_deep_stack_as_from_a_shallow_one(
    orjson: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not orjson:
        monkeypatch.setattr(events, "_orjson_loads", None)
    shallow = events.decode(DEEP)
    deep = from_depth(700, lambda: events.decode(DEEP))
    assert type(deep) is type(shallow) is events.Message
    assert depth(deep.extra["deep"]) == depth(shallow.extra["deep"]) == 990


def test_a_frame_too_deep_for_any_stack_is_refused_from_any_stack() -> None:
    frame = "[" * 50_000 + "]" * 50_000
    for levels in (0, 700):
        with pytest.raises(SlackFrameError, match="JSON nested too deeply to read"):
            from_depth(levels, lambda: events.decode(frame))
