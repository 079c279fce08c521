"""The exception and warning hierarchy (hand-written roots; per-code classes are generated).

Every failure a client can meet is one of these: an API error (`ok: false`), an HTTP failure,
a connection failure, or a response that does not match the schema. None of them ever carries
a token or a socket URL in its text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ._lazy import lazy_names

if TYPE_CHECKING:
    from ._response import SlackResponse

__all__ = [
    "AckPayloadRefused",
    "ClientClosed",
    "OutcomeUnknown",
    "RateLimited",
    "RtmConnectionLost",
    "RtmErrorAck",
    "RtmFrameTooLarge",
    "RtmSendTimeout",
    "RtmSessionClosed",
    "SlackApiError",
    "SlackApiWarning",
    "SlackConnectionError",
    "SlackError",
    "SlackFrameError",
    "SlackHttpError",
    "SlackResponse",
    "SlackResponseError",
    "SlackRtmError",
    "SlackTimeoutError",
    "SlackTokenTypeError",
    "SocketModeLinkDisabled",
]

# `SlackResponse` is an attrs class of its own module, loaded with the first error that carries
# one (or when named): raising nothing imports nothing.
__getattr__, __dir__ = lazy_names(__name__, {"SlackResponse": "._response"})


def _rebuild(cls: type[SlackError], args: tuple[Any, ...], state: dict[str, Any]) -> SlackError:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class SlackError(Exception):
    """The root of every error this SDK raises.

    Every subclass, the generated ones included, survives `pickle` and `copy` with its message
    and attributes (as `multiprocessing` and `concurrent.futures` need): the constructor is not
    called again, the stored message and attributes are restored as they were.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


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
    retry_helps: ClassVar[bool | None] = None
    """Whether calling again with the same token can succeed, from the schema: True for a
    passing state (a rate limit, an outage), False when the token, app, workspace or request
    must change first; None for a code the schema does not judge (an undocumented one)."""

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
    """An answer that came but cannot be used: an HTTP status other than 200, or an unusable body.

    A body is unusable when it is not a JSON object: over the cap, in a Content-Encoding that
    cannot be read or decoded, not JSON, ...

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

    def __init__(
        self,
        *,
        retry_after: float | None,
        excerpt: str = "",
        response: SlackResponse,
        method: str | None = None,
    ):
        self.retry_after = retry_after
        self.method = method
        where = f"{method}: " if method else ""
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        super().__init__(
            f"{where}rate limited{wait}",
            status=response.status,
            excerpt=excerpt,
            response=response,
        )


class SlackConnectionError(SlackError):
    """The request got no usable HTTP answer: no connection, or what came was not usable HTTP.

    The connection was refused, reset or closed, or DNS, TLS or a proxy failed; or what came is
    not valid HTTP, or broke off before its end.
    """


class SlackTimeoutError(SlackConnectionError, TimeoutError):
    """No complete answer came within the client's timeout (one deadline per attempt).

    Also a `TimeoutError`, as `RtmSendTimeout` is, so that ``except TimeoutError`` catches
    every deadline the SDK keeps.
    """


class SlackTokenTypeError(SlackError, ValueError):
    """The client has no token of a kind the method takes; raised before any I/O.

    ``apps.connections.open`` takes an app-level token (``xapp-...``, ``app_token=``); the other
    methods take a bot or user token (``token=``). Slack would answer
    ``not_allowed_token_type``. The message names the method, the kinds it takes and the kinds
    the client has, never a token.

    Attributes:
        method: The Web API method, such as ``rtm.connect``.
        accepted: The kinds of token it takes (``bot``, ``user``, ``app``).
        given: The kinds of token the client has.
    """

    def __init__(
        self, message: str, *, method: str, accepted: tuple[str, ...], given: tuple[str, ...]
    ) -> None:
        self.method = method
        self.accepted = accepted
        self.given = given
        super().__init__(message)


class OutcomeUnknown(SlackError):
    """A call that must not run twice was sent, and whether it took effect is unknown.

    Raised for a method whose repeat is a second effect (``chat.postMessage`` posts again,
    ``reactions.add`` reacts again) when the request left and no usable answer came back: a
    timeout, a connection that broke or closed, or an HTTP 5xx. Such a call is never retried
    (an HTTP 429 is: Slack took nothing). Look before calling again: the message may be in
    ``conversations.history``.

    Attributes:
        method: The Web API method that was called.
        cause: The error the call would have raised for an idempotent method (a
            `SlackTimeoutError` or another `SlackConnectionError`; for a 5xx, the
            `SlackApiError` its body names, such as ``fatal_error``, or a `SlackHttpError`);
            also its ``__cause__``.
    """

    def __init__(self, *, method: str, cause: SlackError) -> None:
        self.method = method
        self.cause = cause
        super().__init__(
            f"{method}: outcome unknown, not retried (it may have taken effect): {cause}"
        )


class ClientClosed(SlackError, RuntimeError):
    """The client was closed: before the call, during it, or while the call waited to retry.

    When it is closed during the call, the attempt in flight is abandoned.
    """


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
    """A frame that cannot be read: not JSON, not an object, or a known type with bad fields.

    The same error serves RTM frames and Socket Mode envelopes, so its words name neither.

    The fields of a known frame type are bad when one has the wrong JSON type or a required one
    is missing: `slackrtm.events.decode` then gives a ``FallbackEvent`` (the frame whole, with
    this error's path and reason) and raises this only with ``strict=True``. For a frame that is
    not a JSON object it raises this and nothing else, and a session logs such a frame and goes
    on. The message names the frame's type and the field, never the frame's content.

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
        super().__init__(f"unreadable {what} at {path}: {reason}")


class SlackApiWarning(UserWarning):
    """A warning Slack attached to an answer, such as ``superfluous_charset``."""


# --------------------------------------------------------------------------- the RTM session
# Appended for the RTM session (`slackrtm.rtm`). They pickle like every SlackError.


class SlackRtmError(SlackError):
    """The root of the RTM session's own errors (sends, acks, the session's end)."""


class RtmErrorAck(SlackRtmError):
    """Slack answered a sent frame with an error ack (``{"ok": false, "error": {...}}``).

    Attributes:
        code: The error code Slack sent (an integer on the RTM socket).
        msg: Slack's message, if any.
        description: What the code means, from the schema; None for an undocumented code.
        reply_to: The id of the frame that was refused.
    """

    def __init__(
        self, *, code: int, msg: str | None, description: str | None, reply_to: int
    ) -> None:
        self.code = code
        self.msg = msg
        self.description = description
        self.reply_to = reply_to
        text = f"error ack for frame {reply_to}: code {code}"
        if msg:
            text += f": {msg}"
        if description and description != msg:
            text += f" ({description})"
        super().__init__(text)


class RtmSendTimeout(SlackRtmError, TimeoutError):
    """A send did not complete in time: not written yet, or written and never acknowledged.

    Also a `TimeoutError`, so that ``except TimeoutError`` catches it as it catches
    ``next_event``'s timeout.

    Attributes:
        timeout: The seconds it was given.
        written: Whether the frame had been written to a socket (if so, Slack may have
            received it).
        paced: Whether a frame not written was held back by `RtmOptions.send_rate` pacing
            while the session was connected (else it was not connected).
    """

    def __init__(self, *, timeout: float, written: bool, paced: bool = False) -> None:
        self.timeout = timeout
        self.written = written
        self.paced = paced and not written
        if written:
            what = "no ack"
        elif paced:
            what = "not sent (held back by send_rate pacing)"
        else:
            what = "not sent (the session was not connected)"
        super().__init__(f"send timed out after {timeout:g} s: {what}")


class RtmConnectionLost(SlackRtmError):
    """The socket went away after a frame was written and before its ack came.

    Slack may or may not have received the frame: the session does not send it again, since
    a message would then risk being posted twice.

    Attributes:
        cause: Why the socket went away.
    """

    def __init__(self, *, cause: str) -> None:
        self.cause = cause
        super().__init__(f"connection lost before the ack ({cause}); delivery unknown")


class RtmSessionClosed(SlackRtmError):
    """The session is closed: by `close()`, or ended by an error (then its ``__cause__``).

    Attributes:
        cause: Why the session ended.
    """

    def __init__(self, *, cause: str) -> None:
        self.cause = cause
        super().__init__(f"the RTM session is closed: {cause}")


class RtmFrameTooLarge(SlackRtmError, ValueError):
    """A frame over Slack's size limit; nothing was sent (Slack would close the socket).

    Attributes:
        size: The frame's size in bytes (UTF-8).
        limit: The largest size allowed.
    """

    def __init__(self, *, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"frame of {size} bytes is over the {limit}-byte limit; nothing was sent")


class AckPayloadRefused(SlackRtmError, ValueError):
    """An ack with a ``payload`` for an envelope whose ``accepts_response_payload`` is false.

    Nothing was sent: Slack would drop the payload. Attributes: ``envelope_id``.
    """

    def __init__(self, envelope_id: str) -> None:
        """Name the envelope by its id, never its content."""
        self.envelope_id = envelope_id
        super().__init__(
            f"envelope {envelope_id} does not accept a response payload "
            "(accepts_response_payload is false); ack it without one"
        )


class SocketModeLinkDisabled(SlackRtmError):
    """Slack ended Socket Mode for the app (``disconnect`` with reason ``link_disabled``).

    Socket Mode was turned off in the app's settings (or the app was removed): no new
    connection would be accepted, so the session ends. Attributes: ``reason``.
    """

    def __init__(self, reason: str = "link_disabled") -> None:
        """Name the reason Slack gave."""
        self.reason = reason
        super().__init__(
            f"Slack disabled the Socket Mode link (disconnect reason {reason}): turn Socket "
            "Mode on in the app's settings, then start a new session"
        )
