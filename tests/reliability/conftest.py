"""The RTM suite's fixtures, for the reliability tests too.

`rtm` (one test, both sessions), and the test CA with its wss emulator.
"""

from __future__ import annotations

from tests.rtm.conftest import emu, emulator_server, rtm
from tests.rtm.test_tls import authority, tls_emulator

__all__ = ["authority", "emu", "emulator_server", "rtm", "tls_emulator"]
