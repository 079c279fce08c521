"""Both sessions' surface as users of other clients reach for it (issue 19), over loopback.

Each test runs in both forms (``rtm`` is parametrized: sync, async) against the emulator: bad
text refused before any I/O, ``"*"`` handlers and handlers of the wrong shape, every schema
argument a keyword, ``presence_query`` and plain mappings through ``send``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from slackrtm import events
from slackrtm.emulator import Emulator

from .conftest import ALICE, GENERAL, Rtm, connected

# -- text UTF-8 cannot encode ------------------------------------------------------------------

LONE = "caf\udce9"
"""What ``b"caf\\xe9".decode("utf-8", "surrogateescape")`` gives: a lone surrogate at index 3."""


@pytest.mark.parametrize(
    ("method", "args", "name"),
    [
        ("send_message", {"channel": GENERAL, "text": LONE}, "text"),
        ("send_message", {"channel": LONE, "text": "hi"}, "channel"),
        ("send_message", {"channel": GENERAL, "text": "hi", "thread_ts": LONE}, "thread_ts"),
        ("typing", {"channel": LONE}, "channel"),
        ("subscribe_presence", {"user_ids": [ALICE, LONE]}, "each user ID"),
        ("send", {"command": events.MessageCommand(channel=GENERAL, text=LONE)}, "text"),
        ("send", {"command": events.PresenceSubCommand(ids=[ALICE, LONE])}, "ids[1]"),
    ],
)
def test_a_lone_surrogate_is_a_value_error_naming_the_argument_before_any_io(
    rtm: Rtm, emu: Emulator, method: str, args: dict[str, Any], name: str
) -> None:
    connected(rtm)
    before = emu.counters.frames_in
    with pytest.raises(ValueError, match=re.escape(f"{name} holds a lone surrogate")) as info:
        rtm.call(method, **args)
    assert type(info.value) is ValueError, "not a bare UnicodeEncodeError"
    assert str(info.value).startswith(f"{name} holds a lone surrogate ('\\udce9' at index ")
    assert emu.counters.frames_in == before
    assert rtm.send_message(text="caf\u00e9").text == "caf\u00e9", "the session goes on"
