"""``python -m slackrtm.emulator``: run the Slack emulator as a development server.

What lives here: argument parsing, the printout of the base URL and accepted tokens once the
server listens, and a clean stop on SIGINT/SIGTERM. The server itself is `Emulator`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from .records import Limits
from .server import Emulator
from .workspace import Workspace

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m slackrtm.emulator",
        description="A local Slack for rtm.connect and the RTM WebSocket, with fault injection.",
    )
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
        print("\n".join(lines), flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until SIGINT or SIGTERM.

    Args:
        argv: The arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )
    try:
        workspace = (
            Workspace.from_file(args.workspace)
            if args.workspace
            else Workspace.default(users=args.users, channels=args.channels)
        )
        if args.workspace:
            workspace.seed(args.users, args.channels)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
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
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
