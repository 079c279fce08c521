"""The layers stay apart: each core and driver loads only what its layer may, nothing runs back up.

Checked on the source (`tests/layout.py`: every module a module imports, transitively, within
slackrtm) and in a fresh interpreter (what ``import slackrtm`` loads). That no module is in an
import circle, and that the sans-I/O cores load no I/O library, `tests/test_layout.py` holds for
every module.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from ..layout import MODULES, closure, libraries

IO_LIBRARIES = {"aiohttp", "websockets", "urllib3"}
CLIENTS = {"slackrtm.sync", "slackrtm.aio"}
SESSION_SIDE = [*sorted(m for m in MODULES if m.startswith("slackrtm.rtm")), "slackrtm._socket"]


def test_the_protocol_core_imports_no_io_library() -> None:
    found = closure("slackrtm.rtm._protocol", typing_too=False)
    assert "slackrtm.events" in found, "the closure is followed"
    assert not libraries("slackrtm.rtm._protocol", typing_too=False) & IO_LIBRARIES


def test_the_web_api_core_imports_nothing_from_the_rtm_layer_or_the_package_face() -> None:
    found = closure("slackrtm._web")
    assert "slackrtm._exceptions" in found, "the closure is followed"
    assert not [m for m in found if m.startswith("slackrtm.rtm")]
    assert "slackrtm" not in found, "_web must not import the package __init__ (runs back up)"


@pytest.mark.parametrize(
    ("driver", "foreign"),
    [("slackrtm.rtm.sync", {"aiohttp"}), ("slackrtm.rtm.aio", {"websockets", "urllib3"})],
)
def test_each_driver_imports_only_its_own_io_library(driver: str, foreign: set[str]) -> None:
    assert not libraries(driver, typing_too=False) & foreign


def test_import_slackrtm_does_not_load_the_rtm_layer() -> None:
    code = (
        "import sys, slackrtm\n"
        "loaded = [m for m in ('slackrtm.rtm', 'websockets', 'aiohttp') if m in sys.modules]\n"
        "print(loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("module", SESSION_SIDE)
def test_no_session_module_imports_a_client_not_even_for_typing(module: str) -> None:
    # A session gets what it needs from its client's `_socket_opener()`; only the client
    # imports its driver (lazily, in `rtm()`).
    assert not closure(module) & CLIENTS
