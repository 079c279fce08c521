"""pytest fixtures for the Slack emulator: ``emulator`` (sync) and ``async_emulator``.

What lives here: the two fixtures, nothing else. Register the module as a plugin, either in your
``conftest.py`` (``pytest_plugins = ["slackrtm.emulator.pytest_plugin"]``, root conftest only) or
through the package's ``pytest11`` entry point. aiohttp is imported only when a fixture is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from slackrtm.emulator.server import Emulator

__all__ = ["async_emulator", "emulator"]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A running emulator on a background thread, with the default workspace.

    Yields:
        The emulator; stopped after the test.
    """
    from slackrtm.emulator.server import Emulator

    with Emulator() as emu:
        yield emu


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - pytest-asyncio is optional for users
    pass
else:

    @pytest_asyncio.fixture
    async def async_emulator() -> AsyncIterator[Emulator]:
        """A running emulator on the test's event loop, with the default workspace.

        Yields:
            The emulator; stopped after the test.
        """
        from slackrtm.emulator.server import Emulator

        async with Emulator() as emu:
            yield emu
