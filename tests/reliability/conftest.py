"""The RTM suite's fixtures (`rtm`: one test, both sessions; the test CA and its wss emulator),
for the reliability tests too."""

from __future__ import annotations

from tests.rtm.conftest import emu, emulator_server, rtm
from tests.rtm.test_tls import authority, tls_emulator

__all__ = ["authority", "emu", "emulator_server", "rtm", "tls_emulator"]
