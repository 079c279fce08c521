"""`slackrtm demo`: the SDK doing its job against the emulator, in a short readable transcript.

What lives here: the demo's steps, in order. It starts the emulator in-process (on a thread),
calls ``rtm.connect`` with `Client` and `AsyncClient`, shows the workspace picture
(``client.workspace()``), then opens two RTM sessions (``client.rtm()``): presence, messages
with their acks, and a ``goodbye`` the session recovers from by itself. Last, a Socket Mode app
(``client.socket_mode()``) beside an RTM session: a message posted with ``chat.postMessage``
reaching both, a slash command answered in its ack, and a handover.
"""

from __future__ import annotations

import _thread
import argparse
import asyncio
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .. import events
from .._generated import RtmConnectResponse
from ..rtm import Connected
from ..rtm.sync import RtmSession
from ..sync import Client
from ._errors import CliError, ExitCode
from ._output import Output, event_line, redact_url

__all__ = ["DEMO_TIMEOUT", "demo"]

E = TypeVar("E", bound=events.Event)

STEP_TIMEOUT = 10.0
"""Seconds the demo waits for each event it shows."""
DEMO_TIMEOUT = 30.0
"""Seconds the whole demo may take before it stops itself (it needs a few)."""


def _some(names: Iterable[str], shown: int = 6) -> str:
    # A seeded workspace may hold thousands: the count and the first few names.
    ordered = sorted(names)
    more = f", … {len(ordered) - shown} more" if len(ordered) > shown else ""
    return f"{len(ordered)}: {', '.join(ordered[:shown])}{more}"


def _carries(kind: type[events.Event]) -> Callable[[object], bool]:
    """Whether a Socket Mode frame is an Events API envelope carrying an event of `kind`."""
    return lambda e: isinstance(getattr(getattr(e, "payload", None), "event", None), kind)


def _of_type(wire: str) -> Callable[[object], bool]:
    return lambda e: getattr(e, "type", None) == wire and hasattr(e, "envelope_id")


