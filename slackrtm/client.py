"""`Client`: the Web API over urllib3. Only I/O lives here; every decision is in `_wire`.

One urllib3 PoolManager per client keeps connections alive between calls and is safe to share
between threads. urllib3's own retries and redirects are off: the shared `RetryPolicy` decides.
"""

from __future__ import annotations

import ssl
import time
from types import TracebackType
from typing import Any, TypeVar

import urllib3

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
from ._workspace import SyncWorkspace

__all__ = ["Client"]

R = TypeVar("R")

POOL_SIZE = 16
"""Connections kept per host; as many threads as this call at once without waiting."""


class Client(ClientBase, SyncWorkspace):
    """A synchronous Slack Web API client; its options are `ClientBase.__init__`'s.

    Safe to share between threads. Use it as a context manager, or call `close`.
    """

    _transport = f"urllib3/{getattr(urllib3, '__version__', '?')}"

    def _open_transport(self, ssl_context: ssl.SSLContext | None) -> None:
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
