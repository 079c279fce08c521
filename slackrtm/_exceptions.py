"""The exception and warning hierarchy (hand-written roots; per-code classes are generated).

Every failure a client can meet is one of these: an API error (`ok: false`), an HTTP failure,
a connection failure, or a response that does not match the schema. None of them ever carries
a token or a socket URL in its text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

__all__ = [
    "RateLimited",
    "SlackApiError",
    "SlackApiWarning",
    "SlackConnectionError",
    "SlackError",
    "SlackFrameError",
    "SlackHttpError",
    "SlackResponse",
    "SlackResponseError",
    "SlackTimeoutError",
]


@attrs.frozen(kw_only=True)
class SlackResponse:
    """An HTTP answer as the core saw it: status, headers (lower-cased names) and parsed body."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    body: Mapping[str, Any] | None = attrs.field(default=None, repr=False)
    """The decoded JSON object, or None when the body was not a JSON object."""


class SlackError(Exception):
    """The root of every error this SDK raises."""


class SlackApiError(SlackError):
    """Slack answered ``ok: false``.

    A documented code raises its generated subclass (such as `slackrtm.errors.InvalidAuth`);
    an undocumented one raises this class itself, with the code kept in `error`.

    Attributes:
        error: The error code, as Slack sent it.
        description: What the code means, from the schema; None for an undocumented code.
        method: The Web API method that was called.
        response: The HTTP answer that carried the error.
        extra: Every other field of the error's body, by wire name (such as ``needed`` and
            ``provided`` beside ``missing_scope``); empty when there is none.
    """

    code: ClassVar[str | None] = None
    """The wire code a generated subclass stands for."""
    default_description: ClassVar[str | None] = None

    def __init__(
        self,
        error: str,
        *,
        method: str | None = None,
        description: str | None = None,
        response: SlackResponse | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.error = error
        self.extra: Mapping[str, Any] = dict(extra or {})
        self.method = method
        self.description = description if description is not None else self.default_description
        self.response = response
        where = f"{method}: " if method else ""
        what = f": {self.description}" if self.description else " (undocumented error code)"
        super().__init__(f"{where}{error}{what}")


class SlackHttpError(SlackError):
    """An HTTP status other than 200, or a body that is not a JSON object.

    Attributes:
        status: The HTTP status code.
        excerpt: The first few hundred characters of the body, for diagnosis.
        response: The HTTP answer.
    """

    def __init__(self, message: str, *, status: int, excerpt: str = "", response: SlackResponse):
        self.status = status
        self.excerpt = excerpt
        self.response = response
        super().__init__(f"{message} (HTTP {status}){': ' + repr(excerpt) if excerpt else ''}")


class RateLimited(SlackHttpError):
    """HTTP 429 after every retry the policy allowed.

    Attributes:
        retry_after: Seconds Slack asked the caller to wait, from ``Retry-After``; None if absent.
    """

    def __init__(self, *, retry_after: float | None, excerpt: str = "", response: SlackResponse):
        self.retry_after = retry_after
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        super().__init__(
            f"rate limited{wait}", status=response.status, excerpt=excerpt, response=response
        )


class SlackConnectionError(SlackError):
    """The request did not get an answer: refused, reset, DNS, TLS or proxy failure."""


class SlackTimeoutError(SlackConnectionError):
    """No answer came within the client's timeout."""


class SlackResponseError(SlackError):
    """A 200 answer whose JSON does not match the schema.

    Attributes:
        path: The wire path of the offending value, such as ``team.id`` (``$`` for the root).
        reason: What was wrong there.
    """

    def __init__(self, *, path: str, reason: str, method: str | None = None) -> None:
        self.path = path
        self.reason = reason
        self.method = method
        where = f"{method}: " if method else ""
        super().__init__(f"{where}invalid response at {path}: {reason}")


class SlackFrameError(SlackError):
    """An RTM frame that cannot be read: not JSON, not an object, or a known frame type whose
    fields have the wrong JSON type or miss a required one.

    A session logs such a frame and goes on; `slackrtm.events.decode` raises this and nothing
    else. The message names the frame's type and the field, never the frame's content.

    Attributes:
        path: The wire path of the offending value, such as ``edited.ts`` (``$`` for the frame).
        reason: What was wrong there.
        frame_type: The frame's ``type`` when it was known, else None.
    """

    def __init__(self, *, path: str, reason: str, frame_type: str | None = None) -> None:
        self.path = path
        self.reason = reason
        self.frame_type = frame_type
        what = f"{frame_type} frame" if frame_type else "frame"
        super().__init__(f"unreadable RTM {what} at {path}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments: rebuild from the attributes, so pickle and copy keep them.
        return (_rebuild_frame_error, (self.path, self.reason, self.frame_type))


def _rebuild_frame_error(path: str, reason: str, frame_type: str | None) -> SlackFrameError:
    return SlackFrameError(path=path, reason=reason, frame_type=frame_type)


class SlackApiWarning(UserWarning):
    """A warning Slack attached to an answer, such as ``superfluous_charset``."""
