"""Fixtures for the emulator's own tests (helpers live in ``emulator_suite``).

The emulator's fixtures come from its pytest plugin, imported here because a non-root conftest
may not declare ``pytest_plugins``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import pytest_asyncio
import urllib3

from slackrtm.emulator import Emulator, Limits
from slackrtm.emulator.pytest_plugin import async_emulator, emulator

__all__ = ["async_emulator", "emulator"]

TIMEOUT = 5.0


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    """A urllib3 pool that never retries (so each call reaches the emulator once)."""
    with urllib3.PoolManager(retries=False, timeout=TIMEOUT) as pool:
        yield pool


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """An aiohttp session."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as s:
        yield s


@pytest.fixture
def fast_emulator() -> Iterator[Emulator]:
    """An emulator with tight rate limits."""
    limits = Limits(message_rate=1.0, message_burst=3, web_rate_limit=3)
    with Emulator(limits=limits) as emu:
        yield emu
