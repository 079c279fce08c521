"""The session's states and their moves (`slackrtm/rtm/_state.py`), held through the engine.

Every move `MOVES` allows is made here through the core's public calls, as a driver makes it;
every move it does not allow raises, naming both states, and leaves the state as it was. The
states read as the plain strings they have always been.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from slackrtm._exceptions import SlackConnectionError
from slackrtm.rtm._protocol import RtmProtocol
from slackrtm.rtm._state import MOVES, State

from .driving import HELLO, connect, make


def reach(state: State) -> RtmProtocol:
    """A fresh core brought to `state` by public calls only."""
    proto = make()
    if state is State.CLOSED:
        proto.close(0.0)
    elif state is State.CONNECTED:
        connect(proto)
    elif state is State.WAITING:
        link = connect(proto)
        proto.connection_lost(link, 1.0, "dropped")
    elif state is not State.IDLE:
        proto.begin_connect(0.0)
        if state is State.OPEN:
            proto.socket_opened(0.0, "info")
    assert proto.state is state
    return proto


def current(proto: RtmProtocol) -> int:
    assert proto.link is not None
    return proto.link


DUE = 100.0
"""Long after any wait `reach` sets up (0.25 s with its random source at 0.5)."""

# The public call that makes each allowed move, from the state `reach` leaves.
BY_CALL: dict[tuple[State, State], Callable[[RtmProtocol], object]] = {
    (State.IDLE, State.CONNECTING): lambda p: p.begin_connect(0.0),
    (State.IDLE, State.CLOSED): lambda p: p.close(0.0),
    (State.CONNECTING, State.OPEN): lambda p: p.socket_opened(0.0, "info"),
    (State.CONNECTING, State.WAITING): lambda p: p.connect_failed(
        0.0, SlackConnectionError("refused"), stage="socket"
    ),
    (State.CONNECTING, State.CLOSED): lambda p: p.connect_failed(
        0.0, SlackConnectionError("refused"), stage="rtm.connect"
    ),
    (State.OPEN, State.CONNECTED): lambda p: p.receive_text(current(p), HELLO, 0.1),
    (State.OPEN, State.WAITING): lambda p: p.connection_lost(current(p), 0.1, "closed"),
    (State.OPEN, State.CLOSED): lambda p: p.close(0.1),
    (State.CONNECTED, State.WAITING): lambda p: p.receive_text(
        current(p), '{"type": "goodbye"}', 1.0
    ),
    (State.CONNECTED, State.CLOSED): lambda p: p.close(1.0),
    (State.WAITING, State.CONNECTING): lambda p: p.begin_connect(DUE),
    (State.WAITING, State.CLOSED): lambda p: p.close(DUE),
}

ALLOWED = sorted((a, b) for a, tos in MOVES.items() for b in tos)
ILLEGAL = sorted((a, b) for a in State for b in State if b not in MOVES[a])


def test_every_state_has_a_row_and_closed_is_the_end() -> None:
    assert set(MOVES) == set(State)
    assert MOVES[State.CLOSED] == frozenset()
    assert all(State.CLOSED in tos for state, tos in MOVES.items() if state is not State.CLOSED)
    assert all(state not in tos for state, tos in MOVES.items()), "no move to where it is"


def test_every_allowed_move_has_a_public_call_that_makes_it() -> None:
    assert sorted(BY_CALL) == ALLOWED


@pytest.mark.parametrize(("start", "to"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_each_allowed_move_is_made_by_its_call(start: State, to: State) -> None:
    proto = reach(start)
    BY_CALL[start, to](proto)
    assert proto.state is to


@pytest.mark.parametrize(("start", "to"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_a_move_not_in_the_table_raises_naming_both_states(start: State, to: State) -> None:
    proto = reach(start)
    with pytest.raises(RuntimeError, match=f"no move from state {start.value} to {to.value}$"):
        proto._move(to)
    assert proto.state is start, "nothing moved"


def test_a_socket_reported_open_with_no_attempt_under_way_is_refused() -> None:
    proto = make()
    with pytest.raises(RuntimeError, match="no move from state idle to open"):
        proto.socket_opened(0.0, "info")
    assert proto.state is State.IDLE
    assert proto.link is None
    assert proto.info is None, "refused before anything changed"


def test_the_states_read_as_the_strings_they_always_were() -> None:
    assert [s.value for s in State] == [
        "idle",
        "connecting",
        "open",
        "connected",
        "waiting",
        "closed",
    ]
    proto = reach(State.WAITING)
    shown = proto.state
    assert isinstance(shown, str)
    assert shown == "waiting"
    assert str(shown) == f"{shown}" == "waiting"
    assert shown in {"waiting"}, "hashes as its string"
    assert json.dumps(shown) == '"waiting"'
    assert State("waiting") is State.WAITING
