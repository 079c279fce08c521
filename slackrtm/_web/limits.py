"""The Web API core's fixed numbers and names: limits, defaults, environment variable names.

What lives here: the constants that more than one module reads (the core's own, the clients,
the command line, the emulator). It imports nothing of ours, so any module may import it
without making a circle; nothing that computes or decides belongs here.
"""

from __future__ import annotations

__all__ = [
    "ACCEPT_ENCODING",
    "APP_TOKEN_ENVIRONMENT",
    "APP_TOKEN_PREFIX",
    "BASE_URL_ENVIRONMENT",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_BODY",
    "EXCERPT",
    "MAX_TIMEOUT",
    "MIN_RATE_LIMIT_WAIT",
    "TOKEN_ENVIRONMENT",
    "WARNINGS_REPORTED",
]

DEFAULT_BASE_URL = "https://slack.com/api/"
BASE_URL_ENVIRONMENT = "SLACK_API_URL"
"""Read for the Web API root when a client gets no ``base_url=`` (e.g. to use the emulator)."""
TOKEN_ENVIRONMENT = ("SLACK_BOT_TOKEN", "SLACK_TOKEN")
"""Read, in this order, for the token when a client gets no ``token=``."""
APP_TOKEN_ENVIRONMENT = "SLACK_APP_TOKEN"
"""Read for the app-level token when a client gets no ``app_token=`` (Socket Mode's)."""
APP_TOKEN_PREFIX = "xapp-"
"""How an app-level token begins; ``xoxb-`` is a bot's, ``xoxp-`` a user's."""
EXCERPT = 200
"""How many characters of an unreadable body an error keeps, for diagnosis."""
DEFAULT_MAX_BODY = 8 * 1024 * 1024
"""The default cap on an answer's body, in bytes after decompression."""
MAX_TIMEOUT = 24 * 3600.0
"""The largest timeout accepted: beyond it a number stops being a deadline (and overflows)."""
MIN_RATE_LIMIT_WAIT = 0.5
"""The shortest wait after HTTP 429, whatever Retry-After says: no retries back to back."""
WARNINGS_REPORTED = 5
"""Warnings of one answer logged and raised one by one; the rest are summed up in one line."""
ACCEPT_ENCODING = "gzip, deflate"
"""The codings both clients ask for, and the only ones `body.BodyReader` decodes."""
