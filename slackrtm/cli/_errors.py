"""Exit codes of the `slackrtm` command, and how an expected failure becomes one line.

What lives here: `ExitCode` (documented in the README), `CliError` for failures the command
line itself detects (a bad flag, no token), and `classify`, which maps an SDK error to its exit
code and a one-line message (a refused clear-text URL names ``--allow-insecure`` as well). An
exception `classify` does not know is a bug: it keeps its traceback.
"""

from __future__ import annotations

import enum

from .._exceptions import (
    RtmConnectionLost,
    RtmErrorAck,
    RtmFrameTooLarge,
    RtmSendTimeout,
    RtmSessionClosed,
    SlackApiError,
    SlackConnectionError,
    SlackError,
    SlackFrameError,
    SlackRtmError,
)

__all__ = ["INSECURE_HINT", "CliError", "ExitCode", "classify", "usage_error"]

DETAIL = 100
"""Characters of each extra field of an API error that its one line shows."""

INSECURE_HINT = " (on the command line: --allow-insecure)"
"""Added to the library's refusal of a clear-text URL, which names its option, not the flag."""


class ExitCode(enum.IntEnum):
    """What the process exit status of `slackrtm` means."""

    OK = 0
    """Done."""
    FAILURE = 1
    """A bug (its traceback is printed), or ``demo`` did not finish in time."""
    USAGE = 2
    """A bad flag or value (an empty ``--text``, a message over 16 kB, an address the emulator
    cannot listen on), no token, a malformed token or base URL (argparse's own status)."""
    API_ERROR = 3
    """Slack answered ``ok: false``, to a Web API call (the code and its description are
    printed) or on the socket (an error ack)."""
    CONNECTION = 4
    """No answer: refused, reset, DNS, TLS, timed out, or no ack before the socket went away."""
    SLACK_ERROR = 5
    """Another SDK error: an HTTP error status, rate limiting (HTTP 429), an answer off the
    schema."""
    INTERRUPTED = 130
    """Ctrl-C (SIGINT) stopped a command before it finished (``listen`` ends with 0)."""


class CliError(Exception):
    """A failure the command line detects itself; printed as one line.

    Attributes:
        code: The exit code.
        message: The line to print (without the ``slackrtm: error:`` prefix).
    """

    def __init__(self, code: ExitCode, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _api_error(exc: SlackApiError) -> str:
    # The code and what it means, from the schema; an undocumented code says so.
    where = f"{exc.method}: " if exc.method else ""
    meaning = exc.description or "undocumented error code"
    # What Slack sent beside the code says what to fix (missing_scope: needed, provided).
    details = "; ".join(
        f"{key}: {str(value)[:DETAIL]}"
        for key, value in getattr(exc, "extra", {}).items()
        if isinstance(value, (str, int, float)) and not isinstance(value, bool)
    )
    return f"{where}{exc.error}: {meaning}" + (f" ({details})" if details else "")


def _rtm_error(exc: SlackError) -> str:
    # The Web API's messages start with the method (``rtm.connect: ...``); the session's own
    # say where they come from in the same place.
    text = str(exc) or type(exc).__name__
    return text if "RTM" in text.split(":", 1)[0] else f"RTM: {text}"


def _code(exc: BaseException) -> ExitCode:
    if isinstance(exc, (SlackApiError, RtmErrorAck)):
        return ExitCode.API_ERROR  # Slack said no: ``ok: false``, by the Web API or the socket
    if isinstance(exc, (SlackConnectionError, RtmSendTimeout, RtmConnectionLost)):
        return ExitCode.CONNECTION
    if isinstance(exc, RtmSessionClosed) and isinstance(exc.__cause__, SlackError):
        return _code(exc.__cause__)  # the session ended because of that
    return ExitCode.SLACK_ERROR


def _hinted(text: str) -> str:
    # The library's refusals of an http:// base URL or a ws:// socket URL on a host that is not
    # loopback name its option (allow_insecure); the command's user sets it with a flag.
    return text + INSECURE_HINT if "allow_insecure" in text else text


def classify(exc: BaseException) -> tuple[ExitCode, str] | None:
    """The exit code and one-line message of an expected failure; None for anything else.

    Every message has one shape, ``<where>: <what happened>``, and never a class name: the
    method for the Web API (``rtm.connect: invalid_auth: ...``), ``RTM`` for the session, the
    flag or value for a usage error.

    Args:
        exc: The exception that ended the command.

    Returns:
        ``(code, message)``, or None when the exception is not an expected failure.
    """
    if isinstance(exc, CliError):
        return exc.code, _one_line(exc.message)
    if isinstance(exc, SlackApiError):
        return ExitCode.API_ERROR, _one_line(_api_error(exc))
    if isinstance(exc, RtmFrameTooLarge):
        return ExitCode.USAGE, _one_line(_rtm_error(exc))  # the value given is too large
    if isinstance(exc, (SlackRtmError, SlackFrameError)):
        return _code(exc), _hinted(_one_line(_rtm_error(exc)))
    if isinstance(exc, SlackError):
        return _code(exc), _hinted(_one_line(str(exc) or type(exc).__name__))
    return None


def usage_error(exc: TypeError | ValueError, command: str) -> CliError:
    """A bad argument the SDK refused before any I/O (an empty ``--text``), as a usage error.

    Args:
        exc: What the SDK's argument check raised (it names the argument).
        command: The subcommand, which the line starts with (``send: text must not be empty``).
    """
    if isinstance(exc, SlackError):  # RtmFrameTooLarge is a ValueError too
        found = classify(exc)
        assert found is not None
        return CliError(*found)
    return CliError(ExitCode.USAGE, _hinted(f"{command}: {exc or type(exc).__name__}"))
