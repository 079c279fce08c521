"""What `Client` and `AsyncClient` share beyond the core: their options, checked once.

The twins inherit this constructor, so they take exactly the same arguments; each adds only
its transport, in `_open_transport`. No I/O happens here.
"""

from __future__ import annotations

import logging
import ssl
from typing import ClassVar

from ._spec import redacted
from ._wire import RetryPolicy, make_config

__all__ = ["ClientBase"]


class ClientBase:
    """The options and lifecycle flag both clients share."""

    _transport: ClassVar[str]
    """The transport and its version, for the User-Agent header."""

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        proxy: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        """Check every option; open nothing yet.

        Args:
            token: The token; else ``SLACK_BOT_TOKEN``, then ``SLACK_TOKEN`` from the
                environment.
            base_url: The Web API root, ending in ``/api/``; else ``SLACK_API_URL`` from the
                environment, else ``https://slack.com/api/``.
            timeout: Seconds each attempt may take, connecting and reading.
            retry: The retry policy; ``RetryPolicy.off()`` turns retrying off.
            proxy: An HTTP(S) proxy URL; by default ``HTTPS_PROXY`` / ``NO_PROXY`` apply, and
                loopback is never proxied.
            ssl_context: The TLS context; certificates are verified by default.
            user_agent: A suffix for the User-Agent header (your app's name and version).
            logger: Where warnings and DEBUG lines go; by default the ``slackrtm`` logger.

        Raises:
            ValueError: No token, a malformed token, or a bad option; before any I/O.
            TypeError: An option of the wrong type.
        """
        self._config = make_config(
            token=token,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            proxy=proxy,
            user_agent=user_agent,
            logger=logger,
            transport=self._transport,
        )
        self._closed = False
        self._open_transport(ssl_context)

    def _open_transport(self, ssl_context: ssl.SSLContext | None) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self._config.base_url!r}, "
            f"token={redacted(self._config.token)})"
        )
