"""The parts of the sessions' shared surface (`slackrtm.rtm._surface`), on their own: no I/O.

Argument checks of the send methods, the outcome of a completed send, and the handler
registry of ``session.on``. The drivers' use of them is `test_session.py`, the twins' likeness
`test_surface.py`; these pin the rules one by one. A socket failure's wording is
`tests/test_socket.py`.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import pytest

from slackrtm import events
from slackrtm._exceptions import RtmErrorAck
from slackrtm.rtm import Connected, Disconnected, Lifecycle
from slackrtm.rtm._arguments import (
    checked_command,
    message_command,
    presence_command,
    typing_command,
)
from slackrtm.rtm._sends import Pending
from slackrtm.rtm._surface import Handlers, outcome, report_handler_error

# -- the send methods' arguments ---------------------------------------------------------------


def test_a_message_command_carries_its_arguments() -> None:
    assert message_command("C1", "hi", None) == events.MessageCommand(channel="C1", text="hi")
    threaded = message_command("C1", "hi", "1.2")
    assert threaded == events.MessageCommand(channel="C1", text="hi", thread_ts="1.2")


@pytest.mark.parametrize(
    ("channel", "text", "thread_ts", "error", "message"),
    [
        (None, "hi", None, TypeError, "channel must be a string, got NoneType"),
        (5, "hi", None, TypeError, "channel must be a string, got int"),
        ("", "hi", None, ValueError, "channel must not be empty"),
        ("C1", None, None, TypeError, "text must be a string, got NoneType"),
        ("C1", b"hi", None, TypeError, "text must be a string, got bytes"),
        ("C1", "", None, ValueError, "text must not be empty"),
        ("C1", "hi", 1.2, TypeError, "thread_ts must be a string, got float"),
        ("C1", "hi", "", ValueError, "thread_ts must not be empty"),
    ],
)
def test_a_bad_message_argument_is_refused_naming_it(
    channel: Any, text: Any, thread_ts: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        message_command(channel, text, thread_ts)
    assert str(info.value) == message


def test_a_message_command_carries_reply_broadcast_a_bool_only() -> None:
    command = message_command("C1", "hi", "1.2", True)
    assert command == events.MessageCommand(
        channel="C1", text="hi", thread_ts="1.2", reply_broadcast=True
    )
    assert message_command("C1", "hi", None, None).reply_broadcast is None
    with pytest.raises(TypeError, match=r"^reply_broadcast must be a bool, got int$"):
        message_command("C1", "hi", "1.2", 1)  # type: ignore[arg-type]


def test_a_typing_command_checks_its_channel() -> None:
    assert typing_command("C1") == events.TypingCommand(channel="C1")
    with pytest.raises(TypeError, match=r"^channel must be a string, got NoneType$"):
        typing_command(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^channel must not be empty$"):
        typing_command("")


def test_a_presence_command_takes_any_iterable_of_ids() -> None:
    expected = events.PresenceSubCommand(ids=("U1", "U2"))
    assert presence_command(["U1", "U2"]) == expected
    assert presence_command(iter(("U1", "U2"))) == expected
    assert presence_command([]) == events.PresenceSubCommand(ids=())


def test_a_presence_command_refuses_one_string_and_bad_ids() -> None:
    with pytest.raises(TypeError, match="not one string"):
        presence_command("U1")
    with pytest.raises(ValueError, match=r"^each user ID must not be empty$"):
        presence_command(["U1", ""])
    with pytest.raises(TypeError, match=r"^each user ID must be a string, got int$"):
        presence_command(["U1", 2])  # type: ignore[list-item]


def test_text_utf8_cannot_encode_is_refused_naming_it_and_paired_surrogates_pass() -> None:
    with pytest.raises(ValueError, match=r"^text holds a lone surrogate \('\\ud800' at index 1\)"):
        message_command("C1", "a\ud800", None)
    assert message_command("C1", "caf\u00e9 \U0001f600", None).text == "caf\u00e9 \U0001f600"
    with pytest.raises(ValueError, match=r"^ids\[0\] holds a lone surrogate"):
        checked_command(events.PresenceSubCommand(ids=["\udfff"]))
    command = events.MessageCommand(channel="C1", text="\u00e9", thread_ts="1.2")
    assert checked_command(command) is command
    assert checked_command("hi") == "hi", "the core refuses it, after the session's checks"


def test_a_mapping_becomes_a_frame_command_and_a_frame_command_is_checked_again() -> None:
    made = checked_command({"type": "presence_query", "ids": ("U1",), "n": 1.5, "b": False})
    assert made == events.FrameCommand(
        frame={"type": "presence_query", "ids": ("U1",), "n": 1.5, "b": False}
    )
    assert checked_command(made) == made
    with pytest.raises(ValueError, match=r"^a frame must not carry an 'id'"):
        checked_command(events.FrameCommand(frame={"type": "x", "id": 1}))
    with pytest.raises(ValueError, match=r"^a key of the frame \('\\ud800'\) holds a lone"):
        checked_command({"type": "x", "\ud800": 1})
    with pytest.raises(TypeError, match=r"^the keys of o must be strings, got 1$"):
        checked_command({"type": "x", "o": {1: 2}})
    nested: dict[str, Any] = {"type": "x"}
    inner = nested
    for _ in range(150):
        inner["o"] = {}
        inner = inner["o"]
    with pytest.raises(ValueError, match=r"nests deeper than 100 levels$"):
        checked_command(nested)
    circular: list[Any] = []
    circular.append(circular)
    with pytest.raises(ValueError, match=r"nests deeper than 100 levels$"):
        checked_command({"type": "x", "loop": circular})


# -- the outcome of a send ---------------------------------------------------------------------


def pending(result: Any = None, error: BaseException | None = None) -> Pending:
    return Pending(
        id=1,
        command=None,
        frame="{}",
        deadline=1.0,
        timeout=1.0,
        expects_ack=True,
        done=True,
        result=result,
        error=error,
    )


def test_the_outcome_of_a_send_is_its_result_or_its_error_raised() -> None:
    ack = events.MessageAck(reply_to=1, ts="1.2")
    assert outcome(pending(result=ack)) is ack
    assert outcome(pending()) is None
    error = RtmErrorAck(code=2, msg="no", description=None, reply_to=1)
    with pytest.raises(RtmErrorAck) as info:
        outcome(pending(result=ack, error=error))
    assert info.value is error


# -- handlers ----------------------------------------------------------------------------------


def on_anything(event: object) -> None:
    """A plain handler."""


async def on_anything_async(event: object) -> None:
    """A coroutine handler."""


def test_handlers_match_by_class_then_by_wire_type_in_registration_order() -> None:
    handlers = Handlers(coroutines=False)
    calls: list[str] = []

    def by(name: str) -> Any:
        return lambda event: calls.append(name)

    first, second, lifecycle, wire, other = by("1"), by("2"), by("L"), by("w"), by("o")
    handlers.add("message", wire)
    handlers.add(events.Message, first)
    handlers.add(events.Event, second)
    handlers.add(Lifecycle, lifecycle)
    handlers.add("goodbye", other)
    message = events.decode('{"type": "message", "ts": "1.0"}')
    assert handlers.matching(message) == [first, second, wire]
    assert handlers.matching(Connected("start")) == [lifecycle]
    assert handlers.matching(Disconnected("x")) == [lifecycle], "subclasses match"
    assert handlers.matching(object()) == []
    unknown = events.decode('{"type": "brand_new"}')
    assert handlers.matching(unknown) == [second]


def test_a_wire_type_that_is_not_a_string_matches_no_type_handler() -> None:
    handlers = Handlers(coroutines=False)
    handlers.add("5", on_anything)
    event = type("Odd", (), {"type": 5})()
    assert handlers.matching(event) == []


def test_the_sync_session_refuses_coroutine_handlers_and_the_async_one_takes_both() -> None:
    sync = Handlers(coroutines=False)
    with pytest.raises(TypeError, match="cannot await a coroutine handler"):
        sync.add("message", on_anything_async)
    sync.add("message", on_anything)
    assert sync.matching(events.decode('{"type": "message", "ts": "1"}')) == [on_anything]
    asynchronous = Handlers(coroutines=True)
    asynchronous.add("message", on_anything_async)
    asynchronous.add("message", on_anything)
    event = events.decode('{"type": "message", "ts": "1"}')
    assert asynchronous.matching(event) == [on_anything_async, on_anything]


@pytest.mark.parametrize(
    ("kind", "handler", "message"),
    [
        ("message", None, "a handler must be callable, got NoneType"),
        ("message", "print", "a handler must be callable, got str"),
        (5, on_anything, "kind must be an event class or a type string, got 5"),
        (events.decode('{"type": "hello"}'), on_anything, "kind must be an event class"),
    ],
)
def test_bad_registrations_are_refused(kind: Any, handler: Any, message: str) -> None:
    handlers = Handlers(coroutines=True)
    with pytest.raises(TypeError) as info:
        handlers.add(kind, handler)
    assert str(info.value).startswith(message)
    assert handlers.matching(events.decode('{"type": "message", "ts": "1"}')) == []


def test_star_handlers_take_every_event_and_notice_after_the_kind_specific_ones() -> None:
    handlers = Handlers(coroutines=False)
    calls: dict[str, Any] = {}

    def by(name: str) -> Any:
        calls[name] = lambda event: None
        return calls[name]

    handlers.add("*", by("star1"))
    handlers.add("message", by("wire"))
    handlers.add(events.Message, by("class"))
    handlers.add("*", by("star2"))
    message = events.decode('{"type": "message", "ts": "1.0"}')
    names = {id(fn): name for name, fn in calls.items()}
    assert [names[id(h)] for h in handlers.matching(message)] == [
        "class",
        "wire",
        "star1",
        "star2",
    ]
    assert [names[id(h)] for h in handlers.matching(Connected("start"))] == ["star1", "star2"]
    unknown = events.decode('{"type": "brand_new"}')
    assert [names[id(h)] for h in handlers.matching(unknown)] == ["star1", "star2"]


def client_and_event(client: object, event: object) -> None:
    """slack_sdk rtm_v2's shape."""


