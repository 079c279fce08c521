"""The `slackrtm` command line (also ``python -m slackrtm``): argparse, standard library only.

What lives here: the parser (``--help`` at every level), logging for ``--debug`` (DEBUG wire
lines, tokens and socket URLs redacted), and `main`, which runs one subcommand and turns an
expected failure into one line on stderr and an `ExitCode`, with no traceback unless
``--debug``. The subcommands are in `_commands` and `_demo`; what they print, in `_output`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import NoReturn

from .. import __version__
from .._exceptions import SlackApiWarning
from .._generated import RTM_CONNECT
from .._web.limits import (
    APP_TOKEN_ENVIRONMENT,
    BASE_URL_ENVIRONMENT,
    DEFAULT_BASE_URL,
    TOKEN_ENVIRONMENT,
)
from ._commands import connect, emulator, listen, send
from ._demo import DEMO_TIMEOUT, demo
from ._errors import CliError, ExitCode, classify
from ._output import Output, RedactingFormatter, redact

__all__ = ["CliError", "ExitCode", "main"]

EPILOG = """\
exit status: 0 done; 1 a bug, or the demo did not finish; 2 a bad flag or value, or no token;
3 Slack answered ok: false (an API error, an error ack); 4 no answer (refused, DNS, TLS,
timeout); 5 another Slack error (HTTP status, rate limited, an answer off the schema);
130 interrupted.
environment: SLACK_BOT_TOKEN, then SLACK_TOKEN (the token); SLACK_API_URL (the Web API root);
NO_COLOR (no colour even on a terminal)."""

EMULATOR_HELP = (
    "run a local Slack in the foreground: the schema's Web API methods (rtm.connect, auth.test, "
    "team.info, users.*, conversations.list) and the RTM WebSocket, with fault injection"
)

SESSION_ENDED = "RTM: session ended by "
"""How the session's log line about its own end starts: the command prints that error itself."""


DEBUG_HELP = "show tracebacks and DEBUG wire logs (tokens and socket URLs redacted)"


class _Parser(argparse.ArgumentParser):
    # A bad flag is an expected failure like any other: one line, exit 2, no usage dump.
    def error(self, message: str) -> NoReturn:
        raise CliError(ExitCode.USAGE, f"{message} (see '{self.prog} --help')")


def _number(
    text: str, kind: type[int] | type[float], what: str, ok: Callable[[float], bool]
) -> float:
    # argparse prints the message of ArgumentTypeError after the flag's name.
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
    if not ok(value):
        raise argparse.ArgumentTypeError(f"must be {what}, got {text}")
    return value


def _positive(text: str) -> float:
    return _number(text, float, "a positive number of seconds", lambda v: v > 0)


def _count(text: str) -> int:
    return int(_number(text, int, "a whole number, 0 or more", lambda v: v >= 0))


def _at_least_one(text: str) -> int:
    return int(_number(text, int, "a whole number, 1 or more", lambda v: v >= 1))


def _schema_help(wire: str) -> str:
    # The flags of rtm.connect say what the schema says, not a second wording of it.
    return next(arg.description for arg in RTM_CONNECT.arguments if arg.wire == wire)


