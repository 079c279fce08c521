"""`AsyncClient`: the Web API over aiohttp. Only I/O lives here; every decision is in `_wire`.

This module is the only one in the client that imports aiohttp, and `slackrtm` imports it only
when `AsyncClient` is first used. One ClientSession per client keeps connections alive.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from types import TracebackType
from typing import Any, TypeVar

import aiohttp

from ._exceptions import SlackConnectionError, SlackTimeoutError
from ._generated.api import AsyncMethods
from ._spec import MethodSpec, redacted
from ._wire import (
    DEFAULT_BASE_URL,
    Answer,
    Attempts,
    Failure,
    Outcome,
    Request,
    RetryPolicy,
    build_request,
    failure_message,
    finish,
    log_attempt,
    make_config,
)

__all__ = ["AsyncClient"]

R = TypeVar("R")

POOL_SIZE = 100
"""Connections open at once; more concurrent calls wait for a free one."""


class AsyncClient(AsyncMethods):
    """An asynchronous Slack Web API client: `Client` with ``await``.

    Args:
        token: The token; else ``SLACK_BOT_TOKEN``, then ``SLACK_TOKEN`` from the environment.
        base_url: The Web API root, ending in ``/api/``.
        timeout: Seconds each attempt may take, connecting and reading.
        retry: The retry policy; ``RetryPolicy.off()`` turns retrying off.
        proxy: An HTTP(S) proxy URL; by default ``HTTPS_PROXY`` / ``NO_PROXY`` apply.
        ssl_context: The TLS context; certificates are verified by default.
        user_agent: A suffix for the User-Agent header (your app's name and version).
        logger: Where warnings and DEBUG lines go; by default the ``slackrtm`` logger.

    Raises:
        ValueError: No token, a malformed token, or a bad option; before any I/O.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        proxy: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self._config = make_config(
            token=token,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            proxy=proxy,
            user_agent=user_agent,
            logger=logger,
            transport=f"aiohttp/{aiohttp.__version__}",
        )
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"AsyncClient(base_url={self._config.base_url!r}, token={redacted(self._config.token)})"
        )

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