def no_arguments() -> None:
    """Takes nothing."""


def event_and_keyword(event: object, *, client: object) -> None:
    """A required keyword-only argument the session never gives."""


class Signatureless:
    """A callable whose signature cannot be read (as some builtins')."""

    __signature__ = "not a signature"

    def __call__(self, *args: Any) -> None:
        """Takes anything."""


class Porting:
    def on_event(self, event: object) -> None:
        """A bound method: self is bound already."""

    def __call__(self, event: object, extra: object = None) -> None:
        """A callable object taking the event."""


@pytest.mark.parametrize(
    "handler",
    [
        on_anything,
        Porting().on_event,
        Porting(),
        functools.partial(client_and_event, "the client"),
        lambda *args: None,
        lambda event, other=None: None,
        print,
        Signatureless(),
    ],
)
def test_handlers_that_can_take_one_event_or_cannot_be_told_are_taken(handler: Any) -> None:
    Handlers(coroutines=False).add("*", handler)


@pytest.mark.parametrize(
    ("handler", "why"),
    [
        (
            client_and_event,
            "client_and_event(client: 'object', event: 'object') -> 'None' "
            "cannot take it (missing a required argument: 'event')",
        ),
        (no_arguments, "no_arguments() -> 'None' cannot take it (too many positional arguments)"),
        (event_and_keyword, "cannot take it (missing a required argument: 'client')"),
        (functools.partial(client_and_event, "a", "b"), "(too many positional arguments)"),
        (divmod, "divmod(x, y, /) cannot take it (missing a required argument: 'y')"),
    ],
)
def test_a_handler_that_cannot_take_one_event_is_refused_at_registration(
    handler: Any, why: str
) -> None:
    handlers = Handlers(coroutines=True)
    with pytest.raises(TypeError) as info:
        handlers.add("message", handler)
    message = str(info.value)
    assert message.startswith("a handler is called with one argument, the event; ")
    assert why in message
    assert message.endswith(
        "register functools.partial(handler, session), or a function of the event alone"
    )
    assert handlers.matching(events.decode('{"type": "message", "ts": "1"}')) == []


class HandlerObject:
    def __call__(self, event: object) -> None:
        """A handler object: it has no __qualname__ of its own."""

    def __repr__(self) -> str:
        return "<the handler object>"


@pytest.mark.parametrize(
    ("handler", "name"), [(on_anything, "on_anything"), (HandlerObject(), "<the handler object>")]
)
def test_a_handlers_exception_is_logged_with_its_traceback_and_names(
    handler: Any, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("slackrtm.test_surface_rules")
    with caplog.at_level(logging.ERROR, logger=logger.name):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            report_handler_error(logger, handler, Connected("start"))
    (record,) = caplog.records
    assert record.getMessage() == f"RTM: handler {name} raised on Connected; the session goes on"
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