def _parents() -> dict[str, _Parser]:
    debug = _Parser(add_help=False)
    # SUPPRESS: `slackrtm --debug connect` and `slackrtm connect --debug` both work, and the
    # subcommand's default does not overwrite the one given before it.
    debug.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help=DEBUG_HELP,
    )
    client = _Parser(add_help=False)
    group = client.add_argument_group("connection")
    names = ", then $".join(TOKEN_ENVIRONMENT)
    group.add_argument(
        "--token",
        help=f"the token (default: ${names}; prefer those: a flag shows in the process list)",
    )
    group.add_argument(
        "--base-url",
        metavar="URL",
        help=f"the Web API root (default: ${BASE_URL_ENVIRONMENT}, else {DEFAULT_BASE_URL})",
    )
    group.add_argument(
        "--allow-insecure",
        action="store_true",
        help="take an http:// base URL and ws:// socket URLs on a host that is not loopback (an "
        "emulator on another machine of a test network); the token then travels in clear text",
    )
    group.add_argument(
        "--timeout", type=_positive, default=30.0, metavar="S", help="seconds per attempt (30)"
    )
    group.add_argument(
        "--retries",
        type=_count,
        default=3,
        metavar="N",
        help="retries on 429, 5xx and connection failures (3; 0: none)",
    )
    rtm = _Parser(add_help=False)
    group = rtm.add_argument_group("rtm.connect")
    group.add_argument(
        "--batch-presence-aware",
        action="store_true",
        help=f"send batch_presence_aware=1: {_schema_help('batch_presence_aware')}",
    )
    group.add_argument(
        "--no-presence-sub",
        action="store_true",
        help=(
            "send presence_sub=0: every presence change of the team, without subscribing "
            f"(presence_sub=1, Slack's default: {_schema_help('presence_sub').rstrip('.')})"
        ),
    )
    json_ = _Parser(add_help=False)
    json_.add_argument("--json", action="store_true", help="print JSON (lines) instead of text")
    return {"debug": debug, "client": client, "rtm": rtm, "json": json_}


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; every level answers ``--help``."""
    parents = _parents()
    parser = _Parser(
        prog="slackrtm",
        description="Slack's Real Time Messaging API from the command line, and a local Slack.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"slackrtm {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def command(name: str, summary: str, *uses: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[parents[use] for use in ("debug", *uses)],
        )

    _add_slack_commands(command)
    _add_local_commands(command)
    return parser


_Command = Callable[..., argparse.ArgumentParser]


def _add_slack_commands(command: _Command) -> None:
    """The commands that talk to a Slack (the real one, or an emulator at SLACK_API_URL)."""
    sub = command("connect", "call rtm.connect and print self and team", "client", "rtm", "json")
    sub.add_argument(
        "--show-url", action="store_true", help="print the socket URL (a single-use credential)"
    )
    sub.set_defaults(run=connect)

    sub = command(
        "listen",
        "open an RTM (or Socket Mode) session and print its events",
        "client",
        "rtm",
        "json",
    )
    sub.add_argument(
        "--presence",
        metavar="USER",
        action="append",
        help="subscribe to this user's presence (repeatable)",
    )
    sub.add_argument(
        "--count", type=_at_least_one, metavar="N", help="stop after N events (default: Ctrl-C)"
    )
    sub.add_argument(
        "--stats",
        type=_positive,
        metavar="SECONDS",
        help="print the session's health (rtm.stats) every SECONDS seconds",
    )
    sub.add_argument(
        "--socket-mode",
        action="store_true",
        help="a Socket Mode session instead (app-level token from $SLACK_APP_TOKEN): print "
        "its envelopes, each acked as it comes",
    )
    sub.set_defaults(run=listen)

    sub = command("send", "send one message on an RTM session and print its ack", "client", "json")
    sub.add_argument("--channel", required=True, metavar="C", help="the channel ID, e.g. C0123")
    sub.add_argument("--text", required=True, metavar="T", help="the message text")
    sub.add_argument("--thread-ts", metavar="TS", help="reply in the thread of this message")
    sub.set_defaults(run=send)


def _add_local_commands(command: _Command) -> None:
    """The commands that run a Slack of their own on this machine."""
    from ..emulator.__main__ import add_arguments

    sub = command("emulator", EMULATOR_HELP)
    add_arguments(sub)
    sub.set_defaults(run=emulator)

    sub = command("demo", "start a local Slack in-process and show the SDK at work")
    sub.add_argument(
        "--deadline",
        type=_positive,
        default=DEMO_TIMEOUT,
        metavar="S",
        help=f"stop if the demo takes longer ({DEMO_TIMEOUT:g} s)",
    )
    sub.set_defaults(run=demo)


def _secrets(args: argparse.Namespace) -> list[str]:
    found = [getattr(args, "token", None) or ""]
    found += [os.environ.get(name, "") for name in (*TOKEN_ENVIRONMENT, APP_TOKEN_ENVIRONMENT)]
    return [s for s in found if s]


def _plain(record: logging.LogRecord) -> bool:
    # Without --debug a log line reads like the command's own lines (``slackrtm: warning: ...``),
    # and the session's line about its own end is left out: the command prints that error as
    # its one line (an expected failure is one line).
    record.level = record.levelname.lower()
    return not record.getMessage().startswith(SESSION_ENDED)


def _set_up_logging(debug: bool, secrets: Sequence[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if debug:
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    else:
        fmt = "slackrtm: %(level)s: %(message)s"
        handler.addFilter(_plain)
    handler.setFormatter(RedactingFormatter(fmt, secrets))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `slackrtm` command line.

    Args:
        argv: The arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status (see `ExitCode`).
    """
    out = Output(sys.stdout, sys.stderr)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except CliError as exc:
        out.error(exc.message)
        return exc.code
    if args.command is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    secrets = _secrets(args)
    out = Output(sys.stdout, sys.stderr, secrets)
    if args.command != "emulator":  # the emulator sets up its own logging (--log-level)
        _set_up_logging(args.debug, secrets)
    with warnings.catch_warnings():
        # Slack's warnings are logged as one line each already (and shown in --json output).
        warnings.simplefilter("ignore", SlackApiWarning)
        try:
            return int(args.run(args, out))
        except KeyboardInterrupt:
            out.error("interrupted")
            return ExitCode.INTERRUPTED
        except BrokenPipeError:
            # `slackrtm listen | head`: the reader left; say nothing, as other filters do.
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the exit-time flush
            return ExitCode.OK
        except Exception as exc:
            found = classify(exc)
            if found is None:
                raise
            if args.debug:
                sys.stderr.write(redact(traceback.format_exc(), secrets))
            code, message = found
            out.error(message)
            return code
