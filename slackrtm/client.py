"""`Client`: the Web API over urllib3. Only I/O lives here; every decision is in `_wire`.

One urllib3 PoolManager per client keeps connections alive between calls and is safe to share
between threads. urllib3's own retries and redirects are off: the shared `RetryPolicy` decides.
"""

from __future__ import annotations

import logging
import ssl
import time
from types import TracebackType
from typing import Any, TypeVar

import urllib3

from ._exceptions import SlackConnectionError, SlackTimeoutError
from ._generated.api import SyncMethods
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

__all__ = ["Client"]

R = TypeVar("R")

POOL_SIZE = 16
"""Connections kept per host; as many threads as this call at once without waiting."""


class Client(SyncMethods):
    """A synchronous Slack Web API client.

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
            transport=f"urllib3/{getattr(urllib3, '__version__', '?')}",
        )
        options: dict[str, Any] = {
            "maxsize": POOL_SIZE,
            "retries": False,
            "timeout": urllib3.Timeout(connect=self._config.timeout, read=self._config.timeout),
            "ssl_context": ssl_context,
        }
        self._pool: urllib3.PoolManager = (
            urllib3.ProxyManager(self._config.proxy, **options)
            if self._config.proxy
            else urllib3.PoolManager(**options)
        )
        self._closed = False

    def __repr__(self) -> str:
        return f"Client(base_url={self._config.base_url!r}, token={redacted(self._config.token)})"

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close every pooled connection. Calls made afterwards raise RuntimeError."""
        self._closed = True
        self._pool.clear()

    def _call(self, method: MethodSpec[Any, R], args: object) -> R:
        if self._closed:
            raise RuntimeError("this Client is closed")
        config = self._config
        request = build_request(method, args, config)
        attempts = Attempts(config.retry)
        while True:
            outcome = self._send(request, attempts.retries + 1)
            wait = attempts.next_wait(outcome)
            if wait is None:
                return finish(method, outcome, config.logger)
            time.sleep(wait)

    def _send(self, request: Request, attempt: int) -> Outcome:
        started = time.perf_counter()
        outcome: Outcome
        try:
            response = self._pool.request(
                request.verb,
                request.url,
                body=request.body,
                headers=request.headers,
                redirect=False,
                preload_content=True,
            )
            outcome = Answer(
                status=response.status,
                headers=response.headers,
                body=response.data,
            )
        except urllib3.exceptions.NewConnectionError as exc:
            # Checked first: urllib3 2 makes it a subclass of ConnectTimeoutError.
            outcome = Failure(SlackConnectionError(failure_message(request, "no answer", exc)))
        except urllib3.exceptions.TimeoutError as exc:
            outcome = Failure(SlackTimeoutError(failure_message(request, "timed out", exc)))
        except urllib3.exceptions.HTTPError as exc:
            outcome = Failure(SlackConnectionError(failure_message(request, "no answer", exc)))
        log_attempt(self._config.logger, request, outcome, time.perf_counter() - started, attempt)
        return outcome
