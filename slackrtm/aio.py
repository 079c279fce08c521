"""`AsyncClient`: the Web API over aiohttp. Only I/O lives here; every decision is in `_wire`.

This module is the only one in the client that imports aiohttp, and `slackrtm` imports it only
when `AsyncClient` is first used. One ClientSession per client keeps connections alive.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from types import TracebackType
from typing import Any, TypeVar

import aiohttp

from ._base import ClientBase
from ._exceptions import SlackConnectionError, SlackTimeoutError
from ._spec import MethodSpec
from ._wire import (
    Answer,
    Attempts,
    Failure,
    Outcome,
    Request,
    build_request,
    failure_message,
    finish,
    log_attempt,
)
from ._workspace import AsyncWorkspace

__all__ = ["AsyncClient"]

R = TypeVar("R")

POOL_SIZE = 100
"""Connections open at once; more concurrent calls wait for a free one."""


class AsyncClient(ClientBase, AsyncWorkspace):
    """An asynchronous Slack Web API client: `Client` with ``await``.

    Its options are `ClientBase.__init__`'s. The aiohttp session opens on first use, on the
    running loop; use it as an async context manager, or await `close`.
    """

    _transport = f"aiohttp/{aiohttp.__version__}"

    def _open_transport(self, ssl_context: ssl.SSLContext | None) -> None:
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> AsyncClient:
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session and its connections. Calls made afterwards raise RuntimeError."""
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("this AsyncClient is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=POOL_SIZE, ssl=self._ssl),
                timeout=aiohttp.ClientTimeout(total=self._config.timeout),
                # Proxies are resolved once, by the core, the same way for both clients.
                trust_env=False,
            )
        return self._session

    async def _call(self, method: MethodSpec[Any, R], args: object) -> R:
        session = self._open()
        config = self._config
        request = build_request(method, args, config)
        attempts = Attempts(config.retry)
        while True:
            outcome = await self._send(session, request, attempts.retries + 1)
            wait = attempts.next_wait(outcome)
            if wait is None:
                return finish(method, outcome, config.logger)
            await asyncio.sleep(wait)

    async def _send(
        self, session: aiohttp.ClientSession, request: Request, attempt: int
    ) -> Outcome:
        started = time.perf_counter()
        outcome: Outcome
        try:
            async with session.request(
                request.verb,
                request.url,
                data=request.body,
                headers=request.headers,
                proxy=self._config.proxy,
                allow_redirects=False,
            ) as response:
                body = await response.read()
            outcome = Answer(
                status=response.status,
                headers=response.headers,
                body=body,
            )
        except asyncio.TimeoutError as exc:
            outcome = Failure(SlackTimeoutError(failure_message(request, "timed out", exc)))
        except aiohttp.ClientError as exc:
            outcome = Failure(SlackConnectionError(failure_message(request, "no answer", exc)))
        log_attempt(self._config.logger, request, outcome, time.perf_counter() - started, attempt)
        return outcome
