"""The RTM suite's fixtures (`rtm`: one test, both sessions), for the reliability tests too."""

from __future__ import annotations

from tests.rtm.conftest import emu, emulator_server, rtm

__all__ = ["emu", "emulator_server", "rtm"]
