"""``python -m slackrtm.emulator``: run the Slack emulator as a development server.

What lives here: argument parsing, the printout of the base URL and accepted tokens once the
server listens, and a clean stop on SIGINT/SIGTERM. The server itself is `Emulator`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shlex
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._web.limits import BASE_URL_ENVIRONMENT, TOKEN_ENVIRONMENT
from .records import Limits
from .workspace import EmulatedWorkspace

if TYPE_CHECKING:
    from .server import Emulator

__all__ = ["DESCRIPTION", "add_arguments", "main", "run"]


DESCRIPTION = "A local Slack: every Web API method in schema/ and the RTM WebSocket, with faults."


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m slackrtm.emulator", description=DESCRIPTION)
    return add_arguments(parser)


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the emulator's options to a parser (this module's own, or `slackrtm emulator`)."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (0: pick a free one)")
    parser.add_argument("--workspace", metavar="FILE", help="workspace JSON file")
    parser.add_argument(
        "--users", type=int, default=0, metavar="N", help="add N made-up users (for paging)"
    )
    parser.add_argument(
        "--channels", type=int, default=0, metavar="N", help="add N made-up channels"
    )
    parser.add_argument(
        "--ticket-ttl", type=float, default=30.0, help="seconds a socket URL stays valid"
    )
    parser.add_argument(
        "--web-rate-limit",
        type=int,
        default=20,
        help="rtm.connect calls per token per minute (0: no limit)",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    return parser


def _exports(emu: Emulator) -> list[str]:
    # What a shell needs so that the README's examples and `slackrtm connect` run unchanged
    # against this emulator: both clients and the CLI read these variables.
    lines = ["# point the README's examples and the slackrtm command here:"]
    lines.append(f"export {BASE_URL_ENVIRONMENT}={shlex.quote(emu.base_url)}")
    with contextlib.suppress(LookupError):
        lines.append(f"export {TOKEN_ENVIRONMENT[0]}={shlex.quote(emu.bot_token)}")
    return lines


async def _serve(emu: Emulator) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows loops
            loop.add_signal_handler(signum, stop.set)
    async with emu:
        # Printed once listening, as a development server prints its credentials: these tokens
        # are the emulator's own, not secrets.
        lines = [f"slackrtm emulator listening on {emu.url}", f"base_url={emu.base_url}"]
        for name, prefix in (("bot_token", "xoxb-"), ("user_token", "xoxp-")):
            with contextlib.suppress(LookupError):
                lines.append(f"{name}={emu.workspace.first_token(prefix)}")
        for record in emu.workspace.tokens.values():
            lines.append(f"token={record.token} user={record.user_id} state={record.state}")
        lines.extend(_exports(emu))
        print("\n".join(lines), flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until SIGINT or SIGTERM.

    Args:
        argv: The arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    return run(_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run the emulator with parsed options (see `add_arguments`) until SIGINT or SIGTERM.

    Args:
        args: The options `add_arguments` defines.

    Returns:
        The exit status.
    """
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )
    try:
        workspace = (
            EmulatedWorkspace.from_file(args.workspace)
            if args.workspace
            else EmulatedWorkspace.default(users=args.users, channels=args.channels)
        )
        if args.workspace:
            workspace.seed(args.users, args.channels)
    except (OSError, ValueError) as exc:
        print(f"slackrtm.emulator: error: {exc}", file=sys.stderr)
        return 2
    from .server import Emulator  # aiohttp loads here, not when `slackrtm --help` runs

    limits = Limits(
        ticket_ttl=args.ticket_ttl,
        web_rate_limit=args.web_rate_limit or None,
    )
    emu = Emulator(workspace, host=args.host, port=args.port, limits=limits)
    try:
        asyncio.run(_serve(emu))
    except KeyboardInterrupt:  # where signal handlers are unavailable
        pass
    except OSError as exc:
        print(f"slackrtm.emulator: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
