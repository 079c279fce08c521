"""The two sessions have the same surface: names, arguments, properties; ``await`` aside."""

from __future__ import annotations

import inspect
import pickle

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
