"""The emulator as `make bench` runs it for the outbound, workspace and memory rows.

``python -m slackrtm.emulator`` keeps Slack's limits on the socket (one message a second, bursts
of 10), which would measure the limit rather than the client; this runs the same `Emulator` in
its own process with every limit that paces a client off (`Limits`: no Web API rate limit, a
message rate and burst no benchmark reaches), on `EmulatedWorkspace.default` with ``--users N``
made-up users (the 10,000-user workspace of the ``workspace()`` row), and `SENDERS` bots, each
alone in a channel of its own: a contender of the outbound rows posts there, so that no other
contender's socket gets its messages (the emulator, like Slack, delivers a message to every
other socket of the channel's members).

    python -m bench.emulator_server [--users N] [--channels N]   # prints base_url, bot_token
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from slackrtm.emulator import EmulatedWorkspace, Limits
from slackrtm.emulator.server import Emulator

SENDERS = 4
"""Bots that each post alone in a channel of their own (see `sender`)."""


def sender(index: int) -> tuple[str, str]:
    """The token and the channel of the ``index``-th sender bot (0 to SENDERS - 1)."""
    return f"xoxb-bench-sender-{index}", f"C0SEND{index:04d}"


def workspace(users: int, channels: int = 0) -> EmulatedWorkspace:
    """`EmulatedWorkspace.default` with made-up users and channels, and the sender bots."""
    ws = EmulatedWorkspace.default(users=users, channels=channels)
    team = next(iter(ws.teams))
    for index in range(SENDERS):
        token, channel = sender(index)
        user = f"U0SEND{index:04d}"
        ws.add_user(user, name=f"sender{index}", team_id=team, is_bot=True)
        ws.add_token(token, user_id=user)
        ws.add_channel(channel, name=f"sender-{index}", team_id=team, members=[user])
    return ws


UNPACED = Limits(web_rate_limit=None, message_rate=1e9, message_burst=10**9)
"""Slack's limits, less the ones that pace a client: the benchmark measures the client."""


async def serve(users: int, channels: int = 0) -> None:
    """Run until cancelled, after printing the base URL and the bot token."""
    emulator = Emulator(workspace(users, channels), limits=UNPACED)
    async with emulator:
        print(f"base_url={emulator.base_url}", flush=True)
        print(f"bot_token={emulator.bot_token}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.emulator_server")
    parser.add_argument("--users", type=int, default=0, help="made-up users to add")
    parser.add_argument("--channels", type=int, default=0, help="made-up channels to add")
    options = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(options.users, options.channels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
