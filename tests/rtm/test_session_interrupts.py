"""Ctrl-C in a sync session: the user's thread sees it, and `close` ends the session.

The sync session waits on conditions shared with its threads, and two hazards of CPython's
threading come with that, each held here against the real emulator over loopback:

- a KeyboardInterrupt that lands inside ``Condition.notify`` between a waiter's release and its
  removal leaves that waiter in the list; a later ``notify()`` wakes it and not the engine, and
  `close` then joined an engine asleep until its next deadline (the README bot, stopped with
  Ctrl-C, once took more than 20 s to exit). The stale waiter is put in place here as CPython
  leaves it;
- a signal the kernel hands to another thread of the process sets Python's flag but does not
  wake a blocked lock wait, so a ``next_event()`` waiting for an event that never comes never
  raised the KeyboardInterrupt; ``_thread.interrupt_main`` sets that flag the same way.

The async session has neither hazard: it waits on the event loop, which Ctrl-C cancels
(``asyncio.run``); its cancellation is `test_session_edges`' business.
"""

from __future__ import annotations

import _thread
import threading
import time
from typing import Any

import pytest

from slackrtm import Client
from slackrtm.emulator import Emulator
from slackrtm.rtm import RtmOptions

from .conftest import eventually

BOUND = 5.0
"""Seconds: far above what either takes (milliseconds), far below the hangs they guard."""


def _take_all(session: Any) -> None:
    """Take the notices and frames of the start, until nothing more comes."""
    while True:
        try:
            session.next_event(timeout=0.3)
        except TimeoutError:
            return


def test_close_wakes_the_engine_past_a_stale_waiter(emu: Emulator) -> None:
    with Client(token=emu.bot_token, base_url=emu.base_url) as client:
        session = client.rtm(options=RtmOptions(ping_interval=60.0))
        session.connect()
        cv: Any = session._engine_cv  # CPython's Condition: its waiters are `_waiters`
        eventually(lambda: len(cv._waiters) == 1)  # the engine asleep until its deadline
        stale = threading.Lock()
        stale.acquire()
        with session._lock:
            cv._waiters.appendleft(stale)  # what a notify interrupted after its release leaves
        closing = threading.Thread(target=session.close, daemon=True)
        started = time.monotonic()
        closing.start()
        closing.join(BOUND)
        assert not closing.is_alive(), "close() waited for the engine's deadline"
        assert time.monotonic() - started < BOUND
        assert session._proto.closed


def test_ctrl_c_reaches_a_thread_waiting_for_an_event(emu: Emulator) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("interrupt_main interrupts the main thread, and this test runs in another")
    raised = threading.Event()
    with Client(token=emu.bot_token, base_url=emu.base_url) as client, client.rtm() as session:

        def interrupt_once_waiting() -> None:
            eventually(lambda: session._waiting == 1)  # blocked in next_event
            _thread.interrupt_main()  # the flag a signal sets, without waking the wait
            if not raised.wait(BOUND):  # the old code: only an event ends the wait
                emu.post_message("C0EMU0001", "a fallback that ends the wait")

        _take_all(session)
        helper = threading.Thread(target=interrupt_once_waiting, daemon=True)
        started = time.monotonic()
        helper.start()
        with pytest.raises(KeyboardInterrupt):
            session.next_event()
        waited = time.monotonic() - started
        raised.set()
        helper.join(BOUND)
    assert waited < BOUND, f"the KeyboardInterrupt came only with an event, after {waited:.1f} s"