class _Demo:
    def __init__(self, emu: Any, out: Output) -> None:
        self.emu = emu
        self.out = out

    # -- printing -----------------------------------------------------------------------------

    def step(self, text: str) -> None:
        self.out.line(f"{self.out.paint('▸', 'bold', 'blue')} {text}")

    def detail(self, who: str, text: str) -> None:
        self.out.line(f"  {self.out.paint(f'{who:<6}', 'magenta')} {text}")

    def connected(self, who: str, resp: RtmConnectResponse) -> None:
        team = resp.team
        self.detail(
            who,
            f"{resp.self_.name} ({resp.self_.id}) on {team.name} ({team.id}); socket "
            f"{redact_url(resp.url)}",
        )

    # -- steps --------------------------------------------------------------------------------

    def client(self, token: str | None = None) -> Client:
        return Client(token=token or self.emu.bot_token, base_url=self.emu.base_url)

    def start(self) -> None:
        self.step(f"a local Slack (the emulator) listens on {self.emu.base_url}")

    def connect_sync(self) -> None:
        self.step("rtm.connect with Client (sync, urllib3)")
        with self.client() as client:
            self.connected("sync", client.rtm_connect())

    def connect_async(self) -> None:
        self.step("rtm.connect with AsyncClient (async, aiohttp): the same call, awaited")
        from ..aio import AsyncClient

        async def call() -> RtmConnectResponse:
            async with AsyncClient(token=self.emu.bot_token, base_url=self.emu.base_url) as c:
                return await c.rtm_connect()

        self.connected("async", asyncio.run(call()))

    def workspace(self) -> None:
        with self.client() as client:
            self.step("the workspace picture: team.info, users.list, conversations.list")
            ws = client.workspace()
            self.detail("team", f"{ws.team.name} ({ws.team.id})")
            self.detail("users", _some(u.name or u.id for u in ws.users.values()))
            self.detail("chans", _some(f"#{c.name or c.id}" for c in ws.conversations.values()))

    def _people(self) -> tuple[str, str, str]:
        # Two people of the bot's team with tokens, and a channel they share.
        ws = self.emu.workspace
        team = ws.team_of(ws.tokens[self.emu.bot_token].user_id).id
        people = [
            record
            for record in ws.tokens.values()
            if record.state == "active"
            and record.token.startswith("xoxp-")
            and ws.users[record.user_id].team_id == team
        ]
        first, second = people[0], people[1]
        shared = next(
            channel.id
            for channel in ws.channels.values()
            if {first.user_id, second.user_id} <= channel.members
        )
        return first.token, second.token, shared

    def _until(self, who: str, rtm: Any, wanted: Callable[[object], bool], what: str) -> Any:
        # Show every event and lifecycle notice up to the wanted one: the transcript is what
        # the user sees, reconnects included.
        while True:
            try:
                event = rtm.next_event(timeout=STEP_TIMEOUT)
            except TimeoutError:
                raise CliError(
                    ExitCode.FAILURE, f"demo: no {what} within {STEP_TIMEOUT:g} s"
                ) from None
            self.detail(who, event_line(event, self.out))
            if wanted(event):
                return event

    def _next(self, who: str, rtm: RtmSession, kind: type[E]) -> E:
        event = self._until(who, rtm, lambda e: isinstance(e, kind), f"{kind.TYPE} event")
        assert isinstance(event, kind)
        return event

    def sessions(self) -> None:
        first, second, channel = self._people()
        where = f"#{self.emu.workspace.channels[channel].name}"
        with (
            self.client(first) as one,
            self.client(second) as two,
            one.rtm() as alice,
            two.rtm() as bob,
        ):
            a, b = alice.self_.name, bob.self_.name
            self.step(f"two RTM sessions, as {a} and {b}")
            for who, rtm in ((a, alice), (b, bob)):
                self._until(who, rtm, lambda e: isinstance(e, Connected), "connection")
            self.step(f"{a} follows {b}'s presence and says hi in {where}: an ack, a delivery")
            alice.subscribe_presence([bob.self_.id])
            # The ack also proves the subscription was read: one socket, frames in order.
            self.detail(a, event_line(alice.send_message(channel, f"hi {b}"), self.out))
            self._next(b, bob, events.Message)
            self.step(f"{b} goes away; {a} is told")
            self.emu.set_presence(bob.self_.id, "away")
            self._next(a, alice, events.PresenceChange)
            self.step(f"Slack says goodbye to {b}; the session reconnects by itself")
            self.emu.send_goodbye(bob.self_.id)
            self._until(
                b, bob, lambda e: isinstance(e, Connected) and e.connects > 1, "reconnection"
            )
            self.detail(b, event_line(bob.send_message(channel, f"back, {a}"), self.out))
            self._next(a, alice, events.Message)

    def socket_mode(self) -> None:
        first, _, channel = self._people()
        where = f"#{self.emu.workspace.channels[channel].name}"
        bot = Client(
            token=self.emu.bot_token, app_token=self.emu.app_token, base_url=self.emu.base_url
        )
        with bot, bot.socket_mode(ack="manual") as app, self.client(first) as person:
            with person.rtm() as alice:
                a = alice.self_.name
                self.step("a Socket Mode app beside an RTM session: apps.connections.open, xapp-")
                self._until("app", app, lambda e: isinstance(e, Connected), "connection")
                self._until(a, alice, lambda e: isinstance(e, Connected), "connection")
                self.step(f"{a} posts in {where} with chat.postMessage; both sessions get it")
                person.chat_post_message(channel=channel, text="deploy, please")
                self._next(a, alice, events.Message)
                posted = self._until("app", app, _carries(events.Message), "events_api envelope")
                app.ack(posted)
            self.step("a slash command comes in an envelope; the app answers in its ack")
            self.emu.socket_mode.push_slash_command("/deploy", "now", channel_id=channel)
            command = self._until("app", app, _of_type("slash_commands"), "slash command")
            app.ack(command, payload={"text": "deploying now"})
            self.step("Slack asks for a refresh: the next socket opens before the old one closes")
            self.emu.socket_mode.disconnect("refresh_requested")
            self._until(
                "app", app, lambda e: isinstance(e, Connected) and e.connects > 1, "handover"
            )

    def run(self, started: float) -> None:
        title = "slackrtm demo: the SDK against a local Slack, no token or network needed"
        self.out.line(self.out.paint(title, "bold"))
        for step in (self.start, self.connect_sync, self.connect_async, self.workspace,
                     self.sessions, self.socket_mode):  # fmt: skip
            step()
        self.out.line(
            self.out.paint(f"done in {time.monotonic() - started:.2f} s", "green", "bold")
        )


def demo(args: argparse.Namespace, out: Output) -> int:
    """`slackrtm demo`: start the emulator in-process and show the SDK against it."""
    from ..emulator import Emulator  # aiohttp loads only for this command

    # A watchdog, so that a demo that cannot finish (a session waiting on an event that never
    # comes) ends as an interruption instead of hanging a `make demo`.
    started = time.monotonic()
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        _thread.interrupt_main()

    watchdog = threading.Timer(args.deadline, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        with Emulator() as emu:
            _Demo(emu, out).run(started)
    except KeyboardInterrupt:
        if expired.is_set():
            raise CliError(
                ExitCode.FAILURE, f"demo: did not finish within {args.deadline:g} s"
            ) from None
        raise
    finally:
        watchdog.cancel()
    return ExitCode.OK
