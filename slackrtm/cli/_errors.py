"""Exit codes of the `slackrtm` command, and how an expected failure becomes one line.

What lives here: `ExitCode` (documented in the README), `CliError` for failures the command
line itself detects (a bad flag, no token), and `classify`, which maps an SDK error to its exit
code and a one-line message. An exception `classify` does not know is a bug: it keeps its
traceback.
"""

from __future__ import annotations

import enum

from .._exceptions import SlackApiError, SlackConnectionError, SlackError

__all__ = ["CliError", "ExitCode", "classify"]

DETAIL = 100
"""Characters of each extra field of an API error that its one line shows."""


class ExitCode(enum.IntEnum):
    """What the process exit status of `slackrtm` means."""

    OK = 0
    """Done."""
    FAILURE = 1
    """Anything else: a bug (a traceback is printed), or a feature this build lacks."""
    USAGE = 2
    """A bad flag or value, no token, a malformed token or base URL (argparse's own status)."""
    API_ERROR = 3
    """Slack answered ``ok: false``: the code and its description are printed."""
    CONNECTION = 4
    """No answer: refused, reset, DNS, TLS, or timed out."""
    SLACK_ERROR = 5
    """Another SDK error: an HTTP error status, rate limiting, an answer off the schema."""
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


def classify(exc: BaseException) -> tuple[ExitCode, str] | None:
    """The exit code and one-line message of an expected failure; None for anything else.

    Args:
        exc: The exception that ended the command.

    Returns:
        ``(code, message)``, or None when the exception is not an expected failure.
    """
    if isinstance(exc, CliError):
        return exc.code, _one_line(exc.message)
    if isinstance(exc, SlackApiError):
        # The code and what it means, from the schema; an undocumented code says so.
        where = f"{exc.method}: " if exc.method else ""
        meaning = exc.description or "undocumented error code"
        # What Slack sent beside the code says what to fix (missing_scope: needed, provided).
        details = "; ".join(
            f"{key}: {str(value)[:DETAIL]}"
            for key, value in getattr(exc, "extra", {}).items()
            if isinstance(value, (str, int, float)) and not isinstance(value, bool)
        )
        line = f"{where}{exc.error}: {meaning}" + (f" ({details})" if details else "")
        return ExitCode.API_ERROR, _one_line(line)
    if isinstance(exc, SlackConnectionError):
        return ExitCode.CONNECTION, _one_line(str(exc) or type(exc).__name__)
    if isinstance(exc, SlackError):
        return ExitCode.SLACK_ERROR, _one_line(f"{type(exc).__name__}: {exc}")
    return None
