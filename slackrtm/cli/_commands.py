"""The subcommands `connect`, `listen`, `send` and `emulator`.

Each takes parsed options and an `Output`, and returns an exit code or raises what `classify`
turns into one line.

What lives here: making a client from the options (token from ``--token`` or the environment,
Web API root from ``--base-url`` or ``SLACK_API_URL``, ``--allow-insecure``), and each command's
few steps. Nothing
here parses arguments or prints an error; `slackrtm.cli` does both.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs

from .._exceptions import RtmSessionClosed
from .._generated import RtmConnectResponse
from .._web.limits import APP_TOKEN_ENVIRONMENT, TOKEN_ENVIRONMENT
from .._web.policy import RetryPolicy
from ..sync import Client
from ._errors import CliError, ExitCode, usage_error
from ._output import Output, event_json, redact_url, stats_line, to_wire

__all__ = ["connect", "emulator", "listen", "make_client", "send", "show_connection"]


def token_from(args: argparse.Namespace, *, required: bool = True) -> str | None:
    """The token: ``--token``, else the environment (``SLACK_BOT_TOKEN``, then ``SLACK_TOKEN``).

    Raises:
        CliError: There is none, and one is `required`.
    """
    token: str | None = getattr(args, "token", None)
    if token:
        return token
    for name in TOKEN_ENVIRONMENT:
        value = os.environ.get(name)
        if value:
            return value
    if not required:
        return None
    names = " or ".join(TOKEN_ENVIRONMENT)
    raise CliError(ExitCode.USAGE, f"no Slack token: pass --token or set {names}")


def make_client(args: argparse.Namespace) -> Client:
    """A `Client` from the command line's options.

    With ``--socket-mode`` the client needs an app-level token (``SLACK_APP_TOKEN``, which the
    client reads itself); a bot token beside it is optional.

    Raises:
        CliError: No token, or an option the client refuses (a malformed token or base URL, an
            ``http://`` one on a host that is not loopback without ``--allow-insecure``).
    """
    socket_mode = getattr(args, "socket_mode", False)
    if socket_mode and not os.environ.get(APP_TOKEN_ENVIRONMENT):
        raise CliError(
            ExitCode.USAGE,
            f"--socket-mode needs an app-level token (xapp-...): set {APP_TOKEN_ENVIRONMENT}",
        )
    token = token_from(args, required=not socket_mode)
    try:
        return Client(
            token=token,
            base_url=args.base_url,  # None: SLACK_API_URL, else Slack's own
            allow_insecure=args.allow_insecure,
            timeout=args.timeout,
            retry=RetryPolicy(max_retries=args.retries),
        )
    except (TypeError, ValueError) as exc:
        raise usage_error(exc, args.command) from exc


def connect_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``rtm.connect`` arguments the flags ask for; an unset one is not sent at all."""
    options: dict[str, Any] = {}
    if args.batch_presence_aware:
        options["batch_presence_aware"] = True
    if args.no_presence_sub:
        options["presence_sub"] = False
    return options


def show_connection(resp: RtmConnectResponse, out: Output, *, show_url: bool = False) -> None:
    """Self, team, the socket URL (redacted unless asked) and warnings, one row each."""
    team = resp.team
    grid = f", grid {team.enterprise_id}" if team.enterprise_id else ""
    out.line(out.field("self", f"{out.paint(resp.self_.id, 'bold')} {resp.self_.name}"))
    out.line(out.field("team", f"{out.paint(team.id, 'bold')} {team.name} ({team.domain}{grid})"))
    url = resp.url if show_url else redact_url(resp.url)
    out.line(out.field("url", f"{url} {out.paint('(single use, valid 30 s)', 'dim')}"))
    for code in resp.warnings:
        out.line(out.field("warn", out.paint(str(getattr(code, "value", code)), "yellow")))


def connect(args: argparse.Namespace, out: Output) -> int:
    """`slackrtm connect`: call ``rtm.connect`` and print self and team."""
    with make_client(args) as client:
        resp = client.rtm_connect(**connect_options(args))
    if args.json:
        out.json(to_wire(resp, show_secrets=args.show_url))
    else:
        show_connection(resp, out, show_url=args.show_url)
    return ExitCode.OK


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    # A service manager stops `listen` with SIGTERM: close the session as Ctrl-C does.
    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set signal handlers
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


_STATS_DUE = object()
"""What `_events` yields when ``--stats`` is due."""


def _events(rtm: Any, every: float | None) -> Iterator[Any]:
    """The session's events; with `every`, `_STATS_DUE` each `every` seconds among them."""
    if every is None:
        yield from rtm
        return
    due = time.monotonic() + every
    while True:
        left = due - time.monotonic()
        if left <= 0:
            due = time.monotonic() + every
            yield _STATS_DUE
            continue
        try:
            event = rtm.next_event(timeout=left)
        except TimeoutError:
            continue  # the stats are due now
        except RtmSessionClosed:
            return  # closed, as the plain iteration ends
        yield event


def _show_stats(stats: Any, args: argparse.Namespace, out: Output) -> None:
    if args.json:
        out.json({"kind": "RtmStats", **attrs.asdict(stats)})
    else:
        out.note(stats_line(stats))


_RTM_ONLY = ("presence", "batch_presence_aware", "no_presence_sub")
"""``listen``'s options that mean something on RTM only."""


@contextmanager
def _session(client: Client, args: argparse.Namespace, out: Output) -> Iterator[Any]:
    """The session ``listen`` reads: Socket Mode's with ``--socket-mode``, else RTM's."""
    if args.socket_mode:
        given = [name for name in _RTM_ONLY if getattr(args, name)]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise CliError(ExitCode.USAGE, f"{flag} is for RTM sessions, not --socket-mode")
        # "before": each envelope is acked as it is handed out, so one printed is one acked
        # (with "after", the last of `--count` would be left to Slack's retry).
        with client.socket_mode(ack="before") as session:
            out.note("listening on Socket Mode, each envelope acked as it comes; Ctrl-C to stop")
            yield session  # its close writes the acks it queued first
        return
    with client.rtm(**connect_options(args)) as rtm:
        if args.presence:
            try:
                rtm.subscribe_presence(args.presence)
            except (TypeError, ValueError) as exc:  # an empty --presence
                raise usage_error(exc, args.command) from exc
        out.note(
            f"listening as {rtm.self_.name} ({rtm.self_.id}) on {rtm.team.name}; Ctrl-C to stop"
        )
        yield rtm


def listen(args: argparse.Namespace, out: Output) -> int:
    """`slackrtm listen`: stream events until Ctrl-C, SIGTERM or ``--count`` events."""
    seen = 0
    with make_client(args) as client, _sigterm_as_interrupt():
        try:
            with _session(client, args, out) as session:
                for event in _events(session, args.stats):
                    if event is _STATS_DUE:
                        _show_stats(session.stats, args, out)
                        continue
                    # Counted before it is written: once a reader sees a line, Ctrl-C's
                    # "closed after N events" counts it.
                    seen += 1
                    if args.json:
                        out.json(event_json(event))
                    else:
                        out.event(event)
                    if args.count is not None and seen >= args.count:
                        break
        except KeyboardInterrupt:
            # Leaving the `with` above has closed the session (a close frame, no thread left):
            # Ctrl-C is how `listen` is meant to end, so it is a success.
            out.note(f"closed after {seen} events")
    return ExitCode.OK


def send(args: argparse.Namespace, out: Output) -> int:
    """`slackrtm send`: send one message and print its ack."""
    with make_client(args) as client, client.rtm() as rtm:
        try:
            ack = rtm.send_message(args.channel, args.text, thread_ts=args.thread_ts)
        except (TypeError, ValueError) as exc:  # an empty --text, a message over 16 kB
            raise usage_error(exc, args.command) from exc
    if args.json:
        out.json(event_json(ack))
    else:
        out.event(ack)
    return ExitCode.OK


def emulator(args: argparse.Namespace, out: Output) -> int:
    """`slackrtm emulator`: `python -m slackrtm.emulator`, with the same options.

    Its failures (a workspace file that cannot be read, an address it cannot listen on) are
    one line in the command's format, like every other command's.
    """
    from ..emulator import EmulatedWorkspace, Limits
    from ..emulator.__main__ import _serve

    logging.basicConfig(
        level="DEBUG" if args.debug else args.log_level,
        format="%(asctime)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    try:
        if args.workspace:
            workspace = EmulatedWorkspace.from_file(args.workspace)
            workspace.seed(args.users, args.channels)
        else:
            workspace = EmulatedWorkspace.default(users=args.users, channels=args.channels)
    except OSError as exc:
        what = f"cannot read the workspace file {args.workspace}"
        raise CliError(ExitCode.USAGE, f"emulator: {what}: {_reason(exc)}") from exc
    except ValueError as exc:
        raise CliError(ExitCode.USAGE, f"emulator: {exc}") from exc
    from ..emulator import Emulator  # aiohttp loads here, not when `slackrtm --help` runs

    limits = Limits(ticket_ttl=args.ticket_ttl, web_rate_limit=args.web_rate_limit or None)
    emu = Emulator(workspace, host=args.host, port=args.port, limits=limits)
    try:
        asyncio.run(_serve(emu))
    except KeyboardInterrupt:  # where the loop cannot take signal handlers: still a clean stop
        pass
    except OSError as exc:
        what = f"cannot listen on {args.host}:{args.port}"
        raise CliError(ExitCode.USAGE, f"emulator: {what}: {_reason(exc)}") from exc
    return ExitCode.OK


def _reason(exc: OSError) -> str:
    # "[Errno 98] error while attempting to bind on address (...): address already in use"
    # reads as its last part; "No such file or directory" as it is, in lower case.
    text = exc.strerror or str(exc) or type(exc).__name__
    return text.rsplit(": ", 1)[-1].lower()
