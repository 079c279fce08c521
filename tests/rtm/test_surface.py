"""The two sessions have the same surface: names, arguments, properties; ``await`` aside."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import pickle
from pathlib import Path
from typing import Any

import pytest

from slackrtm import events
from slackrtm._socket import AsyncSocketOpener, SyncSocketOpener
from slackrtm.rtm import RtmOptions
from slackrtm.rtm._surface import SessionSurface
from slackrtm.rtm.aio import AsyncRtmSession
from slackrtm.rtm.sync import RtmSession

# The iteration protocols differ by name only.
PROTOCOL = {"__iter__": "__aiter__", "__next__": "__anext__", "__enter__": "__aenter__"}
SYNC_ONLY_AWAITED = {"__exit__": "__aexit__"}


def public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def test_the_sessions_have_the_same_public_names_and_signatures() -> None:
    assert public(RtmSession) == public(AsyncRtmSession)
    for name in public(RtmSession):
        sync_member = inspect.getattr_static(RtmSession, name)
        async_member = inspect.getattr_static(AsyncRtmSession, name)
        if isinstance(sync_member, property):
            assert isinstance(async_member, property), name
            continue
        sync_sig = inspect.signature(sync_member).replace(return_annotation=None)
        async_sig = inspect.signature(async_member).replace(return_annotation=None)
        assert sync_sig == async_sig, name
        if name == "on":
            continue  # registration only, no I/O: plain in both
        assert not inspect.iscoroutinefunction(sync_member), name
        assert inspect.iscoroutinefunction(async_member), name


def test_the_iteration_and_context_protocols_pair_up() -> None:
    for sync_name, async_name in {**PROTOCOL, **SYNC_ONLY_AWAITED}.items():
        assert hasattr(RtmSession, sync_name)
        assert hasattr(AsyncRtmSession, async_name)


def test_the_session_errors_are_public_slack_errors() -> None:
    import slackrtm.errors

    for name in (
        "SlackRtmError",
        "RtmErrorAck",
        "RtmSendTimeout",
        "RtmConnectionLost",
        "RtmSessionClosed",
        "RtmFrameTooLarge",
    ):
        cls = getattr(slackrtm, name)
        assert getattr(slackrtm.errors, name) is cls
        assert issubclass(cls, slackrtm.SlackError)
        assert issubclass(cls, slackrtm.SlackRtmError)


def test_the_session_errors_survive_pickling() -> None:
    from slackrtm import (
        RtmConnectionLost,
        RtmErrorAck,
        RtmFrameTooLarge,
        RtmSendTimeout,
        RtmSessionClosed,
    )

    errors = [
        RtmErrorAck(code=4, msg="channel not found", description="d", reply_to=3),
        RtmSendTimeout(timeout=2.5, written=True),
        RtmConnectionLost(cause="connection dropped"),
        RtmSessionClosed(cause="closed by the user"),
        RtmFrameTooLarge(size=20_000, limit=16_384),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert vars(copy) == vars(error)


# -- one surface: the base holds the names, checks and docs; the drivers only wait -------------

SHARED = ("send_message", "typing", "subscribe_presence", "send", "on", "self_", "team", "state")
WAITING = ("connect", "next_event", "run")  # each driver's own, documented once in the base


def test_the_shared_names_are_written_once_in_the_base() -> None:
    for name in SHARED:
        assert name in vars(SessionSurface), name
        assert name not in vars(RtmSession), f"{name}: the sync driver inherits it"
    for name in ("on", "self_", "team", "state", "__repr__", "__init__"):
        assert name not in vars(AsyncRtmSession), name


def test_every_public_name_has_one_doc_for_both_forms() -> None:
    for name in public(RtmSession):
        sync_doc = inspect.getdoc(getattr(RtmSession, name))
        assert sync_doc, name
        if name in SHARED or name in WAITING:
            # The overrides carry no docstring of their own: help() shows the base's.
            assert inspect.getdoc(getattr(AsyncRtmSession, name)) == sync_doc, name
            assert sync_doc == inspect.getdoc(getattr(SessionSurface, name)), name
        else:
            assert inspect.getdoc(getattr(AsyncRtmSession, name)), name


def opener(kind: type) -> Any:
    settings: dict[str, Any] = {
        "ssl_context": None,
        "proxy": None,
        "timeout": 1.0,
        "allow_insecure": False,
        "logger": logging.getLogger("slackrtm.test_surface"),
    }
    if kind is RtmSession:
        return SyncSocketOpener(object(), **settings)  # type: ignore[arg-type]
    return AsyncSocketOpener(object(), object(), **settings)  # type: ignore[arg-type]


def test_both_forms_check_arguments_before_anything_else() -> None:
    sync = RtmSession(opener(RtmSession))
    with pytest.raises(TypeError, match="channel must be a string, got int"):
        sync.send_message(1, "hi")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="user_ids must be a list"):
        sync.subscribe_presence("U1")
    with pytest.raises(RuntimeError, match=r"connect the session first \(with client"):
        sync.typing("C1")

    async def scenario() -> None:
        session = AsyncRtmSession(opener(AsyncRtmSession))
        with pytest.raises(ValueError, match="text must not be empty"):
            await session.send_message("C1", "")
        with pytest.raises(RuntimeError, match=r"connect the session first \(async with client"):
            await session.send(object())
        with pytest.raises(RuntimeError, match=r"connect the session first \(async with client"):
            await session.next_event(0)
        with pytest.raises(TypeError, match="timeout must be a number of seconds"):
            await session.next_event("1")  # type: ignore[arg-type]

    asyncio.run(scenario())
    with pytest.raises(TypeError, match="timeout must be a number of seconds"):
        sync.next_event(True)


@pytest.mark.parametrize("cls", [RtmSession, AsyncRtmSession])
def test_the_constructor_repr_and_one_connect_are_the_bases(cls: type) -> None:
    with pytest.raises(TypeError, match="options must be an RtmOptions"):
        cls(opener(cls), options={"ack_timeout": 1})
    session = cls(opener(cls), options=RtmOptions(ack_timeout=2.0))
    assert repr(session) == f"<{cls.__name__} state=idle>"
    assert session.options.ack_timeout == 2.0
    assert (session.self_, session.team, session.state) == (None, None, "idle")
    session._start()
    with pytest.raises(RuntimeError, match="an RTM session connects once"):
        session._start()  # the one illegal move of the surface's own: a second start


def test_the_base_alone_cannot_be_used_as_a_session() -> None:
    with pytest.raises(NotImplementedError):
        SessionSurface(opener(RtmSession))


# -- every argument the schema gives a command is a keyword of its method ------------------------

COMMANDS = Path(__file__).resolve().parents[2] / "schema" / "rtm" / "commands"
SEND_METHODS: dict[str, tuple[str, dict[str, str]]] = {
    "message": ("send_message", {}),
    "typing": ("typing", {}),
    "presence_sub": ("subscribe_presence", {"ids": "user_ids"}),
}
"""Each command with a method of its own: the method, and its Python names for wire names."""
SESSIONS_OWN = {"ping"}
"""Commands the session sends itself (keepalive), not the user."""
SENT_WITH_SEND = {"presence_query"}
"""Commands sent as their generated class through ``send``, with no method of their own."""


def schema_commands() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(COMMANDS.glob("*.json")):
        frame = json.loads(path.read_text(encoding="utf-8"))
        found[frame["type"]] = frame
    return found


def test_every_schema_command_is_sent_by_a_method_by_send_or_by_the_session() -> None:
    commands = set(schema_commands())
    assert commands, "the schema's commands are found"
    assert commands == set(SEND_METHODS) | SESSIONS_OWN | SENT_WITH_SEND, (
        "a new command in schema/rtm/commands/: give it a method, or list it here"
    )


@pytest.mark.parametrize("cls", [SessionSurface, RtmSession, AsyncRtmSession])
def test_every_schema_argument_of_a_command_is_a_keyword_of_its_method(cls: type) -> None:
    keywords = {inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY}
    for wire_type, frame in schema_commands().items():
        if wire_type not in SEND_METHODS:
            continue
        method, renamed = SEND_METHODS[wire_type]
        parameters = inspect.signature(getattr(cls, method)).parameters
        for field in frame.get("properties", {}):
            name = renamed.get(field, field)
            assert name in parameters, f"{cls.__name__}.{method} lacks {field!r} ({wire_type})"
            assert parameters[name].kind in keywords, f"{method}({name}) is not a keyword"


def test_every_schema_argument_of_a_command_sent_with_send_is_a_keyword_of_its_class() -> None:
    classes = {cls.TYPE: cls for cls in events.COMMAND_ENCODERS}
    for wire_type, frame in schema_commands().items():
        if wire_type in SENT_WITH_SEND:
            parameters = inspect.signature(classes[wire_type]).parameters
            assert set(frame.get("properties", {})) <= set(parameters), wire_type
