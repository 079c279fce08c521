"""Reporting an answer's warnings: a log line and a `SlackApiWarning` each, at the user's line.

What lives here: `report_warnings`, `warning_site` (the file and line a warning names) and
`stack_caller`, the plain walk down this thread's stack to the first frame outside slackrtm
(all the sync client needs). How the caller is found is a parameter (`FindCaller`): the async
client's finder, which also looks through asyncio's tasks, lives beside it
(`slackrtm._aio_caller`). What must not: any knowledge of asyncio or of an event loop.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from .._exceptions import SlackApiWarning
from .limits import EXCERPT, WARNINGS_REPORTED
from .redact import scrub

if TYPE_CHECKING:  # imports for the type checker only: dropping one changes nothing
    from .._spec import MethodSpec  # pragma: no mutate
    from .config import Config  # pragma: no mutate

__all__ = ["FindCaller", "Site", "report_warnings", "stack_caller", "warning_site"]

FindCaller = Callable[[], FrameType | None]
"""Finds the frame of the user's code that made the call, or None when there is none."""

Site = tuple[str, int, dict[Any, int], str]
"""Where a warning points: file name, line, the module's warning registry, module name."""


def stack_caller() -> FrameType | None:
    """The first frame on this thread's stack outside slackrtm: where a call was made.

    Returns:
        The frame, or None when every frame on the stack is slackrtm's.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("slackrtm"):
        frame = frame.f_back
    return frame


def warning_site(caller: FindCaller) -> Site:
    """Where a warning about the current call points: the frame ``caller`` finds.

    Args:
        caller: The client's way of finding the user's frame.

    Returns:
        Its file, line, warning registry and module; a neutral place (``sys``, line 1) when
        it finds none, so a warning never fails for want of a line to point at.
    """
    frame = caller()
    if frame is None:
        return "sys", 1, {}, "sys"
    module = frame.f_globals.get("__name__", "?")
    registry = frame.f_globals.setdefault("__warningregistry__", {})
    return frame.f_code.co_filename, frame.f_lineno, registry, module


def report_warnings(
    spec: MethodSpec[Any, Any], found: tuple[Any, ...], config: Config, caller: FindCaller
) -> None:
    """Log and raise (as `SlackApiWarning`) the warnings of one answer, at the caller's line.

    The first `WARNINGS_REPORTED` one by one, described from the schema and scrubbed; the rest
    in one line (all stay on the response's ``warnings``).

    Args:
        spec: The method called.
        found: The answer's warning codes (`WarningCode` members or plain strings).
        config: The client's settings (its logger, its secrets).
        caller: The client's way of finding the user's frame.
    """
    # Lazy: the generated codes stay unloaded until an answer carries a warning.
    from .._generated.codes import WARNING_DESCRIPTIONS, WarningCode

    logger = config.logger
    filename, lineno, registry, module = warning_site(caller)
    for code in found[:WARNINGS_REPORTED]:
        description = (
            WARNING_DESCRIPTIONS.get(code) if isinstance(code, WarningCode) else None
        ) or spec.warnings.get(str(code), "undocumented warning")
        what = scrub(f"{code}: {description}", config.secrets)[:EXCERPT]
        logger.warning("%s: Slack warning %s", spec.name, what)
        warnings.warn_explicit(
            SlackApiWarning(f"{spec.name}: {what}"),
            SlackApiWarning,
            filename,
            lineno,
            module,
            registry,
        )
    rest = len(found) - WARNINGS_REPORTED
    if rest > 0:
        # A flood of warnings in one answer stays a few lines; all are on `resp.warnings`.
        text = f"{spec.name}: {rest} more warnings (see the response's `warnings`)"
        logger.warning("%s", text)
        warnings.warn_explicit(
            SlackApiWarning(text), SlackApiWarning, filename, lineno, module, registry
        )
