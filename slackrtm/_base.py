"""What `Client` and `AsyncClient` share beyond the core: their options, checked once.

The twins inherit this constructor, so they take exactly the same arguments; each adds only
its transport, in `_open_transport`. No I/O happens here.
"""

from __future__ import annotations

import logging
import ssl
import weakref
from typing import TYPE_CHECKING, Any, ClassVar

from ._web.config import make_config
from ._web.limits import DEFAULT_MAX_BODY
from ._web.redact import redacted
from ._web.urls import hide_userinfo

if TYPE_CHECKING:
    from ._web.policy import RetryPolicy

__all__ = ["ClientBase"]


class ClientBase:
    """The options, lifecycle flag and socket sessions both clients share."""

    _transport: ClassVar[str]
    """The transport and its version, for the User-Agent header."""

    def __init__(
        self,
        token: str | None = None,
        *,
        app_token: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        proxy: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str | None = None,
        logger: logging.Logger | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        allow_insecure: bool = False,
    ) -> None:
        """Check every option; open nothing yet.

        Args:
            token: The bot or user token; else ``SLACK_BOT_TOKEN``, then ``SLACK_TOKEN`` from
                the environment.
            app_token: The app-level token (``xapp-...``) Socket Mode needs; else
                ``SLACK_APP_TOKEN``. A call lacking its kind raises `SlackTokenTypeError`.
            base_url: The Web API root, ending in ``/api/``; else ``SLACK_API_URL`` from the
                environment, else ``https://slack.com/api/``.
            timeout: Seconds one attempt may take in all: connecting, sending, and reading
                the complete answer (a deadline, not a limit per read). Waiting for a free
                pooled connection does not count. At most one day.
            retry: The retry policy; ``RetryPolicy.off()`` turns retrying off.
            proxy: An HTTP(S) proxy URL; by default ``HTTPS_PROXY`` / ``NO_PROXY`` apply.
                Loopback is never proxied, not even with an explicit proxy.
            ssl_context: The TLS context; certificates are verified by default.
            user_agent: A suffix for the User-Agent header (your app's name and version).
            logger: Where warnings and DEBUG lines go; by default the ``slackrtm`` logger.
            max_body: The largest answer body read, in bytes after decompression; a larger
                one raises `SlackHttpError`.
            allow_insecure: Allow an ``http://`` base URL, and a ``ws://`` socket URL, on a
                host that is not loopback (the token then travels in clear text).

        Raises:
            ValueError: No token at all, a malformed token (an ``app_token`` that is not
                ``xapp-...``), or a bad option; before any I/O.
            TypeError: An option of the wrong type.
        """
        self._config = make_config(
            token=token,
            app_token=app_token,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            proxy=proxy,
            user_agent=user_agent,
            logger=logger,
            transport=self._transport,
            max_body=max_body,
            allow_insecure=allow_insecure,
        )
        self._closed = False
        self._sessions: weakref.WeakSet[Any] = weakref.WeakSet()
        """The socket sessions made by ``rtm()``: closing the client ends them at once."""
        self._open_transport(ssl_context)

    def _open_transport(self, ssl_context: ssl.SSLContext | None) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={hide_userinfo(self._config.base_url)!r}, "
            f"token={redacted(self._config.token)}"
            + (", app_token='<redacted>')" if self._config.app_token else ")")
        )
